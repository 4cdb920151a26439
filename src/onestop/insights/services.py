"""Writes of the insights app: the incremental roll-up job and the monthly report archive.

``rollup_refresh`` rebuilds the daily roll-ups only for the days touched by source rows changed
since its last run (``updated_at`` / ``created_at`` of cases, seal orders, desk tickets, ratings
and their rectifications), so a nightly run reads the day's changes, not every case.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from onestop.cases.choices import CaseChannel
from onestop.cases.deadlines import office_hours_of
from onestop.cases.models import Case
from onestop.catalogue.choices import LimitUnit, VersionStatus
from onestop.catalogue.models import ServiceItem
from onestop.core import workdays
from onestop.core.audit import audit_log
from onestop.core.workdays import SHANGHAI, OfficeHours
from onestop.desk.choices import TicketAction, TicketKind
from onestop.desk.models import Ticket
from onestop.ratings.choices import BAD_LEVELS
from onestop.ratings.models import Rating, Rectification
from onestop.seals.models import SealOrder

from .models import (
    BUCKET_FIELDS,
    RATIO_BUCKETS,
    CaseDaily,
    CaseFact,
    CatalogueDaily,
    DeskDaily,
    DeskHourly,
    MonthlyReport,
    RatingDaily,
    RollupState,
    SealDaily,
)

STATE_NAME = "default"
#: Rows committed by transactions that began shortly before a run may carry an ``updated_at``
#: older than the run's start; the next run looks back this far so that none is missed
#: (recounting a day is idempotent).
SAFETY_MARGIN = timedelta(minutes=10)
CHUNK = 2000
#: Channels that count as "applied online" (the internet portal, the mobile app, the API).
ONLINE_CHANNELS = frozenset({CaseChannel.ONLINE, CaseChannel.MOBILE, CaseChannel.API})


@dataclass(frozen=True)
class RollupStats:
    full: bool
    cases: int
    seal_orders: int
    tickets: int
    ratings: int
    days: int
    rows: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def local_day(instant: datetime.datetime) -> datetime.date:
    return instant.astimezone(SHANGHAI).date()


def mdays(amount: timedelta, hours: OfficeHours) -> int:
    """``amount`` of office time in thousandths of a working day of ``hours``."""
    day = hours.working_day.total_seconds()
    return max(0, round(amount.total_seconds() * 1000 / day))


def ratio_bucket(used: timedelta, promised: timedelta) -> str:
    """The histogram bucket of ``used`` as a share of ``promised``."""
    if promised <= timedelta(0):
        return BUCKET_FIELDS[-1]
    percent = used / promised * 100
    for bound, name in zip(RATIO_BUCKETS, BUCKET_FIELDS, strict=False):
        if percent <= bound:
            return name
    return BUCKET_FIELDS[-1]


def promised_time(value: Decimal, unit: str, hours: OfficeHours) -> timedelta:
    if unit == LimitUnit.WORKING_HOURS:
        return timedelta(hours=float(value))
    return hours.working_days(value)


def _day_spans(days: Iterable[datetime.date]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Consecutive days merged into ``[start, end)`` instants (Asia/Shanghai midnights)."""
    spans: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(set(days)):
        if spans and spans[-1][1] == day:
            spans[-1] = (spans[-1][0], day + timedelta(days=1))
        else:
            spans.append((day, day + timedelta(days=1)))
    return [
        (
            datetime.datetime.combine(a, datetime.time(), SHANGHAI),
            datetime.datetime.combine(b, datetime.time(), SHANGHAI),
        )
        for a, b in spans
    ]


def _in_days(field: str, days: Iterable[datetime.date]) -> Q:
    condition = Q(pk__in=[])
    for start, end in _day_spans(days):
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return condition


