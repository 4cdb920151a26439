"""PAdES signing and validation with pyHanko, keys from the platform CA (``pki``)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image
from pyhanko.pdf_utils import images
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

T = TypeVar("T")


def _outside_event_loop(fn: Callable[[], T]) -> T:
    """pyHanko's synchronous API calls ``asyncio.run``; when the calling thread already runs an
    event loop (an ASGI worker, Playwright's sync API in tests) run it in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _signer(
    key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, chain: list[x509.Certificate]
) -> signers.SimpleSigner:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )


@dataclass(frozen=True)
class VisibleStamp:
    """A seal image shown in a box (PDF points from the lower left) on a page (0-based; -1 is
    the last page)."""

    png: bytes
    page: int = -1
    box: tuple[int, int, int, int] = (400, 60, 540, 200)


def sign_pdf(pdf: bytes, **kwargs: Any) -> bytes:
    """Sign ``pdf`` (PAdES B-B: CAdES detached, SHA-256) in an incremental update."""
    return _outside_event_loop(lambda: _sign_pdf(pdf, **kwargs))


def _sign_pdf(
    pdf: bytes,
    *,
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    field_name: str = "Signature1",
    reason: str = "",
    location: str = "",
    stamp: VisibleStamp | None = None,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    signer = _signer(key, cert, chain)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    if stamp is None:
        out = signers.sign_pdf(writer, meta, signer=signer)
        return out.getvalue()
    page = stamp.page
    if page < 0:
        page = int(writer.root["/Pages"]["/Count"]) + page
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=stamp.box)
    style = TextStampStyle(
        stamp_text="",
        background=images.PdfImage(Image.open(io.BytesIO(stamp.png))),
        background_opacity=1.0,
        border_width=0,
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    out = pdf_signer.sign_pdf(writer)
    return out.getvalue()


@dataclass
class SignatureReport:
    field_name: str
    signer_subject: str
    signer_serial_hex: str
    signing_time: str
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    summary: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


class NotAPdf(ValueError):
    pass


def validate_pdf(pdf: bytes, *, trust_roots: list[x509.Certificate]) -> list[SignatureReport]:
    """Validate every embedded signature against ``trust_roots`` (no revocation fetching: the
    platform's revocation status is checked by the caller from its own tables)."""
    return _outside_event_loop(lambda: _validate_pdf(pdf, trust_roots=trust_roots))


def _validate_pdf(pdf: bytes, *, trust_roots: list[x509.Certificate]) -> list[SignatureReport]:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises several kinds for malformed files
        raise NotAPdf(str(exc)) from exc
    reports = []
    context_roots = [_asn1_cert(c) for c in trust_roots]
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=context_roots))
        except Exception as exc:  # a damaged signature is a failed one, not a crash
            reports.append(
                SignatureReport(
                    field_name=sig.field_name,
                    signer_subject="",
                    signer_serial_hex="",
                    signing_time="",
                    intact=False,
                    valid=False,
                    trusted=False,
                    covers_whole_file=False,
                    summary=str(exc)[:200],
                )
            )
            continue
        cert = status.signing_cert
        reports.append(
            SignatureReport(
                field_name=sig.field_name,
                signer_subject=cert.subject.human_friendly if cert else "",
                signer_serial_hex=format(cert.serial_number, "x") if cert else "",
                signing_time=status.signer_reported_dt.isoformat()
                if status.signer_reported_dt
                else "",
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                covers_whole_file=status.coverage is not None
                and status.coverage.name == "ENTIRE_FILE",
                summary=status.summary(),
            )
        )
    return reports
