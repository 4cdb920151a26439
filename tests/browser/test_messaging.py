"""The message centre in Chromium: a one-time login code that travels through the outbox to the
demo SMS outbox, case notices in the centre (unread badge, mark read, open the linked page,
unread filter) and the reminder opt-out switch."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

from onestop.accounts.models import DemoSmsMessage, Person
from onestop.core.pii import lookup_hash
from onestop.messaging.demo import load_demo
from onestop.messaging.models import Message, OptOut
from onestop.messaging.services import message_send

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13800138001"  # 张伟 of the demo data


@pytest.fixture
def demo() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    load_demo()


def test_message_centre(live_server, page: Page, demo, screenshot) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    person = Person.objects.get(mobile_hash=lookup_hash(MOBILE, kind="mobile"))
    for event, params in [
        ("case.accept", {"number": "TJ20261123000101", "item": "居民身份证换领"}),
        (
            "case.request_supplement",
            {
                "number": "TJ20261123000102",
                "item": "机动车驾驶证补领",
                "reason": "照片背景应为白色",
            },
        ),
    ]:
        message_send(
            event=event,
            channel="in_app",
            params=params,
            recipient=person.user,
            link="/messaging/?filter=unread",
        )

    # Log in with a one-time code: it goes through the outbox as an urgent SMS.
    page.goto(base + "/account/login/sms/")
    page.fill("input[name=mobile]", MOBILE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("input[name=code]")
    sms = DemoSmsMessage.objects.first()
    assert sms is not None and sms.mobile_masked == "138****8001"
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)  # type: ignore[union-attr]
    otp = Message.objects.get(event="account.code")
    assert otp.status == "delivered" and code not in otp.body
    outbox = page.context.new_page()
    outbox.goto(base + "/account/demo-outbox/")
    assert code in outbox.content()
    screenshot(outbox, "messaging-demo-outbox")
    outbox.close()
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/account/login/" not in page.url

    page.goto(base + "/messaging/")
    badge = page.get_by_test_id("unread-count")
    assert badge.inner_text() == "3 条未读"  # the demo welcome and the two notices
    items = page.locator("li.msg-item.unread")
    assert items.count() == 3
    assert "照片背景应为白色" in page.content()
    screenshot(page, "messaging-centre")

    # Mark the welcome message read.
    welcome = page.locator("li.msg-item", has_text="欢迎使用消息中心")
    welcome.get_by_role("button", name="标为已读").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("unread-count").inner_text() == "2 条未读"
    assert "已读" in page.locator("li.msg-item", has_text="欢迎使用消息中心").inner_text()

    # Open a notice: it becomes read and its link is followed.
    page.locator("li.msg-item", has_text="TJ20261123000101").get_by_role(
        "button", name="查看详情"
    ).click()
    page.wait_for_url(re.compile(r"/messaging/\?filter=unread$"))
    assert page.locator("li.msg-item.unread").count() == 1
    assert "TJ20261123000101" not in page.content()
    screenshot(page, "messaging-unread")

    # Opt out of expiry reminders, then back in.
    page.goto(base + "/messaging/")
    page.get_by_role("button", name="退订到期提醒").click()
    page.wait_for_load_state()
    assert "已退订证件到期提醒短信" in page.content()
    assert OptOut.objects.filter(mobile_hash=lookup_hash(MOBILE, kind="mobile")).exists()
    screenshot(page, "messaging-opted-out")
    page.get_by_role("button", name="重新开启到期提醒").click()
    page.wait_for_load_state()
    assert not OptOut.objects.exists()
