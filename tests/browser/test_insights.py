"""Issue 10's pages in a real browser, over generated demo activity rolled up by the job: the
public commitments summary (anyone, no personal data, no links into the work portal) and an
officer's drill-down from the dashboard into one sub-bureau. Screenshots of both are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts.models import Unit, User
from onestop.accounts.tests.factories import PASSWORD, staff_user
from onestop.cases.models import Case
from onestop.demo.activity import generate_activity
from onestop.insights import metrics
from onestop.insights.services import rollup_refresh

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_INPUT = "input[name=code], input[name=otp_token]"
KEY = "on-time-rate"


@pytest.fixture
def activity() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    generate_activity(days=120, scale=0.05, seed=2026)
    rollup_refresh(full=True)


def current_totp(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def staff_login(page: Page, base: str, user: User) -> None:
    page.goto(base + "/work/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    page.fill(TOTP_INPUT, current_totp(user))
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.url.rstrip("/").endswith("/work"), page.url


def test_public_summary_and_staff_drill_down(  # type: ignore[no-untyped-def]
    activity: None, live_server, page: Page, screenshot
) -> None:
    base = live_server.url
    assert Case.objects.exclude(decided_at=None).exists(), "the generator made no finished cases"

    # --- the public summary, reached from the portal's navigation ---------------------------
    page.goto(base + "/")
    page.get_by_role("link", name="承诺兑现", exact=True).click()
    page.wait_for_url("**/insights/")
    assert page.get_by_role("heading", name="承诺兑现情况").is_visible()
    rows = page.locator("#metrics tbody tr")
    assert rows.count() == len(metrics.METRIC_KEYS)
    assert page.locator("#metrics svg[role=img]").count() == len(metrics.METRIC_KEYS)
    assert page.locator("#measures").is_visible()
    assert page.locator("a[href*='/work/']").count() == 0
    # the figures on the page are the metric's figures
    on_time = metrics.metric_detail(KEY, public=True)
    assert on_time.denominator > 0
    row_text = page.locator(f"#metric-{KEY}").inner_text()
    assert f"{on_time.numerator} / {on_time.denominator}" in row_text
    screenshot(page, "insights-public-summary")

    page.locator(f"#metric-{KEY} a").first.click()
    page.wait_for_url(f"**/insights/{KEY}/")
    assert page.locator("#chart-weekly svg").is_visible()
    assert page.locator("#units tbody tr").count() >= 1
    assert page.locator("a[href*='/work/']").count() == 0

    # --- an officer of the Tianjin bureau drills down to 和平分局 --------------------------------
    bureau = Unit.objects.get(code="TJ")
    officer = staff_user(unit=bureau, username="insights_officer")
    staff_login(page, base, officer)
    page.get_by_role("link", name="承诺兑现", exact=True).click()
    page.wait_for_url("**/work/insights/")
    assert page.get_by_role("heading", name="承诺兑现看板").is_visible()
    assert page.locator("#metrics tbody tr").count() == len(metrics.METRIC_KEYS)
    page.locator(f"#metric-{KEY} th a").click()
    page.wait_for_url(f"**/work/insights/{KEY}/")
    units = page.locator("#units tbody")
    assert "和平分局" in units.inner_text()
    assert "广西" not in units.inner_text()  # the other region is outside the officer's scope
    units.get_by_role("link", name="和平分局").click()
    page.wait_for_url(f"**/work/insights/{KEY}/?unit=TJ-HP")
    scope = list(Unit.objects.subtree_of(bureau))
    drill = metrics.metric_detail(KEY, units=scope, unit=Unit.objects.get(code="TJ-HP"))
    assert page.get_by_role("heading", name=f"{drill.title} · 和平分局").is_visible()
    assert f"（{drill.numerator} / {drill.denominator}）" in page.locator("main").inner_text()
    assert page.locator("#chart-histogram svg").is_visible()
    screenshot(page, "insights-staff-drill-down")
