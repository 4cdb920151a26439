#!/usr/bin/env python3
"""Verify an onestop e-certificate QR token signed with SM2/SM3 offline, with only ``gmssl``
(pure Python, ``pip install gmssl``) and the standard library (no Django, no onestop import,
no ``cryptography``).

Usage::

    python verify_offline_sm2.py --keys keys.json [--status status-sm2.jws] TOKEN_OR_URL

``keys.json`` is what ``/api/v1/certificates/keys/`` publishes; ``status-sm2.jws`` is the status
list signed with the platform's SM2 key, ``/api/v1/certificates/status-list/?alg=SM2``. The
token is the last path segment of the QR code's URL.

The signature is SM2 (GB/T 32918.2) over SM3(Z_A ‖ "<header>.<payload>"), Z_A with the default
user id ``1234567812345678``, encoded as the 64 raw bytes r ‖ s in base64url. Only tokens whose
header says ``"alg": "SM2"`` and whose key is published as ``"alg": "SM2"`` are accepted.

Exit status: 0 valid, 1 not valid (bad signature, unknown key, wrong algorithm, revoked,
suspended, expired), 2 usage error.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
from typing import Any

from gmssl import sm2

_TABLE = sm2.default_ecc_table
_N = int(_TABLE["n"], 16)
_P = int(_TABLE["p"], 16)
_A = int(_TABLE["a"], 16)
_B = int(_TABLE["b"], 16)
# SubjectPublicKeyInfo DER up to the point: id-ecPublicKey, curve sm2p256v1, BIT STRING, 04
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_hex(public_key_pem: str) -> str:
    """x ‖ y (128 hex digits) of an SM2 SubjectPublicKeyInfo PEM, checked to be on the curve."""
    body = "".join(line for line in public_key_pem.strip().splitlines() if "-----" not in line)
    der = base64.b64decode(body, validate=True)
    if len(der) != len(_SPKI_PREFIX) + 64 or not der.startswith(_SPKI_PREFIX):
        raise ValueError("not an SM2 public key")
    x, y = int.from_bytes(der[-64:-32], "big"), int.from_bytes(der[-32:], "big")
    if not (x < _P and y < _P and (y * y - x * x * x - _A * x - _B) % _P == 0):
        raise ValueError("public key is not on the SM2 curve")
    return der[-64:].hex()


def verify_jws(token: str, public_key_pem: str) -> dict[str, Any]:
    """The payload of an SM2 JWS (compact), or ValueError."""
    head, body, sig = token.strip().split(".")
    header = json.loads(_unb64(head))
    if header.get("alg") != "SM2":
        raise ValueError("algorithm is not SM2")
    raw = _unb64(sig)
    if len(raw) != 64:
        raise ValueError("bad signature length")
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):
        raise ValueError("signature does not verify")
    crypt = sm2.CryptSM2(private_key="", public_key="")
    # set after construction: CryptSM2 would lstrip("04") a key whose x begins with 0 or 4
    crypt.public_key = public_key_hex(public_key_pem)
    try:
        ok = crypt.verify_with_sm3(raw.hex(), f"{head}.{body}".encode("ascii"))
    except TypeError:  # the point sum is at infinity: gmssl returns None
        ok = False
    if not ok:
        raise ValueError("signature does not verify")
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
    if entry.get("alg") != "SM2":
        # never try a key of another algorithm (algorithm confusion)
        return False, "key algorithm is " + str(entry.get("alg", "ES256")) + ", not SM2", {}
    try:
        payload = verify_jws(token, entry["public_key_pem"])
    except ValueError as exc:
        return False, str(exc), {}
    revoked_keys: list[str] = []
    entries: dict[str, str] = {}
    if status_jws:
        root = keys.get("sm2_root") or {}
        try:
            if root.get("alg") != "SM2" or token_kid(status_jws) != root.get("kid"):
                return False, "status list: not signed by the SM2 status-list key", payload
            status = verify_jws(status_jws, root["public_key_pem"])
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
    parser = argparse.ArgumentParser(description="Verify an onestop SM2 e-certificate QR token.")
    parser.add_argument("token")
    parser.add_argument("--keys", required=True, help="published keys (JSON)")
    parser.add_argument("--status", help="SM2-signed status list (JWS text)")
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
