"""Every write of the seals app: orders (no materials, free choice of shop), the shop's work,
automatic filing with seal codes and a filing certificate, revocation, electronic seals
(PAdES with a visible stamp, plus an SM2/SM3 signature over the seal data) and PDF
verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onestop.accounts.models import Enterprise, Person, Unit
from onestop.accounts.selectors import person_can_act_for
from onestop.certificates import services as certificate_services
from onestop.certificates import sm2
from onestop.certificates.selectors import seal_image_png
from onestop.core import workdays
from onestop.core.audit import audit_log
from onestop.payments.choices import Purpose
from onestop.payments.services import payment_order_create

from .choices import ESealStatus, Handover, OrderState, PaymentState, SealKind, SealStatus
from .models import EngravingShop, ESeal, ESealSignature, Seal, SealCounter, SealOrder

DEFAULTS: dict[str, Any] = {
    # Promised engraving time in working days by province (first two digits of the region
    # code): Tianjin 0.5 (tianjin-2021#4), Guangxi 1 (guangxi-2018#25).
    "PROMISE_DAYS": {"12": "0.5", "45": "1"},
    "DEFAULT_PROMISE_DAYS": "1",
}

#: Kinds that can become electronic seals (a legal representative's name seal is personal).
ESEAL_KINDS = {SealKind.OFFICIAL, SealKind.FINANCE, SealKind.CONTRACT, SealKind.INVOICE}


def _conf(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "ONESTOP_SEALS", {})}[name]


class SealError(ValidationError):
    """A refused seal operation; the message is translated and nothing changed."""


def promise_days_for(enterprise: Enterprise) -> Decimal:
    province = (enterprise.region_code or "")[:2]
    return Decimal(str(_conf("PROMISE_DAYS").get(province, _conf("DEFAULT_PROMISE_DAYS"))))


# --- orders -------------------------------------------------------------------------------------


def _next(key: str) -> int:
    """The next number for ``key``; call inside a transaction (the counter row stays locked)."""
    SealCounter.objects.get_or_create(key=key)
    counter = SealCounter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _order_number() -> str:
    today = timezone.localdate()
    return f"YZ{today:%Y%m%d}{_next(f'order:{today:%Y%m%d}'):05d}"


@transaction.atomic
def seal_order_submit(
    *,
    actor: Any,
    person: Person,
    enterprise: Enterprise,
    shop: EngravingShop,
    kinds: list[str],
    handover: str = Handover.PICKUP,
    courier_address: str = "",
) -> SealOrder:
    """Order seals online with no materials: the enterprise's registration data and the
    applicant's real-name identity are all the shop and the filing need."""
    if not person_can_act_for(person, enterprise):
        raise SealError(_("您无权为该企业办理刻章。"), code="not_allowed")
    kinds = [SealKind(k) for k in dict.fromkeys(kinds)]
    if not kinds:
        raise SealError(_("请至少选择一枚印章。"), code="no_seals")
    if not shop.is_active:
        raise SealError(_("该刻制企业暂停营业，请选择其他企业。"), code="shop_closed")
    if handover == Handover.COURIER and not courier_address.strip():
        raise SealError(_("选择快递寄送时请填写寄送地址。"), code="address_missing")
    if (
        SealKind.OFFICIAL in kinds
        and Seal.objects.filter(
            enterprise=enterprise,
            kind=SealKind.OFFICIAL,
            status__in=[SealStatus.ENGRAVING, SealStatus.FILED],
        ).exists()
    ):
        raise SealError(
            _("该企业已有有效公章；如需重刻，请先办理原印章注销。"), code="duplicate_official"
        )
    fee = sum(shop.price_of(k) for k in kinds)
    order = SealOrder.objects.create(
        number=_order_number(),
        enterprise=enterprise,
        applicant=person,
        shop=shop,
        handover=handover,
        courier_address=courier_address.strip()[:200],
        fee_fen=fee,
        payment_state=PaymentState.UNPAID if fee else PaymentState.FREE,
        promise_days=promise_days_for(enterprise),
        submitted_at=timezone.now(),
    )
    for kind in kinds:
        Seal.objects.create(order=order, enterprise=enterprise, kind=kind)
    audit_log(
        actor=actor,
        action="seals.order_submitted",
        obj=order,
        summary={"kinds": [str(k) for k in kinds], "shop": shop.licence_no, "fee_fen": fee},
    )
    if fee:
        # paid online through the payments app (or at the shop); ``seals_fee_paid`` marks it
        payment_order_create(
            purpose=Purpose.SERVICE,
            reference=f"{PAYMENT_REFERENCE_PREFIX}{order.pk}",
            payer=actor,
            amount_fen=fee,
            description=f"{_('印章刻制')} {order.number}",
        )
    return order


