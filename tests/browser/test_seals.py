"""Issue 7's journey through the real pages: a new enterprise orders seals online with no
materials and a freely chosen shop; the shop accepts and completes the order in its portal; the
enterprise sees the automatic filing, its filing certificate and the elapsed working time
against the 0.5-working-day promise, gets an e-seal and signs a PDF; a third party verifies the
seal code and the signed PDF without logging in."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import time_machine
from reportlab.pdfgen import canvas
from stdnum.cn import ric, uscc

from onestop.accounts import services as account_services
from onestop.accounts.models import Enterprise, Person
from onestop.accounts.tests.factories import UnitFactory
from onestop.certificates import services as certificate_services
from onestop.seals.choices import OrderState
from onestop.seals.models import EngravingShop, SealOrder

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery-9"
VIEWPORT = {"width": 1280, "height": 800}


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    return context.new_page()


def person(name: str, n: int, mobile: str) -> Person:
    base = f"12010119900101{n:03d}"
    created = account_services.person_register(
        name=name,
        id_number=base + ric.calc_check_digit(base + "0"),
        mobile=mobile,
        password=PASSWORD,
    )
    return account_services.person_mark_verified(actor=None, person=created, method="test")


@pytest.fixture
def world(db: None) -> dict[str, object]:
    UnitFactory(code="TJ", name="天津市公安局", kind="bureau", region_code="120000")
    UnitFactory(code="TJ-HP", name="天津市公安局和平分局", kind="sub_bureau", region_code="120101")
    rep = person("陈新", 31, "13900001031")
    body = "91120101MA07B5678"
    code = body + uscc.calc_check_digit(body)
    account_services.enterprise_create(
        actor=None,
        credit_code=code,
        name="天津新创科技有限公司",
        legal_representative_name=rep.name,
        legal_representative_id=rep.id_number,
        region_code="120101",
        address="天津市和平区南京路 200 号",
    )
    account_services.enterprise_bind_legal_rep(
        person=rep, credit_code=code, name="天津新创科技有限公司"
    )
    operator = person("刻章店员", 32, "13900001032")
    shop = EngravingShop.objects.create(
        name="和平印章刻制中心",
        licence_no="津公特刻字 0001 号",
        region_code="120101",
        address="天津市和平区滨江道 1 号",
        rating="4.8",
        prices={
            "official": 8000,
            "finance": 6000,
            "contract": 6000,
            "invoice": 6000,
            "legal_rep": 3000,
        },
    )
    shop.operators.add(operator.user)
    EngravingShop.objects.create(
        name="河西诚信刻字社",
        licence_no="津公特刻字 0002 号",
        region_code="120103",
        address="天津市河西区友谊路 5 号",
        rating="4.5",
        prices={"official": 7000, "contract": 5000},
    )
    return {"enterprise": Enterprise.objects.get(credit_code=code), "shop": shop}


@pytest.fixture
def contract_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "contract.pdf"
    drawing = canvas.Canvas(str(path))
    drawing.drawString(72, 720, "Purchase contract No. 2026-118")
    drawing.save()
    return path


def login(page: Page, base: str, mobile: str) -> None:
    page.goto(base + "/account/login/")
    page.fill("input[name=identifier]", mobile)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/account/login/" not in page.url


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)  # a Monday


def test_seal_order_filing_eseal_and_third_party_verification(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, world, contract_pdf: Path, tmp_path: Path, screenshot
) -> None:
    base = live_server.url
    # 10:00 the legal representative orders two seals, choosing the shop.
    with time_machine.travel(at(10), tick=True):
        rep = new_page(browser)
        login(rep, base, "13900001031")
        rep.goto(base + "/seals/order/")
        rep.check("input[name=kinds][value=official]")
        rep.check("input[name=kinds][value=contract]")
        rep.check(f"input[name=shop][value='{world['shop'].pk}']")
        screenshot(rep, "seals-order-new")
        with rep.expect_navigation():
            rep.get_by_role("button", name="提交订单").click()
        order = SealOrder.objects.get()
        assert rep.url.endswith(f"/seals/orders/{order.number}/"), rep.url
        assert "待接单" in rep.locator("main").inner_text()

    # 10:20 the shop accepts; 11:45 it marks the seals engraved (automatic filing).
    with time_machine.travel(at(10, 20), tick=True):
        shop = new_page(browser)
        login(shop, base, "13900001032")
        shop.goto(base + "/seals/shop/")
        assert order.number in shop.locator("main").inner_text()
        shop.goto(f"{base}/seals/shop/orders/{order.number}/")
        with shop.expect_navigation():
            shop.get_by_role("button", name="接单").click()
    with time_machine.travel(at(11, 45), tick=True):
        shop.reload()
        with shop.expect_navigation():
            shop.get_by_role("button", name="刻制完成").click()
        screenshot(shop, "seals-shop-order")
    order.refresh_from_db()
    assert order.state == OrderState.READY
    # the clocks tick while the browser works: 1 h 45 min of office time, give or take
    assert abs(order.elapsed_working - dt.timedelta(hours=1, minutes=45)) < dt.timedelta(minutes=1)

    # 11:50 the enterprise sees codes, filing and the promise; gets an e-seal; signs a PDF.
    with time_machine.travel(at(11, 50), tick=True):
        rep.reload()
        main = rep.locator("main").inner_text()
        assert "已用 0.25 个工作日 / 承诺 0.50 个工作日" in main
        assert "按承诺时限完成" in main
        official = order.seals.get(kind="official")
        assert official.code in main
        rep.locator("tr", has_text="公章").first.get_by_role("button", name="申领电子印章").click()
        rep.wait_for_load_state()
        assert "电子印章已制作" in rep.locator("main").inner_text()
        screenshot(rep, "seals-order-filed")
        rep.click("a.filing-link")
        assert "印章备案证明" in rep.locator("main h1").inner_text()
        screenshot(rep, "seals-filing-certificate")

        rep.goto(base + "/seals/sign/")
        rep.set_input_files("input[name=document]", str(contract_pdf))
        screenshot(rep, "seals-sign")
        with rep.expect_download() as download_info:
            rep.get_by_role("button", name="盖章并下载").click()
        signed = tmp_path / "signed.pdf"
        download_info.value.save_as(signed)
    assert signed.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in out

    # A third party, not logged in, checks the seal code and the signed PDF.
    third = new_page(browser)
    third.goto(f"{base}/seals/verify/?code={official.code}")
    result = third.locator("section.seal-result").inner_text()
    assert "已在公安机关备案" in result and "天津新创科技有限公司" in result
    screenshot(third, "seals-verify-code")
    third.goto(base + "/seals/verify-pdf/")
    third.set_input_files("input[name=document]", str(signed))
    with third.expect_navigation():
        third.get_by_role("button", name="验证").click()
    result = third.locator("section.pdf-result").inner_text()
    assert "签章有效" in result and official.code in result
    screenshot(third, "seals-verify-pdf")

    # the filing certificate verifies on the public certificate page too
    cert = order.filing_certificate
    assert cert is not None
    third.goto(certificate_services.verify_url(cert.token).replace("http://127.0.0.1:8000", base))
    assert "核验通过" in third.locator("main").inner_text()
