"""An EMS-style courier adapter (中国邮政 EMS 开放平台 style).

Messages are form posts ``partner_code``, ``msg_type``, ``logistics_interface`` (JSON) and
``data_digest`` = base64(HMAC-SHA256(secret, logistics_interface)):

* ``ORDER_CREATE`` to ``<base_url>/api/waybill`` books a pickup and answers
  ``{"success": "true", "waybillNo": ...}``;
* ``TRACE_PUSH`` from the courier to ``/delivery/push/ems/`` carries ``traces`` with
  ``waybillNo``, ``traceId``, ``opCode`` (10 collected, 20 in transit, 30 out for delivery,
  40 signed for, 50 failed), ``opTime`` (``YYYY-MM-DD HH:MM:SS``, Beijing time), ``opDesc``,
  ``opOrgCity`` and ``signer``; the answer is ``{"success": "true"}``.

Options (``settings.ONESTOP_DELIVERY["ems"]``): ``base_url``, ``partner_code``, ``secret``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from django.utils.translation import gettext_lazy as _

from onestop.core import workdays

from ..base import CourierProvider, PushReply, Tracking, courier_providers
from ..choices import TrackingCode
from ..errors import CourierError, InvalidPush
from . import _http

if TYPE_CHECKING:
    from ..models import Shipment

OP_CODES = {
    "10": TrackingCode.COLLECTED,
    "20": TrackingCode.IN_TRANSIT,
    "30": TrackingCode.OUT_FOR_DELIVERY,
    "40": TrackingCode.DELIVERED,
    "50": TrackingCode.FAILED,
}
CODES_OP = {v: k for k, v in OP_CODES.items()}


def digest(secret: str, logistics_interface: str) -> str:
    mac = hmac.new(secret.encode(), logistics_interface.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def push_body(secret: str, partner_code: str, traces: list[dict[str, str]]) -> bytes:
    """A TRACE_PUSH message as the courier sends it."""
    interface = json.dumps({"traces": traces}, ensure_ascii=False)
    return urlencode(
        {
            "partner_code": partner_code,
            "msg_type": "TRACE_PUSH",
            "logistics_interface": interface,
            "data_digest": digest(secret, interface),
        }
    ).encode()


@courier_providers.register("ems")
class EmsStyleCourier(CourierProvider):
    label = _("中国邮政 EMS")

    @property
    def secret(self) -> str:
        return str(self.options["secret"])

    @property
    def partner_code(self) -> str:
        return str(self.options["partner_code"])

    def create_waybill(self, *, shipment: Shipment, sender: Mapping[str, str]) -> str:
        interface = json.dumps(
            {
                "orderNo": shipment.number,
                "sender": dict(sender),
                "receiver": {
                    "name": shipment.recipient,
                    "mobile": shipment.mobile,
                    "regionCode": shipment.region_code,
                    "address": shipment.address,
                },
                "cargo": shipment.contents,
            },
            ensure_ascii=False,
        )
        body = urlencode(
            {
                "partner_code": self.partner_code,
                "msg_type": "ORDER_CREATE",
                "logistics_interface": interface,
                "data_digest": digest(self.secret, interface),
            }
        ).encode()
        status, _headers, answer = _http.request(
            "POST",
            str(self.options["base_url"]).rstrip("/") + "/api/waybill",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        )
        try:
            data: dict[str, Any] = json.loads(answer)
        except ValueError:
            raise CourierError(code="ems_malformed") from None
        if status != 200 or data.get("success") != "true" or not data.get("waybillNo"):
            raise CourierError(code="ems_" + str(data.get("reason", status)))
        return str(data["waybillNo"])

    def verify_push(self, *, headers: Mapping[str, str], body: bytes) -> list[Tracking]:
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        interface = params.get("logistics_interface", "")
        if not interface or not params.get("data_digest"):
            raise InvalidPush(code="unsigned")
        if not hmac.compare_digest(digest(self.secret, interface), params["data_digest"]):
            raise InvalidPush(code="bad_signature")
        if params.get("partner_code") != self.partner_code:
            raise InvalidPush(code="wrong_partner")
        if params.get("msg_type") != "TRACE_PUSH":
            raise InvalidPush(code="bad_msg_type")
        try:
            traces = json.loads(interface)["traces"]
            return [
                Tracking(
                    waybill_no=str(t["waybillNo"]),
                    external_id=str(t["traceId"]),
                    code=OP_CODES[str(t["opCode"])],
                    at=datetime.strptime(t["opTime"], "%Y-%m-%d %H:%M:%S").replace(
                        tzinfo=workdays.SHANGHAI
                    ),
                    description=str(t.get("opDesc", ""))[:200],
                    location=str(t.get("opOrgCity", ""))[:100],
                    signed_by=str(t.get("signer", ""))[:50],
                )
                for t in traces
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidPush(code="malformed") from exc

    def reply(self, *, ok: bool, message: str = "") -> PushReply:
        if ok:
            return PushReply(200, '{"success":"true"}')
        return PushReply(400, json.dumps({"success": "false", "reason": message}))