#: Payment references of seal orders: ``seal:<order id>`` (purpose "service").
PAYMENT_REFERENCE_PREFIX = "seal:"


def seals_fee_paid(order_id: int) -> None:
    """Paid handler (payments app, after commit) for service orders: marks a seal order paid."""
    from onestop.payments.selectors import order_purpose_reference

    found = order_purpose_reference(order_id)
    if found is None or not found[1].startswith(PAYMENT_REFERENCE_PREFIX):
        return
    seal_order_id = found[1].removeprefix(PAYMENT_REFERENCE_PREFIX)
    if seal_order_id.isdigit() and SealOrder.objects.filter(pk=int(seal_order_id)).exists():
        seal_order_mark_paid(order_id=int(seal_order_id), reference=str(order_id))


@transaction.atomic
def seal_order_mark_paid(*, order_id: int, reference: str) -> SealOrder:
    """Called by the payments app when the fee is confirmed (idempotent)."""
    order = SealOrder.objects.select_for_update().get(pk=order_id)
    if order.payment_state != PaymentState.PAID:
        order.payment_state = PaymentState.PAID
        order.payment_reference = reference[:64]
        order.save(update_fields=["payment_state", "payment_reference", "updated_at"])
        audit_log(
            actor=None, action="seals.order_paid", obj=order, summary={"reference": reference}
        )
    return order


def _require_operator(actor: Any, order: SealOrder) -> None:
    actor_pk = getattr(actor, "pk", None)
    if actor_pk is None or not order.shop.operators.filter(pk=actor_pk).exists():
        raise SealError(_("只有所选刻制企业的店员可以处理该订单。"), code="not_operator")


def _transition(order: SealOrder, expected: str, target: str) -> None:
    if order.state != expected:
        raise SealError(
            _("订单状态为“%(state)s”，不能执行该操作。") % {"state": order.get_state_display()},
            code="illegal_transition",
        )
    order.state = target


@transaction.atomic
def seal_order_accept(*, actor: Any, order: SealOrder) -> SealOrder:
    order = SealOrder.objects.select_for_update().select_related("shop").get(pk=order.pk)
    _require_operator(actor, order)
    _transition(order, OrderState.SUBMITTED, OrderState.ACCEPTED)
    order.accepted_at = timezone.now()
    order.save(update_fields=["state", "accepted_at", "updated_at"])
    audit_log(actor=actor, action="seals.order_accepted", obj=order)
    return order


def _filing_unit(enterprise: Enterprise) -> Unit:
    region = enterprise.region_code or ""
    for code in (region, region[:4] + "00", region[:2] + "0000"):
        unit = Unit.objects.filter(region_code=code, is_active=True).order_by("path").first()
        if code and unit is not None:
            return unit
    unit = Unit.objects.filter(parent=None, is_active=True).order_by("path").first()
    if unit is None:
        raise SealError(_("没有可办理印章备案的公安机关。"), code="no_unit")
    return unit


def _next_seal_code(region_code: str) -> str:
    return f"{region_code}{_next(f'code:{region_code}'):07d}"


