#!/usr/bin/env python3
"""Verify an onestop e-certificate QR token offline, with only ``cryptography`` and the
standard library (no Django, no onestop import).

Usage::

    python verify_offline.py --keys keys.json [--status status.jws] TOKEN_OR_URL

``keys.json`` is what ``/api/v1/certificates/keys/`` publishes (fetch it once, keep it);
``status.jws`` is the signed status list from ``/api/v1/certificates/status-list/`` (fetch it
when you can; its age is printed). The token is the last path segment of the QR code's URL.

Exit status: 0 valid, 1 not valid (bad signature, unknown key, revoked, suspended, expired),
2 usage error. SM2 tokens (``"alg": "SM2"``) are checked by ``verify_offline_sm2.py`` (gmssl);
this script refuses them, and refuses any token whose algorithm is not its key's.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_jws(token: str, public_key_pem: str) -> dict[str, Any]:
    """The payload of an ES256 JWS (compact), or ValueError."""
    head, body, sig = token.strip().split(".")
    header = json.loads(_unb64(head))
    if header.get("alg") != "ES256":
        raise ValueError("algorithm is not ES256")
    raw = _unb64(sig)
    if len(raw) != 64:
        raise ValueError("bad signature length")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an EC key")
    try:
        key.verify(der, f"{head}.{body}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise ValueError("signature does not verify") from exc
    return dict(json.loads(_unb64(body)))


def token_kid(token: str) -> str:
    return str(json.loads(_unb64(token.split(".")[0])).get("kid", ""))


def check(
    token: str, keys: dict[str, Any], status_jws: str | None = None, today: dt.date | None = None
) -> tuple[bool, str, dict[str, Any]]:
    """(valid?, reason, payload). ``token`` may be the whole QR URL."""
    token = token.strip().rstrip("/").rsplit("/", 1)[-1]
    # validity dates are Beijing time (UTC+8, no daylight saving)
    today = today or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    try:
        kid = token_kid(token)
    except ValueError:
        return False, "not a token", {}
    entry = keys.get("keys", {}).get(kid)
    if entry is None:
        return False, "unknown signing key " + kid, {}
    if entry.get("alg", "ES256") != "ES256":
        # the key is not an ES256 key: never try it as one (algorithm confusion)
        return False, "key algorithm is " + str(entry.get("alg")) + ", not ES256", {}
    try:
        payload = verify_jws(token, entry["public_key_pem"])
    except ValueError as exc:
        return False, str(exc), {}
    revoked_keys: list[str] = []
    entries: dict[str, str] = {}
    if status_jws:
        try:
            status = verify_jws(status_jws, keys["root"]["public_key_pem"])
        except ValueError as exc:
            return False, "status list: " + str(exc), payload
        entries = status.get("entries", {})
        revoked_keys = status.get("revoked_keys", [])
        age = dt.datetime.now(dt.UTC).timestamp() - status.get("iat", 0)
        print(f"status list is {age / 3600:.1f} hours old", file=sys.stderr)
    if kid in revoked_keys or entry.get("status") == "revoked":
        return False, "signing key revoked", payload
    state = entries.get(payload["id"])
    if state:
        return False, state, payload
    if payload.get("exp") and dt.date.fromisoformat(payload["exp"]) < today:
        return False, "expired", payload
    if dt.date.fromisoformat(payload["nbf"]) > today:
        return False, "not yet valid", payload
    return True, "valid", payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an onestop e-certificate QR token.")
    parser.add_argument("token")
    parser.add_argument("--keys", required=True, help="published keys (JSON)")
    parser.add_argument("--status", help="signed status list (JWS text)")
    args = parser.parse_args(argv)
    with open(args.keys, encoding="utf-8") as handle:
        keys = json.load(handle)
    status = None
    if args.status:
        with open(args.status, encoding="utf-8") as handle:
            status = handle.read().strip()
    ok, reason, payload = check(args.token, keys, status)
    print(json.dumps({"valid": ok, "reason": reason, **payload}, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
