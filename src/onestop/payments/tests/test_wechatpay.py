"""The WeChat Pay API v3 adapter against a local fake gateway speaking the real protocol."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop.payments import services
from onestop.payments.choices import OrderState, RefundState
from onestop.payments.errors import ProviderError
from onestop.payments.models import LedgerEntry, PaymentNotice, PaymentOrder

from .conftest import PayWorld
from .fakes import FakeWechatPay, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeWechatPay]:
    fake = FakeWechatPay()
    with fake.running():
        settings.ONESTOP_PAYMENTS = {"wechatpay": fake.options()}
        yield fake


def _start(w: PayWorld) -> tuple[PaymentOrder, str]:
    order = services.payment_order_for_case(
        case_id=w.case.pk, payer=w.payer.user, amount_fen=2000, description="测试收费"
    )
    started = services.payment_start(
        order=order,
        actor=w.payer.user,
        provider_key="wechatpay",
        notify_url="https://onestop.example/payments/notify/wechatpay/",
        return_url="",
    )
    order.refresh_from_db()
    return order, started.qr_payload


def _post(client: Client, headers: dict[str, str], body: bytes) -> Any:
    return client.post(
        reverse("payments:notify", args=["wechatpay"]),
        data=body,
        content_type="application/json",
        headers=headers,
    )


def test_native_order_is_signed_and_returns_a_qr_code(
    gateway: FakeWechatPay, pay_world: PayWorld
) -> None:
    order, qr = _start(pay_world)
    assert qr.startswith("weixin://wxpay/bizpayurl?pr=")
    sent = json.loads(gateway.requests[-1]["body"])
    assert sent["amount"] == {"total": 2000, "currency": "CNY"}
    assert sent["out_trade_no"] == order.number
    assert sent["notify_url"].endswith("/payments/notify/wechatpay/")
    assert order.state == OrderState.PAYING


def test_h5_order(gateway: FakeWechatPay, pay_world: PayWorld, settings: Any) -> None:
    settings.ONESTOP_PAYMENTS = {"wechatpay": gateway.options(channel="h5")}
    order = services.payment_order_for_case(
        case_id=pay_world.case.pk, payer=pay_world.payer.user, amount_fen=2000, description="x"
    )
    started = services.payment_start(
        order=order, actor=None, provider_key="wechatpay", notify_url="n", return_url=""
    )
    assert started.redirect_url.startswith("https://wx.tenpay.com/")
    assert gateway.requests[-1]["path"] == "/v3/pay/transactions/h5"


def test_answer_signed_by_another_key_is_refused(
    gateway: FakeWechatPay, pay_world: PayWorld, settings: Any
) -> None:
    settings.ONESTOP_PAYMENTS = {"wechatpay": gateway.options(platform_public_key=_other_public())}
    with pytest.raises(ProviderError) as raised:
        _start(pay_world)
    assert raised.value.code == "wechatpay_answer_bad_signature"
    assert PaymentOrder.objects.get().state == OrderState.CREATED


def _other_public() -> str:
    from .fakes import public_pem

    return public_pem(new_key())


def test_request_signed_with_the_wrong_merchant_key_fails(
    gateway: FakeWechatPay, pay_world: PayWorld, settings: Any
) -> None:
    from .fakes import private_pem

    settings.ONESTOP_PAYMENTS = {"wechatpay": gateway.options(private_key=private_pem(new_key()))}
    with pytest.raises(ProviderError):
        _start(pay_world)


def test_payment_notification_is_decrypted_verified_and_credited_once(
    gateway: FakeWechatPay, pay_world: PayWorld, client: Client
) -> None:
    order, _qr = _start(pay_world)
    gateway.pay(order.number)
    headers, body = gateway.payment_notice(order.number)
    assert _post(client, headers, body).status_code == 204
    assert _post(client, headers, body).status_code == 204  # replay: acknowledged, no-op
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert order.provider_txn_id == gateway.orders[order.number]["transaction_id"]
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    "case",
    ["forged", "stale", "wrong_merchant", "wrong_app", "wrong_amount", "bad_key", "tampered"],
)
def test_bad_notifications_change_nothing(
    gateway: FakeWechatPay, pay_world: PayWorld, client: Client, case: str
) -> None:
    order, _qr = _start(pay_world)
    gateway.pay(order.number)
    resource = gateway._transaction(order.number)
    kw: dict[str, Any] = {}
    if case == "forged":
        kw["key"] = new_key()
    elif case == "stale":
        kw["at"] = time.time() - 600
    elif case == "wrong_merchant":
        resource["mchid"] = "1900000999"
    elif case == "wrong_app":
        resource["appid"] = "wx0000000000000000"
    elif case == "wrong_amount":
        resource["amount"]["total"] = 1
    elif case == "bad_key":
        kw["apiv3_key"] = "0" * 32
    headers, body = gateway.notice("TRANSACTION.SUCCESS", resource, **kw)
    if case == "tampered":
        envelope = json.loads(body)
        envelope["resource"]["ciphertext"] = envelope["resource"]["ciphertext"][:-4] + "AAAA"
        body = json.dumps(envelope).encode()
        headers = gateway.signed_headers(body)
    response = _post(client, headers, body)
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    order.refresh_from_db()
    assert order.state == OrderState.PAYING
    assert LedgerEntry.objects.count() == 0
    expected = {
        "forged": "bad_signature",
        "stale": "stale_timestamp",
        "wrong_merchant": "wrong_merchant",
        "wrong_app": "wrong_app",
        "wrong_amount": "amount_mismatch",
        "bad_key": "bad_ciphertext",
        "tampered": "bad_ciphertext",
    }[case]
    assert PaymentNotice.objects.get().reason == expected


def test_mop_up_queries_the_gateway(gateway: FakeWechatPay, pay_world: PayWorld) -> None:
    order, _qr = _start(pay_world)
    result = services.payment_mop_up(now=timezone.now() + timedelta(minutes=5))
    assert (result.queried, result.credited) == (1, 0)
    gateway.pay(order.number)
    result = services.payment_mop_up(now=timezone.now() + timedelta(minutes=10))
    assert result.credited == 1
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert any(r["path"].startswith("/v3/pay/transactions/out-trade-no/") for r in gateway.requests)


def test_refund_and_its_notification(
    gateway: FakeWechatPay, pay_world: PayWorld, client: Client
) -> None:
    order, _qr = _start(pay_world)
    gateway.pay(order.number)
    _post(client, *gateway.payment_notice(order.number))
    order.refresh_from_db()
    refund = services.refund_create(
        actor=pay_world.approver, order=order, amount_fen=800, reason="部分退费", notify_url="n"
    )
    assert refund.state == RefundState.PENDING
    assert json.loads(gateway.requests[-1]["body"])["amount"] == {
        "refund": 800,
        "total": 2000,
        "currency": "CNY",
    }
    headers, body = gateway.refund_notice(refund.number)
    assert _post(client, headers, body).status_code == 204
    assert _post(client, headers, body).status_code == 204
    order.refresh_from_db()
    refund.refresh_from_db()
    assert refund.state == RefundState.SUCCEEDED
    assert (order.state, order.refunded_fen) == (OrderState.PARTLY_REFUNDED, 800)
    assert sum(LedgerEntry.objects.values_list("amount_fen", flat=True)) == 1200
