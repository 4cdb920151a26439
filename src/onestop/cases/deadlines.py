"""Deadline arithmetic of cases, on top of ``onestop.core.workdays`` (pure functions, no writes).

* A limit in whole working days ends at the closing time of the N-th working day after the day
  of acceptance (``working_days_deadline_at``): accepted 2026-09-30, 1 working day → 2026-10-08
  17:30 Asia/Shanghai.
* A fractional limit in working days (0.5) or a limit in working hours counts office time of
  the handling unit from the instant of acceptance (0.5 working day = 3.5 h by default).
* A pause (supplement requested, suspended) extends each due instant by the office time that
  passed while paused.
* Warning levels: red once the promised instant has passed; yellow when at most
  ``ONESTOP_CASE_WARNING_YELLOW_RATIO`` (default 0.2) of the promised time or at most
  ``ONESTOP_CASE_WARNING_YELLOW_WORKING_DAYS`` (default 1) working days are left.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from onestop.catalogue.choices import LimitUnit
from onestop.core import workdays
from onestop.core.workdays import Deadline, OfficeHours

from .choices import WarningLevel


def office_hours_of(text: str) -> OfficeHours:
    """A unit's office hours, falling back to the default hours when the text is invalid."""
    try:
        return OfficeHours.parse(text)
    except ValueError:
        return OfficeHours.default()


def limit_deadline(
    start: datetime, value: Decimal, unit: str, hours: OfficeHours
) -> Deadline[datetime]:
    """The instant a limit of ``value`` ``unit`` (working days / hours) starting at ``start``
    runs out, with its provisional flag."""
    value = Decimal(value)
    if unit == LimitUnit.WORKING_DAYS and value == value.to_integral_value():
        return workdays.working_days_deadline_at(start, int(value), hours)
    amount = hours.working_days(value) if unit == LimitUnit.WORKING_DAYS else value
    return workdays.working_time_deadline(start, amount, hours)


def extend(due: datetime, paused: timedelta, hours: OfficeHours) -> Deadline[datetime]:
    """``due`` moved later by ``paused`` office time (a pause of N working days moves a due
    instant at closing time to the closing time N working days later)."""
    if paused <= timedelta(0):
        return Deadline(at=due, provisional=False)
    return workdays.working_time_deadline(due, paused, hours)


def yellow_ratio() -> Decimal:
    return Decimal(str(getattr(settings, "ONESTOP_CASE_WARNING_YELLOW_RATIO", "0.2")))


def yellow_working_days() -> Decimal:
    return Decimal(str(getattr(settings, "ONESTOP_CASE_WARNING_YELLOW_WORKING_DAYS", "1")))


def warning_level(
    *,
    at: datetime,
    accepted_at: datetime,
    due: datetime,
    paused_total: timedelta,
    hours: OfficeHours,
) -> WarningLevel:
    """The warning level at instant ``at`` (the pause start while the clock is paused)."""
    if at > due:
        return WarningLevel.RED
    remaining = workdays.working_time_between(at, due, hours)
    total = workdays.working_time_between(accepted_at, due, hours) - paused_total
    if remaining <= hours.working_days(yellow_working_days()):
        return WarningLevel.YELLOW
    if total > timedelta(0) and remaining <= total * float(yellow_ratio()):
        return WarningLevel.YELLOW
    return WarningLevel.NONE
