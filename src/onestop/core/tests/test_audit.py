"""The audit log: transactional, append-only (ORM, admin, database), searchable, purged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from conftest import login_verified
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

import onestop.core.admin_audit  # noqa: F401  (registers the read-only admin)
from onestop.accounts.choices import Role
from onestop.accounts.models import Unit, User
from onestop.accounts.tests.factories import staff_user
from onestop.config.urls import urlpatterns as site_urlpatterns
from onestop.core import jobs
from onestop.core.audit import audit_log, change_summary
from onestop.core.models import AuditEvent
from onestop.core.models.audit import AuditImmutableError
from onestop.core.services import audit_purge_expired
from onestop.core.tasks import audit_purge_expired as audit_purge_task

# The site's URLs plus the audit page where config/urls.py mounts it (/work/audit/), and the
# admin rebuilt after the audit admin was registered.
urlpatterns = [
    path("work/audit/", include("onestop.core.urls_audit")),
    path("admin/", admin.site.urls),
    *site_urlpatterns,
]
pytestmark = pytest.mark.urls(__name__)

NOW = timezone.now()


def event(
    action: str = "test.action",
    *,
    unit: Unit | None = None,
    actor: User | None = None,
    **kwargs: object,
) -> AuditEvent:
    return audit_log(actor=actor, action=action, unit=unit, **kwargs)  # type: ignore[arg-type]


def officer_with_search(unit: Unit, **kwargs: object) -> User:
    user = staff_user(unit=unit, **kwargs)  # type: ignore[arg-type]
    user.user_permissions.add(Permission.objects.get(codename="search_auditevent"))
    return User.objects.get(pk=user.pk)  # drop the permission cache


# --- transactional writes -------------------------------------------------------------------
@pytest.mark.django_db
def test_event_written_in_a_rolled_back_transaction_vanishes() -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        event("case.accept")
        assert AuditEvent.objects.filter(action="case.accept").exists()
        raise Boom
    assert not AuditEvent.objects.filter(action="case.accept").exists()


@pytest.mark.django_db
def test_event_records_actor_unit_object_summary_ip_and_purpose(unit_tree: dict) -> None:
    from onestop.core import context

    officer = staff_user(unit=unit_tree["station1"])
    token = context.bind(context.RequestContext(ip="10.1.2.3", request_id="req-1"))
    try:
        written = audit_log(
            actor=officer,
            action="unit.update",
            obj=unit_tree["station2"],
            summary=change_summary({"name": "旧名", "phone": "1"}, {"name": "新名", "phone": "1"}),
            purpose="更正名称",
        )
    finally:
        context.reset(token)
    stored = AuditEvent.objects.get(pk=written.pk)
    assert stored.actor == officer and stored.actor_label == officer.username
    assert stored.unit_path == unit_tree["station1"].path
    assert (stored.object_type, stored.object_id) == (
        "accounts.unit",
        str(unit_tree["station2"].pk),
    )
    assert stored.summary == {"before": {"name": "旧名"}, "after": {"name": "新名"}}
    assert (stored.ip, stored.request_id, stored.purpose) == ("10.1.2.3", "req-1", "更正名称")
    assert stored.occurred_at is not None


# --- append-only: ORM -----------------------------------------------------------------------
@pytest.mark.django_db
def test_orm_refuses_update_and_delete() -> None:
    written = event("case.accept")
    written.action = "case.refuse"
    with pytest.raises(AuditImmutableError):
        written.save()
    with pytest.raises(AuditImmutableError):
        written.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=written.pk).update(action="case.refuse")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=written.pk).delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.bulk_update([written], ["action"])
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.update_or_create(pk=written.pk, defaults={"action": "x"})
    assert AuditEvent.objects.get(pk=written.pk).action == "case.accept"


@pytest.mark.django_db
def test_new_instance_with_an_existing_pk_cannot_overwrite() -> None:
    written = event("case.accept")
    forged = AuditEvent(pk=written.pk, action="case.refuse")
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEvent.objects.get(pk=written.pk).action == "case.accept"


# --- append-only: database triggers ---------------------------------------------------------
@pytest.mark.django_db
def test_database_refuses_update_and_delete_behind_the_orms_back() -> None:
    written = event("case.accept")
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [written.pk])
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [written.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=written.pk).update(action="x")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent._base_manager.filter(pk=written.pk).delete()
    assert AuditEvent.objects.get(pk=written.pk).action == "case.accept"


@pytest.mark.django_db(transaction=True)
def test_flush_may_still_empty_the_audit_log() -> None:
    event("case.accept")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    # and the guard is back afterwards
    written = event("case.accept")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [written.pk])


# --- append-only: admin ---------------------------------------------------------------------
@pytest.mark.django_db
def test_admin_is_read_only_even_for_a_platform_admin(unit_tree: dict) -> None:
    root = staff_user(unit=unit_tree["bureau"], roles=[Role.PLATFORM_ADMIN])
    client = login_verified(Client(), root)
    written = event("case.accept", unit=unit_tree["station1"])
    listing = client.get("/admin/core/auditevent/")
    assert listing.status_code == 200
    assert "case.accept" in listing.content.decode()
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    change_url = f"/admin/core/auditevent/{written.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"action": "case.refuse"}).status_code == 403
    assert client.get(f"/admin/core/auditevent/{written.pk}/delete/").status_code == 403
    bulk = client.post(
        "/admin/core/auditevent/", {"action": "delete_selected", "_selected_action": [written.pk]}
    )
    assert bulk.status_code in {200, 302}
    assert AuditEvent.objects.get(pk=written.pk).action == "case.accept"


# --- search page ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_anonymous_is_sent_to_the_staff_login(client: Client) -> None:
    response = client.get("/work/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/work/login/")


@pytest.mark.django_db
def test_officer_without_permission_gets_403(unit_tree: dict, client: Client) -> None:
    login_verified(client, staff_user(unit=unit_tree["station1"]))
    assert client.get("/work/audit/").status_code == 403


@pytest.mark.django_db
def test_officer_without_verified_second_factor_is_sent_to_login(unit_tree: dict) -> None:
    officer = officer_with_search(unit_tree["station1"])
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/work/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/work/login/")


@pytest.mark.django_db
def test_officer_sees_their_subtree_not_another_station(unit_tree: dict, client: Client) -> None:
    event("case.accept", unit=unit_tree["station1"], obj=unit_tree["station1"])
    event("case.refuse", unit=unit_tree["station3"], obj=unit_tree["station3"])
    event("case.approve", unit=unit_tree["heping"])
    login_verified(client, officer_with_search(unit_tree["station1"]))
    html = client.get("/work/audit/").content.decode()
    assert "case.accept" in html
    assert "case.refuse" not in html  # another sub-bureau's station
    assert "case.approve" not in html  # the parent unit is above the officer
    assert "友谊路派出所" not in html

    sub_bureau = Client()
    login_verified(sub_bureau, officer_with_search(unit_tree["heping"]))
    html = sub_bureau.get("/work/audit/").content.decode()
    assert "case.accept" in html and "case.approve" in html
    assert "case.refuse" not in html


@pytest.mark.django_db
def test_platform_admin_sees_every_event(unit_tree: dict, client: Client) -> None:
    event("case.refuse", unit=unit_tree["station3"])
    event("audit.purge")  # a system event with no unit
    login_verified(client, staff_user(unit=unit_tree["bureau"], roles=[Role.PLATFORM_ADMIN]))
    html = client.get("/work/audit/").content.decode()
    assert "case.refuse" in html and "audit.purge" in html


def _rows(html: str) -> list[str]:
    return re.findall(r"<code>([a-z0-9_.]+)</code>", html)


@pytest.mark.django_db
def test_filters_by_action_actor_object_and_dates(unit_tree: dict, client: Client) -> None:
    station = unit_tree["station1"]
    clerk = staff_user(unit=station, username="clerk1")
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        event("case.old", unit=station)
    event("case.accept", unit=station, actor=clerk, obj=unit_tree["station2"])
    event("pii.reveal", unit=station, purpose="核对")
    login_verified(client, officer_with_search(station))

    def actions(**params: str) -> list[str]:
        response = client.get("/work/audit/", params)
        assert response.status_code == 200
        return [a for a in _rows(response.content.decode()) if not a.startswith("accounts.")]

    assert actions(action="pii.") == ["pii.reveal"]
    assert actions(actor="CLERK1") == ["case.accept"]
    assert actions(object_type="accounts.unit", object_id=str(unit_tree["station2"].pk)) == [
        "case.accept"
    ]
    today = timezone.localdate()
    assert "case.old" not in actions(date_from=today.isoformat())
    old_day = timezone.localtime(NOW - dt.timedelta(days=10)).date().isoformat()
    assert actions(date_from=old_day, date_to=old_day) == ["case.old"]
    bad = client.get(
        "/work/audit/",
        {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=1)).isoformat()},
    )
    assert "开始日期不能晚于结束日期" in bad.content.decode()
    assert "case.accept" not in bad.content.decode()


@pytest.mark.django_db
def test_results_are_paginated(unit_tree: dict, client: Client) -> None:
    station = unit_tree["station1"]
    for i in range(55):
        event(f"bulk.e{i:02d}", unit=station)
    login_verified(client, officer_with_search(station))
    first = client.get("/work/audit/", {"action": "bulk."}).content.decode()
    second = client.get("/work/audit/", {"action": "bulk.", "page": "2"}).content.decode()
    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 5
    assert "action=bulk.&amp;page=2" in first
    assert set(_rows(first)).isdisjoint(_rows(second))


# --- retention ------------------------------------------------------------------------------
def _event_at(days_ago: int, action: str) -> AuditEvent:
    with time_machine.travel(NOW - dt.timedelta(days=days_ago), tick=False):
        return event(action)


@pytest.mark.django_db
def test_purge_deletes_only_expired_events_and_logs_itself() -> None:
    _event_at(400, "t.400")
    _event_at(200, "t.200")
    _event_at(100, "t.100")
    event("t.now")
    result = audit_purge_expired(actor=None)
    assert result.deleted == 1
    assert result.retention_days == 365
    remaining = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"t.200", "t.100", "t.now"} <= remaining
    assert "t.400" not in remaining
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.summary["deleted"] == 1
    assert purge.summary["retention_days"] == 365
    assert purge.actor_label == "system"
    # idempotent: nothing more to delete, and the run is still recorded
    assert audit_purge_expired(actor=None).deleted == 0
    assert AuditEvent.objects.filter(action="audit.purge").count() == 2


@pytest.mark.django_db
@override_settings(AUDIT_RETENTION_DAYS=30)
def test_retention_never_below_six_months() -> None:
    _event_at(200, "t.200")
    _event_at(100, "t.100")
    result = audit_purge_expired(actor=None)
    assert result.retention_days == 183
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "t.200" not in actions and "t.100" in actions


@pytest.mark.django_db
@override_settings(AUDIT_RETENTION_DAYS=730)
def test_longer_retention_is_respected() -> None:
    _event_at(400, "t.400")
    assert audit_purge_expired(actor=None).deleted == 0
    assert AuditEvent.objects.filter(action="t.400").exists()


@pytest.mark.django_db
def test_purge_task_is_a_daily_periodic_job() -> None:
    _event_at(400, "t.400")
    job = next(j for j in jobs.registered_jobs() if j.name == "core.audit_purge_expired")
    assert job.task == audit_purge_task.name == "onestop.core.tasks.audit_purge_expired"
    assert job.cron is not None and job.cron.hour == {3} and job.cron.minute == {30}
    assert audit_purge_task.apply().get() == 1
    assert not AuditEvent.objects.filter(action="t.400").exists()
    assert AuditEvent.objects.filter(action="audit.purge").exists()
