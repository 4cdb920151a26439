"""Reads over the published catalogue: the published lists and each unit's shares of them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onestop.accounts.models import Unit
from onestop.core.regions import region_prefix

from .choices import CrossRegionScope, Level, LimitUnit, MaxVisits
from .models import Material, ServiceItem, ServiceItemVersion


@dataclass(frozen=True)
class PublishedList:
    slug: str
    title: Promise
    condition: Q
    citations: tuple[str, ...]
    target_share: Decimal | None = None  # e.g. 0.80 for Guangxi's at-most-one-visit target


_WIDER_THAN_CITY = [CrossRegionScope.CITY, CrossRegionScope.PROVINCE, CrossRegionScope.NATION]

ITEM_LISTS: tuple[PublishedList, ...] = (
    PublishedList(
        "max-one-visit",
        _("“最多跑一次”事项清单"),
        Q(max_visits__lte=MaxVisits.ONE),
        ("guangxi-2018#11",),
        Decimal("0.80"),
    ),
    PublishedList(
        "zero-visit",
        _("“一次不用跑”事项清单"),
        Q(max_visits=MaxVisits.ZERO),
        ("guangxi-2018#12", "tianjin-2021#13"),
    ),
    PublishedList(
        "online", _("网上办事项清单"), Q(channel_online=True), ("guangxi-2018#12",), Decimal("0.80")
    ),
    PublishedList(
        "city", _("同城通办清单"), Q(cross_region_scope__in=_WIDER_THAN_CITY), ("guangxi-2018#13",)
    ),
    PublishedList(
        "province",
        _("全区（省）通办清单"),
        Q(cross_region_scope__in=[CrossRegionScope.PROVINCE, CrossRegionScope.NATION]),
        ("guangxi-2018#13",),
    ),
    PublishedList(
        "nation",
        _("全国通办清单"),
        Q(cross_region_scope=CrossRegionScope.NATION),
        ("guangxi-2018#13",),
    ),
    PublishedList("on-the-spot", _("“马上办”事项清单"), Q(on_the_spot=True), ("guangxi-2018#14",)),
    PublishedList(
        "conditional", _("“容缺受理”事项清单"), Q(conditional_acceptance=True), ("guangxi-2018#17",)
    ),
    PublishedList(
        "commitment",
        _("告知承诺制事项清单"),
        Q(commitment_approval=True),
        ("tianjin-2021#7", "tianjin-2021#13", "tianjin-2021#3"),
    ),
    PublishedList(
        "weekend", _("“5+2”周末服务事项清单"), Q(weekend_service=True), ("guangxi-2018#35",)
    ),
    PublishedList(
        "self-service", _("“自助办”事项清单"), Q(channel_kiosk=True), ("guangxi-2018#16",)
    ),
    PublishedList("nearby", _("“就近办”事项清单"), Q(channel_nearby=True), ("guangxi-2018#13",)),
)
LISTS_BY_SLUG = {lst.slug: lst for lst in ITEM_LISTS}


def current_versions(
    *, region: str | None = None, level: str | None = None
) -> QuerySet[ServiceItemVersion]:
    """The published version of every item, optionally by region (GB/T 2260 prefix) and level."""
    qs = ServiceItemVersion.objects.current().select_related("item", "item__implementing_unit")
    if region:
        qs = qs.filter(item__implementing_unit__region_code__startswith=region_prefix(region))
    if level and level in Level.values:
        qs = qs.filter(level=level)
    return qs.order_by("item__implementing_unit__path", "item__code")


def items_in_subtree(unit: Unit) -> QuerySet[ServiceItem]:
    """Service items implemented by ``unit`` or a unit below it."""
    return ServiceItem.objects.filter(implementing_unit__path__startswith=unit.path)


def category_counts(*, region: str | None = None) -> list[tuple[str, int]]:
    """Published items per category (户政, 治安 …), most first."""
    rows = (
        current_versions(region=region)
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")
    )
    return [(row["category"], row["n"]) for row in rows if row["category"]]


def list_versions(
    slug: str, *, region: str | None = None, level: str | None = None
) -> QuerySet[ServiceItemVersion]:
    return current_versions(region=region, level=level).filter(LISTS_BY_SLUG[slug].condition)


def version_detail(pk: int) -> ServiceItemVersion:
    return (
        ServiceItemVersion.objects.select_related("item", "item__implementing_unit")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position")),
            "measures__document",
            "commitments",
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class Share:
    unit: Unit
    total: int
    counts: dict[str, int]

    def share(self, slug: str) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (Decimal(self.counts[slug]) / self.total).quantize(Decimal("0.001"), ROUND_HALF_UP)

    def meets_target(self, slug: str) -> bool | None:
        target = LISTS_BY_SLUG[slug].target_share
        return None if target is None else self.share(slug) >= target


def shares_by_unit(*, roots_only: bool = False, region: str | None = None) -> list[Share]:
    """For each bureau (roots_only) or each implementing unit: how many of its published items
    are in each list. A bureau counts every item implemented in its subtree."""
    aggregates = {lst.slug: Count("pk", filter=lst.condition) for lst in ITEM_LISTS}
    versions = current_versions(region=region)
    if roots_only:
        results = []
        for root in Unit.objects.filter(parent__isnull=True).order_by("path"):
            row = versions.filter(item__implementing_unit__path__startswith=root.path).aggregate(
                total=Count("pk"), **aggregates
            )
            if row["total"]:
                results.append(Share(unit=root, total=row.pop("total"), counts=row))
        return results
    rows = (
        versions.order_by()
        .values("item__implementing_unit")
        .annotate(total=Count("pk"), **aggregates)
    )
    units = Unit.objects.in_bulk([r["item__implementing_unit"] for r in rows])
    results = []
    for row in rows:
        unit = units[row.pop("item__implementing_unit")]
        results.append(Share(unit=unit, total=row.pop("total"), counts=row))
    return sorted(results, key=lambda s: s.unit.path)


def format_limit(value: Decimal, unit: str) -> str:
    """A time limit for display: "0.5 个工作日" / "1 working day" / "8 working hours"."""
    number = value.normalize() if isinstance(value, Decimal) else Decimal(value).normalize()
    text = f"{number:f}"
    count = 1 if number == 1 else 2
    if unit == LimitUnit.WORKING_HOURS:
        return ngettext("%(n)s 个工作小时", "%(n)s 个工作小时", count) % {"n": text}
    return ngettext("%(n)s 个工作日", "%(n)s 个工作日", count) % {"n": text}
