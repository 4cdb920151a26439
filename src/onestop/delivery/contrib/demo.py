"""The demo courier: waybills booked locally, tracking pushed in the EMS-style signed format
through the same entry point as the HTTP push endpoint. ``advance`` plays the courier's next
step (collected → in transit → out for delivery → signed for, or a failed delivery)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import workdays

from ..base import Tracking, courier_providers
from ..choices import ShipmentState, TrackingCode
from .ems import CODES_OP, EmsStyleCourier, push_body

if TYPE_CHECKING:
    from ..models import Shipment

PARTNER = "DEMO-COURIER"

#: The courier's next step from each shipment state, with its description.
SCRIPT = {
    ShipmentState.CREATED: (TrackingCode.COLLECTED, "快递员已揽收"),
    ShipmentState.COLLECTED: (TrackingCode.IN_TRANSIT, "快件已发往收件城市"),
    ShipmentState.IN_TRANSIT: (TrackingCode.OUT_FOR_DELIVERY, "快递员正在派送"),
    ShipmentState.OUT_FOR_DELIVERY: (TrackingCode.DELIVERED, "本人签收"),
}


def demo_secret() -> str:
    options = getattr(settings, "ONESTOP_DELIVERY", {}).get("demo", {})
    if options.get("secret"):
        return str(options["secret"])
    return hmac.new(
        settings.SECRET_KEY.encode(), b"onestop-demo-courier", hashlib.sha256
    ).hexdigest()


@courier_providers.register("demo")
class DemoCourier(EmsStyleCourier):
    label = _("演示快递")

    @property
    def secret(self) -> str:
        return demo_secret()

    @property
    def partner_code(self) -> str:
        return PARTNER

    def create_waybill(self, *, shipment: Shipment, sender: Mapping[str, str]) -> str:
        return "DM" + f"{secrets.randbelow(10**12):012d}"

    def verify_push(self, *, headers: Mapping[str, str], body: bytes) -> list[Tracking]:
        return super().verify_push(headers=headers, body=body)


def advance(*, shipment: Shipment, fail: bool = False) -> bool:
    """Push the courier's next tracking event for ``shipment``; False when there is none."""
    from ..services import shipment_push_receive

    step = SCRIPT.get(ShipmentState(shipment.state))
    if step is None or not shipment.waybill_no:
        return False
    code, text = step
    if fail and code in (TrackingCode.DELIVERED, TrackingCode.OUT_FOR_DELIVERY):
        code, text = TrackingCode.FAILED, "收件人电话无人接听，投递失败"
    now = timezone.localtime(timezone.now(), workdays.SHANGHAI)
    trace = {
        "waybillNo": shipment.waybill_no,
        "traceId": secrets.token_hex(8),
        "opCode": CODES_OP[code],
        "opTime": now.strftime("%Y-%m-%d %H:%M:%S"),
        "opDesc": text,
        "opOrgCity": "天津市",
        "signer": shipment.recipient if code == TrackingCode.DELIVERED else "",
    }
    reply = shipment_push_receive(
        courier_key="demo", headers={}, body=push_body(demo_secret(), PARTNER, [trace])
    )
    return 200 <= reply.status < 300
