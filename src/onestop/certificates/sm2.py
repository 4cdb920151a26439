"""SM2 signatures with SM3 (GB/T 32918 / GM/T 0003, GB/T 32905 / GM/T 0004) through ``gmssl``.

``gmssl`` (pure Python) does the curve arithmetic and the SM3 hashing, including the signer's
identity hash Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) with the default user id
``1234567812345678`` (GM/T 0009). What this module adds around it:

* randomness from ``secrets``: ``gmssl.func.random_hex`` draws from ``random`` (Mersenne
  Twister, predictable), so neither private keys nor the per-signature nonce k come from it;
* the checks ``gmssl`` leaves out of verification: signature length, 1 ≤ r, s ≤ n − 1, and the
  public key being a point on the curve;
* key ids and the SubjectPublicKeyInfo form of a public key (id-ecPublicKey with the SM2 curve
  OID 1.2.156.10197.1.301, as GmSSL and OpenSSL write it).

Signatures are the raw 64 bytes r ‖ s (big-endian, 32 bytes each), as JWS uses for ES256 — not
the DER SEQUENCE of GM/T 0009; ``signature_to_der`` converts for tools that want DER.

No Django, no database: ``onestop.certificates.services`` stores keys (``pki.key_file_write``).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from gmssl import sm2 as _gm_sm2
from gmssl import sm3 as _gm_sm3

ALGORITHM = "SM2"
DEFAULT_USER_ID = b"1234567812345678"

_TABLE = _gm_sm2.default_ecc_table
N = int(_TABLE["n"], 16)
P = int(_TABLE["p"], 16)
A = int(_TABLE["a"], 16)
B = int(_TABLE["b"], 16)

# DER of SEQUENCE { SEQUENCE { id-ecPublicKey, sm2p256v1 }, BIT STRING (0 unused bits) 04 ... }
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")


class SM2Error(ValueError):
    pass


@dataclass(frozen=True)
class SM2PublicKey:
    """x ‖ y, 128 lowercase hex digits (no 04 prefix), checked to be on the curve."""

    hex: str

    def __post_init__(self) -> None:
        if not is_on_curve(self.hex):
            raise SM2Error("not a point on the SM2 curve")

    @property
    def kid(self) -> str:
        return key_id(self.hex)


@dataclass(frozen=True)
class SM2PrivateKey:
    private_hex: str
    public: SM2PublicKey

    def __repr__(self) -> str:  # never print the scalar
        return f"SM2PrivateKey(kid={self.public.kid!r})"


def sm3(data: bytes) -> bytes:
    return bytes.fromhex(_gm_sm3.sm3_hash(list(data)))


def is_on_curve(public_hex: str) -> bool:
    if len(public_hex) != 128:
        return False
    try:
        x, y = int(public_hex[:64], 16), int(public_hex[64:], 16)
    except ValueError:
        return False
    if not (0 <= x < P and 0 <= y < P):
        return False
    return (y * y - (x * x * x + A * x + B)) % P == 0


def _crypt(private_hex: str, public_hex: str) -> _gm_sm2.CryptSM2:
    crypt = _gm_sm2.CryptSM2(private_key=private_hex, public_key="")
    # set after construction: CryptSM2 drops a leading "04" with str.lstrip("04"), which strips
    # every leading 0 and 4 digit, so a key whose x begins with "04" (1 in 256) would sign and
    # verify against a wrong point
    crypt.public_key = public_hex
    return crypt


def generate_private_key() -> SM2PrivateKey:
    # d in [1, n - 2] (GB/T 32918.1 6.1: d ≠ n − 1 because signing inverts 1 + d)
    d = secrets.randbelow(N - 2) + 1
    return private_key_from_hex(f"{d:064x}")


def private_key_from_hex(private_hex: str) -> SM2PrivateKey:
    d = int(private_hex, 16)
    if not 1 <= d <= N - 2:
        raise SM2Error("private key out of range")
    public = _crypt(f"{d:064x}", "")._kg(d, _TABLE["g"])
    return SM2PrivateKey(private_hex=f"{d:064x}", public=SM2PublicKey(public.lower()))


def key_id(public_hex: str) -> str:
    """First 16 bytes of SM3 over the uncompressed point 04 ‖ x ‖ y, base64url (22 chars)."""
    digest = sm3(b"\x04" + bytes.fromhex(public_hex))
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def sign(data: bytes, *, key: SM2PrivateKey) -> bytes:
    """SM2 signature over SM3(Z_A ‖ data), default user id; 64 bytes r ‖ s."""
    crypt = _crypt(key.private_hex, key.public.hex)
    while True:
        k = secrets.randbelow(N - 1) + 1
        signature = crypt.sign_with_sm3(data, f"{k:064x}")
        if signature is not None:  # r = 0, r + k = n or s = 0: draw another k
            return bytes.fromhex(signature)


def verify(data: bytes, signature: bytes, *, key: SM2PublicKey) -> bool:
    if len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r <= N - 1 and 1 <= s <= N - 1):
        return False
    try:
        return bool(_crypt("", key.hex).verify_with_sm3(signature.hex(), data))
    except (TypeError, ValueError):  # s·G + t·P_A at infinity: gmssl returns no point
        return False


def spki_der(public_hex: str) -> bytes:
    return _SPKI_PREFIX + bytes.fromhex(public_hex)


def spki_pem(public_hex: str) -> str:
    body = base64.encodebytes(spki_der(public_hex)).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"


def public_key_from_pem(pem: str) -> SM2PublicKey:
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    try:
        der = base64.b64decode(body, validate=True)
    except ValueError as exc:
        raise SM2Error("not PEM") from exc
    if len(der) != len(_SPKI_PREFIX) + 64 or not der.startswith(_SPKI_PREFIX):
        raise SM2Error("not an SM2 SubjectPublicKeyInfo")
    return SM2PublicKey(der[len(_SPKI_PREFIX) :].hex())


def signature_to_der(signature: bytes) -> bytes:
    """r ‖ s as the DER SEQUENCE { INTEGER r, INTEGER s } of GM/T 0009 (for OpenSSL, GmSSL)."""

    def integer(value: int) -> bytes:
        raw = value.to_bytes(32, "big").lstrip(b"\x00") or b"\x00"
        if raw[0] & 0x80:
            raw = b"\x00" + raw
        return b"\x02" + bytes([len(raw)]) + raw

    body = integer(int.from_bytes(signature[:32], "big")) + integer(
        int.from_bytes(signature[32:], "big")
    )
    return b"\x30" + bytes([len(body)]) + body
