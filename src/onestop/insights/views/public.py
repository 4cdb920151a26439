"""Public (open government) commitments pages: the summary of every metric and one page per
metric with its trends and per-unit table. No login, no personal data, no links to cases."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.accounts.models import Unit

from .. import metrics
from ..export import FORMATS, metric_export
from . import common


def summary(request: HttpRequest) -> HttpResponse:
    results = metrics.dashboard(public=True)
    return render(
        request,
        "insights/public/summary.html",
        {
            "rows": common.summary_rows(results, public=True),
            "progress": metrics.measures_progress(),
            "passing": sum(1 for r in results if r.status == "pass"),
            "failing": sum(1 for r in results if r.status == "fail"),
            "no_data": sum(1 for r in results if r.status == "no_data"),
        },
    )


def _result(key: str, unit: Unit | None = None) -> metrics.MetricResult:
    try:
        return metrics.metric_detail(key, unit=unit, public=True)
    except KeyError:
        raise Http404 from None


def _unit(request: HttpRequest) -> Unit | None:
    """The ``?unit=<code>`` whose child units the per-unit table shows (aggregates only)."""
    code = request.GET.get("unit", "").strip()
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def _trail(unit: Unit | None) -> list[Unit]:
    if unit is None:
        return []
    parts = unit.path.split(".")
    paths = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def metric(request: HttpRequest, key: str) -> HttpResponse:
    unit = _unit(request)
    result = _result(key, unit)
    breakdown = metrics.unit_breakdown(key, parent=unit)
    codes = frozenset(
        Unit.objects.filter(code__in=[r.key for r in breakdown]).values_list("code", flat=True)
    )
    return render(
        request,
        "insights/public/metric.html",
        {
            "result": result,
            "value_text": common.format_value(result.kind, result.value),
            "status_text": common.status_label(result.status),
            "status_css": common.status_class(result.status),
            "charts": common.detail_charts(result),
            "unit": unit,
            "trail": _trail(unit),
            "units": common.row_views(result.kind, breakdown, public=True, drill_codes=codes),
            "first_column": common.breakdown_label(key),
            "query": f"?unit={quote(unit.code)}" if unit is not None else "",
            "worst_items": common.row_views(result.kind, result.worst_items, public=True),
            "weekly_rows": common.trend_rows(result.kind, result.weekly, monthly=False),
            "monthly_rows": common.trend_rows(result.kind, result.monthly, monthly=True),
        },
    )


def export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    unit = _unit(request)
    result = _result(key, unit)
    header, rows = metrics.metric_table(key, unit=unit, public=True)
    suffix = f"-{unit.code}" if unit is not None else ""
    return metric_export(
        fmt=fmt, key=f"{key}{suffix}", title=result.title, header=header, rows=rows
    )
