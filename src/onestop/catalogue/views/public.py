"""Public catalogue pages: home, search, item detail, the published lists and their downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onestop.accounts import selectors as account_selectors
from onestop.catalogue import selectors
from onestop.catalogue.choices import Level
from onestop.catalogue.exports import csv_response, xlsx_response
from onestop.catalogue.models import (
    InspectionListEntry,
    NoPenaltyEntry,
    ProofRequirement,
    ServiceItem,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    _ListModel = type[ProofRequirement] | type[NoPenaltyEntry] | type[InspectionListEntry]


def _filters(request: HttpRequest) -> dict[str, str | None]:
    region = request.GET.get("region") or None
    if region and not (region.isdigit() and len(region) == 6):
        region = None
    level = request.GET.get("level") or None
    if level not in Level.values:
        level = None
    return {"region": region, "level": level}


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "regions": account_selectors.top_level_units(),
        "levels": Level.choices,
        "filters": _filters(request),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    query = (request.GET.get("q") or "").strip()[:100]
    versions = selectors.current_versions(**filters)
    category = (request.GET.get("category") or "").strip()[:40]
    if category:
        versions = versions.filter(category=category)
    hits = None
    if query:
        from onestop.catalogue.search import search_items

        found = search_items(query, region=filters["region"], level=filters["level"], limit=30)
        by_id = versions.in_bulk([hit.version_id for hit in found])
        hits = [by_id[hit.version_id] for hit in found if hit.version_id in by_id]
    categories: dict[str, list[Any]] = {}
    for version in versions:
        categories.setdefault(version.category or _("其他"), []).append(version)
    return render(
        request,
        "catalogue/public/home.html",
        {
            **_filter_context(request),
            "query": query,
            "hits": hits,
            "categories": sorted(categories.items()),
            "total": versions.count(),
            "lists": selectors.ITEM_LISTS,
        },
    )


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ServiceItem.objects.select_related("implementing_unit"), pk=pk)
    if item.current_id is None:
        raise Http404(_("该事项当前没有发布的版本"))
    version = selectors.version_detail(item.current_id)
    return render(request, "catalogue/public/item_detail.html", {"item": item, "v": version})


@require_GET
def lists_index(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    return render(
        request,
        "catalogue/public/lists_index.html",
        {
            **_filter_context(request),
            "lists": [
                (lst, selectors.list_versions(lst.slug, **filters).count())
                for lst in selectors.ITEM_LISTS
            ],
            "bureau_shares": selectors.shares_by_unit(roots_only=True, region=filters["region"]),
            "unit_shares": selectors.shares_by_unit(region=filters["region"]),
            "share_slugs": ["max-one-visit", "online", "zero-visit"],
        },
    )


ITEM_HEADER = [
    gettext_lazy("实施编码"),
    gettext_lazy("事项名称"),
    gettext_lazy("实施机关"),
    gettext_lazy("行使层级"),
    gettext_lazy("承诺时限"),
    gettext_lazy("到场次数"),
    gettext_lazy("办理渠道"),
    gettext_lazy("通办范围"),
    gettext_lazy("收费（元）"),
    gettext_lazy("依据措施"),
]


def _item_rows(versions: Any) -> list[list[Any]]:
    rows = []
    for v in versions:
        rows.append(
            [
                v.item.implementation_code,
                v.name,
                v.item.implementing_unit.name,
                v.get_level_display(),
                selectors.format_limit(v.promised_limit, v.promised_limit_unit),
                v.get_max_visits_display(),
                "、".join(str(c.label) for c in _channel_labels(v)),
                v.get_cross_region_scope_display(),
                f"{v.fee_yuan:.2f}",
                v.citations,
            ]
        )
    return rows


def _channel_labels(v: Any) -> list[Any]:
    from onestop.catalogue.choices import Channel

    return [c for c in Channel if c.value in v.channels]


@require_GET
def list_detail(request: HttpRequest, slug: str) -> HttpResponse:
    published = selectors.LISTS_BY_SLUG.get(slug)
    if published is None:
        raise Http404(_("没有这个清单"))
    filters = _filters(request)
    versions = selectors.list_versions(slug, **filters)
    fmt = request.GET.get("format")
    header = [str(h) for h in ITEM_HEADER]
    if fmt == "csv":
        return csv_response(f"{slug}.csv", header, _item_rows(versions))
    if fmt == "xlsx":
        return xlsx_response(f"{slug}.xlsx", str(published.title), header, _item_rows(versions))
    return render(
        request,
        "catalogue/public/list_detail.html",
        {
            **_filter_context(request),
            "published": published,
            "versions": versions,
        },
    )


_OTHER_LISTS: dict[str, tuple[_ListModel, StrPromise, tuple[str, ...]]] = {
    "proofs": (
        ProofRequirement,
        gettext_lazy("“减证便民”证明事项保留和取消清单"),
        ("guangxi-2018#20",),
    ),
    "no-penalty": (NoPenaltyEntry, gettext_lazy("首次轻微违法行为免罚清单"), ("tianjin-2021#10",)),
    "inspections": (InspectionListEntry, gettext_lazy("公安行政检查法定清单"), ("tianjin-2021#8",)),
}


def _other_rows(kind: str, objects: Any) -> tuple[list[str], list[list[Any]]]:
    if kind == "proofs":
        return (
            [_("证明名称"), _("状态"), _("开具单位"), _("设定依据"), _("替代方式"), _("依据措施")],
            [
                [
                    o.name,
                    o.get_status_display(),
                    o.issuer,
                    o.legal_basis,
                    o.replacement,
                    o.citations,
                ]
                for o in objects
            ],
        )
    if kind == "no-penalty":
        return (
            [_("编号"), _("违法行为"), _("法律依据"), _("免罚条件"), _("整改期限"), _("依据措施")],
            [
                [o.code, o.violation, o.legal_basis, o.conditions, o.correction_period, o.citations]
                for o in objects
            ],
        )
    return (
        [
            _("编号"),
            _("检查事项"),
            _("检查对象"),
            _("法律依据"),
            _("检查频次"),
            _("检查重点"),
            _("检查方式"),
            _("实施单位"),
            _("依据措施"),
        ],
        [
            [
                o.code,
                o.subject,
                o.target,
                o.legal_basis,
                o.frequency,
                o.focus,
                o.method,
                o.unit.name if o.unit else "",
                o.citations,
            ]
            for o in objects
        ],
    )


@require_GET
def other_list(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in _OTHER_LISTS:
        raise Http404(_("没有这个清单"))
    model, title, citations = _OTHER_LISTS[kind]
    objects: QuerySet[Any] = model.objects.all()
    region = _filters(request)["region"]
    if region:
        objects = objects.filter(region_code__startswith=selectors.region_prefix(region))
    if kind != "proofs":
        objects = objects.select_related("unit")
    header, rows = _other_rows(kind, objects)
    fmt = request.GET.get("format")
    if fmt == "csv":
        return csv_response(f"{kind}.csv", header, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{kind}.xlsx", str(title), header, rows)
    return render(
        request,
        "catalogue/public/other_list.html",
        {
            **_filter_context(request),
            "kind": kind,
            "title": title,
            "citations": citations,
            "header": header,
            "rows": rows,
        },
    )
