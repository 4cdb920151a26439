"""Server-rendered SVG charts for the commitments dashboard (no JavaScript, no CDN).

Each function returns a complete ``<svg>`` element as a safe string, ready to be placed into a
template. Every chart carries ``role="img"``, a ``<title>`` and a ``<desc>`` (listing the data
so that a screen reader gets the numbers too); every label is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

#: Palette (matches onestop.css: --blue, --red, --muted, --line).
BLUE = "#0b4a8b"
RED = "#b3261e"
MUTED = "#4a4f57"
LINE = "#d0d7e2"
GREEN = "#1b6e3a"


@dataclass(frozen=True)
class Series:
    """Points of a line chart: ``labels[i]`` is the x label of ``values[i]`` (None = gap)."""

    labels: Sequence[str]
    values: Sequence[float | None]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _fmt(value: float) -> str:
    """Compact coordinate (two decimals, no trailing zeros)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _header(
    *, width: int, height: int, title: str, desc: str, css_class: str, chart_id: str
) -> list[str]:
    title_id = f"{chart_id}-title"
    desc_id = f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {_e(css_class)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{_e(title_id)} {_e(desc_id)}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{_e(title_id)}">{_e(title)}</title>',
        f'<desc id="{_e(desc_id)}">{_e(desc)}</desc>',
    ]


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5, 10 x 10^k that is at least ``raw``."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw - 1e-12:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _scale(
    values: Sequence[float],
    extra: Sequence[float],
    *,
    floor_zero: bool,
    ticks: int = 4,
    integer: bool = False,
) -> tuple[float, float]:
    """Axis bounds covering the values (and the target) on round tick steps (whole numbers
    for counts)."""
    candidates = [*values, *extra]
    if not candidates:
        return 0.0, 1.0
    low, high = min(candidates), max(candidates)
    if floor_zero:
        low = min(low, 0.0)
    if high <= low:
        high = low + (abs(low) or 1.0)
    step = _nice_step((high - low) / ticks)
    if integer:
        step = float(math.ceil(step))
    while True:
        bottom = math.floor(low / step + 1e-9) * step
        if bottom + ticks * step >= high - 1e-9:
            return bottom, bottom + ticks * step
        step = _nice_step(step * 1.01)
        if integer:
            step = float(math.ceil(step))


def _describe(labels: Sequence[str], values: Sequence[str]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))


