"""The compact signed token in a certificate's QR code: JWS compact serialisation, ES256.

Header ``{"alg": "ES256", "kid": <issuer key id>, "typ": "onestop-ecert"}``; payload (short keys
keep the QR small)::

    {"id": identifier, "t": type code, "n": title, "h": masked holder, "iss": issuer name,
     "icc": issuer credit code, "nbf": "YYYY-MM-DD", "exp": "YYYY-MM-DD" | null, "iat": epoch}

A status list is a JWS of the same kind (``typ`` ``onestop-status``) signed by the platform
root, listing every identifier that is not valid. ``verify_offline.py`` checks both with only
``cryptography`` and the standard library.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

CERT_TYP = "onestop-ecert"
STATUS_TYP = "onestop-status"


class TokenError(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise TokenError("not base64url") from exc


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(payload: dict[str, Any], *, key: ec.EllipticCurvePrivateKey, kid: str, typ: str) -> str:
    header = {"alg": "ES256", "kid": kid, "typ": typ}
    signing_input = f"{_b64(_json(header))}.{_b64(_json(payload))}"
    der = key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, payload, signing input, raw signature) without verifying."""
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("a token has three parts")
    try:
        header = json.loads(_unb64(parts[0]))
        payload = json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise TokenError("not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise TokenError("not a JSON object")
    if header.get("alg") != "ES256":
        raise TokenError("only ES256 is accepted")
    return header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), _unb64(parts[2])


def verify(token: str, *, public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    _header, payload, signing_input, signature = parse(token)
    if len(signature) != 64:
        raise TokenError("bad signature length")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise TokenError("signature does not verify") from exc
    return payload
