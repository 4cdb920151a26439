"""The platform CA's cryptography: ES256 (ECDSA P-256, SHA-256) keys and X.509 certificates.

root (self-signed, CA) → unit signing certificates (certificates, status lists)
                       → enterprise e-seal certificates (signed PDFs)

Private keys are PKCS#8 DER, wrapped with ``onestop.core.pii.encrypt`` (AES-256-GCM under the
project's current PII key, bound to the key id as associated data) and written to
``<key dir>/<kid>.key`` (mode 0600). SM2 keys (QR tokens signed with SM2/SM3, ``sm2.py``) are
stored the same way, the plaintext being ``sm2:<private scalar, hex>``. ``pii_rotate`` does not
reach these files: ``key_file_rewrap`` re-encrypts them under the current PII key (``manage.py``
job to come).

No database writes here: ``onestop.certificates.services`` creates the ``SigningKey`` rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from onestop.core import pii

from . import conf, sm2


@dataclass(frozen=True)
class NewKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """First 16 bytes of SHA-256 over the SubjectPublicKeyInfo, base64url (22 characters)."""
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.urlsafe_b64encode(hashlib.sha256(spki).digest()[:16]).decode().rstrip("=")


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_root(*, common_name: str, years: int, now: dt.datetime) -> NewKey:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return NewKey(kid=key_id(key.public_key()), private_key=key, certificate=cert)


def make_leaf(
    *,
    common_name: str,
    organisation: str,
    years: int,
    now: dt.datetime,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_cert: x509.Certificate,
) -> NewKey:
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = min(now + dt.timedelta(days=365 * years), issuer_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    return NewKey(kid=key_id(key.public_key()), private_key=key, certificate=cert)


# --- key files ---------------------------------------------------------------------------------


def _ad(kid: str) -> bytes:
    return f"onestop-pki:{kid}".encode()


def key_path(kid: str) -> os.PathLike[str]:
    return conf.key_dir() / f"{kid}.key"


_SM2_PREFIX = "sm2:"


def _write_plaintext(kid: str, plaintext: str) -> None:
    token = pii.encrypt(plaintext, associated_data=_ad(kid))
    path = conf.key_dir() / f"{kid}.key"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token)
    os.replace(tmp, path)


def _read_plaintext(kid: str) -> str:
    path = conf.key_dir() / f"{kid}.key"
    try:
        token = path.read_text()
    except FileNotFoundError as exc:
        raise KeyFileMissing(kid) from exc
    return pii.decrypt(token, associated_data=_ad(kid))


def key_file_write(kid: str, private_key: ec.EllipticCurvePrivateKey | sm2.SM2PrivateKey) -> None:
    if isinstance(private_key, sm2.SM2PrivateKey):
        _write_plaintext(kid, _SM2_PREFIX + private_key.private_hex)
        return
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_plaintext(kid, base64.b64encode(der).decode("ascii"))


def key_file_rewrap(kid: str) -> bool:
    """Re-encrypt a key file (ES256 or SM2) under the current PII key; True if rewritten."""
    path = conf.key_dir() / f"{kid}.key"
    token = path.read_text()
    if not pii.needs_rotation(token):
        return False
    _write_plaintext(kid, _read_plaintext(kid))
    return True


@lru_cache(maxsize=256)
def load_private_key(kid: str) -> ec.EllipticCurvePrivateKey:
    plaintext = _read_plaintext(kid)
    if plaintext.startswith(_SM2_PREFIX):
        raise KeyFileMissing(kid, "holds an SM2 key, not an ES256 one")
    key = serialization.load_der_private_key(base64.b64decode(plaintext), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


@lru_cache(maxsize=256)
def load_sm2_private_key(kid: str) -> sm2.SM2PrivateKey:
    plaintext = _read_plaintext(kid)
    if not plaintext.startswith(_SM2_PREFIX):
        raise KeyFileMissing(kid, "holds an ES256 key, not an SM2 one")
    return sm2.private_key_from_hex(plaintext[len(_SM2_PREFIX) :])


@lru_cache(maxsize=256)
def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


class KeyFileMissing(RuntimeError):
    def __init__(self, kid: str, problem: str = "") -> None:
        problem = problem or f"is missing from {conf.key_dir()}"
        super().__init__(f"private key file for {kid!r} {problem}")


def public_key_pem(certificate_pem: str) -> str:
    cert = load_certificate(certificate_pem)
    return (
        cert.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
