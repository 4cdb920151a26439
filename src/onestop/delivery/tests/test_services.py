"""Addresses, shipments, signed tracking pushes (duplicate, out of order, forged), the case
delivered and closed on a signed receipt, and the fallback to window pickup."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from onestop.cases.choices import CaseState
from onestop.core.models import AuditEvent
from onestop.delivery import selectors, services
from onestop.delivery.choices import ShipmentState
from onestop.delivery.contrib import demo
from onestop.delivery.contrib.ems import push_body
from onestop.delivery.errors import InvalidRequest, NotAllowed
from onestop.delivery.models import Shipment, TrackingEvent

from .conftest import ShipWorld

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient": "张三",
    "mobile": "13912345678",
    "region_code": "120101",
    "address": "天津市和平区南京路 100 号 3-201",
}


def _ship(w: ShipWorld) -> Shipment:
    services.delivery_address_set(actor=w.applicant.user, case_id=w.case.pk, **ADDRESS)
    return services.shipment_create_for_case(case_id=w.case.pk, actor=w.clerk)


def test_address_is_validated_encrypted_and_only_the_applicant_may_set_it(
    ship_world: ShipWorld,
) -> None:
    w = ship_world
    with pytest.raises(NotAllowed):
        services.delivery_address_set(actor=w.stranger.user, case_id=w.case.pk, **ADDRESS)
    for field, bad in (
        ("mobile", "12345"),
        ("region_code", "120100"),
        ("region_code", "999999"),
        ("address", "和平区"),
        ("recipient", " "),
    ):
        with pytest.raises(InvalidRequest):
            services.delivery_address_set(
                actor=w.applicant.user, case_id=w.case.pk, **{**ADDRESS, field: bad}
            )
    row = services.delivery_address_set(
        actor=w.applicant.user, case_id=w.case.pk, **{**ADDRESS, "mobile": "+86 139-1234-5678"}
    )
    assert row.mobile == "13912345678"
    assert row.mobile_masked == "139****5678"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile, address FROM delivery_deliveryaddress")
        stored = cursor.fetchone()
    assert "13912345678" not in stored[0] and "南京路" not in stored[1]


def test_shipment_needs_an_address_and_is_idempotent(ship_world: ShipWorld) -> None:
    with pytest.raises(InvalidRequest):
        services.shipment_create_for_case(case_id=ship_world.case.pk, actor=None)
    first = _ship(ship_world)
    assert first.waybill_no and first.waybill_no.startswith("DM")
    assert first.case_number == ship_world.case.number
    assert services.shipment_create_for_case(case_id=ship_world.case.pk, actor=None).pk == first.pk


def test_address_from_the_case_form(ship_world: ShipWorld) -> None:
    case = ship_world.case
    case.form_data = {"delivery_address": ADDRESS}
    case.save()
    shipment = services.shipment_create_for_case(case_id=case.pk, actor=None)
    assert shipment.region_code == "120101" and shipment.mobile == "13912345678"


def test_signed_receipt_delivers_and_closes_the_case(
    ship_world: ShipWorld, system_may_deliver: None, django_capture_on_commit_callbacks: Any
) -> None:
    shipment = _ship(ship_world)
    for expected in (
        ShipmentState.COLLECTED,
        ShipmentState.IN_TRANSIT,
        ShipmentState.OUT_FOR_DELIVERY,
    ):
        assert demo.advance(shipment=shipment)
        shipment.refresh_from_db()
        assert shipment.state == expected
    with django_capture_on_commit_callbacks(execute=True):
        assert demo.advance(shipment=shipment)
    shipment.refresh_from_db()
    ship_world.case.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED
    assert shipment.signed_by == "张三"
    assert ship_world.case.state == CaseState.CLOSED
    events = [e.action for e in ship_world.case.events.order_by("pk")]
    assert events[-2:] == ["deliver", "close"]
    assert [e.code for e in selectors.shipments_for_case(ship_world.case.pk)[0].events.all()] == [
        "collected",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert demo.advance(shipment=shipment) is False


def _trace(shipment: Shipment, trace_id: str, op: str, at: datetime, **kw: str) -> dict[str, str]:
    return {
        "waybillNo": shipment.waybill_no or "",
        "traceId": trace_id,
        "opCode": op,
        "opTime": at.strftime("%Y-%m-%d %H:%M:%S"),
        "opDesc": kw.get("desc", "节点"),
        "opOrgCity": "天津市",
        "signer": kw.get("signer", ""),
    }


def _push(
    traces: list[dict[str, str]], secret: str | None = None, partner: str = demo.PARTNER
) -> int:
    body = push_body(secret or demo.demo_secret(), partner, traces)
    return services.shipment_push_receive(courier_key="demo", headers={}, body=body).status


def test_duplicate_and_out_of_order_pushes(ship_world: ShipWorld, system_may_deliver: None) -> None:
    shipment = _ship(ship_world)
    t0 = datetime(2026, 11, 23, 9, 0)
    # delivered arrives first, then the older events, then a duplicate
    assert _push([_trace(shipment, "t4", "40", t0 + timedelta(hours=6), signer="张三")]) == 200
    assert (
        _push(
            [
                _trace(shipment, "t1", "10", t0),
                _trace(shipment, "t2", "20", t0 + timedelta(hours=1)),
            ]
        )
        == 200
    )
    assert _push([_trace(shipment, "t4", "40", t0 + timedelta(hours=6), signer="张三")]) == 200
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED
    assert list(shipment.events.values_list("external_id", flat=True)) == ["t1", "t2", "t4"]


def test_forged_or_foreign_pushes_change_nothing(ship_world: ShipWorld) -> None:
    shipment = _ship(ship_world)
    now = datetime(2026, 11, 23, 9, 0)
    assert _push([_trace(shipment, "f1", "40", now)], secret="guessed") == 400
    assert _push([_trace(shipment, "f2", "40", now)], partner="OTHER") == 400
    body = push_body(demo.demo_secret(), demo.PARTNER, [_trace(shipment, "f3", "10", now)])
    tampered = body.replace(b"%2210%22", b"%2240%22")
    assert tampered != body
    assert (
        services.shipment_push_receive(courier_key="demo", headers={}, body=tampered).status == 400
    )
    assert _push([{**_trace(shipment, "f4", "10", now), "waybillNo": "DM-NOPE"}]) == 400
    assert TrackingEvent.objects.count() == 0
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.CREATED


def test_failed_delivery_falls_back_to_window_with_notice(
    ship_world: ShipWorld, django_capture_on_commit_callbacks: Any
) -> None:
    from onestop.messaging.models import Message

    shipment = _ship(ship_world)  # the shipped default template (messaging.defaults) is used
    demo.advance(shipment=shipment)
    shipment.refresh_from_db()
    demo.advance(shipment=shipment)
    shipment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        demo.advance(shipment=shipment, fail=True)
    shipment.refresh_from_db()
    ship_world.case.refresh_from_db()
    assert shipment.state == ShipmentState.WINDOW
    assert "劝业场派出所窗口领取" in shipment.fallback_notice
    assert ship_world.case.state == CaseState.RESULT_ISSUED  # the clerk records the collection
    assert AuditEvent.objects.filter(action="delivery.fallback_window").exists()
    messages = Message.objects.filter(event=services.FALLBACK_EVENT).order_by("channel")
    assert [m.channel for m in messages] == ["in_app", "sms"]
    assert "劝业场派出所窗口领取" in messages[0].body
    assert messages[1].address_masked == "139****5678"
    # a new shipment may be sent after the fallback (the applicant asked again)
    again = services.shipment_create_for_case(case_id=ship_world.case.pk, actor=None)
    assert again.pk != shipment.pk


def test_demo_push_format_is_json(ship_world: ShipWorld) -> None:
    shipment = _ship(ship_world)
    body = push_body("s", "p", [_trace(shipment, "x", "10", datetime(2026, 1, 1))])
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(body.decode()))
    assert json.loads(params["logistics_interface"])["traces"][0]["traceId"] == "x"
