"""App settings: ``settings.ONESTOP_CERTIFICATES`` (a dict) over these defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .choices import DEFAULT_TYPE_CODES, TokenAlgorithm

DEFAULTS: dict[str, Any] = {
    # Where the verification pages are published; QR codes point here.
    "VERIFY_BASE_URL": "http://127.0.0.1:8000",
    # Directory of the encrypted private keys (default: <var dir>/pki).
    "KEY_DIR": None,
    # Years a unit signing certificate is valid; the root certificate's lifetime.
    "UNIT_CERT_YEARS": 3,
    "ROOT_CERT_YEARS": 20,
    "ESEAL_CERT_YEARS": 3,
    "TYPE_CODES": {},
    # Longest lifetime of a share link, in days.
    "SHARE_MAX_DAYS": 30,
    # Platform-wide algorithm of QR tokens, "ES256" or "SM2" (SM2 with SM3 through gmssl); a
    # unit overrides it with UnitIssuer.token_algorithm.
    "TOKEN_ALGORITHM": "ES256",
}


def get(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "ONESTOP_CERTIFICATES", {})}[name]


def key_dir() -> Path:
    configured = get("KEY_DIR")
    path = Path(configured) if configured else Path(settings.VAR_DIR) / "pki"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def type_code(cert_type: str) -> str:
    return {**DEFAULT_TYPE_CODES, **get("TYPE_CODES")}[cert_type]


def token_algorithm(unit_setting: str = "") -> str:
    """The QR token algorithm: the unit's own setting, else the platform's."""
    value = unit_setting or get("TOKEN_ALGORITHM")
    if value not in TokenAlgorithm.values:
        raise ImproperlyConfigured(
            f"ONESTOP_CERTIFICATES['TOKEN_ALGORITHM'] must be one of {TokenAlgorithm.values}"
        )
    return str(value)
