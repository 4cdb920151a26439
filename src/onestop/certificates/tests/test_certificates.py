"""Certificates: identifiers, issuing, independent verification (pyHanko, pdfsig, the offline
script), status, scans, share links, keys, and the case hook."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from onestop.accounts.models import Person, Unit
from onestop.accounts.services import person_mark_verified
from onestop.cases.choices import CaseState
from onestop.cases.tests.factories import case_in_state, item_version
from onestop.catalogue.choices import ResultType
from onestop.certificates import identifiers, services, signing, tokens
from onestop.certificates.choices import CertificateStatus
from onestop.certificates.models import Certificate, ShareLink, VerificationScan

VERIFY_OFFLINE = Path(services.__file__).with_name("verify_offline.py")
PDFSIG = shutil.which("pdfsig")


def flip_signed_byte(pdf: bytes) -> bytes:
    """Change one byte inside the signed range (the producer name in the info dictionary)."""
    at = pdf.index(b"ReportLab")
    return pdf[:at] + b"X" + pdf[at + 1 :]


# --- identifiers --------------------------------------------------------------------------------


def test_identifier_structure_and_check_character() -> None:
    ident = identifiers.build(
        type_code="OS0004", issuer_credit_code="11120000MB00000013", serial=42, version=1
    )
    assert ident.startswith("1.2.156.3005.2.OS0004.11120000MB00000013.0000042.001.")
    assert identifiers.is_valid(ident)


@given(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=0, max_value=60))
def test_identifier_check_character_catches_a_changed_digit(serial: int, position: int) -> None:
    ident = identifiers.build(
        type_code="OS0100", issuer_credit_code="11120000MB00000013", serial=serial, version=1
    )
    body, _sep, check = ident.rpartition(".")
    digits = [i for i, ch in enumerate(body) if ch.isdigit() and i > len("1.2.156.3005.2")]
    i = digits[position % len(digits)]
    changed = body[:i] + str((int(body[i]) + 1) % 10) + body[i + 1 :]
    assert not identifiers.is_valid(f"{changed}.{check}")


# --- issuing and independent verification -------------------------------------------------------


def test_issued_pdf_validates_with_pyhanko_and_fails_after_one_byte(
    certificate: Certificate,
) -> None:
    pdf = bytes(certificate.pdf)
    reports = signing.validate_pdf(pdf, trust_roots=services.trust_roots())
    assert len(reports) == 1 and reports[0].ok and reports[0].covers_whole_file
    assert "天津市公安局" in reports[0].signer_subject
    tampered = signing.validate_pdf(flip_signed_byte(pdf), trust_roots=services.trust_roots())
    assert not tampered[0].intact and not tampered[0].ok


@pytest.mark.skipif(PDFSIG is None, reason="poppler-utils (pdfsig) is not installed")
def test_issued_pdf_validates_with_pdfsig_and_fails_after_one_byte(
    certificate: Certificate, tmp_path: Path
) -> None:
    good = tmp_path / "good.pdf"
    bad = tmp_path / "bad.pdf"
    good.write_bytes(bytes(certificate.pdf))
    bad.write_bytes(flip_signed_byte(bytes(certificate.pdf)))
    out = subprocess.run([PDFSIG, str(good)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    out = subprocess.run([PDFSIG, str(bad)], capture_output=True, text=True).stdout
    assert "Signature is Valid." not in out
    assert "Digest Mismatch" in out


def _offline(tmp_path: Path, token: str, *, status: bool = True) -> tuple[int, dict]:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(services.published_keys()), encoding="utf-8")
    args = [sys.executable, "-I", str(VERIFY_OFFLINE), "--keys", str(keys)]
    if status:
        status_file = tmp_path / "status.jws"
        status_file.write_text(services.status_list_token(), encoding="utf-8")
        args += ["--status", str(status_file)]
    # -I: isolated mode, no onestop on the path — the script stands alone
    done = subprocess.run([*args, token], capture_output=True, text=True, cwd=tmp_path)
    return done.returncode, json.loads(done.stdout)


def test_qr_token_verifies_offline_with_the_published_key(
    certificate: Certificate, tmp_path: Path
) -> None:
    code, out = _offline(tmp_path, services.verify_url(certificate.token))
    assert code == 0 and out["valid"] is True
    assert out["id"] == certificate.identifier
    assert out["h"] == "王*明"  # masked holder only


def test_forged_token_fails_offline(certificate: Certificate, tmp_path: Path) -> None:
    head, body, sig = certificate.token.split(".")
    payload = json.loads(tokens._unb64(body))
    payload["exp"] = "2099-12-31"
    forged = f"{head}.{tokens._b64(tokens._json(payload))}.{sig}"
    code, out = _offline(tmp_path, forged)
    assert code == 1 and out["valid"] is False


def test_revoked_certificate_fails_offline_with_status_list_and_online(
    certificate: Certificate, tmp_path: Path, client: Client
) -> None:
    services.certificate_set_status(
        actor=None, certificate=certificate, status=CertificateStatus.REVOKED, reason="遗失补领"
    )
    code, out = _offline(tmp_path, certificate.token)
    assert code == 1 and out["reason"] == "revoked"
    page = client.get(reverse("certificates:verify-token", args=[certificate.token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "已注销" in text and "核验未通过" in text
    assert "王*明" in text and "王小明" not in text


def test_expired_certificate_shows_expired_online_and_offline(
    unit: Unit, holder: Person, tmp_path: Path, client: Client
) -> None:
    cert = services.certificate_issue_from_register(
        actor=None,
        person=holder,
        cert_type="residence_permit",
        unit=unit,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    code, out = _offline(tmp_path, cert.token, status=False)
    assert code == 1 and out["reason"] == "expired"
    response = client.get(reverse("certificates:verify"), {"identifier": cert.identifier})
    assert "已过期" in response.content.decode()
    assert services.certificates_expire_due() == 1
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.EXPIRED
    code, out = _offline(tmp_path, cert.token)
    assert out["reason"] == "expired"


def test_verification_page_logs_each_scan_and_needs_no_login(
    certificate: Certificate, client: Client
) -> None:
    url = reverse("certificates:verify")
    for _ in range(2):
        response = client.get(url, {"identifier": certificate.identifier})
        assert response.status_code == 200
        assert "核验通过" in response.content.decode()
    assert VerificationScan.objects.filter(certificate=certificate, channel="page").count() == 2
    unknown = client.get(url, {"identifier": "1.2.156.3005.2.X.11120000MB00000013.0000001.001.0"})
    assert "未找到该证照" in unknown.content.decode()
    assert VerificationScan.objects.filter(certificate=None, result="not_found").count() == 1


def test_verify_api_and_keys_and_status_list(certificate: Certificate, client: Client) -> None:
    response = client.get("/api/v1/certificates/verify/", {"token": certificate.token})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["signature_valid"] is True
    assert body["holder"] == "王*明"
    assert client.get("/api/v1/certificates/verify/").status_code == 400
    keys = client.get("/api/v1/certificates/keys/").json()
    assert certificate.signing_key.kid in keys["keys"]
    status = client.get("/api/v1/certificates/status-list/")
    assert status.status_code == 200 and status.content.count(b".") == 2


def test_suspend_and_reinstate(certificate: Certificate) -> None:
    services.certificate_set_status(
        actor=None, certificate=certificate, status="suspended", reason="核查中"
    )
    assert services.certificate_verify(identifier=certificate.identifier).status == "suspended"
    services.certificate_set_status(
        actor=None, certificate=certificate, status="valid", reason="核查完毕"
    )
    assert services.certificate_verify(identifier=certificate.identifier).is_valid
    services.certificate_set_status(
        actor=None, certificate=certificate, status="revoked", reason="x"
    )
    from onestop.certificates.errors import IllegalStatusChange

    with pytest.raises(IllegalStatusChange):
        services.certificate_set_status(
            actor=None, certificate=certificate, status="valid", reason="y"
        )


def test_rotation_keeps_old_certificates_verifiable_and_revocation_fails_them(
    certificate: Certificate, unit: Unit, holder: Person, tmp_path: Path
) -> None:
    old_kid = certificate.signing_key.kid
    new_key = services.signing_key_rotate(actor=None, unit=unit)
    assert new_key.kid != old_kid
    newer = services.certificate_issue_from_register(
        actor=None, person=holder, cert_type="vehicle_licence", unit=unit
    )
    assert newer.signing_key == new_key
    assert services.certificate_verify(token=certificate.token).is_valid
    assert _offline(tmp_path, certificate.token)[0] == 0
    services.signing_key_revoke(actor=None, key=certificate.signing_key, reason="泄露")
    result = services.certificate_verify(token=certificate.token)
    assert not result.is_valid and result.key_revoked
    code, out = _offline(tmp_path, certificate.token)
    assert code == 1 and out["reason"] == "signing key revoked"
    assert services.certificate_verify(token=newer.token).is_valid


def test_private_keys_are_encrypted_files_not_in_the_database(certificate: Certificate) -> None:
    from onestop.certificates import conf

    path = conf.key_dir() / f"{certificate.signing_key.kid}.key"
    content = path.read_text()
    assert content.startswith("k1$") or "$" in content
    assert "PRIVATE KEY" not in content
    assert "PRIVATE" not in certificate.signing_key.certificate_pem


# --- wallet and share links ----------------------------------------------------------------------


@pytest.fixture
def holder_client(holder: Person, client: Client) -> Client:
    person_mark_verified(actor=None, person=holder, method="test")
    client.force_login(holder.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_wallet_lists_and_downloads_own_certificates_only(
    certificate: Certificate, holder_client: Client, unit: Unit
) -> None:
    from onestop.cases.tests.factories import person as make_person

    other = services.certificate_issue_from_register(
        actor=None, person=make_person("赵六"), cert_type="resident_id", unit=unit
    )
    page = holder_client.get(reverse("certificates:wallet")).content.decode()
    assert "机动车驾驶证" in page and "赵六" not in page
    pdf = holder_client.get(reverse("certificates:pdf", args=[certificate.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert holder_client.get(reverse("certificates:pdf", args=[other.pk])).status_code == 404


def test_share_link_needs_consent_expires_and_is_revocable(
    certificate: Certificate, holder_client: Client, client: Client
) -> None:
    url = reverse("certificates:detail", args=[certificate.pk])
    refused = holder_client.post(url, {"recipient": "某银行", "purpose": "开户", "days": 7})
    assert ShareLink.objects.count() == 0 and refused.status_code == 200
    response = holder_client.post(
        url, {"recipient": "某银行", "purpose": "开户", "days": 7, "consent": "on"}
    )
    share_url = response.context["new_share_url"]
    token = share_url.rstrip("/").rsplit("/", 1)[-1]
    anonymous = Client()
    seen = anonymous.get(reverse("certificates:share", args=[token]))
    assert seen.status_code == 200 and "某银行" in seen.content.decode()
    assert "王*明" in seen.content.decode()
    link = ShareLink.objects.get()
    assert link.view_count == 1
    holder_client.post(reverse("certificates:share-revoke", args=[certificate.pk, link.pk]))
    assert anonymous.get(reverse("certificates:share", args=[token])).status_code == 410
    # expiry
    link.revoked_at = None
    link.expires_at = timezone.now() - dt.timedelta(seconds=1)
    link.save()
    assert anonymous.get(reverse("certificates:share", args=[token])).status_code == 410


# --- the case hook ------------------------------------------------------------------------------


def test_certificate_issue_for_case_is_idempotent(unit: Unit, holder: Person) -> None:
    version = item_version(unit=unit, result_type=ResultType.CERTIFICATE, result_name="测试许可证")
    case = case_in_state(version=version, applicant=holder, state=CaseState.APPROVED)
    first = services.certificate_issue_for_case(case_id=case.pk)
    again = services.certificate_issue_for_case(case_id=case.pk)
    assert first is not None and again is not None and first.pk == again.pk
    assert first.title == "测试许可证" and first.holder_person == holder
    assert first.data["办件编号"] == case.number
    assert Certificate.objects.count() == 1


def test_certificate_issue_for_case_none_for_service_results_and_unapproved(
    unit: Unit, holder: Person
) -> None:
    service = item_version(unit=unit, result_type=ResultType.SERVICE)
    case = case_in_state(version=service, applicant=holder, state=CaseState.APPROVED)
    assert services.certificate_issue_for_case(case_id=case.pk) is None
    licence = item_version(unit=unit, result_type=ResultType.CERTIFICATE)
    pending = case_in_state(version=licence, applicant=holder, state=CaseState.IN_REVIEW)
    assert services.certificate_issue_for_case(case_id=pending.pk) is None
    assert Certificate.objects.count() == 0


def test_certificates_usable_as_material_are_the_holders_valid_ones(
    certificate: Certificate, holder: Person, unit: Unit
) -> None:
    from onestop.cases.tests.factories import person as make_person
    from onestop.certificates.selectors import certificates_usable_as_material

    other = make_person("赵六")
    services.certificate_issue_from_register(
        actor=None, person=other, cert_type="driving_licence", unit=unit
    )
    found = certificates_usable_as_material(person=holder, material_name="机动车驾驶证")
    assert list(found) == [certificate]
    services.certificate_set_status(
        actor=None, certificate=certificate, status="suspended", reason="核查"
    )
    assert not certificates_usable_as_material(person=holder, material_name="机动车驾驶证")
