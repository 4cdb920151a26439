"""Commitment metrics computed from the daily roll-ups (see ``models``).

Every public function reads only the roll-up tables (``CaseDaily``, ``CatalogueDaily``,
``SealDaily``, ``DeskDaily``, ``DeskHourly``, ``RatingDaily``), never the raw cases, so a page
view costs a handful of aggregate queries whatever the number of cases.

Conventions (see docs/insights.md):

* ``ratio`` values are percentages (0–100); ``working_days`` values are the mean working days
  used by the cases/orders finished in the period; ``hours`` is the number of clock hours of the
  day (0–23) in which intake was observed.
* The "current" value covers the ``WINDOW_DAYS`` days ending at ``as_of`` (inclusive); trends
  cover the last 26 weeks (Monday-based) and the last 12 calendar months.
* Catalogue metrics are snapshots: a period's value is the last snapshot taken in it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import F, Max, Model, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from onestop.accounts.models import Unit
from onestop.catalogue.models import ServiceItem
from onestop.policy.choices import MeasureStatus
from onestop.policy.models import Commitment, Measure

from .models import (
    BUCKET_FIELDS,
    CaseDaily,
    CatalogueDaily,
    DeskDaily,
    DeskHourly,
    RatingDaily,
    RollupState,
    SealDaily,
)
from .services import STATE_NAME

Status = Literal["pass", "fail", "no_data"]
Kind = Literal["ratio", "working_days", "hours", "count"]


@dataclass(frozen=True)
class Point:
    start: date
    value: float | None
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: float | None
    numerator: int
    denominator: int
    status: Status
    cases_url: str | None


@dataclass(frozen=True)
class MetricResult:
    key: str
    commitment_ids: tuple[int, ...]
    title: str
    kind: Kind
    target: float | None
    target_text: str
    comparison: Literal["ge", "le"]
    value: float | None
    numerator: int
    denominator: int
    status: Status
    weekly: tuple[Point, ...]
    monthly: tuple[Point, ...]
    worst_units: tuple[Row, ...]
    worst_items: tuple[Row, ...]
    histogram: tuple[tuple[str, int], ...]
    note: str
    cases_url: str | None


@dataclass(frozen=True)
class MeasureRow:
    pk: int
    citation: str
    title: str
    status: str
    status_label: str
    percent: int
    deadline: date | None
    url: str | None


@dataclass(frozen=True)
class FailingCommitment:
    pk: int
    code: str
    title: str
    metric_key: str


@dataclass(frozen=True)
class MeasuresProgress:
    total: int
    done: int
    in_progress: int
    not_started: int
    ongoing: int
    overdue: int
    overdue_measures: tuple[MeasureRow, ...]
    failing_commitments: tuple[FailingCommitment, ...]


#: Days covered by a metric's current value (ending at ``as_of``).
WINDOW_DAYS = 90
WEEKS = 26
MONTHS = 12
TOP = 10
#: Cached results expire after this long even without a roll-up run (catalogue links may change).
CACHE_SECONDS = 3600

Comparison = Literal["ge", "le"]

METRIC_KEYS: tuple[str, ...] = (
    "one-visit-share",
    "online-share",
    "on-time-rate",
    "seal-elapsed-tianjin",
    "seal-elapsed-guangxi",
    "id-card-cycle-pickup",
    "id-card-cycle-courier",
    "fire-design-review",
    "credit-repair",
    "complaint-reply",
    "desk-intake-hours",
    "fees-online",
    "bad-review-return-calls",
    "rectification-on-time",
    "hall-waiting",
)

BUCKET_LABELS = {
    "b25": "≤25%",
    "b50": "25–50%",
    "b75": "50–75%",
    "b100": "75–100%",
    "b150": "100–150%",
    "b200": "150–200%",
    "bmore": ">200%",
}


# --- specifications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    key: str
    title: Promise
    kind: Kind
    comparison: Comparison
    model: type[Model] | None
    #: numerator / denominator (sums over roll-up rows)
    num: Any = None
    den: Any = None
    #: for working_days: total thousandths of a working day and the count they are spread over
    total: Any = None
    count: Any = None
    commitment_codes: tuple[str, ...] = ()
    default_target: float | None = None
    default_target_text: str = ""
    #: roll-up rows counted: a filter built lazily (it may look up catalogue items)
    rows: Callable[[], Q] | None = None
    item_field: str | None = "item"
    snapshot: bool = False
    histogram: bool = False
    #: case-based metrics link to the staff case list
    cases: bool = False
    note: Promise | None = None
    #: seal metrics: region code prefix of the shops counted
    region_prefix: str = ""


def _items_of(*codes: str) -> Q:
    items = ServiceItem.objects.filter(versions__commitments__code__in=codes).values("pk")
    return Q(item_id__in=items)


def _delivery_items(delivery: Iterable[str], *codes: str) -> Callable[[], Q]:
    def build() -> Q:
        return _items_of(*codes) & Q(delivery__in=list(delivery))

    return build


def _ratio(num: str, den: str) -> dict[str, Any]:
    return {"num": Sum(num), "den": Sum(den)}


def _case_time(**kwargs: Any) -> _Spec:
    return _Spec(
        kind="working_days",
        comparison="le",
        model=CaseDaily,
        num=Sum("on_time"),
        den=Sum(F("on_time") + F("late")),
        total=Sum("used_mdays"),
        count=Sum("timed"),
        histogram=True,
        cases=True,
        **kwargs,
    )


def _seal_time(**kwargs: Any) -> _Spec:
    """Seal engraving elapsed working time, per region (the shops' region code prefix)."""
    return _Spec(
        kind="working_days",
        comparison="le",
        model=SealDaily,
        num=Sum("within"),
        den=Sum("finished"),
        total=Sum("elapsed_mdays"),
        count=Sum("finished"),
        item_field=None,
        **kwargs,
    )


_ID_NOTE = gettext_lazy(
    "办件未记录申请人所在地区（城区或偏远、农村地区），因此按较严格的城区承诺时限评价；"
    "偏远地区的承诺时限（自取 18 个、快递 10 个工作日）无法单独统计。"
)

SPECS: dict[str, _Spec] = {
    s.key: s
    for s in (
        _Spec(
            key="one-visit-share",
            title=gettext_lazy("“最多跑一次”事项占比"),
            kind="ratio",
            comparison="ge",
            model=CatalogueDaily,
            num=Sum("one_visit"),
            den=Sum("one"),
            commitment_codes=("share-items-max-one-visit-80",),
            snapshot=True,
        ),
        _Spec(
            key="online-share",
            title=gettext_lazy("网上可办事项占比"),
            kind="ratio",
            comparison="ge",
            model=CatalogueDaily,
            num=Sum("online_n"),
            den=Sum("one"),
            commitment_codes=("share-items-online-80",),
            snapshot=True,
        ),
        _Spec(
            key="on-time-rate",
            title=gettext_lazy("办件按时办结率"),
            kind="ratio",
            comparison="ge",
            model=CaseDaily,
            num=Sum("on_time"),
            den=Sum(F("on_time") + F("late")),
            default_target=100.0,
            default_target_text="≥ 100 %",
            histogram=True,
            cases=True,
            note=gettext_lazy(
                "按各事项承诺时限计算；用时分布为实际用时占承诺时限的比例（扣除暂停计时）。"
            ),
        ),
        _seal_time(
            key="seal-elapsed-tianjin",
            title=gettext_lazy("公章刻制用时（天津）"),
            commitment_codes=("seal-engraving-half-day",),
            region_prefix="12",
        ),
        _seal_time(
            key="seal-elapsed-guangxi",
            title=gettext_lazy("印章刻制用时（广西）"),
            commitment_codes=("seal-engraving-one-day",),
            region_prefix="45",
        ),
        _case_time(
            key="id-card-cycle-pickup",
            title=gettext_lazy("身份证制发周期（自取）"),
            commitment_codes=("id-card-pickup-urban-15wd",),
            rows=_delivery_items(
                ["window"], "id-card-pickup-urban-15wd", "id-card-pickup-remote-18wd"
            ),
            note=_ID_NOTE,
        ),
        _case_time(
            key="id-card-cycle-courier",
            title=gettext_lazy("身份证制发周期（快递）"),
            commitment_codes=("id-card-courier-urban-8wd",),
            rows=_delivery_items(
                ["courier"], "id-card-courier-urban-8wd", "id-card-courier-rural-10wd"
            ),
            note=_ID_NOTE,
        ),
        _case_time(
            key="fire-design-review",
            title=gettext_lazy("建设工程消防设计审核用时"),
            commitment_codes=("fire-design-review-3wd",),
            rows=lambda: _items_of("fire-design-review-3wd"),
        ),
        _case_time(
            key="credit-repair",
            title=gettext_lazy("企业信用修复复查审核用时"),
            commitment_codes=("credit-repair-review-10wd",),
            rows=lambda: _items_of("credit-repair-review-10wd"),
        ),
        _Spec(
            key="complaint-reply",
            title=gettext_lazy("投诉答复用时"),
            kind="working_days",
            comparison="le",
            model=DeskDaily,
            num=Sum("complaints_on_time"),
            den=Sum("complaints_replied"),
            total=Sum("reply_mdays"),
            count=Sum("complaints_replied"),
            commitment_codes=("complaint-response-7wd",),
            item_field=None,
            note=gettext_lazy("自投诉提交至首次答复的工作时间；尚未答复的投诉不计入。"),
        ),
        _Spec(
            key="desk-intake-hours",
            title=gettext_lazy("直通车全天候受理（有受理的时段数）"),
            kind="hours",
            comparison="ge",
            model=DeskHourly,
            commitment_codes=("desk-intake-24h",),
            item_field=None,
            histogram=True,
            note=gettext_lazy("统计期内每个钟点（0–23 时）是否收到过工单；分布为各钟点的工单数。"),
        ),
        _Spec(
            key="fees-online",
            title=gettext_lazy("收费事项网上可缴占比"),
            kind="ratio",
            comparison="ge",
            model=CatalogueDaily,
            num=Sum("fee_online_n"),
            den=Sum("fee_n"),
            commitment_codes=("fees-payable-online",),
            snapshot=True,
            note=gettext_lazy(
                "按事项目录中收费事项是否网上可办计算；罚款在平台上开具即可网上缴纳，未另行统计。"
            ),
        ),
        _Spec(
            key="bad-review-return-calls",
            title=gettext_lazy("实名差评回访率"),
            kind="ratio",
            comparison="ge",
            model=RatingDaily,
            num=Sum("returned"),
            den=Sum("bad_real_name"),
            default_target=100.0,
            default_target_text="≥ 100 %",
        ),
        _Spec(
            key="rectification-on-time",
            title=gettext_lazy("差评按期整改率"),
            kind="ratio",
            comparison="ge",
            model=RatingDaily,
            num=Sum("rect_on_time"),
            den=Sum("rect_closed"),
            default_target=100.0,
            default_target_text="≥ 100 %",
        ),
        _Spec(
            key="hall-waiting",
            title=gettext_lazy("大厅现场等候时间"),
            kind="hours",
            comparison="le",
            model=None,
            commitment_codes=("hall-waiting-1h",),
            item_field=None,
            note=gettext_lazy("平台尚无办事大厅排队叫号数据，暂无法统计。"),
        ),
    )
}


# --- scoping -------------------------------------------------------------------------------------


def _roots(units: Iterable[Unit]) -> list[Unit]:
    """The given units without those already inside another given unit's subtree."""
    ordered = sorted({u.pk: u for u in units}.values(), key=lambda u: u.path)
    roots: list[Unit] = []
    for unit in ordered:
        if not any(unit.path.startswith(r.path) for r in roots):
            roots.append(unit)
    return roots


def _region_prefix(code: str) -> str:
    code = code.rstrip("0")
    return code if len(code) % 2 == 0 else code + "0"


def _scope_q(spec: _Spec, units: Sequence[Unit] | None, unit: Unit | None) -> Q:
    condition = Q()
    for group in ([*units] if units is not None else None, [unit] if unit else None):
        if group is None:
            continue
        part = Q(pk__in=[])
        unrestricted = False
        for root in _roots(group):
            if spec.model is SealDaily:
                # shops are not units: a unit sees the shops of its administrative region
                prefix = _region_prefix(root.region_code or "")
                if prefix:
                    part |= Q(region_code__startswith=prefix)
                else:
                    unrestricted = True
            else:
                part |= Q(unit__path__startswith=root.path)
        if not unrestricted:
            condition &= part
    return condition


def _base(spec: _Spec, units: Sequence[Unit] | None, unit: Unit | None) -> QuerySet[Any]:
    assert spec.model is not None
    qs: QuerySet[Any] = spec.model._default_manager.all()
    if spec.region_prefix:
        qs = qs.filter(region_code__startswith=spec.region_prefix)
    if spec.rows is not None:
        qs = qs.filter(spec.rows())
    if spec.snapshot:
        qs = qs.annotate(one=_one(), **_catalogue_flags())
    return qs.filter(_scope_q(spec, units, unit))


def _one() -> Any:
    from django.db.models import IntegerField, Value

    return Value(1, output_field=IntegerField())


def _catalogue_flags() -> dict[str, Any]:
    from django.db.models import Case, IntegerField, When

    def flag(condition: Q) -> Any:
        return Case(When(condition, then=1), default=0, output_field=IntegerField())

    return {
        "one_visit": flag(Q(visits__lte=1)),
        "online_n": flag(Q(online=True)),
        "fee_n": flag(Q(fee=True)),
        "fee_online_n": flag(Q(fee=True, fee_online=True)),
    }


# --- aggregation ---------------------------------------------------------------------------------


@dataclass
class _Agg:
    num: int = 0
    den: int = 0
    total: int = 0
    count: int = 0
    hours: set[int] = field(default_factory=set)

    def add(self, other: _Agg) -> None:
        self.num += other.num
        self.den += other.den
        self.total += other.total
        self.count += other.count
        self.hours |= other.hours


def _annotations(spec: _Spec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("num", "den", "total", "count"):
        expr = getattr(spec, name)
        if expr is not None:
            out[f"a_{name}"] = expr
    return out


def _grouped(
    spec: _Spec, qs: QuerySet[Any], start: date, end: date, group: Sequence[str]
) -> dict[tuple[Any, ...], _Agg]:
    """Sums of ``qs`` over ``[start, end]`` per ``group`` values (snapshot metrics: the last
    snapshot in the range only)."""
    qs = qs.filter(day__gte=start, day__lte=end)
    result: dict[tuple[Any, ...], _Agg] = defaultdict(_Agg)
    if spec.kind == "hours":
        rows = qs.filter(tickets__gt=0).values(*group, "hour").distinct()
        for row in rows:
            key = tuple(row[g] for g in group)
            result[key].hours.add(row["hour"])
        for agg in result.values():
            agg.num = len(agg.hours)
            agg.den = 24
        return dict(result)
    if spec.snapshot:
        last = qs.aggregate(m=Max("day"))["m"]
        if last is None:
            return {}
        qs = qs.filter(day=last)
    if group:
        sums: Iterable[dict[str, Any]] = qs.values(*group).annotate(**_annotations(spec)).order_by()
    else:  # one aggregate (``values()`` with no fields would group by every column)
        sums = [qs.order_by().aggregate(**_annotations(spec))]
    for row in sums:
        key = tuple(row[g] for g in group)
        agg = result[key]
        agg.num += int(row.get("a_num") or 0)
        agg.den += int(row.get("a_den") or 0)
        agg.total += int(row.get("a_total") or 0)
        agg.count += int(row.get("a_count") or 0)
    return dict(result)


def _total(spec: _Spec, qs: QuerySet[Any], start: date, end: date) -> _Agg:
    return _grouped(spec, qs, start, end, ()).get((), _Agg())


def _value(spec: _Spec, agg: _Agg) -> float | None:
    if spec.kind == "working_days":
        return round(agg.total / agg.count / 1000, 3) if agg.count else None
    if spec.kind == "hours":
        return float(agg.num) if agg.den else None
    return round(agg.num * 100 / agg.den, 2) if agg.den else None


def _status(spec: _Spec, value: float | None, target: float | None) -> Status:
    if value is None or target is None:
        return "no_data"
    if spec.comparison == "ge":
        return "pass" if value >= target else "fail"
    return "pass" if value <= target else "fail"


def _today(as_of: date | None) -> date:
    return as_of or timezone.localdate()


def week_starts(as_of: date, count: int = WEEKS) -> list[date]:
    monday = as_of - timedelta(days=as_of.weekday())
    return [monday - timedelta(weeks=i) for i in range(count - 1, -1, -1)]


def month_starts(as_of: date, count: int = MONTHS) -> list[date]:
    out: list[date] = []
    year, month = as_of.year, as_of.month
    for _i in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _next_month(start: date) -> date:
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def _trend(
    spec: _Spec, qs: QuerySet[Any], starts: list[date], ends: list[date], as_of: date
) -> tuple[Point, ...]:
    points: list[Point] = []
    if spec.snapshot or spec.kind == "hours":
        for start, end in zip(starts, ends, strict=True):
            agg = _total(spec, qs, start, min(end, as_of))
            points.append(Point(start, _value(spec, agg), agg.num, agg.den))
        return tuple(points)
    # one query per trend: sums per day, bucketed here
    per_day = _grouped(spec, qs, starts[0], as_of, ("day",))
    for start, end in zip(starts, ends, strict=True):
        agg = _Agg()
        for (day,), part in per_day.items():
            if start <= day <= end:
                agg.add(part)
        points.append(Point(start, _value(spec, agg), agg.num, agg.den))
    return tuple(points)


# --- labels and links ----------------------------------------------------------------------------


def _item_labels(pks: Iterable[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for item in ServiceItem.objects.filter(pk__in=list(pks)).select_related("current"):
        name = item.current.name if item.current is not None else item.code
        out[item.pk] = (item.code, name)
    return out


def _unit_labels(pks: Iterable[int]) -> dict[int, tuple[str, str]]:
    return {u.pk: (u.code, u.name) for u in Unit.objects.filter(pk__in=list(pks))}


def _shop_labels(pks: Iterable[int]) -> dict[int, tuple[str, str]]:
    from onestop.seals.models import EngravingShop

    return {s.pk: (s.licence_no, s.name) for s in EngravingShop.objects.filter(pk__in=list(pks))}


def _inbox_url(item: int | None = None, *, unit: str = "") -> str:
    """The staff case list (all states, newest first) of an item and/or a unit's subtree."""
    url = reverse("cases-staff:inbox") + "?state=all"
    if item is not None:
        url += f"&item={item}"
    if unit:
        url += "&" + urlencode({"unit": unit})
    return url


def _rows(
    spec: _Spec,
    groups: dict[tuple[Any, ...], _Agg],
    labels: dict[int, tuple[str, str]],
    target: float | None,
    link: Callable[[int], str | None],
) -> list[Row]:
    rows: list[Row] = []
    for (pk,), agg in groups.items():
        if pk is None:
            continue
        value = _value(spec, agg)
        code, name = labels.get(pk, (str(pk), str(pk)))
        rows.append(
            Row(
                key=code,
                label=name,
                value=value,
                numerator=agg.num,
                denominator=agg.den,
                status=_status(spec, value, target),
                cases_url=link(pk),
            )
        )
    return rows


def _worst(spec: _Spec, rows: list[Row]) -> tuple[Row, ...]:
    rated = [r for r in rows if r.value is not None]
    sign = 1 if spec.comparison == "ge" else -1
    rated.sort(key=lambda r: (sign * (r.value or 0), -r.denominator, r.key))
    return tuple(rated[:TOP])


# --- targets -------------------------------------------------------------------------------------


def _commitments(spec: _Spec) -> list[Commitment]:
    if not spec.commitment_codes:
        return []
    found = {c.code: c for c in Commitment.objects.filter(code__in=spec.commitment_codes)}
    return [found[c] for c in spec.commitment_codes if c in found]


def _target(spec: _Spec, commitments: list[Commitment]) -> tuple[float | None, str]:
    if commitments:
        first = commitments[0]
        return float(first.value), first.target_display
    return spec.default_target, spec.default_target_text


# --- public API ----------------------------------------------------------------------------------


def _spec(key: str) -> _Spec:
    if key not in SPECS:
        raise KeyError(key)
    return SPECS[key]


def _compute(
    spec: _Spec,
    *,
    as_of: date,
    units: Sequence[Unit] | None,
    unit: Unit | None,
    public: bool,
) -> MetricResult:
    """The metric, from the cache when the roll-ups have not changed since it was computed (the
    key includes the roll-up job's last run, so a run invalidates every cached result)."""
    state = RollupState.objects.filter(name=STATE_NAME).values_list("last_run_at", flat=True)
    last_run = state.first()
    if last_run is None:
        return _compute_now(spec, as_of=as_of, units=units, unit=unit, public=public)
    scope = ",".join(u.path for u in _roots(units)) if units is not None else "*"
    key = ":".join(
        (
            "insights.metric.v1",
            spec.key,
            as_of.isoformat(),
            last_run.isoformat(),
            scope,
            unit.path if unit is not None else "",
            "public" if public else "staff",
            get_language() or "",
        )
    )
    digest = "insights.metric:" + hashlib.sha256(key.encode()).hexdigest()
    cached = cache.get(digest)
    if isinstance(cached, MetricResult):
        return cached
    result = _compute_now(spec, as_of=as_of, units=units, unit=unit, public=public)
    cache.set(digest, result, CACHE_SECONDS)
    return result


def _compute_now(
    spec: _Spec,
    *,
    as_of: date,
    units: Sequence[Unit] | None,
    unit: Unit | None,
    public: bool,
) -> MetricResult:
    commitments = _commitments(spec)
    target, target_text = _target(spec, commitments)
    note = str(spec.note) if spec.note is not None else ""
    empty = MetricResult(
        key=spec.key,
        commitment_ids=tuple(c.pk for c in commitments),
        title=str(spec.title),
        kind=spec.kind,
        target=target,
        target_text=target_text,
        comparison=spec.comparison,
        value=None,
        numerator=0,
        denominator=0,
        status="no_data",
        weekly=(),
        monthly=(),
        worst_units=(),
        worst_items=(),
        histogram=(),
        note=note,
        cases_url=None,
    )
    if spec.model is None:
        return empty
    qs = _base(spec, units, unit)
    start = as_of - timedelta(days=WINDOW_DAYS - 1)
    agg = _total(spec, qs, start, as_of)
    value = _value(spec, agg)

    weeks = week_starts(as_of)
    months = month_starts(as_of)
    weekly = _trend(spec, qs, weeks, [w + timedelta(days=6) for w in weeks], as_of)
    monthly = _trend(spec, qs, months, [_next_month(m) - timedelta(days=1) for m in months], as_of)

    links = spec.cases and not public
    if spec.model is SealDaily:
        by_shop = _grouped(spec, qs, start, as_of, ("shop_id",))
        worst_units = _worst(
            spec, _rows(spec, by_shop, _shop_labels(k[0] for k in by_shop), target, _none)
        )
    else:
        by_unit = _grouped(spec, qs, start, as_of, ("unit_id",))
        unit_labels = _unit_labels(k[0] for k in by_unit)

        def unit_link(pk: int) -> str | None:
            return _inbox_url(unit=unit_labels[pk][0]) if pk in unit_labels else None

        worst_units = _worst(
            spec, _rows(spec, by_unit, unit_labels, target, unit_link if links else _none)
        )
    worst_items: tuple[Row, ...] = ()
    items: list[int] = []
    if spec.item_field is not None:
        by_item = _grouped(spec, qs, start, as_of, ("item_id",))
        items = sorted(k[0] for k in by_item if k[0] is not None)
        worst_items = _worst(
            spec,
            _rows(
                spec,
                by_item,
                _item_labels(items),
                target,
                _inbox_url if links else _none,
            ),
        )
    histogram: tuple[tuple[str, int], ...] = ()
    if spec.histogram:
        histogram = _histogram(spec, qs, start, as_of)
    cases_url = None
    if links:
        cases_url = _inbox_url(
            items[0] if len(items) == 1 else None, unit=unit.code if unit is not None else ""
        )
    return replace(
        empty,
        value=value,
        numerator=agg.num,
        denominator=agg.den,
        status=_status(spec, value, target),
        weekly=weekly,
        monthly=monthly,
        worst_units=worst_units,
        worst_items=worst_items,
        histogram=histogram,
        cases_url=cases_url,
    )


def _none(_pk: int) -> str | None:
    return None


def _histogram(
    spec: _Spec, qs: QuerySet[Any], start: date, end: date
) -> tuple[tuple[str, int], ...]:
    qs = qs.filter(day__gte=start, day__lte=end)
    if spec.kind == "hours":
        counts = {
            row["hour"]: int(row["n"] or 0)
            for row in qs.values("hour").annotate(n=Sum("tickets")).order_by()
        }
        return tuple((f"{h:02d}", counts.get(h, 0)) for h in range(24))
    sums = qs.aggregate(**{b: Sum(b) for b in BUCKET_FIELDS})
    return tuple((BUCKET_LABELS[b], int(sums[b] or 0)) for b in BUCKET_FIELDS)


def dashboard(
    *, as_of: date | None = None, units: Sequence[Unit] | None = None, public: bool = False
) -> list[MetricResult]:
    """Every metric, over the viewer's units (``None``: all); ``public`` drops case links."""
    day = _today(as_of)
    return [
        _compute(SPECS[k], as_of=day, units=units, unit=None, public=public) for k in METRIC_KEYS
    ]


def metric_detail(
    key: str,
    *,
    as_of: date | None = None,
    units: Sequence[Unit] | None = None,
    unit: Unit | None = None,
    public: bool = False,
) -> MetricResult:
    """One metric, optionally restricted to ``unit``'s subtree; ``KeyError`` if unknown."""
    return _compute(_spec(key), as_of=_today(as_of), units=units, unit=unit, public=public)


def unit_breakdown(
    key: str,
    *,
    as_of: date | None = None,
    units: Sequence[Unit] | None = None,
    parent: Unit | None = None,
) -> tuple[Row, ...]:
    """The metric per child unit of ``parent`` (top-level units when ``None``), each over its
    whole subtree, within the viewer's ``units``. Seal metrics are broken down per shop."""
    spec = _spec(key)
    day = _today(as_of)
    commitments = _commitments(spec)
    target, _text = _target(spec, commitments)
    if spec.model is None:
        return ()
    qs = _base(spec, units, parent)
    start = day - timedelta(days=WINDOW_DAYS - 1)
    if spec.model is SealDaily:
        by_shop = _grouped(spec, qs, start, day, ("shop_id",))
        rows = _rows(spec, by_shop, _shop_labels(k[0] for k in by_shop), target, _none)
        return tuple(sorted(rows, key=lambda r: r.label))
    children = list(
        Unit.objects.filter(parent=parent).order_by("path")
        if parent is not None
        else Unit.objects.filter(parent__isnull=True).order_by("path")
    )
    if units is not None:
        roots = _roots(units)
        children = [
            c
            for c in children
            if any(c.path.startswith(r.path) or r.path.startswith(c.path) for r in roots)
        ]
    by_unit = _grouped(spec, qs, start, day, ("unit__path",))
    result: list[Row] = []
    for child in children:
        agg = _Agg()
        for (path,), part in by_unit.items():
            if path.startswith(child.path):
                agg.add(part)
        if spec.kind == "hours":
            agg.num = len(agg.hours)
            agg.den = 24 if agg.hours else 0
        value = _value(spec, agg)
        result.append(
            Row(
                key=child.code,
                label=child.name,
                value=value,
                numerator=agg.num,
                denominator=agg.den,
                status=_status(spec, value, target),
                # the views drop it on public pages
                cases_url=_inbox_url(unit=child.code) if spec.cases else None,
            )
        )
    return tuple(result)


def measures_progress(*, as_of: date | None = None) -> MeasuresProgress:
    """How the policy measures stand, and which commitments the metrics show failing."""
    day = _today(as_of)
    counts: dict[str, int] = defaultdict(int)
    for status in Measure.objects.values_list("status", flat=True):
        counts[status] += 1
    overdue = list(
        Measure.objects.overdue(day).select_related("document").order_by("deadline_date")
    )
    labels = dict(MeasureStatus.choices)
    rows = tuple(
        MeasureRow(
            pk=m.pk,
            citation=m.citation,
            title=m.title,
            status=m.status,
            status_label=str(labels.get(m.status, m.status)),
            percent=m.percent,
            deadline=m.deadline_date,
            url=reverse("policy-staff:measure", args=[m.document.key, m.number]),
        )
        for m in overdue
    )
    failing: list[FailingCommitment] = []
    by_pk = {c.pk: c for c in Commitment.objects.all()}
    for result in dashboard(as_of=day, public=True):
        if result.status != "fail":
            continue
        for pk in result.commitment_ids:
            c = by_pk[pk]
            failing.append(
                FailingCommitment(pk=pk, code=c.code, title=result.title, metric_key=result.key)
            )
    return MeasuresProgress(
        total=sum(counts.values()),
        done=counts[MeasureStatus.DONE],
        in_progress=counts[MeasureStatus.IN_PROGRESS],
        not_started=counts[MeasureStatus.NOT_STARTED],
        ongoing=counts[MeasureStatus.ONGOING],
        overdue=len(rows),
        overdue_measures=rows,
        failing_commitments=tuple(failing),
    )


def _fmt(value: float | None) -> object:
    return "" if value is None else value


def metric_table(key: str, **kwargs: Any) -> tuple[list[str], list[list[object]]]:
    """Header and rows for CSV/XLSX export of one metric (same keyword arguments as
    ``metric_detail``): the current value, the monthly and weekly trends, the worst units and
    items and the histogram."""
    result = metric_detail(key, **kwargs)
    header = [_("分组"), _("起始日期/编码"), _("名称"), _("数值"), _("分子"), _("分母"), _("状态")]
    rows: list[list[object]] = [
        [
            _("当前"),
            "",
            result.title,
            _fmt(result.value),
            result.numerator,
            result.denominator,
            result.status,
        ]
    ]
    for label, points in ((_("月"), result.monthly), (_("周"), result.weekly)):
        for p in points:
            rows.append(
                [label, p.start.isoformat(), "", _fmt(p.value), p.numerator, p.denominator, ""]
            )
    for label, table in ((_("单位"), result.worst_units), (_("事项"), result.worst_items)):
        for r in table:
            rows.append(
                [label, r.key, r.label, _fmt(r.value), r.numerator, r.denominator, r.status]
            )
    for bucket, count in result.histogram:
        rows.append([_("分布"), bucket, "", count, "", "", ""])
    return header, rows


__all__ = [
    "METRIC_KEYS",
    "FailingCommitment",
    "MeasureRow",
    "MeasuresProgress",
    "MetricResult",
    "Point",
    "Row",
    "dashboard",
    "measures_progress",
    "metric_detail",
    "metric_table",
    "unit_breakdown",
]
