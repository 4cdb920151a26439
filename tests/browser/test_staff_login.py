"""An officer logs in to the staff work portal through the real two-step login pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts.choices import UnitKind
from onestop.accounts.tests.factories import PASSWORD, UnitFactory, staff_user

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The second step's field: "code" in onestop's form, "otp_token" in django-otp's own forms.
TOTP_INPUT = "input[name=code], input[name=otp_token]"


def current_totp(device: TOTPDevice) -> str:
    """What the officer's authenticator app shows right now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_officer_logs_in_with_password_and_totp_and_sees_the_inbox(  # type: ignore[no-untyped-def]
    live_server, page: Page, screenshot
) -> None:
    bureau = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    sub = UnitFactory(code="TJ-HP", name="和平分局", kind=UnitKind.SUB_BUREAU, parent=bureau)
    station = UnitFactory(code="TJ-HP-1", name="劝业场派出所", parent=sub)
    officer = staff_user(unit=station, username="wang")
    device = TOTPDevice.objects.get(user=officer, confirmed=True)

    page.goto(live_server.url + "/work/")
    assert re.search(r"/work/login/", page.url), page.url
    screenshot(page, "staff-login")

    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    # The password alone does not open the work portal: a second factor is asked for.
    assert page.locator(TOTP_INPUT).count() == 1, page.content()[:2000]

    page.fill(TOTP_INPUT, current_totp(device))
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.url.rstrip("/").endswith("/work"), page.url
    assert page.get_by_role("heading", name="待办事项").is_visible()
    assert "劝业场派出所" in page.locator("main").inner_text()
    screenshot(page, "staff-inbox")
