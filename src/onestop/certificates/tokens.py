"""The compact signed token in a certificate's QR code: JWS compact serialisation, ES256 or SM2.

Header ``{"alg": "ES256" | "SM2", "kid": <issuer key id>, "typ": "onestop-ecert"}``; payload
(short keys keep the QR small)::

    {"id": identifier, "t": type code, "n": title, "h": masked holder, "iss": issuer name,
     "icc": issuer credit code, "nbf": "YYYY-MM-DD", "exp": "YYYY-MM-DD" | null, "iat": epoch}

A status list is a JWS of the same kind (``typ`` ``onestop-status``) signed by the platform
root, listing every identifier that is not valid. ``verify_offline.py`` checks both with only
``cryptography`` and the standard library; ``verify_offline_sm2.py`` checks SM2 tokens and the
SM2-signed status list with only ``gmssl``.

``"SM2"`` is not an IANA-registered JWS algorithm: it means an SM2 signature (GB/T 32918.2) over
SM3(Z_A ‖ signing input) with the default user id, encoded as the 64 raw bytes r ‖ s (see
``sm2.py``). The algorithm is bound to the key: a key signs and verifies with its own algorithm
only, and a token whose ``alg`` is not the key's is refused before any signature check.
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

from . import sm2

ES256 = "ES256"
SM2 = sm2.ALGORITHM
ALGORITHMS = (ES256, SM2)

PrivateKey = ec.EllipticCurvePrivateKey | sm2.SM2PrivateKey
PublicKey = ec.EllipticCurvePublicKey | sm2.SM2PublicKey

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


def key_algorithm(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, sm2.SM2PrivateKey | sm2.SM2PublicKey):
        return SM2
    if isinstance(key.curve, ec.SECP256R1):
        return ES256
    raise TokenError("unsupported key")


def sign(payload: dict[str, Any], *, key: PrivateKey, kid: str, typ: str) -> str:
    """A compact JWS signed with ``key``; its algorithm (ES256 or SM2) follows from the key."""
    alg = key_algorithm(key)
    header = {"alg": alg, "kid": kid, "typ": typ}
    signing_input = f"{_b64(_json(header))}.{_b64(_json(payload))}"
    if isinstance(key, sm2.SM2PrivateKey):
        return f"{signing_input}.{_b64(sm2.sign(signing_input.encode('ascii'), key=key))}"
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
        signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    except ValueError as exc:  # includes UnicodeError
        raise TokenError("not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise TokenError("not a JSON object")
    if header.get("alg") not in ALGORITHMS:
        raise TokenError("only ES256 and SM2 are accepted")
    return header, payload, signing_input, _unb64(parts[2])


def verify(token: str, *, public_key: PublicKey) -> dict[str, Any]:
    """The payload if ``token`` is signed by ``public_key`` with the key's own algorithm."""
    header, payload, signing_input, signature = parse(token)
    if header["alg"] != key_algorithm(public_key):
        raise TokenError("the token's algorithm is not the key's")
    if len(signature) != 64:
        raise TokenError("bad signature length")
    if isinstance(public_key, sm2.SM2PublicKey):
        if not sm2.verify(signing_input, signature, key=public_key):
            raise TokenError("signature does not verify")
        return payload
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise TokenError("signature does not verify") from exc
    return payload
