"""Personal data at rest: AES-256-GCM encryption with key rotation, keyed lookup hashes, masking.

Tokens look like ``k1$<base64url(nonce || ciphertext || tag)>``: the key id says which key
decrypts, so keys can be rotated (new first key in ONESTOP_PII_KEYS, old keys kept after it until
``manage.py pii_rotate`` has re-encrypted every row).

``EncryptedTextField`` binds each token to its column (``associated_data`` names the model and
field), so a ciphertext copied into another column or table does not decrypt. Tokens written
before that binding used the bare ``onestop-pii`` label; they still decrypt (``LEGACY_AD``) and
``pii_rotate`` rewrites them.

Lookup hashes (``lookup_hash``) are keyed with ONESTOP_PII_HASH_KEY; that key cannot be rotated
without recomputing every ``*_hash`` column from the plaintext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_NONCE_BYTES = 12
_TAG_BYTES = 16
LEGACY_AD = b"onestop-pii"


class PiiKeyError(ImproperlyConfigured):
    """A token names a key id that is not (or no longer) configured in ONESTOP_PII_KEYS."""


class PiiDecryptionError(ValueError):
    """A token is malformed or was tampered with (or belongs to another column)."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]


def _parse_keys(spec: str) -> Keyring:
    keys: dict[str, bytes] = {}
    current: str | None = None
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id.isascii() or not key_id.isalnum():
            raise ImproperlyConfigured(
                "ONESTOP_PII_KEYS entries must look like 'k1:<base64 key>' (ASCII letters and "
                "digits for the id)"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"PII key id {key_id!r} appears twice in ONESTOP_PII_KEYS")
        encoded = encoded.strip()
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"PII key {key_id!r} is not valid base64") from exc
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


def encrypt(plaintext: str, *, associated_data: bytes = LEGACY_AD) -> str:
    ring = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current_id]).encrypt(
        nonce, plaintext.encode("utf-8"), associated_data
    )
    return f"{ring.current_id}${base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def token_key_id(token: str) -> str:
    key_id, sep, _body = token.partition("$")
    if not sep or not key_id:
        raise PiiDecryptionError("not an encrypted PII token")
    return key_id


def decrypt(
    token: str, *, associated_data: bytes = LEGACY_AD, fallback_ad: bytes | None = None
) -> str:
    """Decrypt a token; ``fallback_ad`` is tried when ``associated_data`` does not match."""
    key_id = token_key_id(token)
    body = token[len(key_id) + 1 :]
    ring = keyring()
    try:
        key = ring.keys[key_id]
    except KeyError as exc:
        raise PiiKeyError(
            f"PII key {key_id!r} is no longer configured: add it back to ONESTOP_PII_KEYS "
            f"(after the current key) and run 'manage.py pii_rotate'"
        ) from exc
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise PiiDecryptionError("PII token is not valid base64") from exc
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise PiiDecryptionError("PII token is too short")
    aead = AESGCM(key)
    for ad in (associated_data, fallback_ad):
        if ad is None:
            continue
        try:
            return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], ad).decode("utf-8")
        except InvalidTag:
            continue
    raise PiiDecryptionError(
        f"PII token under key {key_id!r} failed authentication (tampered, or copied from "
        f"another column)"
    )


def needs_rotation(token: str) -> bool:
    return not token.startswith(keyring().current_id + "$")


def lookup_hash(value: str, *, kind: str) -> str:
    """Keyed hash for exact-match lookup of a normalised value (never store the bare value).

    Normalise first (``onestop.core.identity``): ``lookup_hash`` hashes exactly what it is given.
    """
    key = settings.PII_HASH_KEY.encode("utf-8")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int, keep_end: int) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    # value[-0:] would be the whole string, so slice from an explicit start.
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


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
