"""Uploaded materials: type by content, bounded size and pixels, safe names, no partial writes."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from functools import cache
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, InMemoryStorage, Storage
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin
from reportlab.pdfgen import canvas

from onestop.core.uploads import (
    ERROR_CODES,
    safe_display_name,
    safe_storage_name,
    store_upload,
    validate_upload,
)

STORED_NAME = re.compile(r"^materials/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|jpg|png|ofd)$")
OFD_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    b"<ofd:DocBody><ofd:DocInfo><ofd:DocID>abc</ofd:DocID></ofd:DocInfo>"
    b"<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


# --- sample files ------------------------------------------------------------------------------


@cache
def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(100, 750, "onestop material")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@cache
def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    buffer = io.BytesIO()
    image = Image.effect_noise(size, 64).convert("RGB" if fmt == "JPEG" else "L")
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ofd_bytes(**extra: bytes) -> bytes:
    return zip_bytes({"OFD.xml": OFD_XML, "Doc_0/Document.xml": b"<Document/>", **extra})


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def huge_png(side: int) -> bytes:
    """A side×side 1-bit greyscale PNG of zeros: tiny on disk, huge once decoded."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)
    rows = row * 1000
    data = b"".join(compressor.compress(rows) for _ in range(side // 1000)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


# --- helpers -----------------------------------------------------------------------------------


def stored_files(storage: Storage, path: str = "") -> list[str]:
    dirs, files = storage.listdir(path)
    found = [f"{path}/{name}".lstrip("/") for name in files]
    for directory in dirs:
        found += stored_files(storage, f"{path}/{directory}".lstrip("/"))
    return found


@pytest.fixture
def storage() -> InMemoryStorage:
    return InMemoryStorage()


def upload(name: str, data: bytes, content_type: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refuse(storage: Storage, file: File, code: str, **limits: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        store_upload(file, prefix="materials", storage=storage, **limits)  # type: ignore[arg-type]
    assert caught.value.code == code, caught.value
    assert caught.value.messages[0]
    assert stored_files(storage) == []
    return caught.value


# --- accepted ----------------------------------------------------------------------------------


def test_valid_pdf_is_stored_under_a_uuid_name_with_its_metadata(storage: InMemoryStorage) -> None:
    data = pdf_bytes()
    stored = store_upload(
        upload("身份证明.pdf", data, "application/pdf"), prefix="materials", storage=storage
    )
    assert stored.kind == "pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.safe_name == "身份证明.pdf"
    assert (stored.width, stored.height) == (None, None)
    assert STORED_NAME.match(stored.name)
    assert stored_files(storage) == [stored.name]
    with storage.open(stored.name) as saved:
        assert saved.read() == data


@pytest.mark.parametrize(
    ("name", "fmt", "content_type", "kind", "safe_name"),
    [
        ("photo.JPG", "JPEG", "image/jpeg", "jpeg", "photo.jpg"),
        ("photo.jpeg", "JPEG", "", "jpeg", "photo.jpg"),
        ("scan.png", "PNG", "image/png", "png", "scan.png"),
    ],
)
def test_valid_images_are_accepted_with_their_dimensions(
    storage: InMemoryStorage, name: str, fmt: str, content_type: str, kind: str, safe_name: str
) -> None:
    data = image_bytes(fmt, (64, 48))
    stored = store_upload(upload(name, data, content_type), prefix="materials", storage=storage)
    assert (stored.kind, stored.width, stored.height) == (kind, 64, 48)
    assert STORED_NAME.match(stored.name)
    assert stored.name.endswith(safe_name[-4:])
    assert stored.safe_name == safe_name
    assert stored_files(storage) == [stored.name]


def test_valid_ofd_is_accepted(storage: InMemoryStorage) -> None:
    data = ofd_bytes()
    stored = store_upload(
        upload("发票.ofd", data, "application/octet-stream"), prefix="materials", storage=storage
    )
    assert (stored.kind, stored.content_type) == ("ofd", "application/ofd")
    assert STORED_NAME.match(stored.name)
    assert stored_files(storage) == [stored.name]


def test_validate_upload_only_reports_and_never_stores() -> None:
    result = validate_upload(upload("a.png", image_bytes("PNG", (10, 20))))
    assert (result.kind, result.width, result.height) == ("png", 10, 20)


def test_file_of_exactly_max_bytes_is_accepted_and_one_more_is_refused(
    storage: InMemoryStorage,
) -> None:
    data = pdf_bytes()
    assert validate_upload(upload("a.pdf", data), max_bytes=len(data)).size == len(data)
    refuse(storage, upload("a.pdf", data), "too_large", max_bytes=len(data) - 1)


@override_settings(ONESTOP_UPLOAD_MAX_BYTES=100)
def test_default_size_limit_comes_from_settings(storage: InMemoryStorage) -> None:
    refuse(storage, upload("a.pdf", pdf_bytes()), "too_large")


# --- refused: size -----------------------------------------------------------------------------


def test_empty_file_is_refused(storage: InMemoryStorage) -> None:
    error = refuse(storage, upload("empty.pdf", b""), "empty")
    assert "文件为空" in error.messages[0]


def test_oversize_file_is_refused(storage: InMemoryStorage) -> None:
    error = refuse(
        storage, upload("big.pdf", pdf_bytes() + b"\0" * 5000), "too_large", max_bytes=1000
    )
    assert "文件过大" in error.messages[0]


class EndlessStream(io.RawIOBase):
    """A non-seekable stream of unknown length that counts the bytes handed out."""

    def __init__(self) -> None:
        self.handed_out = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 1 << 20 if size < 0 else size
        self.handed_out += size
        return (b"%PDF-" + b"x" * size)[:size] if self.handed_out == size else b"x" * size


def test_oversize_stream_is_refused_after_reading_at_most_max_bytes_plus_one(
    storage: InMemoryStorage,
) -> None:
    stream = EndlessStream()
    refuse(storage, File(stream, name="big.pdf"), "too_large", max_bytes=100_000)
    assert 100_000 < stream.handed_out <= 100_001


def test_declared_size_that_lies_does_not_help(storage: InMemoryStorage) -> None:
    data = pdf_bytes() + b"\0" * 5000
    lying = InMemoryUploadedFile(io.BytesIO(data), "file", "a.pdf", "application/pdf", 10, None)
    refuse(storage, lying, "too_large", max_bytes=1000)


# --- refused: type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        b"\x7fELF\x02\x01\x01\x00" + b"\0" * 56,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 54 + b"PE\0\0",
        b"#!/bin/sh\nrm -rf /\n",
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 24,
    ],
    ids=["elf", "pe", "shebang", "mach-o"],
)
def test_executable_renamed_pdf_is_refused(storage: InMemoryStorage, header: bytes) -> None:
    refuse(storage, upload("申请表.pdf", header + b"%PDF-1.4\n%%EOF\n"), "executable")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("photo.png", b"\xef\xbb\xbf  <html><script>alert(1)</script>"),
        (
            "photo.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(document.cookie)</script></svg>",
        ),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
    ids=["html", "html-bom", "svg-script-as-png", "svg"],
)
def test_html_and_svg_are_refused(storage: InMemoryStorage, name: str, data: bytes) -> None:
    refuse(storage, upload(name, data), "active_content")


def test_png_carrying_html_in_its_first_kilobyte_is_refused(storage: InMemoryStorage) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    data = image_bytes("PNG", pnginfo=info)
    refuse(storage, upload("a.png", data), "active_content")


def test_pdf_with_javascript_action_is_refused(storage: InMemoryStorage) -> None:
    data = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
        b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    refuse(storage, upload("a.pdf", data), "active_content")


def test_unknown_content_is_refused(storage: InMemoryStorage) -> None:
    refuse(storage, upload("notes.pdf", "就是一段文字".encode()), "unsupported_type")


def test_png_named_pdf_is_refused(storage: InMemoryStorage) -> None:
    error = refuse(storage, upload("scan.pdf", image_bytes("PNG")), "type_mismatch")
    assert "PNG" in error.messages[0]


def test_pdf_declared_as_png_is_refused(storage: InMemoryStorage) -> None:
    refuse(storage, upload("a.pdf", pdf_bytes(), "image/png"), "type_mismatch")


def test_name_without_extension_is_refused(storage: InMemoryStorage) -> None:
    refuse(storage, upload("scan", pdf_bytes()), "type_mismatch")


def test_kind_outside_the_allowed_set_is_refused(storage: InMemoryStorage) -> None:
    refuse(storage, upload("a.png", image_bytes("PNG")), "type_not_allowed", allowed={"pdf"})


def test_pdf_without_end_marker_is_refused(storage: InMemoryStorage) -> None:
    data = pdf_bytes()
    refuse(storage, upload("a.pdf", data[: len(data) // 2]), "corrupt")


# --- refused: images ---------------------------------------------------------------------------


def test_decompression_bomb_png_is_refused(storage: InMemoryStorage) -> None:
    bomb = huge_png(20_000)  # 400 million pixels in a few tens of kilobytes
    assert len(bomb) < 200_000
    refuse(storage, upload("bomb.png", bomb), "image_too_large")
    # Pillow's own guard stops it even if our limits are lifted.
    refuse(
        storage,
        upload("bomb.png", bomb),
        "image_too_large",
        max_pixels=10**12,
        max_side=10**6,
    )


def test_decompression_bomb_warning_is_an_error(storage: InMemoryStorage) -> None:
    # 100 Mpx is above Pillow's warning threshold (~89 Mpx) but below its error threshold.
    refuse(
        storage,
        upload("bomb.png", huge_png(10_000)),
        "image_too_large",
        max_pixels=10**12,
        max_side=10**6,
    )


def test_image_pixel_and_side_limits(storage: InMemoryStorage) -> None:
    refuse(
        storage,
        upload("a.png", image_bytes("PNG", (200, 200))),
        "image_too_large",
        max_pixels=10_000,
    )
    refuse(storage, upload("a.png", image_bytes("PNG", (13_000, 1))), "image_too_large")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_is_refused(storage: InMemoryStorage, fmt: str) -> None:
    data = image_bytes(fmt, (300, 300))
    name = "a.jpg" if fmt == "JPEG" else "a.png"
    refuse(storage, upload(name, data[: len(data) * 2 // 3]), "corrupt")


# --- refused: OFD ------------------------------------------------------------------------------


def test_zip_bomb_posing_as_ofd_is_refused(storage: InMemoryStorage) -> None:
    bomb = ofd_bytes(**{"Doc_0/Res/blob.bin": b"\0" * (8 * 1024 * 1024)})
    assert len(bomb) < 50_000
    refuse(storage, upload("bomb.ofd", bomb), "archive_too_large", max_unpacked_bytes=1024 * 1024)


def test_ofd_with_too_many_entries_is_refused(storage: InMemoryStorage) -> None:
    many = ofd_bytes(**{f"Doc_0/Pages/Page_{i}/Content.xml": b"<x/>" for i in range(30)})
    refuse(storage, upload("many.ofd", many), "archive_too_large", max_archive_entries=10)


@pytest.mark.parametrize(
    "entry", ["../evil.sh", "/etc/cron.d/evil", "Doc_0/../../evil", "C:/evil", "Doc_0\\evil"]
)
def test_ofd_with_unsafe_entry_names_is_refused(storage: InMemoryStorage, entry: str) -> None:
    refuse(storage, upload("a.ofd", ofd_bytes(**{entry: b"x"})), "unsafe_archive")


def test_ofd_with_entity_expansion_is_refused(storage: InMemoryStorage) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE OFD [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><OFD>&b;</OFD>'
    )
    refuse(storage, upload("a.ofd", zip_bytes({"OFD.xml": laughs})), "unsafe_archive")


@pytest.mark.parametrize(
    "entries",
    [
        {"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"},
        {"Doc_0/OFD.xml": OFD_XML},
        {"OFD.xml": b"<html/>"},
    ],
    ids=["docx-like", "ofd-xml-not-at-root", "wrong-root-element"],
)
@pytest.mark.parametrize("name", ["a.ofd", "a.docx", "a.zip"])
def test_zip_that_is_not_ofd_is_refused(
    storage: InMemoryStorage, entries: dict[str, bytes], name: str
) -> None:
    refuse(storage, upload(name, zip_bytes(entries)), "unsupported_type")


def test_corrupt_ofd_is_refused(storage: InMemoryStorage) -> None:
    data = ofd_bytes()
    refuse(storage, upload("a.ofd", data[: len(data) // 2]), "corrupt")


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "..\\..\\evil.pdf", "/abs/x.pdf", "a\x00b.pdf", "C:evil.pdf", ".."],
)
def test_path_traversal_names_are_refused_and_nothing_is_stored(tmp_path: Path, name: str) -> None:
    media = tmp_path / "media"
    media.mkdir()
    storage = FileSystemStorage(location=media)
    refuse(storage, File(io.BytesIO(pdf_bytes()), name=name), "unsafe_name")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_plain_names_are_stored_under_uuid_names_inside_the_prefix(tmp_path: Path) -> None:
    media = tmp_path / "media"
    storage = FileSystemStorage(location=media)
    stored = store_upload(
        File(io.BytesIO(pdf_bytes()), name="户口本 (1).pdf"), prefix="materials", storage=storage
    )
    assert STORED_NAME.match(stored.name)
    assert stored.safe_name == "户口本 (1).pdf"
    on_disk = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert on_disk == [f"media/{stored.name}"]


def test_windows_name_with_wrong_extension_is_refused(tmp_path: Path) -> None:
    storage = FileSystemStorage(location=tmp_path)
    refuse(storage, File(io.BytesIO(pdf_bytes()), name="win.ini"), "type_mismatch")
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\户口本.PDF", "户口本.pdf"),
        ("a\x00b\x1f.pdf", "ab.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1.tar.pdf", "_lpt1.tar.pdf"),
        ('a<b>:"c|d?*.pdf', "a_b___c_d__.pdf"),
        ("", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 60 + ".pdf"),
    ],
)
def test_safe_display_name(original: str, expected: str) -> None:
    assert safe_display_name(original, kind="pdf") == expected


def test_safe_storage_name_ignores_the_client_name() -> None:
    first = safe_storage_name("../../x.png", prefix="materials/cases")
    second = safe_storage_name("../../x.png", prefix="materials/cases")
    assert re.fullmatch(r"materials/cases/\d{4}/\d{2}/[0-9a-f]{32}\.png", first)
    assert first != second
    assert safe_storage_name("x.exe", prefix="m").endswith(".bin")
    assert safe_storage_name("x.exe", prefix="m", kind="jpeg").endswith(".jpg")


@pytest.mark.parametrize("prefix", ["../media", "a/../b", "", "/", "a b", ".hidden"])
def test_unsafe_prefix_is_a_programming_error(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        safe_storage_name("a.pdf", prefix=prefix)


# --- property ----------------------------------------------------------------------------------

MAGIC_PREFIXES = [b"", b"%PDF-1.7\n", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"]


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(MAGIC_PREFIXES),
    body=st.binary(max_size=4096),
    name=st.sampled_from(["a.pdf", "a.jpg", "a.png", "a.ofd", "a", "../a.pdf", "a\x00.png"]),
)
def test_random_bytes_raise_nothing_but_validation_error(
    prefix: bytes, body: bytes, name: str
) -> None:
    try:
        validate_upload(File(io.BytesIO(prefix + body), name=name), max_bytes=8192)
    except ValidationError as error:
        assert error.code in ERROR_CODES


@hypothesis_settings(max_examples=50, deadline=None)
@given(st.data())
def test_mangled_valid_files_raise_nothing_but_validation_error(data: st.DataObject) -> None:
    name, original = data.draw(
        st.sampled_from(
            [
                ("a.pdf", pdf_bytes()),
                ("a.png", image_bytes("PNG", (16, 16))),
                ("a.jpg", image_bytes("JPEG", (16, 16))),
                ("a.ofd", ofd_bytes()),
            ]
        )
    )
    position = data.draw(st.integers(0, len(original) - 1))
    junk = data.draw(st.binary(min_size=1, max_size=16))
    cut = data.draw(st.booleans())
    mangled = original[:position] + junk + (b"" if cut else original[position + len(junk) :])
    try:
        validate_upload(File(io.BytesIO(mangled), name=name))
    except ValidationError as error:
        assert error.code in ERROR_CODES


def test_ofd_whose_entries_lie_about_their_size_is_refused(storage: InMemoryStorage) -> None:
    data = bytearray(ofd_bytes(**{"Doc_0/Res/blob.bin": b"\0" * (8 * 1024 * 1024)}))
    name = b"Doc_0/Res/blob.bin"
    local, central = data.find(name), data.rfind(name)
    struct.pack_into("<I", data, local - 30 + 22, 100)  # local header: uncompressed size
    struct.pack_into("<I", data, central - 46 + 24, 100)  # central directory: uncompressed size
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("Doc_0/Res/blob.bin").file_size == 100
    with pytest.raises(ValidationError) as caught:
        store_upload(
            upload("liar.ofd", bytes(data)),
            prefix="materials",
            storage=storage,
            max_unpacked_bytes=1024 * 1024,
        )
    assert caught.value.code in {"corrupt", "archive_too_large"}
    assert stored_files(storage) == []