@transaction.atomic
def seal_order_mark_ready(
    *, actor: Any, order: SealOrder, imprints: dict[int, bytes] | None = None
) -> SealOrder:
    """The shop has engraved the seals: each seal is filed automatically with a seal code, a
    seal filing certificate is issued, and the elapsed working time is measured against the
    promise."""
    order = (
        SealOrder.objects.select_for_update().select_related("shop", "enterprise").get(pk=order.pk)
    )
    _require_operator(actor, order)
    _transition(order, OrderState.ACCEPTED, OrderState.READY)
    now = timezone.now()
    enterprise = order.enterprise
    region = enterprise.region_code or "000000"
    imprints = imprints or {}
    lines = []
    for seal in order.seals.select_for_update():
        seal.code = _next_seal_code(region)
        seal.status = SealStatus.FILED
        seal.filed_at = now
        if seal.pk in imprints:
            seal.imprint = imprints[seal.pk]
            seal.imprint_uploaded = True
        else:
            seal.imprint = seal_image_png(enterprise.name, seal.get_kind_display(), code=seal.code)
        seal.save()
        lines.append(f"{seal.get_kind_display()} {seal.code}")
    order.ready_at = now
    order.elapsed_working = workdays.working_time_between(order.submitted_at, now)
    unit = _filing_unit(enterprise)
    with translation.override(settings.LANGUAGE_CODE):
        data = {
            _("订单号"): order.number,
            _("刻制企业"): f"{order.shop.name}（{order.shop.licence_no}）",
            _("备案印章"): "；".join(lines),
        }
        title = _("印章备案证明")
    order.filing_certificate = certificate_services.certificate_issue(
        actor=actor,
        cert_type="seal_filing",
        unit=unit,
        holder_name=enterprise.name,
        holder_id=enterprise.credit_code,
        holder_enterprise=enterprise,
        title=title,
        data=data,
    )
    order.save(
        update_fields=["state", "ready_at", "elapsed_working", "filing_certificate", "updated_at"]
    )
    audit_log(
        actor=actor,
        action="seals.order_ready",
        obj=order,
        summary={
            "seal_codes": lines,
            "elapsed_working_seconds": int(order.elapsed_working.total_seconds()),
        },
    )
    return order


@transaction.atomic
def seal_order_complete(*, actor: Any, order: SealOrder) -> SealOrder:
    """Handed over (picked up or delivered by courier)."""
    order = SealOrder.objects.select_for_update().select_related("shop").get(pk=order.pk)
    _require_operator(actor, order)
    _transition(order, OrderState.READY, OrderState.COMPLETED)
    order.completed_at = timezone.now()
    order.save(update_fields=["state", "completed_at", "updated_at"])
    audit_log(actor=actor, action="seals.order_completed", obj=order)
    return order


@dataclass(frozen=True)
class PromiseMeasure:
    promise_days: Decimal
    promise: timedelta
    elapsed: timedelta
    finished: bool

    @property
    def met(self) -> bool:
        return self.elapsed <= self.promise

    @property
    def elapsed_days(self) -> Decimal:
        day = workdays.OfficeHours.default().working_day
        return (Decimal(self.elapsed.total_seconds()) / Decimal(day.total_seconds())).quantize(
            Decimal("0.01")
        )

    @property
    def share(self) -> int:
        """Elapsed as a percentage of the promise (for the progress bar)."""
        if not self.promise:
            return 100
        return min(100, int(self.elapsed / self.promise * 100))


def order_promise(order: SealOrder) -> PromiseMeasure:
    """Elapsed working time (office hours on working days) from order to ready, or so far."""
    end = order.ready_at or timezone.now()
    elapsed = order.elapsed_working
    if elapsed is None:
        elapsed = max(workdays.working_time_between(order.submitted_at, end), timedelta(0))
    return PromiseMeasure(
        promise_days=order.promise_days,
        promise=workdays.OfficeHours.default().working_days(order.promise_days),
        elapsed=elapsed,
        finished=order.ready_at is not None,
    )


