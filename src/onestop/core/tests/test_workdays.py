"""The working-day calendar: library agreement, properties, provisional years, office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import chinese_calendar
import pytest
from conftest import login_verified
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.accounts.choices import Role
from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import staff_user
from onestop.core import workdays
from onestop.core.models import AuditEvent, CalendarDayOverride, CalendarYear
from onestop.core.workdays import (
    SHANGHAI,
    CalendarImportError,
    CalendarRangeError,
    OfficeHours,
    WorkCalendar,
)

LIBRARY = WorkCalendar()  # library only, no database: for the property tests
HOURS = OfficeHours.default()


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    # Earlier tests may have left an index built inside their rolled-back transaction.
    workdays.calendar_invalidate()


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


# --- agreement with chinese_calendar ---------------------------------------------------------


@pytest.mark.django_db
def test_every_day_2004_to_2026_agrees_with_chinese_calendar() -> None:
    day, checked = date(2004, 1, 1), 0
    while day <= date(2026, 12, 31):
        assert workdays.is_working_day(day) is chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
        checked += 1
    assert checked == 8401
    assert all(workdays.year_is_known(y) for y in range(2004, 2027))


def test_library_covers_2004_to_2026_and_refuses_2027() -> None:
    # What the fallback exists for: the library has no 2027 data and raises.
    assert list(workdays.LIBRARY_YEARS) == list(range(2004, 2027))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


# --- the named cases -------------------------------------------------------------------------


@pytest.mark.django_db
def test_day_after_national_day_eve_is_october_8() -> None:
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert not any(workdays.is_working_day(date(2026, 10, d)) for d in range(1, 8))


@pytest.mark.django_db
def test_make_up_saturday_2026_10_10_counts_as_working_day() -> None:
    saturday = date(2026, 10, 10)
    assert saturday.weekday() == 5
    assert chinese_calendar.is_workday(saturday)  # the library says so too
    assert workdays.is_working_day(saturday)
    # 30 Sep + 3 working days: 8, 9 and the make-up Saturday 10 October.
    assert workdays.add_working_days(date(2026, 9, 30), 3) == saturday
    # (30 Sep, 12 Oct] holds 8, 9, 10 and 12 October.
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert workdays.add_working_days(date(2026, 10, 12), -1) == saturday


@pytest.mark.django_db
def test_zero_and_negative_days() -> None:
    sunday = date(2026, 11, 22)
    assert workdays.add_working_days(sunday, 0) == sunday
    assert workdays.next_working_day(sunday, include_self=True) == date(2026, 11, 23)
    assert workdays.next_working_day(date(2026, 11, 23), include_self=True) == date(2026, 11, 23)
    assert workdays.add_working_days(sunday, -1) == date(2026, 11, 20)
    assert workdays.working_days_between(sunday, date(2026, 11, 20)) == -1


# --- properties (library calendar, no database) ----------------------------------------------

# Far enough from the 2000–2100 edges for ±300 working days.
days = st.dates(min_value=date(2001, 6, 1), max_value=date(2099, 6, 30))
counts = st.integers(min_value=-300, max_value=300)


@given(day=days, n=counts)
def test_adding_then_counting_gives_n_back(day: date, n: int) -> None:
    assert LIBRARY.working_days_between(day, LIBRARY.add_working_days(day, n)) == n


@given(day=days, n=counts.filter(bool))
def test_result_is_always_a_working_day_and_equals_a_day_by_day_walk(day: date, n: int) -> None:
    result = LIBRARY.add_working_days(day, n)
    assert LIBRARY.is_working_day(result)
    step = timedelta(days=1 if n > 0 else -1)
    walk, left = day, abs(n)
    while left:
        walk += step
        left -= LIBRARY.is_working_day(walk)
    assert result == walk


@given(day=days, n1=counts, n2=counts)
def test_monotonic_in_n(day: date, n1: int, n2: int) -> None:
    if n1 < n2:
        assert LIBRARY.add_working_days(day, n1) < LIBRARY.add_working_days(day, n2)


@given(d1=days, d2=days, n=counts)
def test_monotonic_in_start_date(d1: date, d2: date, n: int) -> None:
    if d1 <= d2:
        assert LIBRARY.add_working_days(d1, n) <= LIBRARY.add_working_days(d2, n)


@settings(max_examples=40, deadline=None)
@given(
    overrides=st.dictionaries(
        st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)), st.booleans()
    ),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_overrides_are_obeyed(overrides: dict[date, bool], day: date, n: int) -> None:
    cal = WorkCalendar(overrides=overrides)
    for override_day, working in overrides.items():
        assert cal.is_working_day(override_day) is working
    result = cal.add_working_days(day, n)
    assert cal.is_working_day(result)
    assert cal.working_days_between(day, result) == n


def test_unknown_years_fall_back_to_monday_to_friday_and_never_raise() -> None:
    for year in (2000, 2003, 2027, 2050, 2100):
        jan = [date(year, 1, d) for d in range(1, 32)]
        assert [LIBRARY.is_working_day(d) for d in jan] == [d.weekday() < 5 for d in jan]
        assert not LIBRARY.year_is_known(year)
    # New Year's Day 2027 is a Friday; with no schedule it is assumed to be a working day.
    deadline = LIBRARY.working_days_deadline(date(2026, 12, 31), 1)
    assert deadline.at == date(2027, 1, 1) and deadline.provisional
    with pytest.raises(CalendarRangeError):
        LIBRARY.is_working_day(date(1999, 12, 31))
    with pytest.raises(CalendarRangeError):
        LIBRARY.add_working_days(date(2100, 12, 30), 5)


# --- provisional years and the database -----------------------------------------------------


@pytest.mark.django_db
def test_deadline_into_2027_is_provisional_until_the_year_is_entered() -> None:
    start = date(2026, 12, 24)
    before = workdays.working_days_deadline(start, 10)
    # 25, 28, 29, 30, 31 Dec, then Mon–Fri assumed: 1 (New Year's Day!), 4, 5, 6, 7 Jan.
    assert before == workdays.Deadline(at=date(2027, 1, 7), provisional=True)
    assert not workdays.working_days_deadline(start, 5).provisional  # ends 31 Dec 2026

    # The bureau enters the notice: New Year's Day off, Saturday 9 Jan a make-up day.
    workdays.calendar_override_set(
        actor=None, day=date(2027, 1, 1), is_working_day=False, name="元旦"
    )
    assert not workdays.is_working_day(date(2027, 1, 1))  # the index reflects it at once
    workdays.calendar_override_set(
        actor=None, day=date(2027, 1, 9), is_working_day=True, name="元旦调休"
    )
    entered = workdays.working_days_deadline(start, 10)
    assert entered == workdays.Deadline(at=date(2027, 1, 8), provisional=True)

    workdays.calendar_year_publish(actor=None, year=2027, source="国办发明电〔2026〕7号")
    assert workdays.year_is_known(2027)
    assert workdays.working_days_deadline(start, 10) == workdays.Deadline(
        at=date(2027, 1, 8), provisional=False
    )
    assert workdays.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 9)

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["calendar.override_set", "calendar.override_set", "calendar.year_publish"]

    # Withdrawing the year makes it provisional again; deleting the override restores Mon–Fri.
    workdays.calendar_year_withdraw(actor=None, year=2027)
    assert workdays.working_days_deadline(start, 10).provisional
    workdays.calendar_override_delete(actor=None, day=date(2027, 1, 1))
    assert workdays.is_working_day(date(2027, 1, 1))


@pytest.mark.django_db
def test_override_can_correct_a_library_year() -> None:
    day = date(2026, 11, 24)  # an ordinary Tuesday
    assert workdays.is_working_day(day)
    workdays.calendar_override_set(actor=None, day=day, is_working_day=False, name="临时调整")
    assert not workdays.is_working_day(day)
    assert workdays.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


@pytest.mark.django_db
def test_other_processes_notice_changes_through_the_fingerprint(settings: object) -> None:
    # Another process writing the table is simulated with the ORM, which bypasses the services
    # and therefore this process's cache.
    day = date(2026, 11, 24)
    settings.ONESTOP_CALENDAR_RECHECK_SECONDS = 3600  # type: ignore[attr-defined]
    assert workdays.is_working_day(day)  # builds and caches the index
    CalendarDayOverride.objects.create(date=day, is_working_day=False)
    assert workdays.is_working_day(day)  # within the recheck interval: the cached index

    other = date(2026, 11, 25)
    settings.ONESTOP_CALENDAR_RECHECK_SECONDS = 0  # type: ignore[attr-defined]
    workdays.calendar_invalidate()
    assert workdays.is_working_day(other) and not workdays.is_working_day(day)
    CalendarDayOverride.objects.create(date=other, is_working_day=False)
    assert not workdays.is_working_day(other)  # interval over: fingerprint changed, rebuilt


def test_out_of_range_override_is_rejected_by_the_service(db: None) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        workdays.calendar_override_set(actor=None, day=date(2101, 1, 3), is_working_day=True)
    assert not CalendarDayOverride.objects.exists()


# --- admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_verified(unit_tree: dict[str, Unit], client: Client) -> Client:
    user = staff_user(unit=unit_tree["bureau"], roles=[Role.PLATFORM_ADMIN], username="admin1")
    return login_verified(client, user)


@pytest.mark.django_db
def test_admin_override_is_reflected_immediately_and_audited(admin_client_verified: Client) -> None:
    day = date(2026, 11, 24)
    assert workdays.is_working_day(day)
    response = admin_client_verified.post(
        reverse("admin:core_calendardayoverride_add"),
        {"date": "2026-11-24", "name": "临时放假", "note": "", "is_working_day": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not workdays.is_working_day(day)
    event = AuditEvent.objects.get(action="calendar.override_set")
    assert event.actor_label == "admin1" and event.summary["after"]["name"] == "临时放假"

    response = admin_client_verified.post(
        reverse("admin:core_calendardayoverride_add"),
        {"date": "2101-01-03", "name": "", "note": "", "is_working_day": "on"},
    )
    assert response.status_code == 200 and "超出日历支持的范围" in response.content.decode()
    assert CalendarDayOverride.objects.count() == 1

    override = CalendarDayOverride.objects.get(date=day)
    response = admin_client_verified.post(
        reverse("admin:core_calendardayoverride_delete", args=[override.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert workdays.is_working_day(day)
    assert AuditEvent.objects.filter(action="calendar.override_delete").count() == 1


@pytest.mark.django_db
def test_admin_year_publish_and_csv_import(admin_client_verified: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    changelist = admin_client_verified.get(reverse("admin:core_calendaryear_changelist"))
    url = reverse("admin:core_calendaryear_import")
    assert changelist.status_code == 200 and url in changelist.content.decode()
    response = admin_client_verified.post(
        reverse("admin:core_calendaryear_add"), {"year": 2028, "source": "国办发明电〔2027〕1号"}
    )
    assert response.status_code == 302
    assert (
        workdays.year_is_known(2028)
        and not workdays.working_days_deadline(date(2028, 3, 1), 5).provisional
    )
    assert AuditEvent.objects.filter(action="calendar.year_publish").count() == 1

    page = admin_client_verified.get(url)
    assert page.status_code == 200 and "CSV" in page.content.decode()
    bad = SimpleUploadedFile(
        "2027.csv", b"date,is_working_day,name\n2027-01-01,0,x\n2027-13-01,0,y\n"
    )
    response = admin_client_verified.post(
        url, {"year": 2027, "source": "国办发明电〔2026〕7号", "file": bad}
    )
    assert response.status_code == 200 and "第 3 行" in response.content.decode()
    assert not CalendarDayOverride.objects.exists()
    assert not CalendarYear.objects.filter(year=2027).exists()

    good = SimpleUploadedFile("2027.csv", "2027-01-01,0,元旦\n".encode())
    response = admin_client_verified.post(
        url, {"year": 2027, "source": "国办发明电〔2026〕7号", "file": good}
    )
    assert response.status_code == 302
    assert workdays.year_is_known(2027) and not workdays.is_working_day(date(2027, 1, 1))


# --- CSV import command ---------------------------------------------------------------------


NOTICE_2027 = """date,is_working_day,name
2027-01-01,0,元旦
2027-02-06,0,春节
2027-02-07,0,春节
2027-02-08,0,春节
2027-02-09,0,春节
2027-02-10,0,春节
2027-02-11,0,春节
2027-02-12,0,春节
2027-02-13,0,春节
2027-02-14,1,春节调休
2027-02-20,1,春节调休
"""


@pytest.mark.django_db
def test_import_command_enters_the_year(tmp_path: Path) -> None:
    csv_file = tmp_path / "2027.csv"
    csv_file.write_bytes(NOTICE_2027.encode("gb18030"))  # as Excel saves it on Chinese Windows
    assert workdays.working_days_deadline(date(2027, 2, 5), 1).provisional
    call_command("calendar_import", str(csv_file), year=2027, source="国办发明电〔2026〕7号")
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕7号"
    assert CalendarDayOverride.objects.filter(date__year=2027).count() == 11
    assert CalendarDayOverride.objects.get(date=date(2027, 2, 6)).name == "春节"
    # Friday 5 Feb + 1 working day: the make-up Sunday 14 Feb, exact now.
    assert workdays.working_days_deadline(date(2027, 2, 5), 1) == workdays.Deadline(
        at=date(2027, 2, 14), provisional=False
    )
    assert AuditEvent.objects.filter(action="calendar.year_import").count() == 1


@pytest.mark.django_db
def test_import_command_with_bad_rows_imports_nothing_and_names_the_lines(tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        "date,is_working_day,name\n"
        "2027-01-01,0,元旦\n"
        "2027-02-30,0,春节\n"  # line 3: no such date
        "2026-12-31,0,跨年\n"  # line 4: wrong year
        "2027-02-14,maybe,春节调休\n"  # line 5: bad flag
        "2027-01-01,1,重复\n",  # line 6: duplicate of line 2
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("calendar_import", str(csv_file), year=2027, source="国办发明电〔2026〕7号")
    message = str(excinfo.value)
    for expected in ("第 3 行", "第 4 行", "第 5 行", "第 6 行", "与第 2 行重复"):
        assert expected in message
    assert "第 2 行" not in message.replace("与第 2 行重复", "")
    assert not CalendarDayOverride.objects.exists()
    assert not CalendarYear.objects.exists()
    assert not AuditEvent.objects.exists()


def test_csv_parse_rejects_empty_file_and_missing_columns() -> None:
    with pytest.raises(CalendarImportError) as excinfo:
        workdays.calendar_csv_parse("date,is_working_day,name\n", year=2027)
    assert excinfo.value.errors == ["文件中没有数据行。"]
    with pytest.raises(CalendarImportError) as excinfo:
        workdays.calendar_csv_parse("date,name\n2027-01-01,元旦\n", year=2027)
    assert "is_working_day" in excinfo.value.errors[0]
    rows = workdays.calendar_csv_parse("2027-01-01,否,元旦\n2027/02/14,上班,春节调休\n", year=2027)
    assert [(r.line, r.day, r.is_working_day) for r in rows] == [
        (1, date(2027, 1, 1), False),
        (2, date(2027, 2, 14), True),
    ]


# --- office hours ------------------------------------------------------------------------------


def test_office_hours_parse() -> None:
    assert str(HOURS) == "09:00-12:00,13:30-17:30"
    assert HOURS.working_day == timedelta(hours=7)
    assert HOURS.working_days(0.5) == timedelta(hours=3, minutes=30)
    assert OfficeHours.parse("08:30-12:00，14:00-18:00").working_day == timedelta(hours=7.5)
    for bad in ("", "9:00-12:00", "12:00-09:00", "09:00-12:00,11:00-13:00", "09:00-25:00", "x"):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


@pytest.mark.django_db
def test_friday_afternoon_plus_half_a_working_day_lands_monday_morning() -> None:
    friday = sh(2026, 11, 20, 16, 0)
    assert friday.weekday() == 4
    # 1.5 h on Friday, 2 h on Monday from 09:00.
    assert workdays.add_working_time(friday, HOURS.working_days(0.5), HOURS) == sh(
        2026, 11, 23, 11, 0
    )


@pytest.mark.django_db
def test_lunch_break_and_closed_hours_are_skipped() -> None:
    monday = date(2026, 11, 23)
    at = lambda hh, mm=0, d=monday: sh(d.year, d.month, d.day, hh, mm)  # noqa: E731
    assert workdays.add_working_time(at(11), 2) == at(14, 30)  # lunch skipped
    assert workdays.add_working_time(at(12, 30), 1) == at(14, 30)  # from the 13:30 opening
    assert workdays.add_working_time(at(7), 1) == at(10)  # from the 09:00 opening
    assert workdays.add_working_time(at(18), 1) == at(10, d=date(2026, 11, 24))
    assert workdays.add_working_time(sh(2026, 11, 21, 10), 1) == at(10)  # Saturday → Monday
    # A limit that exactly uses up a period ends at its closing time.
    assert workdays.add_working_time(at(9), 3) == at(12)
    assert workdays.add_working_time(at(9), timedelta(hours=7)) == at(17, 30)
    assert workdays.add_working_time(at(12, 30), 0) == at(12, 30)
    # UTC input gives the same instant.
    utc = at(11).astimezone(UTC)
    assert workdays.add_working_time(utc, 2) == at(14, 30)
    with pytest.raises(ValueError):
        workdays.add_working_time(datetime(2026, 11, 23, 11), 1)  # naive


@pytest.mark.django_db
def test_working_time_over_holidays_and_make_up_days() -> None:
    # 30 Sep 16:00 + half a day: 1.5 h, then the National Day holiday, then 8 Oct.
    assert workdays.add_working_time(sh(2026, 9, 30, 16), HOURS.working_days(0.5)) == sh(
        2026, 10, 8, 11
    )
    # Friday 9 Oct 17:00 + 1 h ends on the make-up Saturday 10 Oct.
    assert workdays.add_working_time(sh(2026, 10, 9, 17), 1) == sh(2026, 10, 10, 9, 30)
    assert workdays.working_time_between(sh(2026, 9, 30, 9), sh(2026, 10, 8, 9)) == timedelta(
        hours=7
    )


@pytest.mark.django_db
def test_next_working_instant() -> None:
    assert workdays.next_working_instant(sh(2026, 11, 23, 10)) == sh(2026, 11, 23, 10)
    assert workdays.next_working_instant(sh(2026, 11, 23, 12)) == sh(2026, 11, 23, 13, 30)
    assert workdays.next_working_instant(sh(2026, 11, 23, 17, 30)) == sh(2026, 11, 24, 9)
    assert workdays.next_working_instant(sh(2026, 10, 1, 10)) == sh(2026, 10, 8, 9)


@pytest.mark.django_db
def test_working_time_deadlines_are_provisional_across_unknown_years() -> None:
    late = workdays.working_time_deadline(sh(2026, 12, 31, 16), 2)
    assert late == workdays.Deadline(at=sh(2027, 1, 1, 9, 30), provisional=True)
    assert not workdays.working_time_deadline(sh(2026, 12, 30, 9), 2).provisional
    days = workdays.working_days_deadline_at(sh(2026, 9, 30, 10), 1)
    assert days == workdays.Deadline(at=sh(2026, 10, 8, 17, 30), provisional=False)
    same_day = workdays.working_days_deadline_at(sh(2026, 10, 3, 10), 0)
    assert same_day.at == sh(2026, 10, 8, 17, 30)


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(SHANGHAI)
)
hours_strategy = st.sampled_from(
    [HOURS, OfficeHours.parse("08:00-12:00,14:30-18:00"), OfficeHours.parse("00:00-24:00")]
)


@given(points=st.lists(instants, min_size=2, max_size=8), hours=hours_strategy)
def test_working_time_between_consecutive_instants_sums(
    points: list[datetime], hours: OfficeHours
) -> None:
    points.sort()
    parts = [LIBRARY.working_time_between(a, b, hours) for a, b in pairwise(points)]
    assert all(part >= timedelta(0) for part in parts)
    assert sum(parts, timedelta(0)) == LIBRARY.working_time_between(points[0], points[-1], hours)


@given(
    start=instants,
    minutes=st.integers(min_value=1, max_value=60 * 7 * 30),
    hours=st.sampled_from([HOURS, OfficeHours.parse("08:00-12:00,14:30-18:00")]),
)
def test_add_working_time_then_measure_gives_it_back(
    start: datetime, minutes: int, hours: OfficeHours
) -> None:
    amount = timedelta(minutes=minutes)
    end = LIBRARY.add_working_time(start, amount, hours)
    assert end > start
    assert LIBRARY.working_time_between(start, end, hours) == amount
    # The deadline falls inside (or at the closing of) office hours on a working day.
    local = end.astimezone(SHANGHAI)
    assert LIBRARY.is_working_day(local.date())
    minute_of_day = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 6e7
    assert any(s < minute_of_day <= e for s, e in hours.periods)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(start=instants, hours=hours_strategy)
def test_next_working_instant_is_open_and_skips_no_working_time(
    start: datetime, hours: OfficeHours
) -> None:
    opening = LIBRARY.next_working_instant(start, hours)
    assert opening >= start
    assert LIBRARY.is_working_day(opening.astimezone(SHANGHAI).date())
    assert hours.contains(opening)
    assert LIBRARY.working_time_between(start, opening, hours) == timedelta(0)
