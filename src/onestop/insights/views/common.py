"""Presentation helpers shared by the public and the staff pages: value formatting per metric
kind, status badges, and the SVG charts of one metric."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .. import charts
from ..metrics import MetricResult, Point, Row

#: Axis/tooltip formats of the charts per metric kind.
CHART_FORMATS = {
    "ratio": "{:.0f}%",
    "working_days": "{:.1f}",
    "hours": "{:.0f}",
    "count": "{:.0f}",
}


def format_value(kind: str, value: float | None) -> str:
    """The value as people read it: "87.5%", "0.4 个工作日", "12 小时", "31". Ratios come as
    percentages (0-100), as ``metrics`` computes them."""
    if value is None:
        return "—"
    if kind == "ratio":
        return f"{value:.1f}%"
    if kind == "working_days":
        return _("%(value)s 个工作日") % {"value": f"{value:.2f}"}
    if kind == "hours":
        return _("%(value)s 小时") % {"value": f"{value:g}"}
    return f"{value:.0f}"


def status_label(status: str) -> str:
    return {"pass": _("达标"), "fail": _("未达标")}.get(status, _("暂无数据"))


def status_class(status: str) -> str:
    return {"pass": "ok", "fail": "danger"}.get(status, "")


@dataclass(frozen=True)
class RowView:
    row: Row
    value_text: str
    status_text: str
    status_css: str
    share_text: str
    drill: bool


def row_views(
    kind: str, rows: tuple[Row, ...], *, public: bool, drill_codes: frozenset[str] = frozenset()
) -> list[RowView]:
    """Rows ready for a table; on public pages any case link is dropped. A row whose key is in
    ``drill_codes`` (units the viewer may open) links one level down."""
    out = []
    for row in rows:
        shown = replace(row, cases_url=None) if public else row
        out.append(
            RowView(
                row=shown,
                value_text=format_value(kind, row.value),
                status_text=status_label(row.status),
                status_css=status_class(row.status),
                share_text=f"{row.numerator} / {row.denominator}" if kind == "ratio" else "",
                drill=row.key in drill_codes,
            )
        )
    return out


def breakdown_label(key: str) -> str:
    """The first column of the per-unit table (seal metrics are broken down per shop)."""
    return _("刻制企业") if key.startswith("seal") else _("单位")


def _week_label(point: Point) -> str:
    return f"{point.start:%m-%d}"


def _month_label(point: Point) -> str:
    return f"{point.start:%Y-%m}"


def sparkline(result: MetricResult) -> SafeString:
    return charts.sparkline(
        [p.value for p in result.weekly],
        title=_("%(title)s：近26周趋势") % {"title": result.title},
        chart_id=f"spark-{result.key}",
        target=result.target,
        value_format=CHART_FORMATS.get(result.kind, "{:.1f}"),
    )


def detail_charts(result: MetricResult) -> dict[str, SafeString | None]:
    """Weekly and monthly trend lines (target dashed) and the histogram, if there is one."""
    fmt = CHART_FORMATS.get(result.kind, "{:.1f}")
    target_label = _("目标 %(target)s") % {"target": result.target_text}
    weekly = charts.line_chart(
        charts.Series([_week_label(p) for p in result.weekly], [p.value for p in result.weekly]),
        title=_("%(title)s：周趋势") % {"title": result.title},
        chart_id=f"weekly-{result.key}",
        target=result.target,
        target_label=target_label,
        value_format=fmt,
        no_data=_("暂无数据"),
    )
    monthly = charts.line_chart(
        charts.Series([_month_label(p) for p in result.monthly], [p.value for p in result.monthly]),
        title=_("%(title)s：月趋势") % {"title": result.title},
        chart_id=f"monthly-{result.key}",
        target=result.target,
        target_label=target_label,
        value_format=fmt,
        no_data=_("暂无数据"),
    )
    histogram = None
    if result.histogram:
        histogram = charts.bar_chart(
            [(label, float(count)) for label, count in result.histogram],
            title=_("%(title)s：分布") % {"title": result.title},
            chart_id=f"histogram-{result.key}",
        )
    return {"weekly": weekly, "monthly": monthly, "histogram": histogram}


def trend_rows(kind: str, points: tuple[Point, ...], *, monthly: bool) -> list[dict[str, Any]]:
    """The chart's data as a table (for people who cannot see the chart, and for checking)."""
    label = _month_label if monthly else _week_label
    return [
        {
            "label": label(p),
            "value": format_value(kind, p.value),
            "numerator": p.numerator,
            "denominator": p.denominator,
        }
        for p in points
    ]


def summary_rows(results: list[MetricResult], *, public: bool) -> list[dict[str, Any]]:
    return [
        {
            "result": r,
            "value_text": format_value(r.kind, r.value),
            "status_text": status_label(r.status),
            "status_css": status_class(r.status),
            "spark": sparkline(r),
            "cases_url": None if public else r.cases_url,
        }
        for r in results
    ]
