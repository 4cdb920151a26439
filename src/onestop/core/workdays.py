"""The working-day calendar: statutory holidays, make-up working days (调休) and office hours.

Public API (import from ``onestop.core.workdays``)
--------------------------------------------------

Days (``datetime.date``)::

    is_working_day(day) -> bool
    next_working_day(day, *, include_self=False) -> date
    add_working_days(day, n) -> date
    working_days_between(a, b) -> int
    working_days_deadline(start, n) -> Deadline[date]

Instants (timezone-aware ``datetime``; office hours in Asia/Shanghai)::

    OfficeHours.parse("09:00-12:00,13:30-17:30")
    next_working_instant(instant, office_hours) -> datetime
    add_working_time(instant, amount, office_hours) -> datetime
    working_time_between(a, b, office_hours) -> timedelta
    working_time_deadline(start, amount, office_hours) -> Deadline[datetime]
    working_days_deadline_at(start, n, office_hours) -> Deadline[datetime]

Provisional deadlines: ``is_provisional(first, last)``, ``year_is_known(year)`` and the
``provisional`` flag of every ``Deadline``.

Where the truth comes from
--------------------------

1. ``chinese-calendar`` knows the State Council's holiday notices for the years it covers
   (``LIBRARY_YEARS``, 2004–2026 in version 1.11).
2. ``CalendarDayOverride`` rows override the status of single days, in any year: a newly
   published notice, or a local adjustment.
3. Every other day is a working day if it is Monday–Friday.

A year is *known* when the library covers it or a ``CalendarYear`` row says its notice has been
entered. A result that depends on a day of an unknown year is computed with rule 3 (never an
error) and flagged ``provisional=True`` so that the portals can say "provisional" next to it.

How it is fast
--------------

``WorkCalendar`` is an immutable index over ``FIRST_DAY``..``LAST_DAY`` (2000–2100): one flag
per day, the sorted day numbers of all working days and prefix counts of working days and of
unknown-year days. Every operation is a handful of list look-ups — O(1) per call, no loop over
days, no database query. The module-level functions use the process-wide current calendar
(``calendar()``), rebuilt from the database when it changes:

* the services in this module (``calendar_override_set`` …), which the admin and the
  ``calendar_import`` command call, drop the index at once and again when their transaction
  commits;
* every ``ONESTOP_CALENDAR_RECHECK_SECONDS`` (default 10 s) a process compares a cheap
  fingerprint of the tables (override count and latest ``updated_at``, published years) with
  the one its index was built from, so other processes (workers, other web servers) notice a
  change within that interval. After a calendar service ran inside a transaction that has not
  yet committed, the fingerprint is checked on every call until it has.

No Django signals are used. Because the module-level functions read the database on first use,
tests that call them need the ``db`` fixture; a ``WorkCalendar`` built by hand needs none.
"""

from __future__ import annotations

import csv
import io
import threading
import time as _time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from chinese_calendar import constants as _cc
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from onestop.core.models import CalendarDayOverride, CalendarYear

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "FIRST_DAY",
    "LAST_DAY",
    "LIBRARY_YEARS",
    "SHANGHAI",
    "Amount",
    "CalendarImportError",
    "CalendarRangeError",
    "CalendarRow",
    "Deadline",
    "OfficeHours",
    "WorkCalendar",
    "add_working_days",
    "add_working_time",
    "calendar",
    "calendar_csv_parse",
    "calendar_invalidate",
    "calendar_override_delete",
    "calendar_override_set",
    "calendar_year_import",
    "calendar_year_publish",
    "calendar_year_withdraw",
    "is_provisional",
    "is_working_day",
    "next_working_day",
    "next_working_instant",
    "working_days_between",
    "working_days_deadline",
    "working_days_deadline_at",
    "working_time_between",
    "working_time_deadline",
    "year_is_known",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
DEFAULT_OFFICE_HOURS = "09:00-12:00,13:30-17:30"

#: The years whose holiday notices ``chinese-calendar`` carries.
LIBRARY_YEARS = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)

_FIRST_ORD = FIRST_DAY.toordinal()
_N_DAYS = LAST_DAY.toordinal() - _FIRST_ORD + 1
_US_PER_MINUTE = 60_000_000
_US_PER_HOUR = 3_600_000_000
_US = timedelta(microseconds=1)

