"""Issue 8's journey through the real pages: an enterprise files a complaint at 17:55 on the last
working day before the 2026 National Day holiday; the 7-working-day deadline is shown; the
officer replies, the enterprise reopens, a supervisor escalates, the enterprise rates 不满意, the
rectification task gets its return call and closes, and the public statistics change. Then the
anonymity of a tip report, seen by an officer and by the identity custodian."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts.models import Unit, User
from onestop.accounts.tests.factories import PASSWORD, staff_user
from onestop.core.models import AuditEvent
from onestop.demo.staff import DEMO_PASSWORD
from onestop.desk import demo as desk_demo
from onestop.desk.choices import TicketState
from onestop.desk.models import Ticket
from onestop.ratings.choices import RectificationState
from onestop.ratings.models import Rectification

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOTP_INPUT = "input[name=code], input[name=otp_token]"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def demo() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    desk_demo.load_demo()


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    return context.new_page()


def current_totp(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def public_login(page: Page, base: str, mobile: str) -> None:
    page.goto(base + "/account/login/")
    page.fill("input[name=identifier]", mobile)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/account/login/" not in page.url, page.content()[:2000]


def staff_login(page: Page, base: str, user: User, password: str) -> None:
    page.goto(base + "/work/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    page.fill(TOTP_INPUT, current_totp(user))
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.url.rstrip("/").endswith("/work"), page.url


def act(page: Page, label: str, fill: dict[str, str]) -> None:
    """Open an action's <details>, fill its fields (by name) and confirm."""
    details = page.locator("details.case-action", has=page.locator(f"summary:text-is('{label}')"))
    details.locator("summary").click()
    for name, value in fill.items():
        field = details.locator(f"[name='{name}']")
        if field.get_attribute("type") == "checkbox":
            field.check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        details.get_by_role("button", name=f"确认{label}").click()


def stat(page: Page, ident: str) -> str:
    return page.locator(f"#{ident} .value").inner_text().strip()


def test_complaint_journey_across_national_day(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, demo, screenshot
) -> None:
    base = live_server.url
    clerk = User.objects.get(username="tj_clerk")  # the enterprise's dedicated officer
    supervisor = staff_user(
        unit=Unit.objects.get(code="TJ-HP"), roles=["supervisor"], username="hp_supervisor"
    )
    visitor = new_page(browser)
    visitor.goto(base + "/ratings/")
    bad_before, rectified_before = stat(visitor, "stat-bad"), stat(visitor, "stat-rectified")
    assert (bad_before, rectified_before) == ("0", "—")

    # Wednesday 30 September 2026, 17:55: after office hours on the last working day before
    # the National Day holiday (1–7 October; Saturday 10 October is a make-up working day).
    start = dt.datetime(2026, 9, 30, 17, 55, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=True):
        firm = new_page(browser)
        public_login(firm, base, "13800138001")  # 张伟, legal representative of 津海科技
        firm.goto(base + "/desk/")
        with firm.expect_navigation():
            firm.get_by_role("link", name="投诉建议").click()
        firm.select_option("[name=enterprise]", label="天津津海科技有限公司")
        firm.fill("[name=title]", "特种行业许可证办理拖延")
        firm.fill("[name=body]", "材料齐全，窗口称系统故障，十个工作日仍未受理。")
        firm.select_option("[name=complaint_reason]", "slow")
        firm.select_option("[name=subject_unit]", label="小白楼派出所")
        screenshot(firm, "desk-complaint-form")
        with firm.expect_navigation():
            firm.get_by_role("button", name="提交").click()
        match = re.search(r"/desk/mine/([^/]+)/$", firm.url)
        assert match, firm.content()[:3000]
        number = match.group(1)
        facts = firm.locator("dl.ticket-facts").inner_text()
        assert "提交时间\n2026-09-30 17:55" in facts, facts
        # 7 working days: 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 October.
        assert "答复时限\n2026-10-15 17:30" in facts, facts
        assert "劝业场派出所" in facts
        screenshot(firm, "desk-complaint-filed")

    ticket = Ticket.objects.get(number=number)
    assert ticket.officer == clerk

    with time_machine.travel(dt.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI), tick=True):
        officer = new_page(browser)
        staff_login(officer, base, clerk, DEMO_PASSWORD)
        officer.goto(base + "/work/desk/")
        assert number in officer.locator("main").inner_text()
        screenshot(officer, "desk-staff-inbox")
        officer.goto(f"{base}/work/desk/{number}/")
        assert "2026-10-15 17:30" in officer.locator("dl.ticket-facts").inner_text()
        act(officer, "答复", {"reply-reply": "已核实，系统故障已排除，今日受理。"})
        assert Ticket.objects.get(number=number).state == TicketState.REPLIED

        # nine days later the enterprise's session has expired: it signs in again
        firm.context.clear_cookies()
        public_login(firm, base, "13800138001")
        firm.goto(f"{base}/desk/mine/{number}/")
        assert "系统故障已排除" in firm.locator("main").inner_text()
        firm.fill("[name=reason]", "至今仍未受理，答复不属实。")
        with firm.expect_navigation():
            firm.get_by_role("button", name="不认可，重新办理").click()
        ticket = Ticket.objects.get(number=number)
        assert ticket.state == TicketState.REOPENED and ticket.reopen_count == 1

        boss = new_page(browser)
        staff_login(boss, base, supervisor, PASSWORD)
        boss.goto(f"{base}/work/desk/{number}/")
        act(boss, "督办", {"escalate-comment": "限今日受理并书面答复企业。"})
        assert Ticket.objects.get(number=number).escalation_level == 1
        screenshot(boss, "desk-staff-escalated")

        officer.goto(base + "/work/desk/")
        assert "督办 1 级" in officer.locator("main").inner_text()
        officer.goto(f"{base}/work/desk/{number}/")
        act(officer, "答复", {"reply-reply": "已于今日受理，并向企业致歉。"})

        firm.goto(f"{base}/desk/mine/{number}/")
        with firm.expect_navigation():
            firm.get_by_role("button", name="认可答复并办结").click()
        assert Ticket.objects.get(number=number).state == TicketState.CLOSED
        with firm.expect_navigation():
            firm.get_by_role("link", name="评价本次服务").click()
        firm.get_by_label("不满意", exact=True).check()
        firm.get_by_label("多次跑动").check()
        firm.fill("[name=comment]", "来回跑了三趟，投诉后才受理。")
        screenshot(firm, "desk-rating")
        with firm.expect_navigation():
            firm.get_by_role("button", name="提交评价").click()
        assert "您已评价：不满意" in firm.locator("main").inner_text()
        screenshot(firm, "desk-ticket-closed")

        task = Rectification.objects.get(rating__ticket__number=number)
        visitor.goto(base + "/ratings/")
        assert stat(visitor, "stat-bad") == "1" and stat(visitor, "stat-rectified") == "0%"

        officer.goto(base + "/work/ratings/")
        with officer.expect_navigation():
            officer.get_by_role("link", name=f"#{task.pk}").click()
        act(officer, "核实分类", {"classify-classification": "valid", "classify-note": "属实"})
        act(officer, "记录回访", {"call-note": "已电话回访张伟，致歉并说明整改措施。"})
        assert "已电话回访张伟" in officer.locator("dd.return-call").inner_text()
        act(officer, "整改办结", {"close-outcome": "窗口系统故障时启用应急受理，专人跟踪。"})
        assert Rectification.objects.get(pk=task.pk).state == RectificationState.CLOSED
        assert "已办结" in officer.locator("dd.task-state").inner_text()
        screenshot(officer, "ratings-rectification")

        visitor.goto(base + "/ratings/")
        assert stat(visitor, "stat-rectified") == "100%"
        assert stat(visitor, "stat-calls") == "100%"
        assert stat(visitor, "stat-tickets") == "1"
        assert "窗口系统故障时启用应急受理" in visitor.locator("main").inner_text()
        screenshot(visitor, "ratings-stats")


