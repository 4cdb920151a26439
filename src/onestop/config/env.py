"""Reading settings from ONESTOP_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("ONESTOP_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _token() -> str:
    return secrets.token_urlsafe(50)


def secret_from_file_or_generate(
    name: str, filename: str, *, production: bool, generate: Callable[[], str] = _token
) -> str:
    """Return the secret in env var `name`.

    Outside production a missing secret is generated once into var/ so that the demo keeps its
    sessions and encrypted data across restarts. In production a missing secret is fatal.
    """
    value = env(name)
    if value:
        return value
    if production:
        raise ImproperlyConfigured(
            f"{name} is required when ONESTOP_ENV=production. "
            f"Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()
