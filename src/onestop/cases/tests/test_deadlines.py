"""Deadlines from acceptance in working days / hours, pauses, warnings, on-time at close."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from onestop.cases import services
from onestop.cases.choices import CaseState, WarningLevel
from onestop.cases.errors import IllegalTransition
from onestop.cases.models import Case, CaseEvent
from onestop.cases.tasks import cases_sweep_conditional, cases_sweep_warnings
from onestop.catalogue.choices import LimitUnit
from onestop.core.jobs import registered_jobs
from onestop.core.workdays import SHANGHAI

from .conftest import World
from .factories import item_version


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def accepted_case(
    world: World, when: datetime, *, promised: str, statutory: str = "20", unit: str = ""
) -> Case:
    world.version = item_version(
        unit=world.units["station1"],
        promised=promised,
        statutory=statutory,
        limit_unit=unit or LimitUnit.WORKING_DAYS,
    )
    with time_machine.travel(when, tick=False):
        case = services.case_create(actor=world.applicant.user, item_version=world.version)
        case = services.case_submit(actor=world.applicant.user, case=case)
        return services.case_accept(actor=world.staff["window_clerk"], case=case)


def test_one_working_day_across_national_day(world: World) -> None:
    case = accepted_case(world, at(2026, 9, 30, 10, 0), promised="1")
    assert case.promised_due_at == at(2026, 10, 8, 17, 30)
    assert not case.due_provisional


def test_make_up_saturday_counts(world: World) -> None:
    # Friday 9 October + 1 working day = Saturday 10 October, a make-up working day (调休)
    case = accepted_case(world, at(2026, 10, 9, 15, 0), promised="1", statutory="2")
    assert case.promised_due_at == at(2026, 10, 10, 17, 30)
    assert case.statutory_due_at == at(2026, 10, 12, 17, 30)


def test_days_limit_spanning_the_holiday_and_make_up_day(world: World) -> None:
    # 30 Sep → 8, 9, 10 (Sat, make-up), 12, 13 October
    case = accepted_case(world, at(2026, 9, 30, 16, 0), promised="5")
    assert case.promised_due_at == at(2026, 10, 13, 17, 30)


@pytest.mark.parametrize("paused_days", [1, 2, 3])
def test_supplement_pause_extends_by_the_paused_working_days(
    world: World, paused_days: int
) -> None:
    # Monday 2 November, 5 working days → Monday 9 November 17:30
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="5")
    assert case.promised_due_at == at(2026, 11, 9, 17, 30)
    reviewer = world.staff["reviewer"]
    with time_machine.travel(at(2026, 11, 3, 10, 0), tick=False) as clock:
        case = services.case_start_review(actor=reviewer, case=case)
        case = services.case_request_supplement(actor=reviewer, case=case, reason="补正")
        clock.move_to(at(2026, 11, 3 + paused_days, 10, 0))
        case = services.case_supply(actor=world.applicant.user, case=case)
    assert case.paused_total.total_seconds() == paused_days * 7 * 3600
    assert case.promised_due_at == at(2026, 11, 9 + paused_days, 17, 30)
    assert case.statutory_due_at is not None


def test_pause_over_a_weekend_counts_only_working_time(world: World) -> None:
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="5")
    with time_machine.travel(at(2026, 11, 6, 17, 0), tick=False) as clock:  # Friday 17:00
        case = services.case_suspend(actor=world.staff["reviewer"], case=case, reason="鉴定")
        clock.move_to(at(2026, 11, 9, 9, 30))  # Monday 09:30: 0.5 h + 0.5 h of office time
        case = services.case_resume(actor=world.staff["reviewer"], case=case)
    assert case.state == CaseState.IN_REVIEW
    assert case.paused_total.total_seconds() == 3600
    # due Monday 9 November 17:30 + 1 office hour = Tuesday 10 November 10:00
    assert case.promised_due_at == at(2026, 11, 10, 10, 0)


def test_half_working_day_is_three_and_a_half_office_hours(world: World) -> None:
    # seal engraving: 0.5 working day; 10:00 + 2 h (to 12:00) + 1.5 h (from 13:30) = 15:00
    case = accepted_case(world, at(2026, 11, 2, 10, 0), promised="0.5", statutory="1")
    assert case.promised_due_at == at(2026, 11, 2, 15, 0)
    assert case.statutory_due_at == at(2026, 11, 3, 17, 30)


def test_working_hours_limit_runs_into_the_next_day(world: World) -> None:
    # 4 working hours from Monday 16:00: 1.5 h on Monday, 2.5 h from Tuesday 09:00
    case = accepted_case(
        world, at(2026, 11, 2, 16, 0), promised="4", statutory="8", unit=LimitUnit.WORKING_HOURS
    )
    assert case.promised_due_at == at(2026, 11, 3, 11, 30)
    # 8 h: 1.5 h Monday, then Tuesday 09:00–12:00 (3 h) and 13:30–17:00 (3.5 h)
    assert case.statutory_due_at == at(2026, 11, 3, 17, 0)


def test_limit_running_into_2027_is_provisional(world: World) -> None:
    case = accepted_case(world, at(2026, 12, 28, 10, 0), promised="5")
    assert case.promised_due_at is not None and case.promised_due_at.year == 2027
    assert case.due_provisional


def test_statutory_limit_alone_in_2027_makes_the_case_provisional(world: World) -> None:
    case = accepted_case(world, at(2026, 12, 1, 10, 0), promised="5", statutory="30")
    assert case.promised_due_at is not None and case.promised_due_at.year == 2026
    assert case.statutory_due_at is not None and case.statutory_due_at.year == 2027
    assert case.due_provisional


def test_warning_levels_and_idempotent_sweep(world: World) -> None:
    # accepted Monday 2 November 09:30, promised 10 working days → Monday 16 November 17:30
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="10")
    assert case.promised_due_at == at(2026, 11, 16, 17, 30)
    assert case.warning_level == WarningLevel.NONE

    def sweep(now: datetime) -> int:
        return services.case_warnings_sweep(now=now).changed

    assert sweep(at(2026, 11, 12, 9, 0)) == 0  # 2.9 working days left: more than 20 %
    assert sweep(at(2026, 11, 13, 10, 0)) == 1  # 1.86 working days ≤ 20 % of 10 days
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.YELLOW
    assert sweep(at(2026, 11, 13, 10, 0)) == 0  # idempotent
    assert sweep(at(2026, 11, 16, 17, 30)) == 0  # due instant itself: not overdue yet
    assert sweep(at(2026, 11, 16, 17, 31)) == 1
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.RED
    assert sweep(at(2026, 11, 17, 9, 0)) == 0
    warnings = CaseEvent.objects.filter(case=case, action="warning")
    assert [(e.data["to"], e.public) for e in warnings] == [("yellow", False), ("red", False)]


def test_one_working_day_left_is_yellow_even_for_long_limits(world: World) -> None:
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="60", statutory="60")
    assert case.promised_due_at is not None
    with time_machine.travel(case.promised_due_at.replace(hour=9, minute=0), tick=False):
        assert services.case_warnings_sweep().changed == 1
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.YELLOW


def test_sweep_ignores_paused_and_decided_cases(world: World) -> None:
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="2")
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        case = services.case_start_review(actor=world.staff["reviewer"], case=case)
        case = services.case_request_supplement(
            actor=world.staff["reviewer"], case=case, reason="补正"
        )
    # paused with ~2 working days left: the clock is stopped, so months later it is not red
    assert services.case_warnings_sweep(now=at(2027, 3, 1, 10, 0)).changed == 0
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.NONE


def test_sweep_tasks_are_registered(world: World) -> None:
    jobs = {job.name: job for job in registered_jobs()}
    job = jobs["cases.sweep_warnings"]
    assert job.task == "onestop.cases.tasks.cases_sweep_warnings"
    assert job.every is not None and job.every.total_seconds() == 300
    assert cases_sweep_warnings() == {"checked": 0, "changed": 0}
    job = jobs["cases.sweep_conditional"]
    assert job.every is not None and job.every.total_seconds() == 3600
    assert cases_sweep_conditional() == {"reminded": 0, "enforced": 0}


@pytest.mark.parametrize(
    ("decided", "on_time"),
    [(at(2026, 11, 4, 17, 30), True), (at(2026, 11, 5, 9, 0), False)],
)
def test_on_time_recorded_at_close(world: World, decided: datetime, on_time: bool) -> None:
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="2")
    assert case.promised_due_at == at(2026, 11, 4, 17, 30)
    clerk, reviewer, approver = (world.staff[r] for r in ("window_clerk", "reviewer", "approver"))
    with time_machine.travel(decided, tick=False) as clock:
        case = services.case_start_review(actor=reviewer, case=case)
        case = services.case_approve(actor=approver, case=case)
        clock.move_to(at(2026, 11, 6, 10, 0))  # delivery later does not matter
        case = services.case_issue_result(actor=clerk, case=case)
        case = services.case_deliver(actor=clerk, case=case)
        assert case.on_time is None
        case = services.case_close(actor=clerk, case=case)
    assert case.on_time is on_time


def test_denial_is_issued_delivered_and_closed_with_on_time(world: World) -> None:
    case = accepted_case(world, at(2026, 11, 2, 9, 30), promised="2")
    clerk = world.staff["window_clerk"]
    with time_machine.travel(at(2026, 11, 3, 9, 0), tick=False) as clock:
        case = services.case_start_review(actor=world.staff["reviewer"], case=case)
        case = services.case_deny(actor=world.staff["approver"], case=case, reason="不符合条件")
        assert case.state == CaseState.DENIED and case.decision == "denied"
        clock.move_to(at(2026, 11, 9, 9, 0))
        case = services.case_issue_result(actor=clerk, case=case)
        case = services.case_deliver(actor=clerk, case=case)
        case = services.case_close(actor=clerk, case=case)
    assert case.state == CaseState.CLOSED and case.on_time is True and case.closed_at
    with pytest.raises(IllegalTransition):  # only approvals can be revoked
        services.case_revoke(actor=world.staff["approver"], case=case, reason="承诺不实")
