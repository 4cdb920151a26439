"""Validating and storing uploaded files (application materials and the like).

Nothing the client says about a file is trusted:

* the **type** is sniffed from the content (magic bytes plus a structural check per kind), and the
  client's file extension and declared content type must agree with it, otherwise the upload is
  refused (a PNG named ``.pdf`` is refused, not silently renamed);
* the **size** is counted while streaming; at most ``max_bytes + 1`` bytes are ever read from the
  client's file, so an oversize upload is refused without buffering it;
* a client name with a directory part (``/``, ``\\``, ``..``, a drive letter) or a NUL is
  refused (``unsafe_name``);
* the **name** never reaches the storage path: files are stored as
  ``<prefix>/<yyyy>/<mm>/<uuid4>.<ext of the sniffed kind>``; a sanitised short name is kept only
  for display (``ValidatedUpload.safe_name``).

Accepted kinds: ``pdf`` (``%PDF-`` header, ``%%EOF`` near the end, no JavaScript/Launch actions in
its uncompressed parts — a best-effort check: names inside compressed object streams are not
inspected), ``jpeg`` and ``png`` (decoded by Pillow with bounded dimensions, decompression-bomb
warnings treated as errors, ``verify()`` then a full ``load()`` so truncated files are refused) and
``ofd`` (GB/T 33190: a ZIP container with ``OFD.xml`` at its root; entry count and total unpacked
size are capped, every entry is decompressed with a running byte count and its CRC checked, and
absolute, ``..``, backslash, duplicate, encrypted and symlink entries are refused).

Executables (PE ``MZ``, ELF, Mach-O, ``#!`` scripts, WebAssembly) and HTML/SVG/XML/script markup are
refused outright, even when named like an accepted kind.

Every refusal is a ``django.core.exceptions.ValidationError`` with one of the codes in
``ERROR_CODES`` and a translatable message; ``store_upload`` writes nothing unless validation
passed, and what it writes is the validated copy of the bytes (the client's file is not re-read).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
import stat
import tempfile
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import IO, Any, cast
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image
from rest_framework import parsers as drf_parsers
from rest_framework.exceptions import ParseError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE = 12_000
DEFAULT_MAX_ARCHIVE_ENTRIES = 2_000
DEFAULT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ALL_KINDS: frozenset[str] = frozenset({"pdf", "jpeg", "png", "ofd"})

ERROR_CODES = frozenset(
    {
        "empty",
        "too_large",
        "executable",
        "active_content",
        "unsupported_type",
        "type_not_allowed",
        "type_mismatch",
        "corrupt",
        "image_too_large",
        "archive_too_large",
        "unsafe_archive",
        "unsafe_name",
    }
)

_CHUNK = 64 * 1024
_SPOOL_IN_MEMORY = 1024 * 1024
_HEAD = 1024
_MAX_OFD_XML = 1024 * 1024


@dataclass(frozen=True)
class _Kind:
    content_type: str
    extension: str
    extensions: frozenset[str]
    content_types: frozenset[str]


_GENERIC_CONTENT_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})

KINDS: dict[str, _Kind] = {
    "pdf": _Kind(
        "application/pdf",
        "pdf",
        frozenset({"pdf"}),
        frozenset({"application/pdf", "application/x-pdf"}),
    ),
    "jpeg": _Kind(
        "image/jpeg",
        "jpg",
        frozenset({"jpg", "jpeg", "jpe", "jfif"}),
        frozenset({"image/jpeg", "image/jpg", "image/pjpeg"}),
    ),
    "png": _Kind("image/png", "png", frozenset({"png"}), frozenset({"image/png", "image/x-png"})),
    "ofd": _Kind(
        "application/ofd",
        "ofd",
        frozenset({"ofd"}),
        frozenset({"application/ofd", "application/zip", "application/x-zip-compressed"}),
    ),
}

_EXECUTABLE_MAGIC = (
    b"MZ",  # PE / DOS executables
    b"\x7fELF",
    b"#!",
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal (and Java class files)
    b"\x00asm",  # WebAssembly
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Markup that a browser's content sniffing would render as a page if the file were ever served.
_MARKUP_IN_HEAD = re.compile(
    rb"<(?:script|html|svg|body|iframe|object|embed|!doctype\s+html)", re.IGNORECASE
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?=[\s/<>\[\]()%]|$)")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"/\\|?*]')
_PREFIX_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_DISPLAY_STEM_MAX = 60

_MESSAGES: dict[str, Any] = {
    "empty": _("文件为空。"),
    "too_large": _("文件过大，大小上限为 %(limit)s。"),
    "executable": _("不接受可执行文件或脚本。"),
    "active_content": _("文件包含网页、脚本等活动内容，不予接受。"),
    "unsupported_type": _("无法识别的文件类型，仅接受 PDF、JPEG、PNG、OFD 文件。"),
    "type_not_allowed": _("此处不接受 %(kind)s 文件。"),
    "type_mismatch": _("文件扩展名或类型与文件内容（%(kind)s）不符。"),
    "corrupt": _("文件已损坏或不完整（%(kind)s）。"),
    "image_too_large": _("图片尺寸过大，上限为 %(max_side)s 像素边长、%(max_pixels)s 像素。"),
    "archive_too_large": _("OFD 文件解压后过大或包含的条目过多。"),
    "unsafe_archive": _("OFD 文件包含不安全的条目。"),
    "unsafe_name": _("文件名不能包含路径（/、\\、..）或控制字符，请改名后重新上传。"),
}

_KIND_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "ofd": "OFD"}


def _error(code: str, **params: Any) -> ValidationError:
    return ValidationError(_MESSAGES[code], code=code, params=params or None)


@dataclass(frozen=True)
class ValidatedUpload:
    """What validation found out about an upload (nothing here comes from the client verbatim)."""

    kind: str
    content_type: str
    size: int
    sha256: str
    safe_name: str
    width: int | None
    height: int | None

    @property
    def extension(self) -> str:
        return KINDS[self.kind].extension


@dataclass(frozen=True)
class StoredUpload(ValidatedUpload):
    """A validated upload after saving; ``name`` is the storage name to keep in a FileField."""

    name: str


@dataclass(frozen=True)
class _Limits:
    max_bytes: int
    allowed: frozenset[str]
    max_pixels: int
    max_side: int
    max_archive_entries: int
    max_unpacked_bytes: int


# --- names -------------------------------------------------------------------------------------


def _basename(original_name: str) -> str:
    return re.split(r"[/\\]", original_name or "")[-1]


def _client_extension(original_name: str) -> str:
    base = _strip_control(_basename(original_name)).strip().rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    return ext.lower() if dot and stem.strip(". ") else ""


def _strip_control(text: str) -> str:
    # Cc: C0/C1 controls incl. NUL; Cf: format chars such as U+202E (right-to-left override).
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def safe_display_name(original_name: str, *, kind: str | None = None) -> str:
    """A short, harmless version of the client's file name, for display only.

    Directories (``/`` and ``\\``), NUL and other control/format characters, leading dots and
    characters Windows forbids are removed, Windows device names (``CON``, ``LPT1`` …) are
    defused, the stem is cut to 60 characters, and the extension is the sniffed kind's.
    """
    base = _strip_control(unicodedata.normalize("NFC", _basename(original_name)))
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip().lstrip(".").rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem.strip().rstrip(". ")[:_DISPLAY_STEM_MAX].rstrip(". ") or "file"
    if stem.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = KINDS[kind].extension if kind is not None else re.sub(r"[^a-z0-9]", "", ext.lower())[:10]
    return f"{stem}.{ext}" if ext else stem


def _prefix_segments(prefix: str) -> list[str]:
    segments = prefix.strip("/").split("/")
    if not all(_PREFIX_SEGMENT.match(segment) for segment in segments):
        raise ValueError(f"unsafe storage prefix: {prefix!r}")
    return segments


def safe_storage_name(original_name: str, *, prefix: str, kind: str | None = None) -> str:
    """The storage path for a new upload: ``<prefix>/<yyyy>/<mm>/<uuid4>.<ext>``.

    The client's name contributes nothing but (when ``kind`` is not given) an extension, and only
    one belonging to an accepted kind; otherwise the extension is ``bin``. ``prefix`` comes from
    code, not clients: one or more ``/``-separated segments of letters, digits, ``_`` and ``-``.
    """
    segments = _prefix_segments(prefix)
    if kind is not None:
        ext = KINDS[kind].extension
    else:
        client_ext = _client_extension(original_name)
        ext = next(
            (k.extension for k in KINDS.values() if client_ext in k.extensions),
            "bin",
        )
    today = timezone.localdate()
    return f"{'/'.join(segments)}/{today:%Y}/{today:%m}/{uuid.uuid4().hex}.{ext}"


# --- reading -----------------------------------------------------------------------------------


def _spool(file: File[Any] | IO[bytes], max_bytes: int) -> tuple[IO[bytes], int, str]:
    """Copy at most ``max_bytes`` (+1 to detect excess) into a temporary file, hashing as we go."""
    declared = file.size if isinstance(file, UploadedFile) else None
    if declared is not None and declared > max_bytes:
        raise _error("too_large", limit=filesizeformat(max_bytes))
    with contextlib.suppress(AttributeError, OSError, ValueError):
        file.seek(0)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    digest = hashlib.sha256()
    total = 0
    try:
        while True:
            chunk = file.read(min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            if not isinstance(chunk, bytes):
                raise TypeError("uploads must be read in binary mode")
            total += len(chunk)
            if total > max_bytes:
                raise _error("too_large", limit=filesizeformat(max_bytes))
            digest.update(chunk)
            spool.write(chunk)
        if total == 0:
            raise _error("empty")
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, total, digest.hexdigest()


def _chunks(spool: IO[bytes], overlap: int = 0) -> Iterator[bytes]:
    """The spooled content in pieces, each prefixed by the previous piece's tail."""
    spool.seek(0)
    tail = b""
    while chunk := spool.read(_SPOOL_IN_MEMORY):
        yield tail + chunk
        tail = chunk[-overlap:] if overlap else b""


