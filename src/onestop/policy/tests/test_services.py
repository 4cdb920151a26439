from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import staff_user
from onestop.core.models import AuditEvent
from onestop.policy import selectors, services
from onestop.policy.choices import MeasureStatus
from onestop.policy.models import Measure

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _measure(key: str, number: int) -> Measure:
    return Measure.objects.get(document__key=key, number=number)


def test_overdue_marking_follows_the_calendar(policy_loaded: None) -> None:
    m1 = _measure("tianjin-2021", 1)  # 2021年3月
    with time_machine.travel(dt.datetime(2021, 3, 31, 23, 0, tzinfo=SHANGHAI), tick=False):
        assert not m1.is_overdue()
        assert m1 not in selectors.measures_overdue()
    with time_machine.travel(dt.datetime(2021, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert m1.is_overdue()
        overdue = set(selectors.measures_overdue().values_list("document__key", "number"))
        assert ("tianjin-2021", 1) in overdue
        assert ("tianjin-2021", 2) not in overdue  # 长期坚持
        assert ("tianjin-2021", 7) not in overdue  # no date
        assert ("tianjin-2021", 3) not in overdue  # 2021年6月, not yet
        assert ("guangxi-2018", 11) in overdue  # 2018年底前
        assert ("guangxi-2018", 1) not in overdue  # no deadline in the text


def test_done_measures_are_not_overdue(policy_loaded: None, unit_tree: dict[str, Unit]) -> None:
    officer = staff_user(unit=unit_tree["bureau"])
    m1 = _measure("tianjin-2021", 1)
    with time_machine.travel(dt.datetime(2021, 5, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert m1.is_overdue()
        services.measure_report_progress(actor=officer, measure=m1, text="专栏已上线", percent=100)
        m1.refresh_from_db()
        assert m1.status == MeasureStatus.DONE
        assert not m1.is_overdue()
        assert m1 not in selectors.measures_overdue()


def test_progress_report_updates_status_and_is_audited(
    policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["heping"])
    m4 = _measure("tianjin-2021", 4)
    report = services.measure_report_progress(
        actor=officer, measure=m4, text="已与市场监管委完成数据对接", percent=40
    )
    m4.refresh_from_db()
    assert (m4.status, m4.percent) == (MeasureStatus.IN_PROGRESS, 40)
    assert report.unit == unit_tree["heping"]
    assert report.unit_name == "和平分局"
    assert report.status_after == MeasureStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="policy.measure.progress_reported")
    assert event.summary["citation"] == "tianjin-2021#4"
    assert AuditEvent.objects.filter(action="policy.measure.status_set").count() == 1


def test_ongoing_measures_stay_ongoing(policy_loaded: None, unit_tree: dict[str, Unit]) -> None:
    officer = staff_user(unit=unit_tree["bureau"])
    m2 = _measure("tianjin-2021", 2)
    services.measure_report_progress(actor=officer, measure=m2, text="本月活动已开展", percent=100)
    m2.refresh_from_db()
    assert m2.status == MeasureStatus.ONGOING


def test_progress_report_rejects_bad_input(policy_loaded: None, unit_tree: dict[str, Unit]) -> None:
    officer = staff_user(unit=unit_tree["bureau"])
    m4 = _measure("tianjin-2021", 4)
    with pytest.raises(ValidationError):
        services.measure_report_progress(actor=officer, measure=m4, text="x", percent=101)
    with pytest.raises(ValidationError):
        services.measure_report_progress(actor=officer, measure=m4, text="  ", percent=10)
    with pytest.raises(ValidationError):
        services.measure_report_progress(
            actor=officer, measure=m4, text="x", percent=50, status=MeasureStatus.DONE
        )
    with pytest.raises(PermissionDenied):
        services.measure_report_progress(actor=None, measure=m4, text="x", percent=50)
    m4.refresh_from_db()
    assert (m4.status, m4.percent) == (MeasureStatus.NOT_STARTED, 0)
    assert not m4.progress_reports.exists()


def test_only_supervisors_write_supervision_notes(
    policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    clerk = staff_user(unit=unit_tree["station1"])
    supervisor = staff_user(unit=unit_tree["bureau"], roles=["supervisor"])
    m13 = _measure("tianjin-2021", 13)
    with pytest.raises(PermissionDenied):
        services.measure_add_supervision_note(actor=clerk, measure=m13, text="请加快")
    note = services.measure_add_supervision_note(
        actor=supervisor, measure=m13, text="请交警总队本周内报告进展"
    )
    assert note.author == supervisor
    assert AuditEvent.objects.filter(
        action="policy.measure.supervision_note_added", actor=supervisor
    ).exists()


def test_set_status(policy_loaded: None, unit_tree: dict[str, Unit]) -> None:
    admin = staff_user(unit=unit_tree["bureau"], roles=["platform_admin"])
    m5 = _measure("tianjin-2021", 5)
    services.measure_set_status(actor=admin, measure=m5, status=MeasureStatus.DONE, reason="验收")
    m5.refresh_from_db()
    assert (m5.status, m5.percent) == (MeasureStatus.DONE, 100)
    with pytest.raises(ValidationError):
        services.measure_set_status(actor=admin, measure=m5, status="finished")
