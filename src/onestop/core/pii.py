"""Personal data at rest: AES-256-GCM encryption with key rotation, keyed lookup hashes, masking.

Tokens look like ``k1$<base64url(nonce || ciphertext || tag)>``: the key id says which key
decrypts, so keys can be rotated (new first key in ONESTOP_PII_KEYS, old keys kept after it until
``manage.py pii_rotate`` has re-encrypted every row).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_NONCE_BYTES = 12


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]


def _parse_keys(spec: str) -> Keyring:
    keys: dict[str, bytes] = {}
    current: str | None = None
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        if not sep or not key_id.isalnum():
            raise ImproperlyConfigured("ONESTOP_PII_KEYS entries must look like 'k1:<base64 key>'")
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if len(raw) != 32:
            raise ImproperlyConfigured(f"PII key {key_id!r} must be 32 bytes (AES-256)")
        keys[key_id] = raw
        current = current or key_id
    if current is None:
        raise ImproperlyConfigured("ONESTOP_PII_KEYS is empty")
    return Keyring(current_id=current, keys=keys)


@lru_cache(maxsize=4)
def _keyring_for(spec: str) -> Keyring:
    return _parse_keys(spec)


def keyring() -> Keyring:
    return _keyring_for(settings.PII_KEYS)


def encrypt(plaintext: str, *, associated_data: bytes = b"onestop-pii") -> str:
    ring = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current_id]).encrypt(
        nonce, plaintext.encode("utf-8"), associated_data
    )
    return f"{ring.current_id}${base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def decrypt(token: str, *, associated_data: bytes = b"onestop-pii") -> str:
    key_id, sep, body = token.partition("$")
    if not sep:
        raise ValueError("not an encrypted PII token")
    ring = keyring()
    try:
        key = ring.keys[key_id]
    except KeyError as exc:
        raise ImproperlyConfigured(f"PII key {key_id!r} is no longer configured") from exc
    raw = base64.urlsafe_b64decode(body)
    return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], associated_data).decode()


def needs_rotation(token: str) -> bool:
    return not token.startswith(keyring().current_id + "$")


def lookup_hash(value: str, *, kind: str) -> str:
    """Keyed hash for exact-match lookup of a normalised value (never store the bare value)."""
    key = settings.PII_HASH_KEY.encode("utf-8")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """4501**********123X — region prefix and last four kept."""
    return mask(value, keep_start=4, keep_end=4)


def mask_mobile(value: str) -> str:
    """138****5678."""
    return mask(value, keep_start=3, keep_end=4)


def mask_name(value: str) -> str:
    """张*明 / 张* — surname kept."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
