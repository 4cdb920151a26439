"""Every metric, computed through the roll-ups, equals a direct recomputation from the raw
records written here (no insights code is used for the expected values); incremental refresh
equals a full rebuild; unit subtree scoping; no personal data in public results."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from onestop.accounts.models import Unit
from onestop.cases.choices import CaseState
from onestop.cases.models import Case
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.models import ServiceItem
from onestop.core import workdays
from onestop.desk.choices import TicketAction, TicketKind
from onestop.desk.models import Ticket
from onestop.insights import metrics
from onestop.insights.models import (
    CaseDaily,
    CaseFact,
    CatalogueDaily,
    DeskDaily,
    DeskHourly,
    RatingDaily,
    RollupState,
    SealDaily,
)
from onestop.insights.services import rollup_refresh
from onestop.ratings.models import Rating, Rectification
from onestop.seals.models import SealOrder

from .conftest import (
    APPLICANT_NAME,
    RATER_NAME,
    Raw,
    add_case,
    add_order,
    add_rating,
    add_ticket,
    reply_ticket,
)

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = workdays.OfficeHours.default().working_day  # every test unit keeps the default hours


def local(at: datetime) -> date:
    return at.astimezone(TZ).date()


def window(as_of: date) -> tuple[date, date]:
    return as_of - timedelta(days=89), as_of


def inside(at: datetime | None, start: date, end: date) -> bool:
    return at is not None and start <= local(at) <= end


def subtree(unit: Unit) -> set[int]:
    return set(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def handled_in(pks: set[int]) -> Callable[[Case], bool]:
    return lambda c: c.handling_unit_id in pks


# --- direct recomputations ----------------------------------------------------------------------


def case_used_days(case: Case) -> float:
    assert case.accepted_at is not None and case.decided_at is not None
    used = workdays.working_time_between(case.accepted_at, case.decided_at) - case.paused_total
    return max(used, timedelta(0)) / DAY


def expected_cases(
    cases: Iterable[Case], start: date, end: date, keep: Callable[[Case], bool] = lambda c: True
) -> dict[str, Any]:
    done = [c for c in cases if keep(c) and inside(c.decided_at, start, end)]
    timed = [c for c in done if c.promised_due_at is not None]
    on_time = sum(1 for c in timed if c.decided_at <= c.promised_due_at)  # type: ignore[operator]
    used = [case_used_days(c) for c in done]
    return {
        "n": len(timed),
        "on_time": on_time,
        "rate": round(on_time * 100 / len(timed), 2) if timed else None,
        "mean": sum(used) / len(used) if used else None,
    }


def bucket(case: Case) -> str:
    percent = case_used_days(case) / float(case.item_version.promised_limit) * 100
    for bound, label in (
        (25, "≤25%"),
        (50, "25–50%"),
        (75, "50–75%"),
        (100, "75–100%"),
        (150, "100–150%"),
        (200, "150–200%"),
    ):
        if percent <= bound:
            return label
    return ">200%"


def refresh(raw: Raw) -> None:
    for case in raw.cases:
        case.refresh_from_db()


@pytest.fixture
def rolled(raw: Raw) -> Raw:
    rollup_refresh(full=True)
    refresh(raw)
    return raw


def today() -> date:
    return timezone.localdate()


# --- case metrics --------------------------------------------------------------------------------


def test_on_time_rate_value_trends_units_items_histogram(rolled: Raw) -> None:
    as_of = today()
    start, end = window(as_of)
    got = metrics.metric_detail("on-time-rate", as_of=as_of)
    exp = expected_cases(rolled.cases, start, end)
    assert exp["n"] > 10
    assert got.denominator == exp["n"] and got.numerator == exp["on_time"]
    assert got.value == pytest.approx(exp["rate"], abs=0.01)
    assert got.status == ("pass" if exp["rate"] >= 100 else "fail")

    weekly = {p.start: p for p in got.weekly}
    assert len(got.weekly) == 26 and got.weekly[-1].start == as_of - timedelta(as_of.weekday())
    for monday, point in weekly.items():
        e = expected_cases(rolled.cases, monday, min(monday + timedelta(days=6), as_of))
        assert (point.numerator, point.denominator) == (e["on_time"], e["n"]), monday
        assert point.value == (pytest.approx(e["rate"], abs=0.01) if e["n"] else None)
    assert len(got.monthly) == 12 and got.monthly[-1].start == as_of.replace(day=1)
    for point in got.monthly:
        first = point.start
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        e = expected_cases(rolled.cases, first, min(last, as_of))
        assert (point.numerator, point.denominator) == (e["on_time"], e["n"]), first

    by_unit: dict[str, list[Case]] = defaultdict(list)
    by_item: dict[str, list[Case]] = defaultdict(list)
    for c in rolled.cases:
        by_unit[c.handling_unit.code].append(c)
        by_item[c.item_version.item.code].append(c)
    assert got.worst_units
    for row in got.worst_units:
        e = expected_cases(by_unit[row.key], start, end)
        assert (row.numerator, row.denominator) == (e["on_time"], e["n"]), row.key
        assert row.value == pytest.approx(e["rate"], abs=0.01)
        assert row.cases_url is not None and f"unit={row.key}" in row.cases_url
    values = [r.value for r in got.worst_units]
    assert values == sorted(values)  # worst (lowest rate) first
    assert {r.key for r in got.worst_items} == {
        k for k, cs in by_item.items() if expected_cases(cs, start, end)["n"]
    }
    for row in got.worst_items:
        e = expected_cases(by_item[row.key], start, end)
        assert row.value == pytest.approx(e["rate"], abs=0.01)
        assert row.cases_url is not None and "item=" in row.cases_url

    done = [c for c in rolled.cases if inside(c.decided_at, start, end)]
    histogram: dict[str, int] = defaultdict(int)
    for c in done:
        histogram[bucket(c)] += 1
    assert dict(got.histogram) == {label: histogram.get(label, 0) for label, _ in got.histogram}
    assert sum(n for _, n in got.histogram) == len(done)


@pytest.mark.parametrize(
    ("key", "version", "target"),
    [
        ("fire-design-review", "fire", 3),
        ("credit-repair", "credit", 10),
        ("id-card-cycle-pickup", "idcard", 15),
        ("id-card-cycle-courier", "idcourier", 8),
    ],
)
def test_item_time_metrics(rolled: Raw, key: str, version: str, target: int) -> None:
    as_of = today()
    start, end = window(as_of)
    item = rolled.versions[version].item_id
    got = metrics.metric_detail(key, as_of=as_of)
    exp = expected_cases(rolled.cases, start, end, lambda c: c.item_version.item_id == item)
    assert exp["n"] > 0
    assert got.target == target and got.kind == "working_days" and got.commitment_ids
    assert (got.numerator, got.denominator) == (exp["on_time"], exp["n"])
    assert got.value == pytest.approx(exp["mean"], abs=2e-3)
    assert got.status == ("pass" if exp["mean"] <= target else "fail")
    assert [r.key for r in got.worst_items] == [rolled.versions[version].item.code]
    if key.startswith("id-card"):
        assert "城区" in got.note  # area is not recorded on cases: said so


# --- seals, desk, ratings, catalogue -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "prefix", "target"),
    [("seal-elapsed-tianjin", "12", 0.5), ("seal-elapsed-guangxi", "45", 1)],
)
def test_seal_elapsed(rolled: Raw, key: str, prefix: str, target: float) -> None:
    as_of = today()
    start, end = window(as_of)
    orders = [
        o
        for o in SealOrder.objects.select_related("shop")
        if o.shop.region_code.startswith(prefix) and inside(o.submitted_at, start, end)
    ]
    finished = [o for o in orders if o.ready_at is not None]
    assert finished
    elapsed = [o.elapsed_working / DAY for o in finished]  # type: ignore[operator]
    within = sum(1 for o in finished if o.elapsed_working <= DAY * float(o.promise_days))  # type: ignore[operator]
    got = metrics.metric_detail(key, as_of=as_of)
    assert (got.numerator, got.denominator) == (within, len(finished))
    assert got.value == pytest.approx(sum(elapsed) / len(elapsed), abs=2e-3)
    assert got.target == target
    shops = {r.label for r in got.worst_units}
    assert shops == {o.shop.name for o in finished}


def first_reply(ticket: Ticket) -> datetime | None:
    replies = [e.at for e in ticket.events.all() if e.action == TicketAction.REPLY]
    return min(replies) if replies else None


def test_complaint_reply_and_desk_hours(rolled: Raw) -> None:
    as_of = today()
    start, end = window(as_of)
    tickets = [t for t in Ticket.objects.all() if inside(t.submitted_at, start, end)]
    complaints = [t for t in tickets if t.kind == TicketKind.COMPLAINT]
    replied = [(t, first_reply(t)) for t in complaints]
    replied = [(t, r) for t, r in replied if r is not None]
    assert replied
    used = [workdays.working_time_between(t.submitted_at, r) / DAY for t, r in replied]
    got = metrics.metric_detail("complaint-reply", as_of=as_of)
    assert got.denominator == len(replied)
    assert got.numerator == sum(1 for t, _ in replied if t.first_reply_on_time)
    assert got.value == pytest.approx(sum(used) / len(used), abs=2e-3)
    assert got.target == 7

    hours = defaultdict(int)
    for t in tickets:
        hours[t.submitted_at.astimezone(TZ).hour] += 1
    intake = metrics.metric_detail("desk-intake-hours", as_of=as_of)
    assert intake.value == len(hours) and intake.numerator == len(hours)
    assert intake.denominator == 24 and intake.target == 24
    assert intake.status == ("pass" if len(hours) == 24 else "fail")
    assert dict(intake.histogram) == {f"{h:02d}": hours.get(h, 0) for h in range(24)}


def test_rating_metrics(rolled: Raw) -> None:
    as_of = today()
    start, end = window(as_of)
    bad = [
        r
        for r in Rating.objects.select_related("rectification")
        if inside(r.created_at, start, end) and not r.excluded and r.level <= 2
    ]
    real = [r for r in bad if r.real_name]
    returned = sum(1 for r in real if r.rectification.return_call_at is not None)
    closed = [r.rectification for r in bad if r.rectification.closed_at is not None]
    calls = metrics.metric_detail("bad-review-return-calls", as_of=as_of)
    assert real and (calls.numerator, calls.denominator) == (returned, len(real))
    assert calls.value == pytest.approx(round(returned * 100 / len(real), 2))
    assert calls.status == ("pass" if returned == len(real) else "fail")
    rect = metrics.metric_detail("rectification-on-time", as_of=as_of)
    assert closed and rect.denominator == len(closed)
    assert rect.numerator == sum(1 for t in closed if t.on_time)


def test_catalogue_shares(rolled: Raw) -> None:
    items = [
        i
        for i in ServiceItem.objects.select_related("current", "implementing_unit")
        if i.current is not None and i.current.status == VersionStatus.PUBLISHED
    ]
    online = [i for i in items if i.current.channel_online or i.current.channel_mobile]  # type: ignore[union-attr]
    one = [i for i in items if i.current.max_visits <= 1]  # type: ignore[union-attr]
    fee = [i for i in items if i.current.fee_fen > 0]  # type: ignore[union-attr]
    fee_online = [i for i in fee if i in online]
    for key, num, den in (
        ("one-visit-share", one, items),
        ("online-share", online, items),
        ("fees-online", fee_online, fee),
    ):
        got = metrics.metric_detail(key, as_of=today())
        assert (got.numerator, got.denominator) == (len(num), len(den)), key
        assert got.value == pytest.approx(round(len(num) * 100 / len(den), 2))
        assert got.weekly[-1].value == got.value  # today's snapshot
        for row in got.worst_units:
            mine = [i for i in den if i.implementing_unit.code == row.key]
            assert row.denominator == len(mine)
    assert metrics.metric_detail("one-visit-share").target == 80


def test_hall_waiting_has_no_data_and_says_why(rolled: Raw) -> None:
    got = metrics.metric_detail("hall-waiting")
    assert got.status == "no_data" and got.value is None and got.note
    assert got.target == 1


def test_unknown_metric_raises_key_error(rolled: Raw) -> None:
    with pytest.raises(KeyError):
        metrics.metric_detail("no-such-metric")


# --- scoping --------------------------------------------------------------------------------------


def test_unit_subtree_scoping(rolled: Raw) -> None:
    as_of = today()
    start, end = window(as_of)
    u = rolled.units
    for scope in ("heping", "hexi", "station1"):
        pks = subtree(u[scope])
        exp = expected_cases(rolled.cases, start, end, handled_in(pks))
        drill = metrics.metric_detail("on-time-rate", as_of=as_of, unit=u[scope])
        viewer = metrics.metric_detail("on-time-rate", as_of=as_of, units=[u[scope]])
        for got in (drill, viewer):
            assert (got.numerator, got.denominator) == (exp["on_time"], exp["n"]), scope
            assert {r.key for r in got.worst_units} <= {
                x.code for x in Unit.objects.filter(pk__in=pks)
            }
    # a drill-down outside the viewer's subtree shows nothing
    outside = metrics.metric_detail("on-time-rate", units=[u["hexi"]], unit=u["heping"])
    assert outside.denominator == 0 and outside.status == "no_data"
    # a viewer given the full list of units of a subtree sees the same as given its root
    whole = list(Unit.objects.filter(path__startswith=u["heping"].path))
    assert metrics.metric_detail("on-time-rate", units=whole) == metrics.metric_detail(
        "on-time-rate", units=[u["heping"]]
    )

    rows = {r.key: r for r in metrics.unit_breakdown("on-time-rate", parent=u["bureau"])}
    assert set(rows) == {"TJ-HP", "TJ-HX"}
    for code, scope in (("TJ-HP", "heping"), ("TJ-HX", "hexi")):
        pks = subtree(u[scope])
        exp = expected_cases(rolled.cases, start, end, handled_in(pks))
        assert (rows[code].numerator, rows[code].denominator) == (exp["on_time"], exp["n"])
    top = metrics.unit_breakdown("on-time-rate", units=[u["hexi"]])
    assert [r.key for r in top] == ["TJ"]
    assert (
        top[0].denominator
        == expected_cases(
            rolled.cases, start, end, lambda c: c.handling_unit_id in subtree(u["hexi"])
        )["n"]
    )

    # shops are scoped by the unit's administrative region (河西 120103 → 河西刻章社 only)
    seals = metrics.metric_detail("seal-elapsed-tianjin", unit=u["hexi"])
    assert {r.label for r in seals.worst_units} <= {"河西刻章社"}


# --- incremental refresh --------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for model in (
        CaseFact,
        CaseDaily,
        CatalogueDaily,
        SealDaily,
        DeskDaily,
        DeskHourly,
        RatingDaily,
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        out[model.__name__] = sorted(model.objects.values_list(*names))
    return out


def change_everything(raw: Raw) -> None:
    import random

    rng = random.Random(99)
    now = timezone.now()
    open_case = next(c for c in raw.cases if c.decided_at is None)
    Case.objects.filter(pk=open_case.pk).update(
        decided_at=now - timedelta(hours=1), state=CaseState.CLOSED, updated_at=now
    )
    moved = next(
        c
        for c in raw.cases
        if c.decided_at is not None and c.item_version_id == raw.versions["other"].pk
    )
    moved.handling_unit = raw.units["station2"]
    moved.decided_at = (moved.decided_at or now) - timedelta(days=3)
    moved.save()
    for n in range(5):
        add_case(raw, rng, version=raw.versions["fire"], unit=raw.units["station1"], days_ago=n % 2)
    add_order(raw, rng, shop=raw.shops["gx"], days_ago=0)
    unfinished = SealOrder.objects.filter(ready_at=None).first()
    assert unfinished is not None
    unfinished.ready_at = now
    unfinished.elapsed_working = workdays.working_time_between(unfinished.submitted_at, now)
    unfinished.save()
    add_ticket(raw, rng, unit=raw.units["station3"], days_ago=0, kind=TicketKind.COMPLAINT)
    waiting = Ticket.objects.filter(replied_at=None).first()
    assert waiting is not None
    reply_ticket(waiting, now)
    task = Rectification.objects.filter(return_call_at=None).first()
    assert task is not None
    task.return_call_at = now
    task.save()
    rating = add_rating(raw, rng, case=raw.cases[-1], days_ago=0)
    Rating.objects.filter(pk=rating.pk).update(created_at=now)


def test_incremental_refresh_equals_full_rebuild(raw: Raw) -> None:
    first = rollup_refresh()
    assert first.full and first.cases == len(raw.cases)
    change_everything(raw)
    second = rollup_refresh()
    assert not second.full
    incremental = snapshot()
    rollup_refresh(full=True)
    assert snapshot() == incremental


def test_incremental_refresh_rebuilds_only_touched_days(raw: Raw) -> None:
    rollup_refresh()
    RollupState.objects.update(watermark=timezone.now())  # as if the last run were long ago
    case = next(c for c in raw.cases if c.decided_at is not None)
    before = CaseFact.objects.get(case_id=case.pk)
    Case.objects.filter(pk=case.pk).update(
        decided_at=case.decided_at - timedelta(days=1),  # type: ignore[operator]
        updated_at=timezone.now(),
    )
    stats = rollup_refresh()
    assert stats.cases == 1 and stats.seal_orders == stats.tickets == stats.ratings == 0
    assert stats.days <= 3  # submission day, old and new decision days
    after = CaseFact.objects.get(case_id=case.pk)
    assert after.finished_day == before.finished_day - timedelta(days=1)  # type: ignore[operator]
    incremental = snapshot()
    rollup_refresh(full=True)
    assert snapshot() == incremental


# --- public results ------------------------------------------------------------------------------


def test_public_results_carry_no_personal_data_nor_case_links(rolled: Raw) -> None:
    results = metrics.dashboard(public=True)
    assert [r.key for r in results] == list(metrics.METRIC_KEYS)
    text = repr([dataclasses.asdict(r) for r in results])
    for secret in (
        APPLICANT_NAME,
        RATER_NAME,
        rolled.applicant.id_number,
        rolled.applicant.mobile,
        rolled.cases[0].number,
        "太慢",
    ):
        assert secret not in text
    for r in results:
        assert r.cases_url is None
        assert all(row.cases_url is None for row in (*r.worst_units, *r.worst_items))
    staff = metrics.metric_detail("on-time-rate")
    assert staff.cases_url is not None


def test_measures_progress_and_export_table(rolled: Raw) -> None:
    progress = metrics.measures_progress()
    assert progress.total == 70
    assert progress.done + progress.in_progress + progress.not_started + progress.ongoing == 70
    failing = {f.metric_key for f in progress.failing_commitments}
    expected = {
        r.key for r in metrics.dashboard(public=True) if r.status == "fail" and r.commitment_ids
    }
    assert failing == expected
    header, rows = metrics.metric_table("on-time-rate", public=True)
    assert len(header) == 7 and all(len(r) == 7 for r in rows)
    got = metrics.metric_detail("on-time-rate")
    assert rows[0][3] == got.value and len(rows) >= 1 + 12 + 26


def test_cached_results_follow_each_rollup_run(rolled: Raw) -> None:
    import random

    before = metrics.metric_detail("fire-design-review")
    assert metrics.metric_detail("fire-design-review") == before  # served from the cache
    add_case(
        rolled,
        random.Random(5),
        version=rolled.versions["fire"],
        unit=rolled.units["station1"],
        days_ago=0,
    )
    assert metrics.metric_detail("fire-design-review") == before  # roll-ups unchanged
    rollup_refresh()
    after = metrics.metric_detail("fire-design-review")
    assert after.denominator == before.denominator + 1


def test_rollup_job_warms_the_public_dashboard(raw: Raw) -> None:
    """The nightly job leaves every public metric cached: the first visitor after a run reads
    no roll-up table."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onestop.insights import tasks

    cache.clear()
    stats = tasks.insights_rollup(full=True)
    assert stats["cases"] > 0
    with CaptureQueriesContext(connection) as ctx:
        results = metrics.dashboard(public=True)
    assert results and any(r.value is not None for r in results)
    tables = ("insights_casedaily", "insights_cataloguedaily", "insights_sealdaily")
    assert not [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in tables)]
    cache.clear()  # and without the warm-up the same call does read them
    with CaptureQueriesContext(connection) as cold:
        metrics.dashboard(public=True)
    assert [q["sql"] for q in cold.captured_queries if "insights_casedaily" in q["sql"]]