def line_chart(
    series: Series,
    *,
    title: str,
    chart_id: str,
    target: float | None = None,
    target_label: str = "",
    value_format: str = "{:.0%}",
    no_data: str = "—",
    width: int = 560,
    height: int = 220,
    floor_zero: bool = True,
) -> SafeString:
    """A trend line (gaps where a value is None) with the target as a dashed line."""
    left, right, top, bottom = 52, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for v in series.values if v is not None]
    low, high = _scale(present, [target] if target is not None else [], floor_zero=floor_zero)
    count = len(series.values)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / count if count else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    shown = [value_format.format(v) if v is not None else no_data for v in series.values]
    desc = _describe(series.labels, shown)
    if target is not None:
        desc = f"{target_label} {value_format.format(target)}; {desc}".strip("; ")
    out = _header(
        width=width, height=height, title=title, desc=desc, css_class="line", chart_id=chart_id
    )
    # grid: four horizontal lines with tick labels
    for step in range(5):
        v = low + (high - low) * step / 4
        gy = y(v)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_fmt(gy)}" y2="{_fmt(gy)}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_fmt(gy + 4)}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{_e(value_format.format(v))}</text>'
        )
    # x labels: at most ~8, always the last
    stride = max(1, (count + 7) // 8)
    for i, label in enumerate(series.labels):
        if (count - 1 - i) % stride:
            continue
        out.append(
            f'<text x="{_fmt(x(i))}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{_e(label)}</text>'
        )
    if target is not None:
        ty = y(target)
        out.append(
            f'<line class="target" x1="{left}" x2="{width - right}" y1="{_fmt(ty)}" '
            f'y2="{_fmt(ty)}" stroke="{RED}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        if target_label:
            out.append(
                f'<text x="{width - right - 4}" y="{_fmt(ty - 5)}" text-anchor="end" '
                f'font-size="11" fill="{RED}">{_e(target_label)}</text>'
            )
    # the line, split at gaps
    segments: list[list[tuple[float, float]]] = [[]]
    for i, point in enumerate(series.values):
        if point is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((x(i), y(point)))
    for segment in segments:
        if len(segment) > 1:
            points = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in segment)
            out.append(
                f'<polyline class="trend" points="{points}" fill="none" stroke="{BLUE}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
    for i, point in enumerate(series.values):
        if point is not None:
            out.append(
                f'<circle cx="{_fmt(x(i))}" cy="{_fmt(y(point))}" r="3" fill="{BLUE}">'
                f"<title>{_e(series.labels[i])}: {_e(value_format.format(point))}</title>"
                "</circle>"
            )
    if not present:
        out.append(
            f'<text x="{_fmt(left + plot_w / 2)}" y="{_fmt(top + plot_h / 2)}" '
            f'text-anchor="middle" font-size="13" fill="{MUTED}">{_e(no_data)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    chart_id: str,
    value_format: str = "{:.0f}",
    width: int = 560,
    height: int = 220,
    highlight: Sequence[str] = (),
) -> SafeString:
    """Vertical bars (histogram buckets, hours of the day); ``highlight`` labels drawn red."""
    left, right, top, bottom = 52, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in bars]
    _low, high = _scale(values, [], floor_zero=True, integer=value_format == "{:.0f}")
    count = len(bars)
    slot = plot_w / count if count else plot_w
    gap = min(6.0, slot * 0.2)
    labels = [label for label, _ in bars]
    desc = _describe(labels, [value_format.format(v) for v in values])
    out = _header(
        width=width, height=height, title=title, desc=desc, css_class="bars", chart_id=chart_id
    )
    for step in range(5):
        v = high * step / 4
        gy = top + plot_h * (1 - step / 4)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_fmt(gy)}" y2="{_fmt(gy)}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_fmt(gy + 4)}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{_e(value_format.format(v))}</text>'
        )
    stride = max(1, (count + 11) // 12)
    for i, (label, v) in enumerate(bars):
        bh = plot_h * v / high
        bx = left + slot * i + gap / 2
        colour = RED if label in highlight else BLUE
        out.append(
            f'<rect class="bar" x="{_fmt(bx)}" y="{_fmt(top + plot_h - bh)}" '
            f'width="{_fmt(max(slot - gap, 1.0))}" height="{_fmt(bh)}" fill="{colour}">'
            f"<title>{_e(label)}: {_e(value_format.format(v))}</title></rect>"
        )
        if i % stride == 0:
            out.append(
                f'<text x="{_fmt(left + slot * (i + 0.5))}" y="{height - bottom + 16}" '
                f'text-anchor="middle" font-size="11" fill="{MUTED}">{_e(label)}</text>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    chart_id: str,
    target: float | None = None,
    value_format: str = "{:.0%}",
    width: int = 120,
    height: int = 32,
) -> SafeString:
    """A tiny trend line for a summary table (target dashed, no axes)."""
    pad = 3
    present = [v for v in values if v is not None]
    low, high = _scale(present, [target] if target is not None else [], floor_zero=True)
    count = len(values)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (count - 1) if count > 1 else 0.5)

    def y(v: float) -> float:
        return pad + (height - 2 * pad) * (1 - (v - low) / (high - low))

    desc = ", ".join(value_format.format(v) if v is not None else "—" for v in values)
    out = _header(
        width=width, height=height, title=title, desc=desc, css_class="spark", chart_id=chart_id
    )
    if target is not None:
        ty = _fmt(y(target))
        out.append(
            f'<line class="target" x1="0" x2="{width}" y1="{ty}" y2="{ty}" stroke="{RED}" '
            f'stroke-width="1" stroke-dasharray="3 2"/>'
        )
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(f"{_fmt(x(i))},{_fmt(y(v))}")
    for segment in segments:
        if len(segment) > 1:
            out.append(
                f'<polyline class="trend" points="{" ".join(segment)}" fill="none" '
                f'stroke="{BLUE}" stroke-width="1.5"/>'
            )
        elif segment:
            px, py = segment[0].split(",")
            out.append(f'<circle cx="{px}" cy="{py}" r="1.5" fill="{BLUE}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above