# --- revocation -----------------------------------------------------------------------------------


@transaction.atomic
def seal_revoke(*, actor: Any, seal: Seal, reason: str) -> Seal:
    """A lost or replaced seal: the filing shows 已注销 and its e-seal stops signing."""
    seal = Seal.objects.select_for_update().get(pk=seal.pk)
    if seal.status != SealStatus.FILED:
        raise SealError(_("只有已备案的印章可以注销。"), code="not_filed")
    if not reason.strip():
        raise SealError(_("请填写注销原因。"), code="reason_missing")
    seal.status = SealStatus.REVOKED
    seal.revoked_at = timezone.now()
    seal.revocation_reason = reason.strip()[:200]
    seal.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
    eseal = ESeal.objects.filter(seal=seal).first()
    if eseal is not None and eseal.status == ESealStatus.ACTIVE:
        eseal.status = ESealStatus.REVOKED
        eseal.save(update_fields=["status", "updated_at"])
        certificate_services.signing_key_revoke(actor=actor, key=eseal.key, reason=reason)
    audit_log(actor=actor, action="seals.seal_revoked", obj=seal, summary={"reason": reason[:200]})
    return seal


# --- public seal verification ------------------------------------------------------------------


def seal_lookup(*, code: str, ip: str | None = None) -> Seal | None:
    """Seal information verification (印章信息查验): anyone, by seal code; each look-up audited."""
    code = code.strip()
    seal = (
        Seal.objects.select_related("enterprise").filter(code=code).first()
        if code.isdigit()
        else None
    )
    with transaction.atomic():
        audit_log(
            actor=None,
            action="seals.lookup",
            obj=seal,
            summary={"code": code[:20], "found": seal is not None},
        )
    return seal


# --- electronic seals ---------------------------------------------------------------------------


def _sm2_keypair() -> tuple[str, str]:
    """A fresh SM2 key pair (hex scalar, hex x ‖ y) from ``secrets``: gmssl's own
    ``random_hex`` draws from ``random`` (Mersenne Twister), which is predictable."""
    key = sm2.generate_private_key()
    return key.private_hex, key.public.hex


@transaction.atomic
def eseal_create(*, actor: Any, person: Person, seal: Seal) -> ESeal:
    """Give a filed seal its electronic counterpart: an ES256 key and certificate under the
    platform CA (for PAdES) and an SM2 key pair (for the GB/T 38540-style seal data)."""
    seal = Seal.objects.select_for_update().select_related("enterprise").get(pk=seal.pk)
    if not person_can_act_for(person, seal.enterprise):
        raise SealError(_("您无权为该企业办理电子印章。"), code="not_allowed")
    if seal.status != SealStatus.FILED:
        raise SealError(_("只有已备案的印章可以申领电子印章。"), code="not_filed")
    if seal.kind not in ESEAL_KINDS:
        raise SealError(_("该种类的印章不制作电子印章。"), code="kind")
    existing = ESeal.objects.filter(seal=seal).first()
    if existing is not None:
        return existing
    key = certificate_services.eseal_key_create(
        actor=actor,
        enterprise=seal.enterprise,
        label=f"{seal.get_kind_display()} {seal.code}",
    )
    private, public = _sm2_keypair()
    eseal = ESeal.objects.create(seal=seal, key=key, sm2_public_key=public, sm2_private_key=private)
    audit_log(actor=actor, action="seals.eseal_created", obj=eseal, summary={"kid": key.kid})
    return eseal


