"""QR tokens signed with SM2/SM3: the primitive, issuing, online and offline verification,
algorithm confusion, status, configuration."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

from onestop.accounts.models import Person, Unit
from onestop.certificates import conf, pki, services, signing, sm2, tokens
from onestop.certificates.choices import CertificateStatus, KeyStatus, TokenAlgorithm
from onestop.certificates.errors import UnsupportedAlgorithm
from onestop.certificates.models import Certificate, SigningKey, UnitIssuer

HERE = Path(services.__file__).parent
VERIFY_OFFLINE = HERE / "verify_offline.py"
VERIFY_OFFLINE_SM2 = HERE / "verify_offline_sm2.py"
OPENSSL = shutil.which("openssl")

# d = 11: the public key's x begins with the hex digits "04" (gmssl's CryptSM2 would strip them)
KEY_04 = f"{11:064x}"


def _openssl_has_sm2() -> bool:
    if OPENSSL is None:
        return False
    done = subprocess.run(
        [OPENSSL, "list", "-public-key-algorithms"], capture_output=True, text=True
    )
    return "SM2" in done.stdout


needs_openssl_sm2 = pytest.mark.skipif(
    not _openssl_has_sm2(), reason="openssl with SM2 is not installed"
)


@pytest.fixture
def sm2_unit(unit: Unit) -> Unit:
    services.unit_issuer_set(actor=None, unit=unit, token_algorithm=TokenAlgorithm.SM2)
    return unit


@pytest.fixture
def sm2_cert(sm2_unit: Unit, holder: Person) -> Certificate:
    return services.certificate_issue_from_register(
        actor=None,
        person=holder,
        cert_type="driving_licence",
        unit=sm2_unit,
        data={"准驾车型": "C1"},
    )


def _flip(text: str, at: int) -> str:
    """``text`` with one character changed (another base64url character)."""
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


def _forge(header: dict[str, Any], payload: dict[str, Any], sign: Any) -> str:
    signing_input = f"{tokens._b64(tokens._json(header))}.{tokens._b64(tokens._json(payload))}"
    return f"{signing_input}.{tokens._b64(sign(signing_input.encode('ascii')))}"


def _es256_raw(key: ec.EllipticCurvePrivateKey) -> Any:
    def sign(data: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign


def _offline(
    tmp_path: Path, token: str, *, script: Path = VERIFY_OFFLINE_SM2, status: str | None = "SM2"
) -> tuple[int, dict[str, Any]]:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(services.published_keys()), encoding="utf-8")
    args = [sys.executable, "-I", str(script), "--keys", str(keys)]
    if status:
        status_file = tmp_path / "status.jws"
        status_file.write_text(services.status_list_token(algorithm=status), encoding="utf-8")
        args += ["--status", str(status_file)]
    # -I: isolated mode, no onestop on the path — the script stands alone
    done = subprocess.run([*args, token], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def _online_ok(token: str) -> bool:
    result = services.certificate_verify(token=token)
    return result.is_valid and result.token_valid


# --- the primitive -------------------------------------------------------------------------------


def test_sm2_sign_verify_tamper_and_wrong_key() -> None:
    key = sm2.generate_private_key()
    other = sm2.generate_private_key()
    data = b"header.payload"
    signature = sm2.sign(data, key=key)
    assert len(signature) == 64
    assert sm2.verify(data, signature, key=key.public)
    assert not sm2.verify(b"header.paylaad", signature, key=key.public)
    for i in (0, 31, 32, 63):
        flipped = signature[:i] + bytes([signature[i] ^ 1]) + signature[i + 1 :]
        assert not sm2.verify(data, flipped, key=key.public)
    assert not sm2.verify(data, signature, key=other.public)
    assert not sm2.verify(data, signature[:63], key=key.public)
    n = sm2.N.to_bytes(32, "big")
    assert not sm2.verify(data, bytes(32) + signature[32:], key=key.public)  # r = 0
    assert not sm2.verify(data, signature[:32] + n, key=key.public)  # s = n
    assert sm2.sign(data, key=key) != signature  # a fresh nonce each time


def test_sm2_keys_reject_bad_points_and_scalars() -> None:
    with pytest.raises(sm2.SM2Error):
        sm2.SM2PublicKey("00" * 64)
    with pytest.raises(sm2.SM2Error):
        sm2.private_key_from_hex("00" * 32)
    with pytest.raises(sm2.SM2Error):
        sm2.private_key_from_hex(f"{sm2.N - 1:064x}")
    key = sm2.generate_private_key()
    assert sm2.public_key_from_pem(sm2.spki_pem(key.public.hex)) == key.public
    assert key.public.kid == sm2.key_id(key.public.hex) and len(key.public.kid) == 22
    assert key.private_hex not in repr(key)


def test_key_whose_x_begins_with_04_signs_and_verifies() -> None:
    key = sm2.private_key_from_hex(KEY_04)
    assert key.public.hex.startswith("04")
    signature = sm2.sign(b"data", key=key)
    assert sm2.verify(b"data", signature, key=key.public)
    assert not sm2.verify(b"datb", signature, key=key.public)


@needs_openssl_sm2
def test_openssl_agrees_with_our_sm2_in_both_directions(tmp_path: Path) -> None:
    """OpenSSL (SM2 with SM3, distid 1234567812345678) verifies our signature, and we verify
    its: the same Z_A, the same curve, the same key encoding (also for an "04…" key)."""
    assert OPENSSL is not None
    data = tmp_path / "data"
    data.write_bytes(b"eyJhbGciOiJTTTIifQ.eyJpZCI6IjEifQ")
    for key in (sm2.generate_private_key(), sm2.private_key_from_hex(KEY_04)):
        (tmp_path / "pub.pem").write_text(sm2.spki_pem(key.public.hex))
        (tmp_path / "sig.der").write_bytes(
            sm2.signature_to_der(sm2.sign(data.read_bytes(), key=key))
        )
        verify = [OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin"]
        verify += ["-in", "data", "-sigfile", "sig.der", "-digest", "sm3"]
        verify += ["-pkeyopt", "distid:1234567812345678"]
        assert subprocess.run(verify, cwd=tmp_path, capture_output=True).returncode == 0
        data.write_bytes(data.read_bytes() + b"x")
        assert subprocess.run(verify, cwd=tmp_path, capture_output=True).returncode != 0
    # the other way: an OpenSSL key and signature
    run = {"cwd": tmp_path, "check": True, "capture_output": True}
    genpkey = [OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"]
    subprocess.run([*genpkey, "-out", "key.pem"], **run)
    subprocess.run([OPENSSL, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"], **run)
    sign = [OPENSSL, "pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in", "data"]
    sign += ["-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-out", "sig.der"]
    subprocess.run(sign, **run)
    public = sm2.public_key_from_pem((tmp_path / "pub.pem").read_text())
    der = (tmp_path / "sig.der").read_bytes()
    r, s = decode_dss_signature(der)  # the same DER SEQUENCE of two INTEGERs
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert sm2.signature_to_der(raw) == der
    assert sm2.verify(data.read_bytes(), raw, key=public)
    assert not sm2.verify(data.read_bytes() + b"y", raw, key=public)


# --- issuing and keys ----------------------------------------------------------------------------


def test_sm2_token_round_trip_online_and_offline(
    sm2_cert: Certificate, tmp_path: Path, client: Client
) -> None:
    header, payload, _si, _sig = tokens.parse(sm2_cert.token)
    token_key = sm2_cert.qr_key
    assert header["alg"] == "SM2" and header["kid"] == token_key.kid
    assert token_key.algorithm == TokenAlgorithm.SM2 and token_key.unit == sm2_cert.issuing_unit
    # the PDF stays PAdES with the unit's ES256 key
    assert sm2_cert.signing_key.algorithm == TokenAlgorithm.ES256
    assert signing.validate_pdf(bytes(sm2_cert.pdf), trust_roots=services.trust_roots())[0].ok
    assert _online_ok(sm2_cert.token)
    body = client.get("/api/v1/certificates/verify/", {"token": sm2_cert.token}).json()
    assert body["valid"] is True and body["signature_valid"] is True
    page = client.get(reverse("certificates:verify-token", args=[sm2_cert.token]))
    assert "核验通过" in page.content.decode()
    code, out = _offline(tmp_path, services.verify_url(sm2_cert.token))
    assert code == 0 and out["valid"] is True and out["id"] == sm2_cert.identifier
    assert out["h"] == "王*明" and payload["h"] == "王*明"


def test_published_key_set_carries_sm2_keys(sm2_cert: Certificate, client: Client) -> None:
    keys = client.get("/api/v1/certificates/keys/").json()
    entry = keys["keys"][sm2_cert.qr_key.kid]
    assert entry["alg"] == "SM2" and entry["status"] == "active"
    assert sm2.public_key_from_pem(entry["public_key_pem"]).hex == sm2_cert.qr_key.sm2_public_key
    assert keys["keys"][sm2_cert.signing_key.kid]["alg"] == "ES256"
    assert keys["sm2_root"]["alg"] == "SM2"
    assert keys["sm2_root"]["kid"] != keys["root"]["kid"]
    status = client.get("/api/v1/certificates/status-list/", {"alg": "SM2"})
    assert tokens.parse(status.content.decode())[0]["alg"] == "SM2"
    assert tokens.parse(status.content.decode())[0]["kid"] == keys["sm2_root"]["kid"]
    bad = client.get("/api/v1/certificates/status-list/", {"alg": "RS256"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_algorithm"


def test_sm2_private_key_is_an_encrypted_file(sm2_cert: Certificate) -> None:
    key = sm2_cert.qr_key
    content = (conf.key_dir() / f"{key.kid}.key").read_text()
    private = pki.load_sm2_private_key(key.kid)
    assert private.public.hex == key.sm2_public_key
    assert private.private_hex not in content and "sm2:" not in content
    assert (conf.key_dir() / f"{key.kid}.key").stat().st_mode & 0o077 == 0
    assert key.certificate_pem == "" and private.private_hex not in key.sm2_public_key
    with pytest.raises(pki.KeyFileMissing):
        pki.load_private_key(key.kid)  # an SM2 key file is never read as an ES256 one
    with pytest.raises(pki.KeyFileMissing):
        pki.load_sm2_private_key(sm2_cert.signing_key.kid)


# --- tampering, wrong key, algorithm confusion ---------------------------------------------------


def test_one_changed_byte_fails_online_and_offline(sm2_cert: Certificate, tmp_path: Path) -> None:
    head, body, sig = sm2_cert.token.split(".")
    payload = json.loads(tokens._unb64(body))
    payload["exp"] = "2099-12-31"
    changed_payload = f"{head}.{tokens._b64(tokens._json(payload))}.{sig}"
    changed_signature = f"{head}.{body}.{_flip(sig, 10)}"
    for token in (changed_payload, changed_signature):
        assert not _online_ok(token)
        code, out = _offline(tmp_path, token)
        assert code == 1 and out["valid"] is False


def test_wrong_key_fails_online_and_offline(sm2_cert: Certificate, tmp_path: Path) -> None:
    header, payload, _si, _sig = tokens.parse(sm2_cert.token)
    impostor = sm2.generate_private_key()
    forged = _forge(header, payload, lambda data: sm2.sign(data, key=impostor))
    assert not _online_ok(forged)
    code, out = _offline(tmp_path, forged)
    assert code == 1 and out["reason"] == "signature does not verify"
    # a genuine key of another unit does not vouch for this unit's certificate either
    other = SigningKey.objects.exclude(pk=sm2_cert.qr_key.pk)
    other_unit_key = services.unit_sm2_key(unit=_other_unit())
    assert other.filter(pk=other_unit_key.pk).exists()
    borrowed = _forge(
        {**header, "kid": other_unit_key.kid},
        payload,
        lambda data: sm2.sign(data, key=pki.load_sm2_private_key(other_unit_key.kid)),
    )
    result = services.certificate_verify(token=borrowed)
    assert result.found and not result.token_valid and not result.is_valid


def _other_unit() -> Unit:
    from onestop.accounts.tests.factories import UnitFactory

    return UnitFactory(code="HB", name="河北省公安厅", kind="bureau", region_code="130000")


def test_algorithm_confusion_is_refused(sm2_cert: Certificate, tmp_path: Path) -> None:
    header, payload, _si, _sig = tokens.parse(sm2_cert.token)
    sm2_key = pki.load_sm2_private_key(sm2_cert.qr_key.kid)
    es_kid = sm2_cert.signing_key.kid
    es_key = pki.load_private_key(es_kid)
    sm2_kid = sm2_cert.qr_key.kid
    confused = {
        # labelled SM2, naming the SM2 key, carrying an ES256 signature
        "sm2_label_es256_sig": _forge(
            {**header, "alg": "SM2", "kid": sm2_kid}, payload, _es256_raw(es_key)
        ),
        # labelled SM2, naming the ES256 key, carrying an SM2 signature
        "sm2_label_es256_key": _forge(
            {**header, "alg": "SM2", "kid": es_kid},
            payload,
            lambda data: sm2.sign(data, key=sm2_key),
        ),
        # labelled ES256, naming the SM2 key, carrying an ES256 signature
        "es256_label_sm2_key": _forge(
            {**header, "alg": "ES256", "kid": sm2_kid}, payload, _es256_raw(es_key)
        ),
        # labelled ES256, naming the SM2 key, carrying an SM2 signature
        "es256_label_sm2_sig": _forge(
            {**header, "alg": "ES256", "kid": sm2_kid},
            payload,
            lambda data: sm2.sign(data, key=sm2_key),
        ),
    }
    for name, token in confused.items():
        assert not _online_ok(token), name
        named = SigningKey.objects.get(kid=tokens.parse(token)[0]["kid"])
        with pytest.raises(tokens.TokenError):  # the key the token names refuses it
            tokens.verify(token, public_key=services.public_key_of(named))
        for script in (VERIFY_OFFLINE, VERIFY_OFFLINE_SM2):
            code, out = _offline(tmp_path, token, script=script, status=None)
            assert code == 1 and out["valid"] is False, (name, script.name, out)


def test_sm2_script_refuses_an_es256_status_list(sm2_cert: Certificate, tmp_path: Path) -> None:
    code, out = _offline(tmp_path, sm2_cert.token, status="ES256")
    assert code == 1 and out["reason"].startswith("status list:")


# --- status --------------------------------------------------------------------------------------


def test_revoked_sm2_certificate_shown_online_and_offline(
    sm2_cert: Certificate, tmp_path: Path, client: Client
) -> None:
    services.certificate_set_status(
        actor=None, certificate=sm2_cert, status=CertificateStatus.REVOKED, reason="遗失补领"
    )
    code, out = _offline(tmp_path, sm2_cert.token)
    assert code == 1 and out["reason"] == "revoked"
    text = client.get(reverse("certificates:verify-token", args=[sm2_cert.token])).content
    assert "已注销" in text.decode() and "核验未通过" in text.decode()


def test_expired_sm2_certificate_shown_online_and_offline(
    sm2_unit: Unit, holder: Person, tmp_path: Path, client: Client
) -> None:
    cert = services.certificate_issue_from_register(
        actor=None,
        person=holder,
        cert_type="residence_permit",
        unit=sm2_unit,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    assert tokens.parse(cert.token)[0]["alg"] == "SM2"
    code, out = _offline(tmp_path, cert.token, status=None)
    assert code == 1 and out["reason"] == "expired"
    text = client.get(reverse("certificates:verify-token", args=[cert.token])).content.decode()
    assert "已过期" in text and "核验未通过" in text


def test_revoked_sm2_key_fails_and_rotation_keeps_old_tokens(
    sm2_cert: Certificate, sm2_unit: Unit, holder: Person, tmp_path: Path
) -> None:
    old = sm2_cert.qr_key
    services.signing_key_rotate(actor=None, unit=sm2_unit)
    old.refresh_from_db()
    assert old.status == KeyStatus.RETIRED
    newer = services.certificate_issue_from_register(
        actor=None, person=holder, cert_type="vehicle_licence", unit=sm2_unit
    )
    assert newer.qr_key.algorithm == "SM2" and newer.qr_key.kid != old.kid
    assert _online_ok(sm2_cert.token) and _offline(tmp_path, sm2_cert.token)[0] == 0
    services.signing_key_revoke(actor=None, key=old, reason="泄露")
    result = services.certificate_verify(token=sm2_cert.token)
    assert not result.is_valid and result.key_revoked
    code, out = _offline(tmp_path, sm2_cert.token)
    assert code == 1 and out["reason"] == "signing key revoked"
    assert _online_ok(newer.token)


# --- configuration -------------------------------------------------------------------------------


def test_platform_default_and_unit_override(unit: Unit, holder: Person) -> None:
    def issue() -> str:
        cert = services.certificate_issue_from_register(
            actor=None, person=holder, cert_type="resident_id", unit=unit
        )
        return str(tokens.parse(cert.token)[0]["alg"])

    assert issue() == "ES256"  # the default
    with override_settings(ONESTOP_CERTIFICATES={"TOKEN_ALGORITHM": "SM2"}):
        assert issue() == "SM2"
        services.unit_issuer_set(actor=None, unit=unit, token_algorithm="ES256")
        assert issue() == "ES256"  # the unit's own setting wins
        services.unit_issuer_set(actor=None, unit=unit, token_algorithm="")
        assert issue() == "SM2"  # back to the platform's
    bad = override_settings(ONESTOP_CERTIFICATES={"TOKEN_ALGORITHM": "RS256"})
    with bad, pytest.raises(ImproperlyConfigured):
        issue()


def test_bad_unit_algorithm_is_refused_and_changes_nothing(unit: Unit) -> None:
    issuer = services.unit_issuer_set(actor=None, unit=unit, token_algorithm="SM2")
    with pytest.raises(UnsupportedAlgorithm) as raised:
        services.unit_issuer_set(actor=None, unit=unit, token_algorithm="RS256")
    assert "不支持该签名算法" in str(raised.value)
    assert UnitIssuer.objects.get(pk=issuer.pk).token_algorithm == "SM2"
    with pytest.raises(UnsupportedAlgorithm):
        services.status_list_token(algorithm="none")


def test_staff_key_page_shows_the_sm2_key(sm2_cert: Certificate, client: Client) -> None:
    from onestop.accounts.tests.conftest import login_verified
    from onestop.accounts.tests.factories import staff_user

    login_verified(client, staff_user(unit=sm2_cert.issuing_unit, roles=["unit_admin"]))
    page = client.get(reverse("certificates-staff:keys")).content.decode()
    assert f"<td>{sm2_cert.qr_key.kid}</td><td>SM2</td>" in page
    assert f"<td>{sm2_cert.signing_key.kid}</td><td>ES256</td>" in page
