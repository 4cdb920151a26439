"""Staff commitments pages, mounted at ``work/insights/``: the dashboard of the officer's unit
subtree, one drill-down page per metric (``?unit=<code>`` goes one level down, never outside
the subtree), the exports and the archived monthly reports.

The monthly reports hold only per-unit aggregates (the same figures the public pages show), so
every officer may download them."""

from __future__ import annotations

from datetime import date
from typing import cast
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.accounts.models import Unit, User
from onestop.accounts.selectors import scope_queryset
from onestop.workbench.permissions import staff_required

from .. import metrics
from ..export import FORMATS, metric_export
from ..models import MonthlyReport
from . import common


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _scope(user: User) -> list[Unit]:
    return list(scope_queryset(Unit.objects.all(), user, unit_field="").order_by("path"))


def _roots(scope: list[Unit]) -> list[Unit]:
    """The units of the scope whose parent lies outside it (where the drill-down starts)."""
    paths = {u.path for u in scope}
    return [u for u in scope if not any(u.path.startswith(p + ".") for p in paths)]


def _selected(request: HttpRequest, scope: list[Unit]) -> Unit | None:
    """The ``?unit=<code>`` of the drill-down, which must lie in the scope (else 404: an officer
    must not learn that another unit's figures exist)."""
    code = request.GET.get("unit", "").strip()
    if not code:
        return None
    for unit in scope:
        if unit.code == code:
            return unit
    raise Http404


def _trail(unit: Unit | None, scope: list[Unit]) -> list[Unit]:
    """Breadcrumbs from the top of the officer's scope down to ``unit``."""
    if unit is None:
        return []
    return [u for u in scope if unit.path == u.path or unit.path.startswith(u.path + ".")]


@staff_required
def summary(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    scope = _scope(user)
    results = metrics.dashboard(units=scope)
    return render(
        request,
        "insights/staff/summary.html",
        {
            "rows": common.summary_rows(results, public=False),
            "progress": metrics.measures_progress(),
            "roots": _roots(scope),
            "reports": MonthlyReport.objects.all()[:24],
            "failing": sum(1 for r in results if r.status == "fail"),
        },
    )


@staff_required
def metric(request: HttpRequest, key: str) -> HttpResponse:
    user = _officer(request)
    scope = _scope(user)
    unit = _selected(request, scope)
    try:
        result = metrics.metric_detail(key, units=scope, unit=unit)
    except KeyError:
        raise Http404 from None
    roots = _roots(scope)
    # Below a selected unit: its children. At the top: the children of the officer's own unit,
    # or (for a platform administrator, whose scope has several roots) the roots themselves.
    parent = unit if unit is not None else (roots[0] if len(roots) == 1 else None)
    breakdown = metrics.unit_breakdown(key, units=scope, parent=parent)
    codes = frozenset(u.code for u in scope)
    return render(
        request,
        "insights/staff/metric.html",
        {
            "result": result,
            "unit": unit,
            "parent": parent,
            "trail": _trail(unit, scope),
            "value_text": common.format_value(result.kind, result.value),
            "status_text": common.status_label(result.status),
            "status_css": common.status_class(result.status),
            "charts": common.detail_charts(result),
            "units": common.row_views(result.kind, breakdown, public=False, drill_codes=codes),
            "first_column": common.breakdown_label(key),
            "worst_units": common.row_views(
                result.kind, result.worst_units, public=False, drill_codes=codes
            ),
            "worst_items": common.row_views(result.kind, result.worst_items, public=False),
            "weekly_rows": common.trend_rows(result.kind, result.weekly, monthly=False),
            "monthly_rows": common.trend_rows(result.kind, result.monthly, monthly=True),
            "query": f"?unit={quote(unit.code)}" if unit is not None else "",
        },
    )


@staff_required
def export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    scope = _scope(_officer(request))
    unit = _selected(request, scope)
    try:
        result = metrics.metric_detail(key, units=scope, unit=unit)
        header, rows = metrics.metric_table(key, units=scope, unit=unit)
    except KeyError:
        raise Http404 from None
    suffix = f"-{unit.code}" if unit is not None else ""
    return metric_export(
        fmt=fmt, key=f"{key}{suffix}", title=result.title, header=header, rows=rows
    )


@staff_required
def report(request: HttpRequest, year: int, month: int) -> HttpResponse:
    try:
        first = date(year, month, 1)
    except ValueError:
        raise Http404 from None
    found = MonthlyReport.objects.filter(month=first).first()
    if found is None or not found.file:
        raise Http404
    try:
        with found.file.open("rb") as handle:
            body = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="commitments-{first:%Y-%m}.pdf"'
    return response