def test_anonymous_tip_reporter_is_shown_only_to_the_custodian(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, demo, screenshot
) -> None:
    base = live_server.url
    firm = new_page(browser)
    public_login(firm, base, "13800138002")  # 李娜
    firm.goto(base + "/desk/new/?kind=tip")
    firm.fill("[name=title]", "有人倒卖居民身份证信息")
    firm.fill("[name=body]", "和平区某网吧有人收购身份证。")
    firm.select_option("[name=unit]", label="和平分局")
    firm.check("[name=anonymous]")
    with firm.expect_navigation():
        firm.get_by_role("button", name="提交").click()
    number = firm.url.rstrip("/").rsplit("/", 1)[-1]
    ticket = Ticket.objects.get(number=number)
    assert ticket.anonymous and ticket.unit.code == "TJ-HP"

    officer = new_page(browser)
    staff_login(officer, base, User.objects.get(username="tj_reviewer"), DEMO_PASSWORD)
    for url in (f"/work/desk/{number}/", "/work/desk/", f"/api/v1/desk/staff/tickets/{number}/"):
        officer.goto(base + url)
        text = officer.content()
        assert "李娜" not in text and "13800138002" not in text, url
    officer.goto(f"{base}/work/desk/{number}/")
    assert "匿名举报（身份已加密）" in officer.locator("dd.reporter").inner_text()
    assert officer.get_by_text("查看举报人身份").count() == 0
    screenshot(officer, "desk-tip-officer")

    keeper = new_page(browser)
    custodian = User.objects.get(username="tj_unitadmin")
    staff_login(keeper, base, custodian, DEMO_PASSWORD)
    keeper.goto(f"{base}/work/desk/{number}/")
    assert "李娜" not in keeper.content()
    act(keeper, "查看举报人身份", {"reveal-purpose": "线索核实需联系举报人"})
    assert "李娜" in keeper.locator("section.identity").inner_text()
    screenshot(keeper, "desk-tip-revealed")
    assert AuditEvent.objects.filter(
        action="pii.reveal", actor=custodian, object_id=str(ticket.pk)
    ).exists()
    keeper.goto(f"{base}/work/desk/{number}/")
    assert "李娜" not in keeper.content()
