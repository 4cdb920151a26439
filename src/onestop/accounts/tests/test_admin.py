"""Admin: units created through unit_create, personal data masked everywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.accounts.choices import Role
from onestop.accounts.models import Enterprise, Unit
from onestop.accounts.tests.conftest import login_verified, make_credit_code, make_id_number
from onestop.accounts.tests.factories import staff_user
from onestop.core.models import AuditEvent
from onestop.core.pii import lookup_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(unit_tree: dict[str, Unit]) -> Client:
    admin = staff_user(unit=unit_tree["bureau"], roles=[Role.PLATFORM_ADMIN], username="root")
    return login_verified(Client(), admin)


def test_unit_added_in_admin_gets_a_tree_path(
    admin_client: Client, unit_tree: dict[str, Unit]
) -> None:
    heping = unit_tree["heping"]
    response = admin_client.post(
        "/admin/accounts/unit/add/",
        {
            "parent": heping.pk,
            "code": "TJ-HP-3",
            "name": "南市派出所",
            "short_name": "",
            "kind": "station",
            "region_code": "120101",
            "office_hours": "09:00-12:00,13:30-17:30",
            "address": "",
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(code="TJ-HP-3")
    assert unit.parent == heping
    assert unit.path.startswith(heping.path + ".")
    assert unit.is_within(heping)
    assert AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()
    listing = admin_client.get("/admin/accounts/unit/?q=南市").content.decode()
    assert "南市派出所" in listing


def test_admin_requires_second_factor(unit_tree: dict[str, Unit]) -> None:
    admin = staff_user(unit=unit_tree["bureau"], roles=[Role.PLATFORM_ADMIN], username="root2")
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/accounts/unit/").status_code == 302


def test_person_admin_shows_only_masked_values(admin_client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    person = register_person(40, name="陈九")
    id_number = make_id_number(40)
    listing = admin_client.get("/admin/accounts/person/").content.decode()
    assert "陈九" in listing
    assert id_number not in listing and "13900000040" not in listing
    assert id_number[:4] + "*" * 10 + id_number[-4:] in listing
    detail = admin_client.get(f"/admin/accounts/person/{person.pk}/change/").content.decode()
    assert id_number not in detail and "13900000040" not in detail
    assert "139****0040" in detail


def test_user_admin_masks_mobile(admin_client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    person = register_person(41)
    listing = admin_client.get("/admin/accounts/user/?kind=public").content.decode()
    assert "139****0041" in listing and "13900000041" not in listing
    detail = admin_client.get(f"/admin/accounts/user/{person.user.pk}/change/").content.decode()
    assert "13900000041" not in detail


def test_enterprise_added_in_admin_stores_hash_and_never_shows_id(admin_client: Client) -> None:
    id_number = make_id_number(42)
    response = admin_client.post(
        "/admin/accounts/enterprise/add/",
        {
            "credit_code": make_credit_code(42),
            "name": "示例物流有限公司",
            "legal_representative_name": "周十",
            "legal_representative_id_input": id_number,
            "region_code": "120101",
            "address": "",
            "registered_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise = Enterprise.objects.get()
    assert enterprise.legal_representative_id_hash == lookup_hash(id_number, kind="resident_id")
    detail = admin_client.get(
        f"/admin/accounts/enterprise/{enterprise.pk}/change/"
    ).content.decode()
    assert id_number not in detail
    assert id_number[:4] + "*" * 10 + id_number[-4:] in detail
    assert AuditEvent.objects.filter(action="enterprise.create").exists()


def test_demo_sms_admin_is_read_only(admin_client: Client) -> None:
    assert admin_client.get("/admin/accounts/demosmsmessage/add/").status_code == 403
    assert admin_client.get("/admin/accounts/demosmsmessage/").status_code == 200