# --- sniffing ----------------------------------------------------------------------------------


def _sniff(spool: IO[bytes]) -> str:
    spool.seek(0)
    head = spool.read(_HEAD)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise _error("executable")
    text_start = head
    for bom in _BOMS:
        text_start = text_start.removeprefix(bom)
    if text_start.lstrip(b" \t\r\n\x00\x0b\x0c").startswith(b"<"):
        raise _error("active_content")
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(_PNG_SIGNATURE):
        kind = "png"
    elif head.startswith(_ZIP_LOCAL_HEADER):
        kind = "ofd"
    else:
        raise _error("unsupported_type")
    if _MARKUP_IN_HEAD.search(head):
        raise _error("active_content")
    return kind


def _check_client_claims(file: File[Any] | IO[bytes], original_name: str, kind: str) -> None:
    spec = KINDS[kind]
    if _client_extension(original_name) not in spec.extensions:
        raise _error("type_mismatch", kind=_KIND_LABELS[kind])
    declared = getattr(file, "content_type", None) or ""
    if not isinstance(declared, str):
        declared = ""
    declared = declared.split(";")[0].strip().lower()
    if declared not in spec.content_types | _GENERIC_CONTENT_TYPES:
        raise _error("type_mismatch", kind=_KIND_LABELS[kind])


