"""Every write of the delivery app: addresses, shipments, tracking pushes.

A signed-for tracking event (签收) moves the case on: ``case_deliver`` then ``case_close`` as
the system actor. A failed delivery falls back to window pickup (改为窗口领取) and tells the
applicant; the case stays "result issued" so the clerk can record the collection.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import User
from onestop.accounts.selectors import person_of
from onestop.core import workdays
from onestop.core.audit import audit_log
from onestop.core.identity import mobile_normalise, region_name
from onestop.core.pii import lookup_hash

from .base import PushReply, Tracking, get_courier
from .choices import RANK, ShipmentState, TrackingCode
from .errors import DeliveryError, InvalidPush, InvalidRequest, NotAllowed
from .models import DeliveryAddress, Shipment, TrackingEvent

logger = logging.getLogger(__name__)

_EVENT_STATE = {
    TrackingCode.COLLECTED: ShipmentState.COLLECTED,
    TrackingCode.IN_TRANSIT: ShipmentState.IN_TRANSIT,
    TrackingCode.OUT_FOR_DELIVERY: ShipmentState.OUT_FOR_DELIVERY,
    TrackingCode.DELIVERED: ShipmentState.DELIVERED,
    TrackingCode.FAILED: ShipmentState.FAILED,
}


def _case(case_id: int) -> Any:
    from onestop.cases.models import Case  # read only

    case = Case.objects.select_related("handling_unit", "item_version").filter(pk=case_id).first()
    if case is None:
        raise InvalidRequest(_("办件不存在。"), code="unknown_case")
    return case


def clean_address(*, recipient: str, mobile: str, region_code: str, address: str) -> dict[str, str]:
    """Normalised address fields, or ``InvalidRequest`` naming what is wrong."""
    recipient = (recipient or "").strip()
    address = (address or "").strip()
    region_code = (region_code or "").strip()
    if not recipient or len(recipient) > 50:
        raise InvalidRequest(_("请填写收件人姓名。"), code="recipient_required")
    try:
        mobile = mobile_normalise(mobile)
    except ValidationError:
        raise InvalidRequest(_("请填写有效的大陆手机号码。"), code="bad_mobile") from None
    if region_name(region_code) is None or region_code.endswith("00"):
        raise InvalidRequest(
            _("请填写有效的县级行政区划代码（6 位，如 120101）。"), code="bad_region"
        )
    if len(address) < 5 or len(address) > 200:
        raise InvalidRequest(_("请填写详细地址（街道、门牌号）。"), code="bad_address")
    return {
        "recipient": recipient,
        "mobile": mobile,
        "region_code": region_code,
        "address": address,
    }


@transaction.atomic
def delivery_address_set(
    *, actor: User, case_id: int, recipient: str, mobile: str, region_code: str, address: str
) -> DeliveryAddress:
    """The applicant (or a person acting for the applying enterprise) gives the address."""
    from onestop.cases.selectors import cases_person_may_see

    person = person_of(actor) if actor is not None and actor.is_authenticated else None
    if person is None or not cases_person_may_see(person).filter(pk=case_id).exists():
        raise NotAllowed()
    fields = clean_address(
        recipient=recipient, mobile=mobile, region_code=region_code, address=address
    )
    row, _created = DeliveryAddress.objects.update_or_create(
        case_id=case_id,
        defaults={**fields, "mobile_hash": lookup_hash(fields["mobile"], kind="mobile")},
    )
    audit_log(
        actor=actor,
        action="delivery.address_set",
        obj=row,
        summary={"case_id": case_id, "region_code": fields["region_code"]},
    )
    return row


def _address_for(case: Any) -> dict[str, str]:
    row = DeliveryAddress.objects.filter(case_id=case.pk).first()
    if row is not None:
        return {
            "recipient": row.recipient,
            "mobile": row.mobile,
            "region_code": row.region_code,
            "address": row.address,
        }
    data = (case.form_data or {}).get("delivery_address")
    if isinstance(data, Mapping):
        return clean_address(
            recipient=str(data.get("recipient", "")),
            mobile=str(data.get("mobile", "")),
            region_code=str(data.get("region_code", "")),
            address=str(data.get("address", "")),
        )
    raise InvalidRequest(_("申请人尚未填写寄递地址。"), code="no_address")


@transaction.atomic
def shipment_create_for_case(
    *, case_id: int, actor: User | None, contents: str = "", courier_key: str | None = None
) -> Shipment:
    """Send the result of a case to the applicant's address by the configured courier.

    Idempotent per case: a shipment that is not a fallback to the window is returned again.
    The address comes from ``delivery_address_set`` or, failing that, from
    ``case.form_data["delivery_address"]`` (keys recipient, mobile, region_code, address)."""
    existing = Shipment.objects.filter(case_id=case_id).exclude(state=ShipmentState.WINDOW).first()
    if existing is not None:
        return existing
    case = _case(case_id)
    address = _address_for(case)
    courier = get_courier(courier_key)
    shipment = Shipment(
        number=f"SH{timezone.localtime(timezone.now(), workdays.SHANGHAI):%Y%m%d}"
        f"{secrets.token_hex(5).upper()}",
        case_id=case.pk,
        case_number=case.number,
        unit=case.handling_unit,
        contents=(contents or case.item_version.name)[:100],
        courier=courier.registry_key,
        mobile_hash=lookup_hash(address["mobile"], kind="mobile"),
        **address,
    )
    unit = case.handling_unit
    shipment.waybill_no = courier.create_waybill(
        shipment=shipment,
        sender={"name": unit.name, "regionCode": unit.region_code},
    )
    shipment.save()
    audit_log(
        actor=actor,
        action="delivery.shipment_create",
        obj=shipment,
        summary={"case_id": case.pk, "courier": shipment.courier, "waybill": shipment.waybill_no},
        unit=unit,
    )
    return shipment


# --- tracking pushes ------------------------------------------------------------------------


def shipment_push_receive(
    *, courier_key: str, headers: Mapping[str, str], body: bytes
) -> PushReply:
    """Handle one tracking push as the HTTP endpoint receives it."""
    courier = get_courier(courier_key)
    try:
        events = courier.verify_push(headers=headers, body=body)
    except InvalidPush as exc:
        logger.warning(
            "rejected %s tracking push (%s) sha256=%s",
            courier_key,
            exc.code,
            hashlib.sha256(body).hexdigest(),
        )
        return courier.reply(ok=False, message=exc.code)
    for event in events:
        try:
            tracking_event_apply(courier_key=courier_key, event=event)
        except DeliveryError as exc:
            return courier.reply(ok=False, message=exc.code)
    return courier.reply(ok=True)


@transaction.atomic
def tracking_event_apply(*, courier_key: str, event: Tracking) -> bool:
    """Record one tracking event exactly once; move the shipment forward (never back)."""
    shipment = (
        Shipment.objects.select_for_update()
        .filter(courier=courier_key, waybill_no=event.waybill_no)
        .first()
    )
    if shipment is None:
        raise InvalidPush(code="unknown_waybill")
    try:
        with transaction.atomic():
            TrackingEvent.objects.create(
                shipment=shipment,
                external_id=event.external_id,
                at=event.at,
                code=event.code,
                description=event.description,
                location=event.location,
            )
    except IntegrityError:
        return False  # a duplicate push
    new_state = _EVENT_STATE[TrackingCode(event.code)]
    if RANK[new_state] <= RANK[ShipmentState(shipment.state)]:
        return True  # an older event arriving late: on the timeline, state unchanged
    shipment.state = new_state
    if new_state == ShipmentState.DELIVERED:
        shipment.delivered_at = event.at
        shipment.signed_by = event.signed_by
    shipment.save()
    audit_log(
        actor=None,
        action=f"delivery.{new_state}",
        obj=shipment,
        summary={"waybill": shipment.waybill_no, "event": event.external_id},
        unit=shipment.unit,
    )
    if new_state == ShipmentState.DELIVERED:
        transaction.on_commit(lambda: case_settle_delivered(case_id=shipment.case_id))
    elif new_state == ShipmentState.FAILED:
        _fallback_to_window(shipment, event)
    return True


def case_settle_delivered(*, case_id: int) -> None:
    """The result was signed for: the case is delivered and closed by the system."""
    from onestop.cases import services as cases
    from onestop.cases.errors import CaseError

    for step in (cases.case_deliver, cases.case_close):
        try:
            step(actor=None, case=_case(case_id))  # type: ignore[arg-type]
        except CaseError as exc:
            logger.warning("case %s: %s after delivery refused (%s)", case_id, step.__name__, exc)
            audit_log(
                actor=None,
                action="delivery.case_update_refused",
                summary={"case_id": case_id, "step": step.__name__, "code": exc.code},
            )
            return


def _fallback_to_window(shipment: Shipment, event: Tracking) -> None:
    notice = gettext("寄递未能送达（%(reason)s），请携带有效证件到%(unit)s窗口领取。") % {
        "reason": event.description,
        "unit": shipment.unit.name,
    }
    shipment.state = ShipmentState.WINDOW
    shipment.fallback_notice = notice[:300]
    shipment.save(update_fields=["state", "fallback_notice", "updated_at"])
    audit_log(
        actor=None,
        action="delivery.fallback_window",
        obj=shipment,
        summary={"waybill": shipment.waybill_no},
        unit=shipment.unit,
    )
    _tell_fallback(shipment, event)


#: The messaging event of the fallback notice (its templates: see docs/delivery.md).
FALLBACK_EVENT = "delivery.fallback_window"


def _tell_fallback(shipment: Shipment, event: Tracking) -> None:
    """In-app message to the applicant and SMS to the recipient's mobile, written to the
    messaging outbox in this transaction (sent after commit)."""
    from onestop.messaging.choices import Channel
    from onestop.messaging.services import message_send

    case = _case(shipment.case_id)
    params = {
        "number": shipment.case_number,
        "item": case.item_version.name,
        "unit": shipment.unit.name,
        "reason": event.description,
        "link": f"/cases/mine/{shipment.case_number}/",
    }
    for channel, recipient, address in (
        (Channel.IN_APP, case.applicant.user, ""),
        (Channel.SMS, case.applicant.user, shipment.mobile),
    ):
        message_send(
            event=FALLBACK_EVENT,
            channel=channel,
            params=params,
            recipient=recipient,
            address=address,
            link=params["link"],
            object_ref=f"cases.case:{shipment.case_id}",
            idempotency_key=f"delivery:{shipment.pk}:fallback:{channel}",
        )
