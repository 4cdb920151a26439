"""Staff pages: wanted-person alerts for the competent unit, and the audit trail search."""

from __future__ import annotations

import pytest
from conftest import login_verified
from django.test import Client

from onestop.accounts.choices import Role
from onestop.accounts.tests.factories import staff_user
from onestop.verification.choices import AlertState
from onestop.verification.models import WantedHitAlert
from onestop.verification.registers import synthetic_person

from .conftest import WANTED, Org, csv_bytes
from .test_services import run

pytestmark = pytest.mark.django_db


def test_alert_reaches_the_competent_unit(
    org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    run(org, csv_bytes([synthetic_person(WANTED)]), django_capture_on_commit_callbacks)
    alert = WantedHitAlert.objects.get()
    competent = login_verified(Client(), staff_user(unit=register["station2"]))
    other_station = login_verified(Client(), staff_user(unit=register["station1"]))
    listing = competent.get("/work/verification/").content.decode()
    assert org.enterprise.name in listing
    assert org.enterprise.name not in other_station.get("/work/verification/").content.decode()
    assert other_station.get(f"/work/verification/alerts/{alert.pk}/").status_code == 404
    page = competent.get(f"/work/verification/alerts/{alert.pk}/").content.decode()
    assert "网逃字" in page and "第" not in page.split("文件行号")[1][:5]
    _name, number = synthetic_person(WANTED)
    assert number not in page  # masked for the officer too
    empty = competent.post(f"/work/verification/alerts/{alert.pk}/", {"note": "  "})
    assert empty.status_code == 200
    competent.post(f"/work/verification/alerts/{alert.pk}/", {"note": "已联系企业所在地派出所"})
    alert.refresh_from_db()
    assert alert.state == AlertState.HANDLED and alert.note == "已联系企业所在地派出所"


def test_audit_search(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    run(org, csv_bytes([synthetic_person(0)]), django_capture_on_commit_callbacks)
    clerk = login_verified(Client(), staff_user(unit=register["station1"]))
    assert clerk.get("/work/verification/audit/").status_code == 403
    admin = login_verified(Client(), staff_user(unit=register["bureau"], roles=[Role.UNIT_ADMIN]))
    page = admin.get(
        "/work/verification/audit/",
        {"credit_code": org.enterprise.credit_code, "action": "verification.batch_submit"},
    ).content.decode()
    assert "<code>verification.batch_submit</code>" in page and "招用人员（劳动用工）" in page
    assert "<code>verification.batch_done</code>" not in page
    none = admin.get("/work/verification/audit/", {"credit_code": "91450103MA5L00001C"})
    assert "没有符合条件的记录" in none.content.decode()