def _check_pdf(spool: IO[bytes], size: int) -> None:
    spool.seek(max(0, size - _HEAD))
    if b"%%EOF" not in spool.read():
        raise _error("corrupt", kind="PDF")
    for chunk in _chunks(spool, overlap=32):
        if _PDF_ACTIVE.search(chunk):
            raise _error("active_content")


def _check_image(spool: IO[bytes], kind: str, limits: _Limits) -> tuple[int, int]:
    pil_format = "JPEG" if kind == "jpeg" else "PNG"
    too_large = _error(
        "image_too_large", max_side=limits.max_side, max_pixels=f"{limits.max_pixels:,}"
    )
    try:
        with warnings.catch_warnings():
            # catch_warnings() is process-global, so under threads this is a second line of
            # defence: the explicit max_pixels/max_side check below is the primary one.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            spool.seek(0)
            with Image.open(spool, formats=[pil_format]) as image:
                width, height = image.size
                if (
                    width <= 0
                    or height <= 0
                    or max(width, height) > limits.max_side
                    or width * height > limits.max_pixels
                ):
                    raise too_large
                image.verify()
            spool.seek(0)
            with Image.open(spool, formats=[pil_format]) as image:
                if image.size != (width, height):
                    raise _error("corrupt", kind=_KIND_LABELS[kind])
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Exception:  # Pillow raises many types (OSError, SyntaxError, struct.error…) on bad input
        raise _error("corrupt", kind=_KIND_LABELS[kind]) from None
    return width, height


