"""The EMS-style courier against a local fake on 127.0.0.1: waybill creation with the signed
digest, and the courier's signed tracking pushes through the HTTP endpoint."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import Client
from django.urls import reverse

from onestop.delivery import services
from onestop.delivery.choices import ShipmentState
from onestop.delivery.contrib.ems import digest, push_body
from onestop.delivery.errors import CourierError

from .conftest import ShipWorld
from .test_services import ADDRESS

pytestmark = pytest.mark.django_db


class FakeEms:
    def __init__(self) -> None:
        self.secret = secrets.token_hex(16)
        self.partner = "TJGA-0001"
        self.orders: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = dict(parse_qsl(body.decode()))
                ok = (
                    self.path == "/api/waybill"
                    and params.get("partner_code") == fake.partner
                    and params.get("msg_type") == "ORDER_CREATE"
                    and digest(fake.secret, params.get("logistics_interface", ""))
                    == params.get("data_digest")
                )
                if ok:
                    order = json.loads(params["logistics_interface"])
                    waybill = "1100" + f"{secrets.randbelow(10**9):09d}"
                    fake.orders.append({**order, "waybillNo": waybill})
                    answer = {"success": "true", "waybillNo": waybill}
                else:
                    answer = {"success": "false", "reason": "S01"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"

    def options(self, **over: str) -> dict[str, str]:
        return {
            "base_url": self.base_url,
            "partner_code": self.partner,
            "secret": self.secret,
            **over,
        }


@pytest.fixture
def ems(settings: Any) -> Iterator[FakeEms]:
    fake = FakeEms()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.ONESTOP_DELIVERY = {"ems": fake.options()}
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def test_waybill_created_with_signed_request_and_pushes_tracked(
    ems: FakeEms,
    ship_world: ShipWorld,
    client: Client,
    system_may_deliver: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.delivery_address_set(
        actor=ship_world.applicant.user, case_id=ship_world.case.pk, **ADDRESS
    )
    shipment = services.shipment_create_for_case(
        case_id=ship_world.case.pk, actor=None, courier_key="ems"
    )
    assert shipment.courier == "ems"
    assert shipment.waybill_no == ems.orders[0]["waybillNo"]
    assert ems.orders[0]["receiver"]["regionCode"] == "120101"
    url = reverse("delivery:push", args=["ems"])
    trace = {
        "waybillNo": shipment.waybill_no,
        "traceId": "E1",
        "opCode": "40",
        "opTime": datetime(2026, 11, 23, 15, 0).strftime("%Y-%m-%d %H:%M:%S"),
        "opDesc": "已签收，本人签收",
        "opOrgCity": "天津市",
        "signer": "张三",
    }
    forged = push_body("wrong-secret", ems.partner, [trace])
    response = client.post(url, data=forged, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json()["success"] == "false"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            data=push_body(ems.secret, ems.partner, [trace]),
            content_type="application/x-www-form-urlencoded",
        )
    assert response.json() == {"success": "true"}
    shipment.refresh_from_db()
    ship_world.case.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED
    assert ship_world.case.state == "closed"


def test_waybill_refused_with_wrong_secret(
    ems: FakeEms, ship_world: ShipWorld, settings: Any
) -> None:
    settings.ONESTOP_DELIVERY = {"ems": ems.options(secret="nope")}
    services.delivery_address_set(
        actor=ship_world.applicant.user, case_id=ship_world.case.pk, **ADDRESS
    )
    with pytest.raises(CourierError):
        services.shipment_create_for_case(case_id=ship_world.case.pk, actor=None, courier_key="ems")
    assert not ems.orders
