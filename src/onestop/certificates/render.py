"""Certificate PDFs with reportlab: title, data fields, the issuing unit's seal image and the QR
code holding the signed token. Callers render inside ``translation.override`` of the source
language (an official document is always in Chinese). Chinese text uses reportlab's built-in
CID font STSong-Light (no font file embedded, so PDFs stay small; readers ship a substitute)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@dataclass(frozen=True)
class Rendering:
    title: str
    identifier: str
    holder_label: str
    holder_name: str
    holder_id_masked: str
    fields: list[tuple[str, str]]
    issuer_name: str
    issued_on: str
    validity: str
    seal_png: bytes
    qr_payload: str
    footer: str


def qr_png(payload: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def render_pdf(r: Rendering) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    c.setTitle(r.title)
    c.setAuthor(r.issuer_name)
    c.setSubject(r.identifier)
    width, height = A4
    # frame
    c.setStrokeColor(Color(0.6, 0.1, 0.1))
    c.setLineWidth(2)
    c.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    c.setFont(FONT, 24)
    c.drawCentredString(width / 2, height - 40 * mm, r.title)
    c.setFont(FONT, 9)
    c.drawCentredString(width / 2, height - 48 * mm, r.identifier)
    y = height - 65 * mm
    rows = [(r.holder_label, r.holder_name), (_("证件号码"), r.holder_id_masked), *r.fields]
    rows += [
        (_("颁发单位"), r.issuer_name),
        (_("颁发日期"), r.issued_on),
        (_("有效期"), r.validity),
    ]
    for label, value in rows:
        c.setFont(FONT, 12)
        c.drawString(30 * mm, y, _("%(label)s：") % {"label": label})
        text = str(value)
        # wrap long values
        chunks = [text[i : i + 34] for i in range(0, len(text), 34)] or [""]
        for chunk in chunks:
            c.drawString(65 * mm, y, chunk)
            y -= 8 * mm
        if y < 90 * mm:
            break
    c.drawImage(
        ImageReader(io.BytesIO(r.seal_png)),
        width - 80 * mm,
        35 * mm,
        45 * mm,
        45 * mm,
        mask="auto",
    )
    c.drawImage(ImageReader(io.BytesIO(qr_png(r.qr_payload))), 30 * mm, 30 * mm, 45 * mm, 45 * mm)
    c.setFont(FONT, 8)
    c.drawString(30 * mm, 25 * mm, r.footer)
    c.showPage()
    c.save()
    return buf.getvalue()
