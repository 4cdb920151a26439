"""Issue 5's journey through the real pages: an applicant pays the fee of a case at the demo
cashier (signed asynchronous notification), the case proceeds once the payment is confirmed,
the result is sent by the demo courier and the applicant follows the tracking until the signed
receipt closes the case; a fine is paid without logging in and shows in staff reconciliation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts.models import User
from onestop.accounts.tests.factories import PASSWORD, staff_user
from onestop.cases import services as cases
from onestop.cases.choices import CaseState
from onestop.cases.models import Case
from onestop.catalogue.models import ServiceItemVersion
from onestop.core import workdays
from onestop.delivery.models import Shipment
from onestop.demo.staff import DEMO_PASSWORD
from onestop.payments import selectors as pay_selectors
from onestop.payments.demo import load_demo as load_payments_demo
from onestop.payments.models import PaymentOrder

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_INPUT = "input[name=code], input[name=otp_token]"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def demo() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    load_payments_demo()


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    from reportlab.pdfgen import canvas

    path = tmp_path / "material.pdf"
    drawing = canvas.Canvas(str(path))
    drawing.drawString(72, 720, "onestop test material")
    drawing.save()
    return path


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    return context.new_page()


def public_login(page: Page, base: str, mobile: str) -> None:
    page.goto(base + "/account/login/")
    page.fill("input[name=identifier]", mobile)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/account/login/" not in page.url, page.content()[:2000]


def staff_login(page: Page, base: str, user: User) -> None:
    page.goto(base + "/work/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill(TOTP_INPUT, f"{totp.token():0{device.digits}d}")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()


def test_pay_fee_then_result_by_courier(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, demo, pdf: Path, screenshot
) -> None:
    base = live_server.url
    version = (
        ServiceItemVersion.objects.filter(status="published", fee_fen__gt=0, delivery_courier=True)
        .order_by("pk")
        .first()
    )
    assert version is not None
    unit = version.item.implementing_unit
    officer = staff_user(
        unit=unit, roles=["window_clerk", "reviewer", "approver"], username="fee_officer"
    )
    page = new_page(browser)
    public_login(page, base, "13800138001")  # 张伟
    # applying online: the item's form, its materials, delivery by courier
    page.goto(f"{base}/cases/apply/{version.item_id}/")
    page.fill("[name=f-permit_no]", "C12345678")
    page.fill("[name=f-employer]", "天津津海科技有限公司")
    page.select_option("[name=f-endorsement]", "一年多次商务签注")
    page.select_option("[name=f-destination]", "香港")
    for material in version.materials.filter(source="applicant"):
        page.set_input_files(f"[name=app-file_{material.pk}]", str(pdf))
    page.select_option("[name=app-delivery]", "courier")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert "/receipt/" in page.url, page.content()[:2000]
    case = Case.objects.get(number=page.url.rstrip("/").split("/")[-2])
    # submission opened the fee order; the case waits for it
    order = pay_selectors.case_payment_order(case.pk)
    assert order is not None and order.amount_fen == version.fee_fen
    assert pay_selectors.case_payment_state(case.pk) == "unpaid"
    assert "待缴费" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="立即缴费").click()
    screenshot(page, "payments-order")
    with page.expect_navigation():
        page.get_by_role("button", name="去支付").click()
    assert "/payments/demo-cashier/" in page.url
    screenshot(page, "payments-demo-cashier")
    with page.expect_navigation():
        page.get_by_role("button", name="确认付款").click()
    assert page.locator("#order-state").inner_text() == "已支付"
    assert "支付成功，平台已确认到账" in page.locator("main").inner_text()
    screenshot(page, "payments-paid")
    receipt = page.request.get(base + f"/payments/order/{order.number}/receipt.pdf")
    assert receipt.ok and receipt.body().startswith(b"%PDF")
    assert pay_selectors.case_payment_state(case.pk) == "paid"
    page.goto(base + "/payments/mine/")
    assert order.number in page.locator("main").inner_text()

    # the case proceeds once its payment is confirmed: the clerk accepts in the workbench
    desk = new_page(browser)
    staff_login(desk, base, officer)
    desk.goto(f"{base}/work/cases/{case.number}/")
    assert "已缴费" in desk.locator("dl.case-facts").inner_text()
    accept = desk.locator("form[action$='/accept/']")
    accept.locator("xpath=..").locator("summary").click()
    with desk.expect_navigation():
        accept.get_by_role("button", name="确认受理").click()
    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED
    for step in (
        cases.case_start_review,
        cases.case_approve,
        cases.case_issue_result,
    ):
        case = step(actor=officer, case=Case.objects.get(pk=case.pk))
    assert case.state == CaseState.RESULT_ISSUED

    # the applicant gives the delivery address
    page.goto(base + f"/delivery/address/{case.number}/")
    page.fill("[name=recipient]", "张伟")
    page.fill("[name=mobile]", "13800138001")
    page.fill("[name=region_code]", "120101")
    page.fill("[name=address]", "天津市和平区南京路 100 号 3-201")
    with page.expect_navigation():
        page.get_by_role("button", name="保存地址").click()
    assert "寄递地址已保存" in page.locator("main").inner_text()
    screenshot(page, "delivery-address")

    # the officer sends the result with the demo courier, which pushes its tracking
    desk.goto(base + "/work/delivery/")
    desk.fill("[name=case_number]", case.number)
    desk.fill("[name=contents]", "普通护照")
    with desk.expect_navigation():
        desk.get_by_role("button", name="下单寄递").click()
    shipment = Shipment.objects.get(case_id=case.pk)
    for _ in range(3):
        with desk.expect_navigation():
            desk.get_by_role("button", name="演示快递：推进下一节点").click()
    screenshot(desk, "delivery-staff-shipment")
    page.goto(base + f"/delivery/track/{shipment.number}/")
    assert page.locator(".shipment-state").inner_text() == "派送中"
    with desk.expect_navigation():
        desk.get_by_role("button", name="演示快递：推进下一节点").click()

    page.goto(base + f"/delivery/track/{shipment.number}/")
    text = page.locator("main").inner_text()
    assert "已签收" in text and "已揽收" in text and "运输中" in text
    screenshot(page, "delivery-tracking")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    page.goto(base + f"/cases/mine/{case.number}/")
    assert "已办结" in page.locator("main").inner_text()


def test_fine_paid_without_login_shows_in_reconciliation(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, demo, screenshot
) -> None:
    base = live_server.url
    page = new_page(browser)
    page.goto(base + "/payments/fines/")
    page.fill("[name=decision_number]", "120101202610000002")
    page.fill("[name=code]", "613904")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert page.locator("#fine-amount").inner_text() == "150.00"
    assert page.locator("#fine-surcharge").inner_text() == "45.00"
    assert page.locator("#fine-total").inner_text() == "195.00"
    screenshot(page, "payments-fine")
    with page.expect_navigation():
        page.get_by_role("button", name="立即缴纳").click()
    with page.expect_navigation():
        page.get_by_role("button", name="去支付").click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认付款").click()
    assert page.locator("#order-state").inner_text() == "已支付"
    order = PaymentOrder.objects.get(purpose="fine")

    unit = order.unit
    assert unit is not None
    officer = staff_user(unit=unit, roles=["approver"], username="fine_officer")
    desk = new_page(browser)
    staff_login(desk, base, officer)
    desk.goto(base + "/work/payments/reconciliation/")
    desk.select_option("[name=provider]", "demo")
    today = timezone.localtime(timezone.now(), workdays.SHANGHAI).date()
    desk.fill("[name=day]", today.isoformat())
    with desk.expect_navigation():
        desk.get_by_role("button", name="开始对账").click()
    text = desk.locator("main").inner_text()
    assert "没有差异" in text and order.number in text
    screenshot(desk, "payments-reconciliation")
