"""The public portal in a real browser: language, large text, keyboard access."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

from onestop.accounts.choices import UnitKind
from onestop.accounts.tests.factories import UnitFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def units() -> None:
    bureau = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    for code, name in [("HP", "和平分局"), ("HX", "河西分局"), ("NK", "南开分局")]:
        UnitFactory(code=f"TJ-{code}", name=name, kind=UnitKind.SUB_BUREAU, parent=bureau)


def html_lang(page: Page) -> str:
    return page.evaluate("document.documentElement.lang")


def root_font_px(page: Page) -> float:
    return float(
        page.evaluate("getComputedStyle(document.documentElement).fontSize").removesuffix("px")
    )


@pytest.fixture
def shipped_data() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)


def test_home_is_in_chinese_by_default(live_server, page: Page, shipped_data, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    assert html_lang(page) == "zh-CN"
    assert page.locator("h1").first.inner_text() == "公安政务服务，一网通办"
    assert page.get_by_role("heading", name="天津市公安局").is_visible()
    assert page.get_by_text("和平分局").is_visible()
    # The service categories come from the published catalogue and lead to it.
    tile = page.locator(".tiles .tile a").first
    assert "个事项" in tile.inner_text()
    screenshot(page, "portal-home")
    with page.expect_navigation():
        tile.click()
    assert "/services/?category=" in page.url
    assert page.locator(".item-row").count() > 0


def test_language_switch_to_english_and_back(
    live_server, page: Page, shipped_data, screenshot
) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.locator("button[name=language][value=en]").click()
    assert html_lang(page) == "en"
    assert page.url == live_server.url + "/"
    # The English catalogue is used: the hero heading is translated; unit names stay as data.
    heading = page.locator("h1").first.inner_text()
    assert heading != "公安政务服务，一网通办"
    assert heading.isascii(), heading
    assert page.get_by_text("和平分局").is_visible()
    screenshot(page, "portal-home-en")
    # The choice sticks for the next page view (cookie), and the switch offers Chinese back.
    page.goto(live_server.url + "/")
    assert html_lang(page) == "en"
    with page.expect_navigation():
        page.locator("button[name=language][value=zh-hans]").click()
    assert html_lang(page) == "zh-CN"


def test_large_text_toggle_enlarges_the_text(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    normal = root_font_px(page)
    heading = page.locator("h1").first.bounding_box()
    toggle = page.get_by_role("button", name="大字版")
    assert toggle.get_attribute("aria-pressed") == "false"
    with page.expect_navigation():
        toggle.click()
    large = root_font_px(page)
    assert large >= normal * 1.2, (normal, large)
    assert page.locator("h1").first.bounding_box()["height"] > heading["height"]
    back = page.get_by_role("button", name="标准字号")
    assert back.get_attribute("aria-pressed") == "true"
    with page.expect_navigation():
        back.click()
    assert root_font_px(page) == normal


def test_skip_link_is_the_first_tab_stop(live_server, page: Page) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(e => ({cls: e.className, href: e.getAttribute('href'), text: e.textContent.trim()}))"
        "(document.activeElement)"
    )
    assert focused == {"cls": "skip-link", "href": "#main", "text": "跳到主要内容"}
    # Focused, it comes on screen (it hides off-screen otherwise).
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    # Following the link moves focus to the main content (the hash change is asynchronous).
    page.wait_for_function("location.hash === '#main' && document.activeElement.id === 'main'")
    assert page.url.endswith("#main")
