"""Staff pages: certificates of the officer's unit subtree, status changes, key rotation."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from onestop.accounts.models import Person, Unit
from onestop.accounts.tests.conftest import login_verified
from onestop.accounts.tests.factories import staff_user
from onestop.certificates import services
from onestop.certificates.choices import KeyStatus
from onestop.certificates.models import Certificate, SigningKey
from onestop.core.models import AuditEvent


def test_officer_sees_own_unit_certificates_and_revokes(
    unit_tree: dict[str, Unit], holder: Person, client: Client
) -> None:
    mine = services.certificate_issue_from_register(
        actor=None, person=holder, cert_type="resident_id", unit=unit_tree["heping"]
    )
    other = services.certificate_issue_from_register(
        actor=None, person=holder, cert_type="resident_id", unit=unit_tree["hexi"]
    )
    officer = staff_user(unit=unit_tree["heping"], roles=["unit_admin"])
    login_verified(client, officer)
    listing = client.get(reverse("certificates-staff:list")).content.decode()
    assert mine.identifier in listing and other.identifier not in listing
    assert client.get(reverse("certificates-staff:detail", args=[other.pk])).status_code == 404
    url = reverse("certificates-staff:detail", args=[mine.pk])
    response = client.post(url, {"status": "revoked", "reason": "证件遗失"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "revoked"
    assert AuditEvent.objects.filter(action="certificates.revoked", actor=officer).exists()
    again = client.post(url, {"status": "valid", "reason": "误操作"})
    assert "证照当前状态不允许该操作" in again.content.decode()


def test_key_rotation_from_the_staff_page(
    unit: Unit, certificate: Certificate, client: Client
) -> None:
    officer = staff_user(unit=unit, roles=["unit_admin"])
    login_verified(client, officer)
    client.post(reverse("certificates-staff:key-rotate"))
    keys = SigningKey.objects.filter(unit=unit, kind="unit")
    assert keys.count() == 2
    active = keys.get(status=KeyStatus.ACTIVE)
    assert active.kid != certificate.signing_key.kid
    page = client.get(reverse("certificates-staff:keys")).content.decode()
    assert active.kid in page and certificate.signing_key.kid in page


def test_public_user_cannot_open_staff_pages(holder: Person, client: Client) -> None:
    client.force_login(holder.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("certificates-staff:list"))
    assert response.status_code in (302, 403)
