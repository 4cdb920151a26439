"""Expiry reminders: lead times per type, each threshold once, opt-out, the CSV import, the
synthetic generator, towed-vehicle notices at once."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from onestop.accounts.models import DemoSmsMessage
from onestop.messaging.choices import MessageStatus
from onestop.messaging.models import Message, OptOut, RegisterDocument, ReminderSent
from onestop.messaging.reminders import (
    current_threshold,
    lead_days,
    register_document_upsert,
    reminders_sweep,
    synthetic_documents,
    threshold_windows,
)
from onestop.messaging.services import outbox_process, reminder_opt_out, towed_vehicle_notify

pytestmark = pytest.mark.usefixtures("templates")
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def doc(number: str, days: int, *, doc_type: str = "driving_licence", mobile: str = "13900001111"):  # type: ignore[no-untyped-def]
    return register_document_upsert(
        doc_type=doc_type,
        number=number,
        holder_name="王伟",
        holder_mobile=mobile,
        expires_on=TODAY + timedelta(days=days),
        today=TODAY,
    )


def sweep(day: date) -> int:
    hour = datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)
    return reminders_sweep(today=day, now=hour).enqueued


def test_threshold_windows() -> None:
    t = TODAY
    d = lambda n: t + timedelta(days=n)  # noqa: E731
    assert threshold_windows(doc_type="id_card", today=t) == [
        (90, d(90), d(90)),
        (30, d(30), d(30)),
        (7, d(7), d(7)),
    ]
    # After 70 missed days each window reaches back, but not past the next threshold.
    assert threshold_windows(doc_type="id_card", today=t, days_missed=70) == [
        (90, d(31), d(90)),
        (30, d(8), d(30)),
        (7, d(0), d(7)),
    ]
    assert threshold_windows(doc_type="residence_permit", today=t) == [
        (30, d(30), d(30)),
        (7, d(7), d(7)),
    ]
    assert current_threshold(doc_type="id_card", expires_on=d(25), today=t) == 30
    assert current_threshold(doc_type="id_card", expires_on=d(-1), today=t) is None


def test_each_threshold_is_sent_once_over_the_days() -> None:
    d = doc("120101198503121230", 95)
    sent_days = []
    for offset in range(0, 100):
        day = TODAY + timedelta(days=offset)
        if sweep(day):
            sent_days.append(offset)
        # Running the sweep twice the same day adds nothing.
        assert sweep(day) == 0
    assert sent_days == [5, 65, 88]  # 90, 30 and 7 days before expiry (day 95)
    assert list(
        ReminderSent.objects.filter(document=d)
        .order_by("-lead_days")
        .values_list("lead_days", flat=True)
    ) == [90, 30, 7]
    bodies = list(Message.objects.order_by("pk").values_list("body", flat=True))
    assert "还有 90 天" in bodies[0] and "还有 7 天" in bodies[2]
    assert "机动车驾驶证" in bodies[0] and "1201**********1230" in bodies[0]


def test_a_missed_day_sends_only_the_latest_threshold() -> None:
    doc("A1", 95)
    assert sweep(TODAY) == 0
    # Nobody ran the sweep for 70 days: 25 days are left; only the 30-day reminder goes.
    assert sweep(TODAY + timedelta(days=70)) == 1
    assert "还有 25 天" in Message.objects.get().body
    assert ReminderSent.objects.get().lead_days == 30


def test_renewal_restarts_reminders_and_types_have_their_own_lead_times() -> None:
    d = doc("B1", 7, doc_type="residence_permit")
    assert sweep(TODAY) == 1
    register_document_upsert(
        doc_type="residence_permit",
        number="B1",
        holder_name="王伟",
        holder_mobile="13900001111",
        expires_on=TODAY + timedelta(days=365),
        today=TODAY,
    )
    # Residence permits are reminded 30 and 7 days ahead: the next one 335 days later.
    assert sweep(TODAY + timedelta(days=334)) == 0
    assert sweep(TODAY + timedelta(days=335)) == 1
    assert ReminderSent.objects.filter(document=d).count() == 2


def test_reminders_are_sent_by_sms_with_the_holder_mobile(templates: None) -> None:
    doc("C1", 30, mobile="13900002222")
    sweep(TODAY)
    outbox_process(now=MORNING)
    message = Message.objects.get()
    assert message.status == MessageStatus.DELIVERED
    assert DemoSmsMessage.objects.get().mobile_masked == "139****2222"
    assert message.address == ""  # the mobile stays in the register, encrypted


def test_opted_out_holders_get_no_reminder_unless_mandatory() -> None:
    doc("D1", 30, mobile="13900003333")
    doc("D2", 30, doc_type="annual_inspection", mobile="13900003333")
    reminder_opt_out(mobile="13900003333", actor=None)
    with override_settings(ONESTOP_MESSAGING={"MANDATORY_REMINDERS": ("annual_inspection",)}):
        assert sweep(TODAY) == 1
    assert Message.objects.get().event == "reminder.annual_inspection"
    skipped = ReminderSent.objects.get(skipped="opted_out")
    assert skipped.lead_days == 30
    # Opting out after the sweep still stops a non-mandatory reminder at send time.
    OptOut.objects.all().delete()
    doc("D3", 31, mobile="13900004444")
    sweep(TODAY + timedelta(days=1))
    reminder_opt_out(mobile="13900004444", actor=None)
    outbox_process(now=MORNING + timedelta(days=1))
    late = Message.objects.get(event="reminder.driving_licence")
    assert late.status == MessageStatus.PERMANENT_FAILURE and late.last_error == "opted_out"


def test_sweep_in_quiet_hours_holds_the_sms_until_eight() -> None:
    doc("E1", 30)
    reminders_sweep(today=TODAY, now=datetime(2026, 11, 23, 22, 0, tzinfo=SHANGHAI))
    message = Message.objects.get()
    assert message.next_attempt_at == datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)


def test_towed_vehicle_notice_is_sent_at_once_even_at_night(unit_tree, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI), tick=False)
    notice = towed_vehicle_notify(
        actor=None,
        unit=unit_tree["station1"],
        plate="津A12345",
        keeper_mobile="13900005555",
        towed_at=datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI),
        towed_from="南京路 100 号",
        yard_name="和平区清障停车场",
        yard_address="和平区西康路 8 号",
        yard_phone="022-12345678",
    )
    outbox_process()
    assert notice.message is not None
    notice.message.refresh_from_db()
    assert notice.message.status == MessageStatus.DELIVERED
    body = DemoSmsMessage.objects.get().body
    assert "津A12345" in body and "和平区西康路 8 号" in body and "022-12345678" in body


def test_csv_import_reports_bad_rows_and_is_repeatable(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "register.csv"
    path.write_text(
        "doc_type,number,holder_name,holder_mobile,expires_on\n"
        "driving_licence,120101198503121230,王伟,13900006666,2027-01-31\n"
        "passport,E1,李娜,13900006667,2027-01-31\n"
        "id_card,120101199001011234,李娜,12345,2027-01-31\n"
        "vehicle_licence,津A00001,赵强,13900006668,2027-13-01\n",
        encoding="utf-8",
    )
    call_command("reminders_import", str(path))
    out = capsys.readouterr()
    assert "1 imported, 3 rejected" in out.out
    assert "line 3: unknown doc_type 'passport'" in out.err
    assert "line 4:" in out.err and "line 5:" in out.err
    call_command("reminders_import", str(path))
    assert RegisterDocument.objects.count() == 1
    d = RegisterDocument.objects.get()
    assert d.holder_mobile == "13900006666" and d.number_masked == "1201**********1230"


def test_synthetic_generator() -> None:
    assert synthetic_documents(count=3000, today=TODAY, seed=3) == 3000
    due = [
        d
        for d in RegisterDocument.objects.all()
        if (d.expires_on - TODAY).days in lead_days(d.doc_type)
    ]
    result = reminders_sweep(today=TODAY, now=MORNING, batch_size=2)
    assert result.scanned == len(due) > 0
    assert result.enqueued == Message.objects.count() == ReminderSent.objects.count() == len(due)
    assert reminders_sweep(today=TODAY, now=MORNING).enqueued == 0


def test_reminder_text_follows_the_holder_language_and_edited_templates() -> None:
    from onestop.messaging.models import MessageTemplate

    register_document_upsert(
        doc_type="exit_entry",
        number="E99",
        holder_name="Li Na",
        holder_mobile="13900007777",
        expires_on=TODAY + timedelta(days=90),
        language="en",
    )
    MessageTemplate.objects.filter(event="reminder.id_card", language="zh-hans").update(
        body="{name}：{document} {number} 于 {expires_on} 到期，剩 {days} 天。100%"
    )
    doc("120101199001011234", 7, doc_type="id_card")
    assert sweep(TODAY) == 2
    english = Message.objects.get(event="reminder.exit_entry")
    assert english.language == "en"
    assert english.body == (
        "[Police e-Services] Li Na, your Exit-entry document (***) expires on "
        f"{(TODAY + timedelta(days=90)).isoformat()} (90 days). Reply TD to opt out."
    )
    assert english.params["document"] == "Exit-entry document"
    chinese = Message.objects.get(event="reminder.id_card")
    assert chinese.body == (
        f"王伟：居民身份证 1201**********1234 于 {(TODAY + timedelta(days=7)).isoformat()} 到期，"
        "剩 7 天。100%"
    )
    assert chinese.params == {
        "name": "王伟",
        "document": "居民身份证",
        "number": "1201**********1234",
        "expires_on": (TODAY + timedelta(days=7)).isoformat(),
        "days": "7",
    }


def test_deleting_a_document_deletes_its_reminders() -> None:
    d = doc("G1", 30)
    assert sweep(TODAY) == 1
    d.delete()  # the cascade is Django's (the columns carry no database constraint)
    assert not Message.objects.exists()
    assert not ReminderSent.objects.exists()


def test_a_reminder_whose_document_vanished_fails_permanently_without_breaking_the_batch() -> None:
    gone = doc("G2", 30, mobile="13900005555")
    doc("G3", 30, mobile="13900006666")
    assert sweep(TODAY) == 2
    with connection.cursor() as cursor:  # deleted outside Django (e.g. by a register import)
        table = RegisterDocument._meta.db_table
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [gone.pk])  # noqa: S608
    outbox_process(now=MORNING)
    orphan = Message.objects.get(document_id=gone.pk)
    assert orphan.status == MessageStatus.PERMANENT_FAILURE
    assert orphan.last_error == "no address"
    assert Message.objects.exclude(pk=orphan.pk).get().status == MessageStatus.DELIVERED
    assert DemoSmsMessage.objects.get().mobile_masked == "139****6666"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based sweep and its locks are PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_a_sweep_running_beside_another_waits_for_it_and_sends_nothing_twice() -> None:
    """Sweep A writes its batches and holds its transaction open; sweep B, started meanwhile,
    must wait on A's window locks and, once A commits, find every threshold taken."""
    for i in range(12):
        doc(f"H{i}", 30 if i % 2 else 7, doc_type="id_card" if i % 3 else "exit_entry")
    a_written, release_a = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def sweep_a() -> None:
        try:
            with transaction.atomic():
                results["a"] = reminders_sweep(today=TODAY, now=MORNING)
                a_written.set()
                release_a.wait(30)
        except Exception as exc:  # reported by the assertions below
            results["a_error"] = exc
        finally:
            a_written.set()
            connection.close()

    def sweep_b() -> None:
        try:
            results["b"] = reminders_sweep(today=TODAY, now=MORNING)
        except Exception as exc:
            results["b_error"] = exc
        finally:
            connection.close()

    thread_a = threading.Thread(target=sweep_a)
    thread_a.start()
    assert a_written.wait(30)
    thread_b = threading.Thread(target=sweep_b)
    thread_b.start()
    waiting = 0
    for _attempt in range(300):  # until B waits on one of A's advisory locks (at most ~30 s)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            waiting = cursor.fetchone()[0]
        if waiting or not thread_b.is_alive():
            break
        threading.Event().wait(0.1)
    release_a.set()
    thread_a.join(30)
    thread_b.join(30)
    assert "a_error" not in results and "b_error" not in results, results
    assert waiting == 1
    expected = 10  # every 30-day document, and the 7-day ones that are id cards (exit-entry: no)
    assert results["a"].enqueued == expected
    assert results["b"].enqueued == 0
    assert results["b"].scanned == results["a"].scanned
    assert Message.objects.count() == ReminderSent.objects.count() == expected
