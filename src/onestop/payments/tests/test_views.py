"""Payer and staff pages: pay at the demo cashier, my orders, receipt, fines without login,
staff reconciliation (a fine paid online appears; a planted mismatch is flagged), refunds."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import login_verified
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop.core import workdays
from onestop.payments import services
from onestop.payments.choices import OrderState
from onestop.payments.contrib import demo
from onestop.payments.models import PaymentOrder, ReconciliationRun

from .conftest import PayWorld

pytestmark = pytest.mark.django_db


def _case_order(w: PayWorld) -> PaymentOrder:
    return services.payment_order_for_case(
        case_id=w.case.pk, payer=w.payer.user, amount_fen=2000, description="护照办理费"
    )


def _pay_at_cashier(
    client: Client, order: PaymentOrder, django_capture_on_commit_callbacks: object
) -> None:
    response = client.post(reverse("payments:order-pay", args=[order.number]), {"provider": "demo"})
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:demo-cashier", args=[order.number])
    page = client.get(response["Location"])
    assert "演示收银台" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(response["Location"], {"outcome": "pay", "copies": "2"})
    assert response["Location"] == reverse("payments:order-pay", args=[order.number])


def test_payer_pays_at_the_demo_cashier_and_gets_a_receipt(
    pay_world: PayWorld, client: Client, django_capture_on_commit_callbacks: object
) -> None:
    order = _case_order(pay_world)
    client.force_login(pay_world.payer.user)
    page = client.get(reverse("payments:order-pay", args=[order.number])).content.decode()
    assert "¥ 20.00" in page and "去支付" in page
    _pay_at_cashier(client, order, django_capture_on_commit_callbacks)
    page = client.get(reverse("payments:order-pay", args=[order.number])).content.decode()
    assert "支付成功，平台已确认到账" in page
    mine = client.get(reverse("payments:mine")).content.decode()
    assert order.number in mine and "已支付" in mine
    pdf = client.get(reverse("payments:receipt", args=[order.number]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_other_people_cannot_see_or_pay_an_order(pay_world: PayWorld, client: Client) -> None:
    order = _case_order(pay_world)
    url = reverse("payments:order-pay", args=[order.number])
    assert client.get(url).status_code == 302  # login first
    client.force_login(pay_world.clerk)
    assert client.get(url).status_code == 404
    assert client.get(reverse("payments:receipt", args=[order.number])).status_code == 404


def test_notify_endpoint_rejects_forgeries(pay_world: PayWorld, client: Client) -> None:
    order = _case_order(pay_world)
    headers, body = demo.signed_notice(
        {
            "kind": "payment",
            "merchant_id": demo.MERCHANT_ID,
            "order_number": order.number,
            "txn_id": "X1",
            "amount_fen": 2000,
            "currency": "CNY",
            "at": timezone.now().isoformat(),
        },
        secret=b"forger",
    )
    url = reverse("payments:notify", args=["demo"])
    response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert (
        client.post(
            reverse("payments:notify", args=["nope"]), data=b"", content_type="application/json"
        ).status_code
        == 404
    )
    order.refresh_from_db()
    assert order.state == OrderState.CREATED


def _fine(w: PayWorld, decided: date) -> None:
    services.fine_create(
        actor=None,
        decision_number="120101202611000123",
        verification_code="580231",
        kind="traffic",
        party_name="赵六",
        facts="机动车违反禁止标线指示",
        amount_fen=20000,
        decided_on=decided,
        unit=w.units["station1"],
    )


def test_fine_paid_without_login_shows_surcharge_and_reconciles(
    pay_world: PayWorld, client: Client, django_capture_on_commit_callbacks: object
) -> None:
    today = timezone.localtime(timezone.now(), workdays.SHANGHAI).date()
    _fine(pay_world, today.replace(day=1) if today.day > 20 else today)
    url = reverse("payments:fine")
    wrong = client.post(url, {"decision_number": "120101202611000123", "code": "000000"})
    assert wrong.status_code == 404 and "不正确" in wrong.content.decode()
    shown = client.post(url, {"decision_number": "120101202611000123", "code": "580231"})
    text = shown.content.decode()
    assert "200.00" in text and "加处罚款" in text
    response = client.post(
        url, {"decision_number": "120101202611000123", "code": "580231", "pay": "1"}
    )
    order = PaymentOrder.objects.get(purpose="fine")
    assert response["Location"] == reverse("payments:order-pay", args=[order.number])
    assert order.payer is None
    _pay_at_cashier(client, order, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    again = client.post(url, {"decision_number": "120101202611000123", "code": "580231"})
    assert "该罚款已缴纳" in again.content.decode()
    # a stranger's browser cannot open the anonymous order
    assert Client().get(reverse("payments:order-pay", args=[order.number])).status_code == 404

    # staff reconcile the day with the gateway's statement, one row tampered with
    staff = login_verified(Client(), pay_world.approver)
    statement = demo.statement_csv(today)
    assert order.number in statement
    planted = statement.replace(
        f"{order.number},payment,{order.amount_yuan}", f"{order.number},payment,1.00"
    )
    planted += "2026-11-23 10:00:00,DPGHOST,PO-GHOST,payment,5.00\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff.post(
        reverse("payments-staff:reconciliation"),
        {
            "provider": "demo",
            "day": today.isoformat(),
            "statement": SimpleUploadedFile("s.csv", planted.encode(), "text/csv"),
        },
    )
    run = ReconciliationRun.objects.get()
    assert response["Location"] == reverse("payments-staff:reconciliation-run", args=[run.pk])
    page = staff.get(response["Location"]).content.decode()
    assert run.mismatches == 2
    assert "金额不符" in page and "平台无记录" in page and "DPGHOST" in page
    # and the clean statement fetched from the gateway matches: the fine is listed as matched
    response = staff.post(
        reverse("payments-staff:reconciliation"), {"provider": "demo", "day": today.isoformat()}
    )
    clean = ReconciliationRun.objects.order_by("-pk").first()
    assert clean is not None and clean.mismatches == 0
    page = staff.get(response["Location"]).content.decode()
    assert order.number in page and "没有差异" in page


def test_bad_statement_is_refused_with_a_message(pay_world: PayWorld) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = login_verified(Client(), pay_world.approver)
    response = staff.post(
        reverse("payments-staff:reconciliation"),
        {
            "provider": "demo",
            "day": "2026-11-23",
            "statement": SimpleUploadedFile("s.csv", b"a,b\n1,2\n", "text/csv"),
        },
    )
    assert response.status_code == 200
    assert "对账单格式不正确" in response.content.decode()
    assert not ReconciliationRun.objects.exists()


def test_refund_page_is_role_gated(
    pay_world: PayWorld, django_capture_on_commit_callbacks: object
) -> None:
    order = _case_order(pay_world)
    services.payment_start(
        order=order, actor=None, provider_key="demo", notify_url="", return_url=""
    )
    demo.gateway_pay(order=order, outcome="pay_lost")
    services.payment_mop_up(now=timezone.now() + timezone.timedelta(minutes=5))
    url = reverse("payments-staff:order", args=[order.number])
    clerk = login_verified(Client(), pay_world.clerk)
    page = clerk.get(url).content.decode()
    assert "已支付" in page and "办理退款" not in page
    assert clerk.post(url, {"amount_yuan": "5.00", "reason": "多收"}).status_code == 404
    outsider = login_verified(Client(), pay_world.outsider)
    assert outsider.get(url).status_code == 404
    approver = login_verified(Client(), pay_world.approver)
    assert "办理退款" in approver.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = approver.post(url, {"amount_yuan": "5.00", "reason": "多收"})
    assert response.status_code == 302
    page = approver.get(url).content.decode()
    assert "部分退款" in page and "退款成功" in page
    too_much = approver.post(url, {"amount_yuan": "15.01", "reason": "多收"})
    assert "不超过可退金额 15.00 元" in too_much.content.decode()