_T = TypeVar("_T", date, datetime)
Amount = timedelta | int | float | Decimal
"""A length of working time: a ``timedelta`` or a number of working hours."""


class CalendarRangeError(ValueError):
    """A date outside ``FIRST_DAY``..``LAST_DAY`` (2000–2100), the range the index covers."""


@dataclass(frozen=True)
class Deadline(Generic[_T]):
    """A computed deadline.

    ``provisional`` is true when the computation used a day of a year whose official holiday
    schedule is not known yet (Monday–Friday was assumed); show it as provisional and expect it
    to move once the year is entered.
    """

    at: _T
    provisional: bool


# --- office hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHours:
    """A unit's daily office hours in Asia/Shanghai, e.g. ``09:00-12:00,13:30-17:30``.

    ``periods`` are ``(start, end)`` minutes after midnight, sorted and not overlapping. The
    same hours apply on every working day; China has no daylight-saving time, so a day has 24
    hours of wall time.
    """

    periods: tuple[tuple[int, int], ...]
    _us: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _day_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError(_("办公时间至少需要一个时段。"))
        previous_end = 0
        for start, end in self.periods:
            if not 0 <= start < end <= 24 * 60:
                raise ValueError(_("办公时段的开始时间必须早于结束时间。"))
            if start < previous_end:
                raise ValueError(_("办公时段必须按时间先后排列且不能重叠。"))
            previous_end = end
        us = tuple((s * _US_PER_MINUTE, e * _US_PER_MINUTE) for s, e in self.periods)
        object.__setattr__(self, "_us", us)
        object.__setattr__(self, "_day_us", sum(e - s for s, e in us))

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse ``"HH:MM-HH:MM[,HH:MM-HH:MM…]"`` (the ``Unit.office_hours`` format)."""
        periods: list[tuple[int, int]] = []
        for chunk in text.replace("，", ",").split(","):
            chunk = chunk.strip()
            try:
                start_text, end_text = chunk.split("-")
                periods.append((_parse_hhmm(start_text), _parse_hhmm(end_text)))
            except ValueError as exc:
                raise ValueError(
                    _("办公时间格式无效：%(value)s（应为 HH:MM-HH:MM，多个时段以逗号分隔）")
                    % {"value": text}
                ) from exc
        return cls(tuple(periods))

    @classmethod
    def default(cls) -> OfficeHours:
        return _DEFAULT_HOURS

    def __str__(self) -> str:
        return ",".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in self.periods)

    @property
    def working_day(self) -> timedelta:
        """The office time of one working day (7 h for the default hours)."""
        return timedelta(microseconds=self._day_us)

    def working_days(self, amount: int | float | Decimal) -> timedelta:
        """``amount`` working days as office time: ``working_days(0.5)`` is 3.5 h by default."""
        return timedelta(microseconds=round(Decimal(str(amount)) * self._day_us))

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` falls inside a period (ignoring whether the day is a working day)."""
        tod = _time_of_day_us(_local(instant))
        return any(s <= tod < e for s, e in self._us)

    def _elapsed(self, tod: int) -> int:
        """Office time (µs) between midnight and ``tod`` µs after midnight."""
        total = 0
        for s, e in self._us:
            if tod <= s:
                break
            total += (tod if tod < e else e) - s
        return total

    def _position(self, offset: int, *, at_end: bool) -> int:
        """Time of day (µs) at which ``offset`` µs of office time have passed.

        At a boundary between periods ``at_end`` picks the end of the earlier period (a
        deadline at 12:00) rather than the start of the later one (13:30).
        """
        for s, e in self._us:
            length = e - s
            if offset < length or (at_end and offset == length):
                return s + offset
            offset -= length
        return self._us[-1][1]


def _parse_hhmm(text: str) -> int:
    hours, minutes = text.strip().split(":")
    if len(hours) != 2 or len(minutes) != 2:
        raise ValueError(text)
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(text)
    return h * 60 + m


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_DEFAULT_HOURS = OfficeHours.parse(DEFAULT_OFFICE_HOURS)


