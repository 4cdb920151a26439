"""Reading uploaded worker lists (CSV or XLSX) as a stream of rows.

``inspect_upload`` reads the whole file once, before anything is stored or queued: it decides the
kind from the content (the extension must agree), the CSV encoding (UTF-8 with or without BOM,
else GB 18030, which covers GBK), finds the header and counts the data rows. Any problem refuses
the file with :class:`UploadRefused`, whose message says what to fix. ``iter_rows`` then streams
the rows of the accepted file; neither function keeps more than one row in memory (openpyxl's
read-only mode streams the sheet XML).
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .checks import Chunk

NAME_HEADERS = frozenset({"姓名", "名字", "员工姓名", "name", "fullname"})
ID_HEADERS = frozenset(
    {
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "身份证",
        "证件号码",
        "idnumber",
        "idno",
        "id",
    }
)
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_UNPACKED = 400 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FOREIGN_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"MZ", b"\x7fELF", b"\x1f\x8b")


class UploadRefused(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Inspected:
    kind: str  # "csv" or "xlsx"
    encoding: str  # CSV only
    name_col: int
    id_col: int
    header_line: int
    rows: int


def _header_key(value: object) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch > "\u007f")


def _find_header(cells: list[Any]) -> tuple[int, int] | None:
    keys = [_header_key(c) for c in cells]
    name_col = next((i for i, k in enumerate(keys) if k in NAME_HEADERS), None)
    id_col = next((i for i, k in enumerate(keys) if k in ID_HEADERS), None)
    if name_col is None or id_col is None:
        return None
    return name_col, id_col


def _blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _blank_text(cells: list[Any]) -> bool:
    """``_blank`` for CSV rows (strings only), in one C call."""
    return not "".join(cells).strip()


def _kind_of(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise UploadRefused(
            _("不支持旧版 Excel（.xls）或已加密的文件，请另存为 .xlsx 或 CSV 后重新上传。"),
            code="xls",
        )
    if head.startswith(_FOREIGN_MAGIC) or b"\x00" in head:
        raise UploadRefused(_("只接受 CSV 或 XLSX 文件，该文件不是表格。"), code="type")
    return "csv"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def inspect_upload(
    file: IO[bytes], *, original_name: str, max_rows: int, max_bytes: int
) -> Inspected:
    """Check an upload completely; raise :class:`UploadRefused` with a clear message."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    if size == 0:
        raise UploadRefused(_("文件是空的。"), code="empty")
    if size > max_bytes:
        raise UploadRefused(
            _("文件过大（%(size)s），最大 %(max)s。")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="too_big",
        )
    head = file.read(8192)
    file.seek(0)
    kind = _kind_of(head)
    ext = _extension(original_name)
    if ext not in {"csv", "txt", "xlsx"}:
        raise UploadRefused(_("只接受扩展名为 .csv 或 .xlsx 的文件。"), code="extension")
    if (kind == "xlsx") != (ext == "xlsx"):
        raise UploadRefused(
            _("文件内容与扩展名不符：内容是 %(kind)s，扩展名却是 .%(ext)s。")
            % {"kind": kind.upper(), "ext": ext},
            code="mismatch",
        )
    if kind == "xlsx":
        return _inspect_xlsx(file, max_rows=max_rows)
    return _inspect_csv(file, max_rows=max_rows)


def _inspect_common(
    rows: Iterator[tuple[int, list[Any]]],
    *,
    max_rows: int,
    blank: Callable[[list[Any]], bool] = _blank,
) -> tuple[int, int, int, int]:
    header: tuple[int, int] | None = None
    header_line = 0
    count = 0
    for line, cells in rows:
        if blank(cells):
            continue
        if header is None:
            header = _find_header(cells)
            if header is None:
                raise UploadRefused(
                    _("未找到表头：第一行应包含“姓名”和“身份证号码”两列（可下载模板）。"),
                    code="no_header",
                )
            header_line = line
            continue
        count += 1
        if count > max_rows:
            raise UploadRefused(
                _("单个文件最多 %(max)d 行数据，请拆分后分批上传。") % {"max": max_rows},
                code="too_many_rows",
            )
    if header is None:
        raise UploadRefused(_("文件中没有内容。"), code="empty")
    if count == 0:
        raise UploadRefused(_("文件中只有表头，没有需要核查的数据行。"), code="no_rows")
    return header[0], header[1], header_line, count


# --- CSV ------------------------------------------------------------------------------------


