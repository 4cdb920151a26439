"""The server-rendered SVG charts: well-formed, accessible, escaped, and drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from onestop.insights import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_line_chart_is_accessible_and_escapes_labels() -> None:
    svg = charts.line_chart(
        charts.Series(["<b>w1</b>", "w2 & co", "w3"], [0.5, None, 0.9]),
        title='On-time "rate" <script>',
        chart_id="weekly-x",
        target=0.8,
        target_label="目标 ≥ 80%",
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "weekly-x-title weekly-x-desc"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and title.text == 'On-time "rate" <script>'
    assert desc is not None and desc.text is not None
    # the description carries the data for screen readers, the gap shown as a dash
    assert "<b>w1</b>: 50%" in desc.text and "w2 & co: —" in desc.text and "w3: 90%" in desc.text
    assert "80%" in desc.text
    labels = [t.text for t in root.findall("svg:text", NS)]
    assert "<b>w1</b>" in labels and "目标 ≥ 80%" in labels


def test_line_chart_target_is_dashed_and_gaps_split_the_line() -> None:
    values: list[float | None] = [0.2, 0.4, None, 0.6, 0.8, 1.0]
    svg = charts.line_chart(
        charts.Series([str(i) for i in range(6)], values),
        title="t",
        chart_id="c",
        target=0.5,
    )
    root = parse(svg)
    target = [e for e in root.findall("svg:line", NS) if e.get("class") == "target"]
    assert len(target) == 1 and target[0].get("stroke-dasharray")
    lines = [e for e in root.findall("svg:polyline", NS) if e.get("class") == "trend"]
    # two segments: [0.2, 0.4] and [0.6, 0.8, 1.0]
    assert [len(str(e.get("points")).split()) for e in lines] == [2, 3]
    circles = root.findall("svg:circle", NS)
    assert len(circles) == 5
    # higher values are drawn higher (smaller y); the target sits between 0.4 and 0.6
    ys = [float(str(c.get("cy"))) for c in circles]
    assert ys == sorted(ys, reverse=True)
    target_y = float(str(target[0].get("y1")))
    assert ys[1] > target_y > ys[2]


def test_line_chart_without_data_says_so() -> None:
    svg = charts.line_chart(
        charts.Series(["a", "b"], [None, None]), title="t", chart_id="c", no_data="暂无数据"
    )
    root = parse(svg)
    assert root.findall("svg:polyline", NS) == []
    assert "暂无数据" in [t.text for t in root.findall("svg:text", NS)]


def test_bar_chart_heights_are_proportional_and_highlighted() -> None:
    svg = charts.bar_chart(
        [("≤100%", 30.0), ("≤150%", 15.0), (">200%", 0.0)],
        title="分布",
        chart_id="h",
        highlight=(">200%", "≤150%"),
    )
    root = parse(svg)
    bars = [e for e in root.findall("svg:rect", NS) if e.get("class") == "bar"]
    assert len(bars) == 3
    heights = [float(str(b.get("height"))) for b in bars]
    assert heights[0] == 2 * heights[1] and heights[2] == 0
    assert bars[0].get("fill") == charts.BLUE and bars[1].get("fill") == charts.RED
    tips = [b.find("svg:title", NS) for b in bars]
    assert [t.text for t in tips if t is not None] == ["≤100%: 30", "≤150%: 15", ">200%: 0"]


def test_bar_chart_of_zeros_does_not_divide_by_zero() -> None:
    root = parse(charts.bar_chart([("0", 0.0), ("1", 0.0)], title="t", chart_id="z"))
    assert [b.get("height") for b in root.findall("svg:rect", NS)] == ["0", "0"]


def test_sparkline_draws_one_point_per_value() -> None:
    root = parse(
        charts.sparkline([1.0, 2.0, 3.0], title="spark", chart_id="s", value_format="{:.0f}")
    )
    desc = root.find("svg:desc", NS)
    assert desc is not None and desc.text == "1, 2, 3"
    (line,) = root.findall("svg:polyline", NS)
    assert len(str(line.get("points")).split()) == 3


def test_axes_use_round_ticks() -> None:
    root = parse(
        charts.line_chart(
            charts.Series(["a", "b"], [52.0, 91.0]),
            title="t",
            chart_id="r",
            target=80.0,
            value_format="{:.0f}%",
        )
    )
    ticks = [t.text for t in root.findall("svg:text", NS) if t.get("text-anchor") == "end"]
    assert ticks[:5] == ["0%", "25%", "50%", "75%", "100%"]
    bars = parse(charts.bar_chart([("x", 2.0), ("y", 1.0)], title="t", chart_id="b"))
    ticks = [t.text for t in bars.findall("svg:text", NS) if t.get("text-anchor") == "end"]
    assert ticks == ["0", "1", "2", "3", "4"]