def _chunks(values: list[datetime.date], size: int = 200) -> Iterator[list[datetime.date]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# --- cases --------------------------------------------------------------------------------------


def case_fact_of(case: Case) -> CaseFact:
    """The roll-up attributes of one submitted case."""
    assert case.submitted_at is not None
    hours = office_hours_of(case.handling_unit.office_hours)
    fact = CaseFact(
        case_id=case.pk,
        unit_id=case.handling_unit_id,
        item_id=case.item_version.item_id,
        delivery=case.delivery,
        online=case.channel in ONLINE_CHANNELS,
        submitted_day=local_day(case.submitted_at),
    )
    if case.decided_at is not None and case.accepted_at is not None:
        fact.finished_day = local_day(case.decided_at)
        if case.promised_due_at is not None:
            fact.on_time = case.decided_at <= case.promised_due_at
        used = workdays.working_time_between(case.accepted_at, case.decided_at, hours)
        used = max(used - case.paused_total, timedelta(0))
        fact.used_mdays = mdays(used, hours)
        version = case.item_version
        promised = promised_time(version.promised_limit, version.promised_limit_unit, hours)
        fact.bucket = ratio_bucket(used, promised)
    return fact


_FACT_FIELDS = (
    "unit_id",
    "item_id",
    "delivery",
    "online",
    "submitted_day",
    "finished_day",
    "on_time",
    "used_mdays",
    "bucket",
)


def _refresh_case_facts(since: datetime.datetime | None) -> tuple[int, set[datetime.date]]:
    """Upsert the facts of cases changed since ``since``; the days they count (or counted) on."""
    qs = (
        Case.objects.exclude(number="")
        .exclude(submitted_at=None)
        .select_related("handling_unit", "item_version")
        .only(
            "pk",
            "handling_unit__office_hours",
            "item_version__item_id",
            "item_version__promised_limit",
            "item_version__promised_limit_unit",
            "delivery",
            "channel",
            "submitted_at",
            "accepted_at",
            "decided_at",
            "promised_due_at",
            "paused_total",
        )
        .order_by("pk")
    )
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    days: set[datetime.date] = set()
    count = 0
    batch: list[Case] = []

    def flush() -> None:
        old = {f.case_id: f for f in CaseFact.objects.filter(case_id__in=[c.pk for c in batch])}
        new = [case_fact_of(c) for c in batch]
        changed: list[CaseFact] = []
        for fact in new:
            previous = old.get(fact.case_id)
            if previous is not None:
                if all(getattr(previous, f) == getattr(fact, f) for f in _FACT_FIELDS):
                    continue
                days.add(previous.submitted_day)
                if previous.finished_day is not None:
                    days.add(previous.finished_day)
            days.add(fact.submitted_day)
            if fact.finished_day is not None:
                days.add(fact.finished_day)
            changed.append(fact)
        CaseFact.objects.filter(case_id__in=[f.case_id for f in changed]).delete()
        CaseFact.objects.bulk_create(changed, batch_size=500)
        batch.clear()

    for case in qs.iterator(chunk_size=CHUNK):
        batch.append(case)
        count += 1
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return count, days


def _case_row(
    table: dict[tuple[datetime.date, int, int, str], CaseDaily],
    day: datetime.date,
    unit: int,
    item: int,
    delivery: str,
) -> CaseDaily:
    key = (day, unit, item, delivery)
    if key not in table:
        table[key] = CaseDaily(day=day, unit_id=unit, item_id=item, delivery=delivery)
    return table[key]


def _rebuild_case_days(days: set[datetime.date]) -> int:
    rows = 0
    for chunk in _chunks(sorted(days)):
        CaseDaily.objects.filter(day__in=chunk).delete()
        table: dict[tuple[datetime.date, int, int, str], CaseDaily] = {}

        submitted = (
            CaseFact.objects.filter(submitted_day__in=chunk)
            .values_list("submitted_day", "unit_id", "item_id", "delivery", "online")
            .iterator(chunk_size=CHUNK)
        )
        for day, unit, item, delivery, online in submitted:
            r = _case_row(table, day, unit, item, delivery)
            r.submitted += 1
            r.submitted_online += int(online)
        finished = (
            CaseFact.objects.filter(finished_day__in=chunk)
            .values_list(
                "finished_day", "unit_id", "item_id", "delivery", "on_time", "used_mdays", "bucket"
            )
            .iterator(chunk_size=CHUNK)
        )
        for fday, unit, item, delivery, on_time, used, bucket in finished:
            assert fday is not None
            r = _case_row(table, fday, unit, item, delivery)
            r.finished += 1
            if on_time is True:
                r.on_time += 1
            elif on_time is False:
                r.late += 1
            if used is not None:
                r.timed += 1
                r.used_mdays += used
            if bucket:
                setattr(r, bucket, getattr(r, bucket) + 1)
        CaseDaily.objects.bulk_create(table.values(), batch_size=500)
        rows += len(table)
    return rows


# --- seal orders --------------------------------------------------------------------------------


def _rebuild_seal_days(days: set[datetime.date]) -> int:
    rows = 0
    hours = OfficeHours.default()
    for chunk in _chunks(sorted(days)):
        SealDaily.objects.filter(day__in=chunk).delete()
        table: dict[tuple[datetime.date, int], SealDaily] = {}
        orders = SealOrder.objects.filter(_in_days("submitted_at", chunk)).select_related("shop")
        for order in orders.iterator(chunk_size=CHUNK):
            day = local_day(order.submitted_at)
            key = (day, order.shop_id)
            if key not in table:
                table[key] = SealDaily(
                    day=day, shop_id=order.shop_id, region_code=order.shop.region_code
                )
            r = table[key]
            r.orders += 1
            if order.ready_at is not None:
                elapsed = order.elapsed_working
                if elapsed is None:
                    elapsed = workdays.working_time_between(order.submitted_at, order.ready_at)
                elapsed = max(elapsed, timedelta(0))
                r.finished += 1
                r.elapsed_mdays += mdays(elapsed, hours)
                if elapsed <= hours.working_days(order.promise_days):
                    r.within += 1
        SealDaily.objects.bulk_create(table.values(), batch_size=500)
        rows += len(table)
    return rows


# --- desk tickets -------------------------------------------------------------------------------


def _rebuild_desk_days(days: set[datetime.date]) -> int:
    rows = 0
    for chunk in _chunks(sorted(days)):
        DeskDaily.objects.filter(day__in=chunk).delete()
        DeskHourly.objects.filter(day__in=chunk).delete()
        daily: dict[tuple[datetime.date, int], DeskDaily] = {}
        hourly: dict[tuple[datetime.date, int, int], DeskHourly] = {}
        tickets = (
            Ticket.objects.filter(_in_days("submitted_at", chunk))
            .select_related("unit")
            .annotate(first_reply_at=Min("events__at", filter=Q(events__action=TicketAction.REPLY)))
            .only("pk", "kind", "unit__office_hours", "submitted_at", "first_reply_on_time")
        )
        for ticket in tickets.iterator(chunk_size=CHUNK):
            local = ticket.submitted_at.astimezone(SHANGHAI)
            day = local.date()
            r = daily.setdefault((day, ticket.unit_id), DeskDaily(day=day, unit_id=ticket.unit_id))
            h = hourly.setdefault(
                (day, ticket.unit_id, local.hour),
                DeskHourly(day=day, unit_id=ticket.unit_id, hour=local.hour),
            )
            r.tickets += 1
            h.tickets += 1
            if ticket.kind != TicketKind.COMPLAINT:
                continue
            r.complaints += 1
            first_reply = ticket.first_reply_at
            if first_reply is not None:
                hours = office_hours_of(ticket.unit.office_hours)
                used = workdays.working_time_between(ticket.submitted_at, first_reply, hours)
                r.complaints_replied += 1
                r.reply_mdays += mdays(max(used, timedelta(0)), hours)
                if ticket.first_reply_on_time:
                    r.complaints_on_time += 1
        DeskDaily.objects.bulk_create(daily.values(), batch_size=500)
        DeskHourly.objects.bulk_create(hourly.values(), batch_size=500)
        rows += len(daily) + len(hourly)
    return rows


# --- ratings ------------------------------------------------------------------------------------


def _rebuild_rating_days(days: set[datetime.date]) -> int:
    rows = 0
    for chunk in _chunks(sorted(days)):
        RatingDaily.objects.filter(day__in=chunk).delete()
        table: dict[tuple[datetime.date, int, int | None], RatingDaily] = {}
        ratings = Rating.objects.filter(_in_days("created_at", chunk)).select_related(
            "rectification"
        )
        for rating in ratings.iterator(chunk_size=CHUNK):
            day = local_day(rating.created_at)
            key = (day, rating.unit_id, rating.item_id)
            r = table.setdefault(
                key, RatingDaily(day=day, unit_id=rating.unit_id, item_id=rating.item_id)
            )
            r.ratings += 1
            if rating.excluded or rating.level not in BAD_LEVELS:
                continue
            r.bad += 1
            task: Rectification | None = getattr(rating, "rectification", None)
            if rating.real_name:
                r.bad_real_name += 1
                if task is not None and task.return_call_at is not None:
                    r.returned += 1
            if task is not None and task.closed_at is not None:
                r.rect_closed += 1
                if task.on_time:
                    r.rect_on_time += 1
        RatingDaily.objects.bulk_create(table.values(), batch_size=500)
        rows += len(table)
    return rows


# --- catalogue ----------------------------------------------------------------------------------


def catalogue_snapshot(*, day: datetime.date) -> int:
    """Record the current published version of every catalogue item as of ``day``."""
    CatalogueDaily.objects.filter(day=day).delete()
    items = ServiceItem.objects.filter(current__status=VersionStatus.PUBLISHED).select_related(
        "current"
    )
    rows: list[CatalogueDaily] = []
    for item in items.iterator(chunk_size=CHUNK):
        v = item.current
        assert v is not None
        fee = v.fee_fen > 0
        online = v.channel_online or v.channel_mobile
        rows.append(
            CatalogueDaily(
                day=day,
                unit_id=item.implementing_unit_id,
                item_id=item.pk,
                item_type=v.item_type,
                level=v.level,
                visits=v.max_visits,
                online=online,
                fee=fee,
                fee_online=fee and online,
            )
        )
    CatalogueDaily.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# --- the job ------------------------------------------------------------------------------------


def _days_of(qs: QuerySet[Any], field: str) -> tuple[int, set[datetime.date]]:
    """How many rows ``qs`` holds and the days (of ``field``) they fall on."""
    count = 0
    days: set[datetime.date] = set()
    for at in qs.values_list(field, flat=True).iterator(chunk_size=CHUNK):
        count += 1
        days.add(local_day(at))
    return count, days


@transaction.atomic
def rollup_refresh(*, full: bool = False) -> RollupStats:
    """Bring the daily roll-ups up to date.

    Incremental (the default): only the days on which source rows changed since the previous
    run count (or counted) are rebuilt. ``full=True`` (or the first run) rebuilds everything.
    Safe to run twice; concurrent runs queue on the state row."""
    started = time.monotonic()
    now = timezone.now()
    RollupState.objects.get_or_create(name=STATE_NAME)
    state = RollupState.objects.select_for_update().get(name=STATE_NAME)
    full = full or state.watermark is None
    since = None if full else state.watermark

    if full:
        CaseFact.objects.all().delete()
        for model in (CaseDaily, SealDaily, DeskDaily, DeskHourly, RatingDaily):
            model.objects.all().delete()

    cases, case_days = _refresh_case_facts(since)
    rows = _rebuild_case_days(case_days)

    seal_qs = SealOrder.objects.all()
    ticket_qs = Ticket.objects.all()
    rating_qs = Rating.objects.all()
    if since is not None:
        seal_qs = seal_qs.filter(updated_at__gte=since)
        ticket_qs = ticket_qs.filter(updated_at__gte=since)
        touched_tasks = Rectification.objects.filter(
            Q(created_at__gte=since) | Q(return_call_at__gte=since) | Q(closed_at__gte=since)
        ).values("rating_id")
        rating_qs = rating_qs.filter(Q(created_at__gte=since) | Q(pk__in=touched_tasks))
    seal_orders, seal_days = _days_of(seal_qs, "submitted_at")
    tickets, ticket_days = _days_of(ticket_qs, "submitted_at")
    ratings, rating_days = _days_of(rating_qs, "created_at")
    rows += _rebuild_seal_days(seal_days)
    rows += _rebuild_desk_days(ticket_days)
    rows += _rebuild_rating_days(rating_days)
    rows += catalogue_snapshot(day=local_day(now))

    stats = RollupStats(
        full=full,
        cases=cases,
        seal_orders=seal_orders,
        tickets=tickets,
        ratings=ratings,
        days=len(case_days | seal_days | ticket_days | rating_days),
        rows=rows,
        seconds=round(time.monotonic() - started, 3),
    )
    state.watermark = now - SAFETY_MARGIN
    state.last_run_at = now
    if full:
        state.last_full_at = now
    state.last_stats = stats.as_dict()
    state.save()
    audit_log(actor=None, action="insights.rollup_refresh", obj=state, summary=stats.as_dict())
    return stats


def rollup_state() -> RollupState | None:
    return RollupState.objects.filter(name=STATE_NAME).first()


# --- monthly report -----------------------------------------------------------------------------


def previous_month(today: datetime.date) -> datetime.date:
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


@transaction.atomic
def monthly_report_generate(*, month: datetime.date | None = None) -> MonthlyReport:
    """Render the commitments report of ``month`` (default: last month) to PDF and archive it,
    replacing an earlier rendering of the same month."""
    from .report import render_monthly_pdf

    month = (month or previous_month(timezone.localdate())).replace(day=1)
    pdf = render_monthly_pdf(month=month)
    digest = hashlib.sha256(pdf).hexdigest()
    report = MonthlyReport.objects.select_for_update().filter(month=month).first()
    if report is None:
        report = MonthlyReport(month=month)
    elif report.file:
        report.file.delete(save=False)
    report.size = len(pdf)
    report.sha256 = digest
    report.file.save(f"commitments-{month:%Y-%m}.pdf", ContentFile(pdf), save=False)
    report.save()
    audit_log(
        actor=None,
        action="insights.monthly_report_generate",
        obj=report,
        summary={"month": f"{month:%Y-%m}", "size": len(pdf), "sha256": digest},
    )
    return report


__all__ = [
    "RollupStats",
    "case_fact_of",
    "catalogue_snapshot",
    "monthly_report_generate",
    "rollup_refresh",
    "rollup_state",
]