def _unsafe_entry_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    return any(part in {"..", "."} for part in name.split("/"))


def _check_ofd(spool: IO[bytes], limits: _Limits) -> None:
    try:
        spool.seek(0)
        with zipfile.ZipFile(spool) as archive:
            entries = archive.infolist()
            if len(entries) > limits.max_archive_entries:
                raise _error("archive_too_large")
            names: set[str] = set()
            for info in entries:
                mode = info.external_attr >> 16
                if (
                    _unsafe_entry_name(info.filename)
                    or info.filename in names
                    or info.flag_bits & 0x1  # encrypted
                    or stat.S_ISLNK(mode)
                ):
                    raise _error("unsafe_archive")
                names.add(info.filename)
            if sum(info.file_size for info in entries) > limits.max_unpacked_bytes:
                raise _error("archive_too_large")
            if "OFD.xml" not in names:
                raise _error("unsupported_type")
            # Declared sizes can lie: decompress everything, counting, and let zipfile check CRCs.
            unpacked = 0
            for info in entries:
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    while block := member.read(_CHUNK):
                        unpacked += len(block)
                        if unpacked > limits.max_unpacked_bytes:
                            raise _error("archive_too_large")
            ofd_info = archive.getinfo("OFD.xml")
            if ofd_info.file_size > _MAX_OFD_XML:
                raise _error("corrupt", kind="OFD")
            ofd_xml = archive.read(ofd_info)
    except ValidationError:
        raise
    except Exception:  # zipfile raises BadZipFile, OSError, EOFError, zlib.error, … on bad input
        raise _error("corrupt", kind="OFD") from None
    # No DTDs means no entity expansion, so the standard-library parser is safe here.
    if b"<!DOCTYPE" in ofd_xml.upper() or b"<!ENTITY" in ofd_xml.upper():
        raise _error("unsafe_archive")
    try:
        root = ElementTree.fromstring(ofd_xml)  # noqa: S314 - DTDs refused above
    except ElementTree.ParseError:
        raise _error("corrupt", kind="OFD") from None
    if root.tag.rpartition("}")[2] != "OFD":
        raise _error("unsupported_type")


# --- public API --------------------------------------------------------------------------------


