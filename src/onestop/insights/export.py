"""CSV and XLSX downloads of one metric's table (``metrics.metric_table``).

The writers are the catalogue's (UTF-8 BOM for Excel, formula-injection guard, styled header);
this module only names the file and turns ratios into plain numbers a spreadsheet can sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.http import HttpResponse

from onestop.catalogue.exports import csv_response, xlsx_response

FORMATS = ("csv", "xlsx")


def _cell(value: object) -> object:
    """Spreadsheet-friendly cell: None -> empty, floats rounded to 4 decimals."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, date):
        return value.isoformat()
    return value


def metric_export(
    *, fmt: str, key: str, title: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> HttpResponse:
    """The download response for ``fmt`` ("csv" or "xlsx"); ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    cells = [[_cell(v) for v in row] for row in rows]
    filename = f"insights-{key}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, cells)
    return xlsx_response(filename, title, header, cells)
