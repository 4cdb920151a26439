"""CSV and XLSX downloads of the published lists."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection (cells starting with = + - @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM so that Excel opens UTF-8 Chinese text correctly
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B4A8B")
        cell.alignment = Alignment(vertical="center")
    widths = [len(str(h)) * 2 + 2 for h in header]
    for row in rows:
        values = [_safe_cell(v) for v in row]
        sheet.append(values)
        for i, value in enumerate(values):
            widths[i] = min(max(widths[i], len(str(value)) * 2 + 2), 60)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response
