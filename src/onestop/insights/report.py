"""The monthly commitments report (承诺兑现月报) as a PDF, rendered with reportlab.

``services.monthly_report_generate`` calls :func:`render_monthly_pdf` for the first day of a
month and archives the bytes. The report is an official document, so it is always rendered in
the source language (Simplified Chinese), with the CID font the certificates app registers
(STSong-Light: nothing embedded, readers substitute a system Song typeface).

Contents: the summary table of every metric as of the month's last day (target, value, status),
the worst units and items of every metric that fails, and the progress of the policy measures
(done, overdue, failing commitments). Only aggregates: no personal data, no case numbers.
"""

from __future__ import annotations

import io
from calendar import monthrange
from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from onestop.certificates.render import FONT

from . import metrics
from .metrics import MeasuresProgress, MetricResult, Row
from .views.common import format_value, status_label

BLUE = colors.HexColor("#0b4a8b")
LIGHT = colors.HexColor("#e8f0fa")
RED = colors.HexColor("#b3261e")
GREEN = colors.HexColor("#1b6e3a")
GRID = colors.HexColor("#d0d7e2")

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, wordWrap="CJK")
HEADING = ParagraphStyle(
    "heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4,
    textColor=BLUE, wordWrap="CJK",
)  # fmt: skip
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, textColor=colors.grey)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)


def _p(text: object, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(header: list[str], rows: list[list[object]], widths: list[float]) -> Table:
    data: list[list[object]] = [[_p(h) for h in header]]
    data += [[c if isinstance(c, Flowable) else _p(c) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _status(status: str) -> Paragraph:
    colour = {"pass": GREEN, "fail": RED}.get(status, colors.grey)
    return Paragraph(
        escape(status_label(status)), ParagraphStyle("status", parent=CELL, textColor=colour)
    )


def _summary(results: list[MetricResult]) -> Table:
    rows: list[list[object]] = []
    for r in results:
        share = f"{r.numerator} / {r.denominator}" if r.denominator else "—"
        rows.append(
            [r.title, r.target_text or "—", format_value(r.kind, r.value), share, _status(r.status)]
        )
    return _table(
        [_("承诺指标"), _("目标"), _("本期值"), _("分子 / 分母"), _("状态")],
        rows,
        [70 * mm, 28 * mm, 30 * mm, 28 * mm, 18 * mm],
    )


def _worst(result: MetricResult, rows: tuple[Row, ...], first: str) -> Table:
    return _table(
        [first, _("值"), _("分子 / 分母"), _("状态")],
        [
            [
                row.label,
                format_value(result.kind, row.value),
                f"{row.numerator} / {row.denominator}",
                _status(row.status),
            ]
            for row in rows[:5]
        ],
        [84 * mm, 34 * mm, 32 * mm, 24 * mm],
    )


def _progress(progress: MeasuresProgress) -> list[Flowable]:
    out: list[Flowable] = [
        _table(
            [_("措施总数"), _("已完成"), _("推进中"), _("长期坚持"), _("未启动"), _("已逾期")],
            [
                [
                    progress.total,
                    progress.done,
                    progress.in_progress,
                    progress.ongoing,
                    progress.not_started,
                    progress.overdue,
                ]
            ],
            [29 * mm] * 6,
        )
    ]
    if progress.overdue_measures:
        out += [Spacer(1, 4 * mm), _p(_("逾期未完成的措施"), HEADING)]
        out.append(
            _table(
                [_("措施"), _("完成期限"), _("状态"), _("进度")],
                [
                    [
                        f"{m.citation} {m.title}",
                        f"{m.deadline:%Y-%m-%d}" if m.deadline else "—",
                        m.status_label,
                        f"{m.percent}%",
                    ]
                    for m in progress.overdue_measures
                ],
                [100 * mm, 28 * mm, 28 * mm, 18 * mm],
            )
        )
    if progress.failing_commitments:
        out += [Spacer(1, 4 * mm), _p(_("未达标的承诺"), HEADING)]
        out += [
            _p(f"{n}. {c.title}", BODY) for n, c in enumerate(progress.failing_commitments, start=1)
        ]
    return out


def _last_day(month: date) -> date:
    return month.replace(day=monthrange(month.year, month.month)[1])


def render_monthly_pdf(*, month: date) -> bytes:
    """The report of ``month`` (its first day) as PDF bytes, computed as of its last day."""
    month = month.replace(day=1)
    as_of = _last_day(month)
    with translation.override(settings.LANGUAGE_CODE):
        results = metrics.dashboard(as_of=as_of, public=True)
        progress = metrics.measures_progress(as_of=as_of)
        title = _("%(month)s 承诺兑现月报") % {"month": f"{month:%Y-%m}"}
        footer = _("%(site)s，生成于 %(when)s") % {
            "site": str(settings.SITE_NAME),
            "when": f"{timezone.localtime():%Y-%m-%d %H:%M}",
        }
        story: list[Flowable] = [
            _p(title, TITLE),
            Spacer(1, 2 * mm),
            _p(
                _(
                    "统计截至 %(day)s。数字来自平台办理记录的每日统计；"
                    "“暂无数据”表示本期没有可统计的记录。"
                )
                % {"day": f"{as_of:%Y-%m-%d}"},
                SMALL,
            ),
            Spacer(1, 4 * mm),
            _p(_("一、各项承诺兑现情况"), HEADING),
            _summary(results),
        ]
        notes = [r for r in results if r.note]
        if notes:
            story.append(Spacer(1, 2 * mm))
            story += [_p(f"{r.title}：{r.note}", SMALL) for r in notes]
        story += [Spacer(1, 4 * mm), _p(_("二、未达标承诺的落后单位和事项"), HEADING)]
        failing = [r for r in results if r.status == "fail" and (r.worst_units or r.worst_items)]
        if not failing:
            story.append(_p(_("本期没有未达标的承诺。"), BODY))
        for r in failing:
            block: list[Flowable] = [_p(f"{r.title}（{_('目标')} {r.target_text}）", BODY)]
            if r.worst_units:
                block.append(_worst(r, r.worst_units, _("单位")))
            if r.worst_items:
                block += [Spacer(1, 2 * mm), _worst(r, r.worst_items, _("事项"))]
            block.append(Spacer(1, 4 * mm))
            story.append(KeepTogether(block))
        first, *rest = _progress(progress)
        story += [Spacer(1, 2 * mm), KeepTogether([_p(_("三、改革措施进展"), HEADING), first])]
        story += rest

        def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
            canvas.saveState()
            canvas.setFont(FONT, 8)
            canvas.setFillColor(colors.grey)
            page = _("第 %(page)d 页") % {"page": doc.page}
            # STSong-Light has no glyph for "·" (U+00B7): separate with a vertical bar
            canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{footer} | {page}")
            canvas.restoreState()

        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=title,
            author=str(settings.SITE_NAME),
            subject=_("承诺兑现月报"),
        )
        doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