def _csv_lines(file: IO[bytes], encoding: str) -> Iterator[tuple[int, list[Any]]]:
    file.seek(0)
    raw = io.BufferedReader(_Unclosable(file), buffer_size=1 << 16)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text, strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise UploadRefused(
            _("CSV 格式错误：第 %(line)d 行无法解析（例如引号未闭合）。")
            % {"line": reader.line_num},
            code="csv_syntax",
        ) from exc
    finally:
        text.detach()


def _encoding_of(file: IO[bytes]) -> str:
    for encoding in ("gb18030",):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        file.seek(0)
        try:
            while chunk := file.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UploadRefused(
        _("无法识别文件编码，请将 CSV 保存为 UTF-8 或 GBK 编码后重新上传。"), code="encoding"
    )


def _refuse_nul(file: IO[bytes]) -> None:
    """A NUL byte means binary content (UTF-8 and GB 18030 encode nothing else with it)."""
    file.seek(0)
    while chunk := file.read(1 << 20):
        if b"\x00" in chunk:
            raise UploadRefused(_("文件包含二进制内容，不是文本 CSV。"), code="binary")
    file.seek(0)


def _inspect_csv(file: IO[bytes], *, max_rows: int) -> Inspected:
    _refuse_nul(file)
    # Parse as UTF-8 straight away (one pass); only a file that is not UTF-8 is read again.
    try:
        encoding = "utf-8-sig"
        found = _inspect_common(_csv_lines(file, encoding), max_rows=max_rows, blank=_blank_text)
    except UnicodeDecodeError:
        encoding = _encoding_of(file)
        found = _inspect_common(_csv_lines(file, encoding), max_rows=max_rows, blank=_blank_text)
    name_col, id_col, header_line, count = found
    return Inspected("csv", encoding, name_col, id_col, header_line, count)


class _Unclosable(io.RawIOBase):
    """Lets ``TextIOWrapper`` read a file it must not close (the caller owns it)."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --- XLSX -----------------------------------------------------------------------------------


def _open_workbook(file: IO[bytes]) -> Any:
    import openpyxl

    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if (
                len(infos) > MAX_ZIP_ENTRIES
                or sum(info.file_size for info in infos) > MAX_ZIP_UNPACKED
                or "xl/workbook.xml" not in names
            ):
                raise zipfile.BadZipFile("not a workbook")
        file.seek(0)
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except UploadRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise UploadRefused(
            _("XLSX 文件已损坏或不是有效的 Excel 工作簿，请用 Excel 另存后重新上传。"),
            code="xlsx_broken",
        ) from exc


def _xlsx_lines(file: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    workbook = _open_workbook(file)
    try:
        sheet = workbook.worksheets[0]
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(cells)
    except UploadRefused:
        raise
    except Exception as exc:
        raise UploadRefused(
            _("XLSX 文件已损坏或不是有效的 Excel 工作簿，请用 Excel 另存后重新上传。"),
            code="xlsx_broken",
        ) from exc
    finally:
        workbook.close()


def _inspect_xlsx(file: IO[bytes], *, max_rows: int) -> Inspected:
    name_col, id_col, header_line, count = _inspect_common(_xlsx_lines(file), max_rows=max_rows)
    return Inspected("xlsx", "", name_col, id_col, header_line, count)


# --- streaming the accepted file ------------------------------------------------------------


def iter_chunks(file: IO[bytes], inspected: Inspected, *, size: int) -> Iterator[Chunk]:
    """The data rows of an inspected file (blank rows skipped, numbered as in the file) in
    chunks of ``size`` rows, as parallel lists: no object per row."""
    blank: Callable[[list[Any]], bool]
    if inspected.kind == "xlsx":
        lines: Iterator[tuple[int, list[Any]]] = _xlsx_lines(file)
        blank = _blank
    else:
        lines = _csv_lines(file, inspected.encoding)
        blank = _blank_text
    name_col, id_col, header_line = inspected.name_col, inspected.id_col, inspected.header_line
    width = max(name_col, id_col) + 1
    numbers: list[int] = []
    names: list[Any] = []
    ids: list[Any] = []
    for line, cells in lines:
        if line <= header_line or blank(cells):
            continue
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        numbers.append(line)
        names.append(cells[name_col])
        ids.append(cells[id_col])
        if len(numbers) >= size:
            yield Chunk(numbers, names, ids)
            numbers, names, ids = [], [], []
    if numbers:
        yield Chunk(numbers, names, ids)