def seal_data(eseal: ESeal, *, document_sha256: str, signed_at: str) -> bytes:
    """The data the SM2 signature covers (our stand-in for GB/T 38540 TBS_Sign)."""
    return json.dumps(
        {
            "seal_code": eseal.seal.code,
            "enterprise": eseal.seal.enterprise.credit_code,
            "kind": eseal.seal.kind,
            "document_sha256": document_sha256,
            "signed_at": signed_at,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


@transaction.atomic
def eseal_sign_pdf(
    *, actor: Any, person: Person, eseal: ESeal, pdf: bytes, document_name: str
) -> bytes:
    """Stamp and sign an uploaded PDF: the seal image on the last page and a PAdES signature
    with the e-seal's certificate; an SM2/SM3 signature over the seal data is recorded."""
    eseal = (
        ESeal.objects.select_for_update().select_related("seal__enterprise", "key").get(pk=eseal.pk)
    )
    if not person_can_act_for(person, eseal.seal.enterprise):
        raise SealError(_("您无权使用该电子印章。"), code="not_allowed")
    if eseal.status != ESealStatus.ACTIVE or eseal.seal.status != SealStatus.FILED:
        raise SealError(_("该电子印章已注销，不能盖章。"), code="revoked")
    from onestop.certificates.signing import VisibleStamp

    field_name = f"ESeal{ESealSignature.objects.count() + 1}"
    try:
        signed = certificate_services.sign_pdf_with_key(
            key=eseal.key,
            pdf=pdf,
            reason=_("电子印章：%(kind)s") % {"kind": eseal.seal.get_kind_display()},
            location=eseal.seal.enterprise.name,
            stamp=VisibleStamp(png=bytes(eseal.seal.imprint or b"")),
            field_name=field_name,
        )
    except Exception as exc:  # pyHanko refuses encrypted or damaged files
        raise SealError(_("无法在该 PDF 上盖章（文件已加密或已损坏）。"), code="bad_pdf") from exc
    original = hashlib.sha256(pdf).hexdigest()
    signed_at = timezone.now().isoformat()
    # certificates.sm2 draws the per-signature nonce from ``secrets`` (gmssl's default draws it
    # from ``random``, and a predictable nonce gives the private key away)
    sm2_sig = sm2.sign(
        seal_data(eseal, document_sha256=original, signed_at=signed_at),
        key=sm2.private_key_from_hex(eseal.sm2_private_key),
    ).hex()
    ESealSignature.objects.create(
        eseal=eseal,
        signer=actor,
        document_name=document_name[:200],
        original_sha256=original,
        signed_sha256=hashlib.sha256(signed).hexdigest(),
        seal_data_sm2=json.dumps({"signed_at": signed_at, "signature": sm2_sig}),
    )
    audit_log(
        actor=actor,
        action="seals.eseal_signed",
        obj=eseal,
        summary={"document": document_name[:100], "sha256": original},
    )
    return signed


@dataclass
class SealedSignature:
    field_name: str
    ok: bool
    intact: bool
    trusted: bool
    signer: str
    signing_time: str
    eseal: ESeal | None
    seal_status: str


def eseal_verify_pdf(*, pdf: bytes) -> list[SealedSignature]:
    """Anyone uploads a PDF: every signature is checked (integrity, chain to the platform root)
    and matched to the e-seal whose certificate signed it (showing revoked seals)."""
    reports = certificate_services.pdf_validate(pdf=pdf)
    results = []
    for report in reports:
        eseal = (
            ESeal.objects.select_related("seal__enterprise")
            .filter(key__serial_hex=report.signer_serial_hex)
            .first()
            if report.signer_serial_hex
            else None
        )
        seal_status = eseal.seal.status if eseal else ""
        results.append(
            SealedSignature(
                field_name=report.field_name,
                ok=report.ok and (eseal is None or eseal.status == ESealStatus.ACTIVE),
                intact=report.intact,
                trusted=report.trusted,
                signer=report.signer_subject,
                signing_time=report.signing_time,
                eseal=eseal,
                seal_status=seal_status,
            )
        )
    audit_log(
        actor=None,
        action="seals.pdf_verified",
        summary={"signatures": len(results), "ok": [r.ok for r in results]},
    )
    return results
