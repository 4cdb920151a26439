"""E-certificates through the real pages: the holder's wallet, a consented share link a bank
opens without logging in, the QR verification page, and a revoked certificate showing as such."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from stdnum.cn import ric

from onestop.accounts import services as account_services
from onestop.accounts.tests.factories import UnitFactory
from onestop.certificates import services
from onestop.certificates.models import ShareLink

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
VIEWPORT = {"width": 1280, "height": 800}


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_wallet_share_and_public_verification(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, screenshot
) -> None:
    unit = UnitFactory(
        code="TJ-JG", name="天津市公安局交通警察总队", kind="corps", region_code="120000"
    )
    base_id = "12010119880808123"
    holder = account_services.person_register(
        name="王小明",
        id_number=base_id + ric.calc_check_digit(base_id + "0"),
        mobile="13900002001",
        password=PASSWORD,
    )
    holder = account_services.person_mark_verified(actor=None, person=holder, method="test")
    licence = services.certificate_issue_from_register(
        actor=None,
        person=holder,
        cert_type="driving_licence",
        unit=unit,
        data={"准驾车型": "C1", "初次领证日期": "2010-05-01"},
    )
    permit = services.certificate_issue_from_register(
        actor=None,
        person=holder,
        cert_type="residence_permit",
        unit=unit,
        data={"居住地址": "天津市河西区友谊路 5 号"},
    )
    base = live_server.url

    page = new_page(browser)
    page.goto(base + "/account/login/")
    page.fill("input[name=identifier]", "13900002001")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.goto(base + "/certificates/")
    main = page.locator("main").inner_text()
    assert "机动车驾驶证" in main and "居住证" in main
    screenshot(page, "certificates-wallet")

    page.get_by_role("link", name="机动车驾驶证").click()
    page.fill("input[name=recipient]", "天津银行和平支行")
    page.fill("input[name=purpose]", "车贷审核")
    page.check("input[name=consent]")
    with page.expect_navigation():
        page.get_by_role("button", name="生成分享链接").click()
    share_url = page.locator("a.share-url").get_attribute("href")
    assert share_url
    screenshot(page, "certificates-detail")

    bank = new_page(browser)
    bank.goto(share_url)
    text = bank.locator("main").inner_text()
    assert "天津银行和平支行" in text and "王*明" in text and "王小明" not in text
    screenshot(bank, "certificates-share")
    assert ShareLink.objects.get().view_count == 1

    # anyone scanning the QR code: valid, masked holder, domain warning
    bank.goto(services.verify_url(licence.token).replace("http://127.0.0.1:8000", base))
    result = bank.locator("section.verification-result")
    assert result.get_attribute("data-valid") == "true"
    assert "请确认浏览器地址栏中的网址" in bank.locator("main").inner_text()
    screenshot(bank, "certificates-verify-valid")

    services.certificate_set_status(
        actor=None, certificate=permit, status="revoked", reason="居住地变更"
    )
    bank.goto(f"{base}/certificates/verify/?identifier={permit.identifier}")
    result = bank.locator("section.verification-result")
    assert result.get_attribute("data-valid") == "false"
    assert "已注销" in result.inner_text()
    screenshot(bank, "certificates-verify-revoked")