def _limits(
    max_bytes: int | None,
    allowed: AbstractSet[str] | None,
    max_pixels: int,
    max_side: int,
    max_archive_entries: int,
    max_unpacked_bytes: int,
) -> _Limits:
    if max_bytes is None:
        max_bytes = int(getattr(settings, "ONESTOP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
    allowed = ALL_KINDS if allowed is None else frozenset(allowed)
    if not allowed <= ALL_KINDS:
        raise ValueError(f"unknown upload kinds: {sorted(allowed - ALL_KINDS)}")
    return _Limits(
        max_bytes, allowed, max_pixels, max_side, max_archive_entries, max_unpacked_bytes
    )


def _unsafe_client_name(name: str) -> bool:
    """A client name that tries to say where the file goes: a directory part, a drive, a NUL.

    Django's multipart parser already reduces browser file names to their last component, so
    this fires for names that reach us some other way (the JSON API, imports, other callers)."""
    if not name:
        return False
    if "/" in name or "\\" in name or "\x00" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return name.strip() in {".", ".."}


def _validate(file: File[Any] | IO[bytes], limits: _Limits) -> tuple[ValidatedUpload, IO[bytes]]:
    original_name = str(getattr(file, "name", None) or "")
    if _unsafe_client_name(original_name):
        raise _error("unsafe_name")
    spool, size, sha256 = _spool(file, limits.max_bytes)
    try:
        kind = _sniff(spool)
        if kind not in limits.allowed:
            raise _error("type_not_allowed", kind=_KIND_LABELS[kind])
        width = height = None
        if kind == "pdf":
            _check_pdf(spool, size)
        elif kind == "ofd":
            _check_ofd(spool, limits)
        else:
            width, height = _check_image(spool, kind, limits)
        _check_client_claims(file, original_name, kind)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    upload = ValidatedUpload(
        kind=kind,
        content_type=KINDS[kind].content_type,
        size=size,
        sha256=sha256,
        safe_name=safe_display_name(original_name, kind=kind),
        width=width,
        height=height,
    )
    return upload, spool


def validate_upload(
    file: File[Any] | IO[bytes],
    *,
    max_bytes: int | None = None,
    allowed: AbstractSet[str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = DEFAULT_MAX_SIDE,
    max_archive_entries: int = DEFAULT_MAX_ARCHIVE_ENTRIES,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
) -> ValidatedUpload:
    """Check an uploaded file; raise ``ValidationError`` (code in ``ERROR_CODES``) if refused.

    ``max_bytes`` defaults to ``settings.ONESTOP_UPLOAD_MAX_BYTES`` (20 MiB if unset);
    ``allowed`` is a subset of ``ALL_KINDS`` (default: all of them).
    """
    limits = _limits(
        max_bytes, allowed, max_pixels, max_side, max_archive_entries, max_unpacked_bytes
    )
    upload, spool = _validate(file, limits)
    spool.close()
    return upload


def store_upload(
    file: File[Any] | IO[bytes],
    *,
    prefix: str,
    storage: Storage | None = None,
    max_bytes: int | None = None,
    allowed: AbstractSet[str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = DEFAULT_MAX_SIDE,
    max_archive_entries: int = DEFAULT_MAX_ARCHIVE_ENTRIES,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
) -> StoredUpload:
    """Validate ``file`` and save the validated bytes to ``storage`` (default: default_storage).

    The storage name is ``<prefix>/<yyyy>/<mm>/<uuid4>.<ext>`` (see ``safe_storage_name``); if
    validation fails nothing is written. Files land under MEDIA_ROOT (``var/media``), outside the
    static/web root; production deployments must NOT serve MEDIA_ROOT directly from the web
    server — stored materials are personal data and must only be returned through a view that
    checks permissions (and sends ``Content-Disposition: attachment`` and
    ``X-Content-Type-Options: nosniff``).
    """
    limits = _limits(
        max_bytes, allowed, max_pixels, max_side, max_archive_entries, max_unpacked_bytes
    )
    _prefix_segments(prefix)
    target = default_storage if storage is None else storage
    upload, spool = _validate(file, limits)
    try:
        name = target.save(
            safe_storage_name(upload.safe_name, prefix=prefix, kind=upload.kind),
            File(spool),
        )
    finally:
        spool.close()
    return StoredUpload(
        kind=upload.kind,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        safe_name=upload.safe_name,
        width=upload.width,
        height=upload.height,
        name=name,
    )


# --- multipart parsing that keeps the evidence of a path in a client's file name -----------------

#: What a client file name with a directory part becomes after parsing: it contains a NUL, so
#: validation refuses it as ``unsafe_name`` instead of silently storing ``passwd.pdf``.
UNSAFE_NAME_MARKER = "\x00unsafe-client-name"


class PathAwareMultiPartParser(DjangoMultiPartParser):
    """Django's multipart parser, except that a file name carrying a directory part
    (``../../etc/passwd.pdf``, ``C:\\x.pdf``) is not reduced to its last component but marked, so
    the upload is refused with a clear message (see ``UNSAFE_NAME_MARKER``)."""

    def sanitize_file_name(self, file_name: str) -> str | None:
        if _unsafe_client_name(html.unescape(file_name)):
            return UNSAFE_NAME_MARKER
        return cast("str | None", super().sanitize_file_name(file_name))


class MultiPartParser(drf_parsers.MultiPartParser):
    """DRF's multipart parser on :class:`PathAwareMultiPartParser`."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> drf_parsers.DataAndFiles:
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            parser = PathAwareMultiPartParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        return drf_parsers.DataAndFiles(data, files)
