"""The payment receipt as a PDF (reportlab, built-in CJK font STSong-Light)."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from onestop.core import workdays

from .models import PaymentOrder, yuan

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def receipt_pdf(order: PaymentOrder) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A5)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{_('支付凭证')} {order.number}")
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, height - 60, _("电子支付凭证"))
    pdf.setFont(font, 10)
    pdf.drawCentredString(width / 2, height - 80, str(settings.SITE_NAME))
    paid_at = timezone.localtime(order.paid_at, workdays.SHANGHAI) if order.paid_at else None
    rows = [
        (_("订单号"), order.number),
        (_("缴费事项"), order.description),
        (_("收款单位"), order.unit.name if order.unit else "—"),
        (_("金额（元）"), yuan(order.paid_fen)),
        (_("已退款（元）"), yuan(order.refunded_fen)),
        (_("支付渠道交易号"), order.provider_txn_id or "—"),
        (_("支付时间"), paid_at.strftime("%Y-%m-%d %H:%M:%S") if paid_at else "—"),
        (_("状态"), str(order.get_state_display())),
    ]
    y = height - 120
    pdf.setFont(font, 12)
    for label, value in rows:
        pdf.drawString(60, y, f"{label}：")
        pdf.drawString(190, y, str(value))
        y -= 24
    pdf.setFont(font, 9)
    pdf.drawString(60, 40, _("本凭证由平台根据支付渠道的到账通知生成。"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