def _local(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(SHANGHAI)


def _time_of_day_us(local: datetime) -> int:
    return ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


def _amount_us(amount: Amount) -> int:
    if isinstance(amount, timedelta):
        return amount // _US
    return round(amount * _US_PER_HOUR)


# --- the index ------------------------------------------------------------------------------


class WorkCalendar:
    """An immutable index of working days over 2000–2100; every query is O(1).

    Build one with the overrides and published years you want (the module-level functions use
    ``calendar()``, built from the database). Dates outside 2000–2100 raise
    ``CalendarRangeError``; days in unknown years never raise, they make results provisional.
    """

    __slots__ = ("_known_years", "_ords", "_unknown", "_work", "_work_prefix")

    def __init__(
        self,
        *,
        overrides: Mapping[date, bool] | None = None,
        published_years: Iterable[int] = (),
    ) -> None:
        known = {*LIBRARY_YEARS, *published_years}
        first_weekday = FIRST_DAY.weekday()
        work = [1 if (first_weekday + i) % 7 < 5 else 0 for i in range(_N_DAYS)]
        for day in _cc.holidays:
            work[day.toordinal() - _FIRST_ORD] = 0
        for day in _cc.workdays:
            work[day.toordinal() - _FIRST_ORD] = 1
        for day, working in (overrides or {}).items():
            work[self._checked_index(day)] = 1 if working else 0
        unknown = [0] * _N_DAYS
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
            if year not in known:
                start = date(year, 1, 1).toordinal() - _FIRST_ORD
                end = date(year, 12, 31).toordinal() - _FIRST_ORD
                unknown[start : end + 1] = [1] * (end - start + 1)
        self._work = work
        # _work_prefix[i]: working days among index days [0, i); _unknown likewise.
        self._work_prefix = _prefix(work)
        self._unknown = _prefix(unknown)
        # _ords[k]: index of the (k+1)-th working day.
        self._ords = [i for i, flag in enumerate(work) if flag]
        self._known_years = frozenset(known)

    @staticmethod
    def _checked_index(day: date) -> int:
        i = day.toordinal() - _FIRST_ORD
        if 0 <= i < _N_DAYS:
            return i
        raise CalendarRangeError(
            f"{day.isoformat()} is outside the calendar range {FIRST_DAY}..{LAST_DAY}"
        )

    def _day(self, k: int) -> date:
        """The (k+1)-th working day of the index."""
        if 0 <= k < len(self._ords):
            return date.fromordinal(_FIRST_ORD + self._ords[k])
        raise CalendarRangeError(
            f"the result is outside the calendar range {FIRST_DAY}..{LAST_DAY}"
        )

    # -- days ---------------------------------------------------------------------------------

    def year_is_known(self, year: int) -> bool:
        """Whether ``year``'s holiday schedule is known (library or a ``CalendarYear`` row)."""
        return year in self._known_years

    def is_working_day(self, day: date) -> bool:
        return bool(self._work[self._checked_index(day)])

    def next_working_day(self, day: date, *, include_self: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself with ``include_self=True``)."""
        i = self._checked_index(day)
        return self._day(self._work_prefix[i if include_self else i + 1])

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day``; ``day`` itself never counts.

        ``n = 1`` is the next working day: 2026-09-30 + 1 = 2026-10-08 (National Day holiday
        1–7 October). ``n < 0`` counts backwards: the ``|n|``-th working day before ``day``.
        ``n = 0`` returns ``day`` unchanged, even when it is not a working day (use
        ``next_working_day(day, include_self=True)`` to roll forward). For every ``n``,
        ``working_days_between(day, add_working_days(day, n)) == n``.
        """
        i = self._checked_index(day)
        if n > 0:
            return self._day(self._work_prefix[i + 1] + n - 1)
        if n < 0:
            return self._day(self._work_prefix[i] + n)
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days from ``a`` to ``b``, the start day not counted, the end day counted.

        For ``a <= b`` this is the number of working days in (a, b]; for ``a > b`` it is minus
        the number in [b, a). It is the inverse of ``add_working_days``.
        """
        i, j = self._checked_index(a), self._checked_index(b)
        prefix = self._work_prefix
        if i <= j:
            return prefix[j + 1] - prefix[i + 1]
        return prefix[j] - prefix[i]

    def is_provisional(self, first: date, last: date) -> bool:
        """Whether any day in [first, last] (either order) lies in a year not yet known."""
        i, j = self._checked_index(first), self._checked_index(last)
        if i > j:
            i, j = j, i
        return self._unknown[j + 1] - self._unknown[i] > 0

    def working_days_deadline(self, start: date, n: int) -> Deadline[date]:
        """``add_working_days(start, n)`` with its provisional flag.

        The result depends on the days strictly after ``start`` up to it (or, for ``n < 0``,
        from it up to the day before ``start``).
        """
        at = self.add_working_days(start, n)
        if at > start:
            provisional = self.is_provisional(start + timedelta(days=1), at)
        elif at < start:
            provisional = self.is_provisional(at, start - timedelta(days=1))
        else:
            provisional = False
        return Deadline(at=at, provisional=provisional)

    # -- instants -------------------------------------------------------------------------------

    def _clock(self, instant: datetime, hours: OfficeHours) -> int:
        """Office time (µs) from the start of the index to ``instant``; strictly increasing
        inside office hours of working days, flat everywhere else."""
        local = _local(instant)
        i = self._checked_index(local.date())
        elapsed = self._work_prefix[i] * hours._day_us
        if self._work[i]:
            elapsed += hours._elapsed(_time_of_day_us(local))
        return elapsed

    def _instant(self, k: int, tod: int) -> datetime:
        day = self._day(k)
        return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(microseconds=tod)

    def _at_end(self, clock: int, hours: OfficeHours) -> datetime:
        """The earliest instant at which the office-time clock reads ``clock`` (> 0)."""
        k, rest = divmod(clock, hours._day_us)
        if rest == 0:
            return self._instant(k - 1, hours._us[-1][1])
        return self._instant(k, hours._position(rest, at_end=True))

    def next_working_instant(
        self, instant: datetime, office_hours: OfficeHours = _DEFAULT_HOURS
    ) -> datetime:
        """``instant`` if it falls within office hours of a working day, else the next opening."""
        k, rest = divmod(self._clock(instant, office_hours), office_hours._day_us)
        result = self._instant(k, office_hours._position(rest, at_end=False))
        return instant if result == instant else result

    def add_working_time(
        self, instant: datetime, amount: Amount, office_hours: OfficeHours = _DEFAULT_HOURS
    ) -> datetime:
        """The earliest instant by which ``amount`` of office time has passed after ``instant``.

        ``amount`` is a ``timedelta`` or a number of working hours (``office_hours.working_days
        (0.5)`` turns half a working day into 3.5 h). Time outside office hours, lunch breaks
        and non-working days do not count, so an instant outside office hours starts at the next
        opening. A deadline that uses up a period exactly lands on its closing time (Friday
        17:30, not Monday 09:00). ``amount`` 0 returns ``instant``; negative amounts are an
        error. The result is in Asia/Shanghai.
        """
        us = _amount_us(amount)
        if us < 0:
            raise ValueError("amount of working time must not be negative")
        if us == 0:
            return instant
        return self._at_end(self._clock(instant, office_hours) + us, office_hours)

    def working_time_between(
        self, a: datetime, b: datetime, office_hours: OfficeHours = _DEFAULT_HOURS
    ) -> timedelta:
        """Office time on working days between ``a`` and ``b`` (negative if ``b < a``)."""
        return timedelta(microseconds=self._clock(b, office_hours) - self._clock(a, office_hours))

    def working_time_deadline(
        self, start: datetime, amount: Amount, office_hours: OfficeHours = _DEFAULT_HOURS
    ) -> Deadline[datetime]:
        """``add_working_time`` with its provisional flag (days from start's to the result's)."""
        at = self.add_working_time(start, amount, office_hours)
        provisional = self.is_provisional(_local(start).date(), _local(at).date())
        return Deadline(at=at, provisional=provisional)

    def working_days_deadline_at(
        self, start: datetime, n: int, office_hours: OfficeHours = _DEFAULT_HOURS
    ) -> Deadline[datetime]:
        """Closing time of the ``n``-th working day after ``start``'s day (Asia/Shanghai).

        ``n = 0`` (handled the same day) is the closing time of ``start``'s day if it is a
        working day, else of the next working day. ``n`` must not be negative.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        day = _local(start).date()
        if n == 0:
            at_day = self.next_working_day(day, include_self=True)
            provisional = self.is_provisional(day, at_day)
        else:
            deadline = self.working_days_deadline(day, n)
            at_day, provisional = deadline.at, deadline.provisional
        at = datetime(at_day.year, at_day.month, at_day.day, tzinfo=SHANGHAI) + timedelta(
            microseconds=office_hours._us[-1][1]
        )
        return Deadline(at=at, provisional=provisional)


def _prefix(flags: list[int]) -> list[int]:
    out = [0] * (len(flags) + 1)
    total = 0
    for i, flag in enumerate(flags):
        total += flag
        out[i + 1] = total
    return out


# --- the process-wide current calendar ------------------------------------------------------


class _Cache:
    def __init__(self) -> None:
        self.calendar: WorkCalendar | None = None
        self.fingerprint: tuple[Any, ...] | None = None
        self.fresh_until = 0.0  # monotonic time until which the fingerprint is trusted
        self.pending = False  # a calendar service ran in a transaction not yet committed
        self.lock = threading.Lock()


_cache = _Cache()


def _recheck_seconds() -> float:
    return float(getattr(settings, "ONESTOP_CALENDAR_RECHECK_SECONDS", 10.0))


def _fingerprint() -> tuple[Any, ...]:
    from onestop.core.models import CalendarDayOverride, CalendarYear

    overrides = CalendarDayOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    years = tuple(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    return (overrides["n"], overrides["last"], years)


def _build() -> WorkCalendar:
    from onestop.core.models import CalendarDayOverride, CalendarYear

    overrides = dict(CalendarDayOverride.objects.values_list("date", "is_working_day"))
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkCalendar(overrides=overrides, published_years=years)


def calendar() -> WorkCalendar:
    """The current calendar: library + database overrides; rebuilt when they change."""
    cache = _cache
    current = cache.calendar
    now = _time.monotonic()
    if current is not None and not cache.pending and now < cache.fresh_until:
        return current
    with cache.lock:
        if cache.pending:
            from django.db import connection

            if not connection.in_atomic_block:
                cache.pending = False  # the transaction ended (committed or rolled back)
        fingerprint = _fingerprint()
        if cache.calendar is None or fingerprint != cache.fingerprint:
            cache.calendar = _build()
            cache.fingerprint = fingerprint
        cache.fresh_until = now + _recheck_seconds()
        return cache.calendar


def calendar_invalidate() -> None:
    """Drop the current index; the next query rebuilds it from the database as it is then.

    A cache hook, not business logic: the calendar services already call it. Useful after
    writing the tables by other means (raw SQL, fixtures loaded in tests).
    """
    _cache.calendar = None
    _cache.pending = False


def _calendar_changed() -> None:
    _cache.calendar = None
    _cache.pending = True

    def committed() -> None:
        _cache.pending = False
        _cache.calendar = None

    transaction.on_commit(committed)


# Module-level shortcuts over the current calendar (same semantics as the methods).


def year_is_known(year: int) -> bool:
    return calendar().year_is_known(year)


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)


def next_working_day(day: date, *, include_self: bool = False) -> date:
    return calendar().next_working_day(day, include_self=include_self)


def add_working_days(day: date, n: int) -> date:
    """See ``WorkCalendar.add_working_days``: the ``n``-th working day after ``day``."""
    return calendar().add_working_days(day, n)


def working_days_between(a: date, b: date) -> int:
    """See ``WorkCalendar.working_days_between``: working days in (a, b]."""
    return calendar().working_days_between(a, b)


def is_provisional(first: date, last: date) -> bool:
    return calendar().is_provisional(first, last)


def working_days_deadline(start: date, n: int) -> Deadline[date]:
    return calendar().working_days_deadline(start, n)


def next_working_instant(instant: datetime, office_hours: OfficeHours = _DEFAULT_HOURS) -> datetime:
    return calendar().next_working_instant(instant, office_hours)


def add_working_time(
    instant: datetime, amount: Amount, office_hours: OfficeHours = _DEFAULT_HOURS
) -> datetime:
    """See ``WorkCalendar.add_working_time``."""
    return calendar().add_working_time(instant, amount, office_hours)


def working_time_between(
    a: datetime, b: datetime, office_hours: OfficeHours = _DEFAULT_HOURS
) -> timedelta:
    return calendar().working_time_between(a, b, office_hours)


def working_time_deadline(
    start: datetime, amount: Amount, office_hours: OfficeHours = _DEFAULT_HOURS
) -> Deadline[datetime]:
    return calendar().working_time_deadline(start, amount, office_hours)


def working_days_deadline_at(
    start: datetime, n: int, office_hours: OfficeHours = _DEFAULT_HOURS
) -> Deadline[datetime]:
    return calendar().working_days_deadline_at(start, n, office_hours)


# --- services: every write to the calendar tables ------------------------------------------


def _audit_log(**kwargs: Any) -> Any:
    # Imported late so that this module (and WorkCalendar) loads before the app registry.
    from onestop.core.audit import audit_log as log

    return log(**kwargs)


def _check_range(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("日期 %(date)s 超出日历支持的范围（2000—2100 年）。"),
            code="out_of_range",
            params={"date": day.isoformat()},
        )


def _override_state(override: CalendarDayOverride | None) -> dict[str, Any] | None:
    if override is None:
        return None
    return {"is_working_day": override.is_working_day, "name": override.name, "note": override.note}


@transaction.atomic
def calendar_override_set(
    *, actor: Any, day: date, is_working_day: bool, name: str = "", note: str = ""
) -> CalendarDayOverride:
    """Create or change the override of ``day``; the index reflects it at once."""
    from onestop.core.models import CalendarDayOverride

    _check_range(day)
    override = CalendarDayOverride.objects.select_for_update().filter(date=day).first()
    before = _override_state(override)
    if override is None:
        override = CalendarDayOverride(date=day)
    override.is_working_day = is_working_day
    override.name = name
    override.note = note
    override.full_clean()
    override.save()
    _audit_log(
        actor=actor,
        action="calendar.override_set",
        obj=override,
        summary={"date": day.isoformat(), "before": before, "after": _override_state(override)},
    )
    _calendar_changed()
    return override


@transaction.atomic
def calendar_override_delete(*, actor: Any, day: date) -> bool:
    """Remove the override of ``day`` (the library or Monday–Friday applies again)."""
    from onestop.core.models import CalendarDayOverride

    override = CalendarDayOverride.objects.select_for_update().filter(date=day).first()
    if override is None:
        return False
    _audit_log(
        actor=actor,
        action="calendar.override_delete",
        obj=override,
        summary={"date": day.isoformat(), "before": _override_state(override)},
    )
    override.delete()
    _calendar_changed()
    return True


@transaction.atomic
def calendar_year_publish(*, actor: Any, year: int, source: str) -> CalendarYear:
    """Mark ``year``'s holiday schedule as entered (deadlines over it stop being provisional).

    Enter the notice's days first with ``calendar_override_set`` (or import them all with
    ``calendar_year_import``). Publishing again updates the source.
    """
    from onestop.core.models import CalendarYear

    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = None if entry is None else {"source": entry.source}
    if entry is None:
        entry = CalendarYear(year=year)
    entry.source = source
    entry.full_clean()
    entry.save()
    _audit_log(
        actor=actor,
        action="calendar.year_publish",
        obj=entry,
        summary={"year": year, "before": before, "after": {"source": source}},
    )
    _calendar_changed()
    return entry


@transaction.atomic
def calendar_year_withdraw(*, actor: Any, year: int) -> bool:
    """Remove the ``CalendarYear`` row: ``year`` is provisional again (overrides are kept)."""
    from onestop.core.models import CalendarYear

    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    if entry is None:
        return False
    _audit_log(
        actor=actor,
        action="calendar.year_withdraw",
        obj=entry,
        summary={"year": year, "before": {"source": entry.source}},
    )
    entry.delete()
    _calendar_changed()
    return True


# --- importing a year's notice from CSV -----------------------------------------------------


@dataclass(frozen=True)
class CalendarRow:
    """One day of a holiday notice: a holiday (``is_working_day=False``) or a make-up day."""

    line: int
    day: date
    is_working_day: bool
    name: str = ""


class CalendarImportError(Exception):
    """The file has bad rows; ``errors`` lists one translated message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


_TRUE = {"1", "true", "yes", "y", "t", "是", "上班", "班", "工作日"}
_FALSE = {"0", "false", "no", "n", "f", "否", "休", "休息", "放假", "假", "节假日"}
_COLUMNS = ("date", "is_working_day", "name")


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # what Excel saves on a Chinese Windows


def calendar_csv_parse(data: bytes | str, *, year: int) -> list[CalendarRow]:
    """Parse and validate a CSV of ``date,is_working_day,name`` rows for ``year``.

    A header row naming the columns is optional. ``is_working_day`` accepts 1/0, true/false,
    是/否, 上班/放假, 班/休. Raises ``CalendarImportError`` listing every bad line (by its line
    number in the file) when any row is bad, so that nothing is imported from a faulty file.
    """
    errors: list[str] = []
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        message = _("文件编码无法识别，请保存为 UTF-8 编码的 CSV 文件。")
        raise CalendarImportError([message]) from None
    reader = csv.reader(io.StringIO(text))
    rows: list[CalendarRow] = []
    seen: dict[date, int] = {}
    columns: dict[str, int] = {name: i for i, name in enumerate(_COLUMNS)}
    first = True
    for cells in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if first:
            first = False
            header = [cell.lower() for cell in cells]
            if header and header[0].removeprefix("\ufeff") in _COLUMNS:
                missing = [name for name in _COLUMNS[:2] if name not in header]
                if missing:
                    errors.append(
                        _("第 %(line)d 行：表头缺少列 %(columns)s。")
                        % {"line": line, "columns": ", ".join(missing)}
                    )
                    break
                columns = {name: header.index(name) for name in _COLUMNS if name in header}
                continue
        row_errors: list[str] = []
        raw_date, raw_flag, name = (_cell(cells, columns, key) for key in _COLUMNS)
        day: date | None = None
        try:
            day = date.fromisoformat(raw_date.replace("/", "-"))
        except ValueError:
            row_errors.append(
                _("第 %(line)d 行：日期“%(value)s”无效，应为 YYYY-MM-DD。")
                % {"line": line, "value": raw_date}
            )
        if day is not None and day.year != year:
            row_errors.append(
                _("第 %(line)d 行：日期 %(date)s 不属于 %(year)d 年。")
                % {"line": line, "date": day.isoformat(), "year": year}
            )
        if day is not None and day in seen:
            row_errors.append(
                _("第 %(line)d 行：日期 %(date)s 与第 %(first)d 行重复。")
                % {"line": line, "date": day.isoformat(), "first": seen[day]}
            )
        flag = raw_flag.lower()
        if flag not in _TRUE and flag not in _FALSE:
            row_errors.append(
                _("第 %(line)d 行：是否工作日“%(value)s”无效，应为 1（上班）或 0（放假）。")
                % {"line": line, "value": raw_flag}
            )
        if len(name) > 100:
            row_errors.append(_("第 %(line)d 行：名称不能超过 100 个字符。") % {"line": line})
        if row_errors or day is None:
            errors.extend(row_errors)
            continue
        seen[day] = line
        rows.append(CalendarRow(line=line, day=day, is_working_day=flag in _TRUE, name=name))
    if not errors and not rows:
        errors.append(_("文件中没有数据行。"))
    if errors:
        raise CalendarImportError(errors)
    return rows


@transaction.atomic
def calendar_year_import(
    *,
    actor: Any,
    year: int,
    source: str,
    rows: Sequence[CalendarRow],
    replace: bool = False,
) -> CalendarYear:
    """Enter a year's holiday notice: one override per row, then publish the year.

    With ``replace=True`` overrides of ``year`` that are not in ``rows`` are removed first.
    All or nothing: a bad row (see ``calendar_csv_parse``) aborts the whole import.
    """
    from onestop.core.models import CalendarDayOverride

    if not source.strip():
        raise ValidationError(_("请填写依据（通知文号）。"), code="required")
    wrong = [row for row in rows if row.day.year != year]
    if wrong:
        raise CalendarImportError(
            [
                _("第 %(line)d 行：日期 %(date)s 不属于 %(year)d 年。")
                % {"line": row.line, "date": row.day.isoformat(), "year": year}
                for row in wrong
            ]
        )
    if replace:
        keep = {row.day for row in rows}
        stale = CalendarDayOverride.objects.filter(date__year=year).exclude(date__in=keep)
        for override in stale:
            calendar_override_delete(actor=actor, day=override.date)
    for row in rows:
        calendar_override_set(
            actor=actor, day=row.day, is_working_day=row.is_working_day, name=row.name
        )
    entry = calendar_year_publish(actor=actor, year=year, source=source)
    _audit_log(
        actor=actor,
        action="calendar.year_import",
        obj=entry,
        summary={"year": year, "source": source, "rows": len(rows), "replace": replace},
    )
    return entry
