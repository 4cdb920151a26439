"""The Alipay adapter (RSA2) against a local fake gateway speaking the real protocol."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop.payments import services
from onestop.payments.choices import OrderState, RefundState
from onestop.payments.models import LedgerEntry, PaymentNotice, PaymentOrder

from .conftest import PayWorld
from .fakes import FakeAlipay, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeAlipay]:
    fake = FakeAlipay()
    with fake.running():
        settings.ONESTOP_PAYMENTS = {"alipay": fake.options()}
        yield fake


def _start(w: PayWorld) -> tuple[PaymentOrder, str]:
    order = services.payment_order_for_case(
        case_id=w.case.pk, payer=w.payer.user, amount_fen=2050, description="测试收费"
    )
    started = services.payment_start(
        order=order,
        actor=w.payer.user,
        provider_key="alipay",
        notify_url="https://x/n",
        return_url="https://x/r",
    )
    order.refresh_from_db()
    return order, started.redirect_url


def _post(client: Client, body: bytes) -> Any:
    return client.post(
        reverse("payments:notify", args=["alipay"]),
        data=body,
        content_type="application/x-www-form-urlencoded",
    )


def test_page_pay_url_is_signed_for_the_gateway(gateway: FakeAlipay, pay_world: PayWorld) -> None:
    order, url = _start(pay_world)
    params = dict(parse_qsl(urlsplit(url).query))
    assert order.number in params["biz_content"]
    assert url.startswith(gateway.base_url + "/gateway.do?")
    assert params["method"] == "alipay.trade.page.pay"
    assert '"total_amount":"20.50"' in params["biz_content"]
    assert gateway.verify_request(params)
    params["biz_content"] = params["biz_content"].replace("20.50", "0.01")
    assert not gateway.verify_request(params)


def test_notification_answers_exactly_success_and_credits_once(
    gateway: FakeAlipay, pay_world: PayWorld, client: Client
) -> None:
    order, _url = _start(pay_world)
    gateway.pay(order.number, "20.50")
    body = gateway.payment_notice(order.number)
    response = _post(client, body)
    assert response.status_code == 200
    assert response.content == b"success"
    assert _post(client, body).content == b"success"
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    "case", ["forged", "wrong_app", "wrong_seller", "wrong_amount", "tampered"]
)
def test_bad_notifications_change_nothing(
    gateway: FakeAlipay, pay_world: PayWorld, client: Client, case: str
) -> None:
    order, _url = _start(pay_world)
    trade = gateway.pay(order.number, "20.50")
    params = {
        "out_trade_no": order.number,
        "trade_no": trade["trade_no"],
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "20.50",
    }
    kw: dict[str, Any] = {}
    if case == "forged":
        kw["key"] = new_key()
    elif case == "wrong_app":
        params["app_id"] = "2021000000009999"
    elif case == "wrong_seller":
        params["seller_id"] = "2088000000009999"
    elif case == "wrong_amount":
        params["total_amount"] = "0.01"
    body = gateway.notice(params, **kw)
    if case == "tampered":
        body = body.replace(b"total_amount=20.50", b"total_amount=0.01")
    response = _post(client, body)
    assert response.content == b"failure"
    order.refresh_from_db()
    assert order.state == OrderState.PAYING
    assert LedgerEntry.objects.count() == 0
    assert PaymentNotice.objects.get().verdict == "rejected"


def test_mop_up_queries_and_verifies_the_answer(gateway: FakeAlipay, pay_world: PayWorld) -> None:
    order, _url = _start(pay_world)
    assert services.payment_mop_up(now=timezone.now() + timedelta(minutes=5)).credited == 0
    gateway.pay(order.number, "20.50")
    assert services.payment_mop_up(now=timezone.now() + timedelta(minutes=10)).credited == 1
    order.refresh_from_db()
    assert order.state == OrderState.PAID


def test_query_answer_with_a_bad_signature_is_not_trusted(
    gateway: FakeAlipay, pay_world: PayWorld, monkeypatch: Any
) -> None:
    order, _url = _start(pay_world)
    gateway.pay(order.number, "20.50")
    forger = new_key()
    original = gateway._answer
    monkeypatch.setattr(
        gateway, "_answer", lambda method, node, key=None: original(method, node, key=forger)
    )
    result = services.payment_mop_up(now=timezone.now() + timedelta(minutes=5))
    assert result.credited == 0 and result.errors
    order.refresh_from_db()
    assert order.state == OrderState.PAYING


def test_refund_is_synchronous_and_its_notification_is_a_duplicate(
    gateway: FakeAlipay, pay_world: PayWorld, client: Client
) -> None:
    order, _url = _start(pay_world)
    trade = gateway.pay(order.number, "20.50")
    _post(client, gateway.payment_notice(order.number))
    order.refresh_from_db()
    refund = services.refund_create(
        actor=pay_world.approver, order=order, amount_fen=2050, reason="撤件退费"
    )
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.state == RefundState.SUCCEEDED
    assert order.state == OrderState.REFUNDED
    body = gateway.notice(
        {
            "out_trade_no": order.number,
            "trade_no": trade["trade_no"],
            "trade_status": "TRADE_CLOSED",
            "total_amount": "20.50",
            "refund_fee": "20.50",
            "out_biz_no": refund.number,
            "gmt_refund": "2026-11-23 12:00:00",
        }
    )
    assert _post(client, body).content == b"success"
    assert sum(LedgerEntry.objects.values_list("amount_fen", flat=True)) == 0
    assert LedgerEntry.objects.count() == 2
