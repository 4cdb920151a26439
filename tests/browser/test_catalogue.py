"""A visitor finds a service: search, the at-most-one-visit list, the item's guide."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shipped_catalogue() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)


def test_visitor_searches_filters_a_list_and_reads_an_item(  # type: ignore[no-untyped-def]
    live_server, page: Page, shipped_catalogue, screenshot
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("搜索办事事项").fill("刻章")
    with page.expect_navigation():
        page.get_by_label("搜索办事事项").press("Enter")
    first = page.locator("ol.results .item-row .item-name").first
    assert "刻制" in first.inner_text()
    screenshot(page, "catalogue-search")

    # The at-most-one-visit list, narrowed to Guangxi.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="公开清单").click()
    page.get_by_role("link", name="“最多跑一次”事项清单").click()
    page.get_by_label("地区").select_option(label="广西壮族自治区公安厅")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert "region=450000" in page.url
    rows = page.locator("ol.item-list .item-row")
    assert rows.count() > 10
    assert all("天津" not in text for text in rows.locator(".item-meta").all_inner_texts())
    screenshot(page, "catalogue-list")

    # An item's guide: materials, limits, fee, channels and legal basis.
    with page.expect_navigation():
        rows.first.locator("a.item-name").click()
    for heading in ["办事指南", "设定依据与受理条件", "申请材料"]:
        assert page.get_by_role("heading", name=heading).is_visible()
    facts = page.locator("dl.facts").inner_text()
    for label in ["承诺时限", "法定时限", "收费", "实施机关"]:
        assert label in facts
    assert page.locator(".legal-basis").inner_text().strip()
    assert page.locator("p.tags .badge").count() >= 2  # visits and channels
    screenshot(page, "catalogue-item")
