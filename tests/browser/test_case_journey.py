"""Issue 4's journey through the real pages: a commitment-approval application approved on the
spot, then a conditional acceptance (容缺受理) across the 2026 National Day holiday, handled by
officers who log in with password and TOTP."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.pdfgen import canvas

from onestop.accounts.models import User
from onestop.accounts.tests.factories import PASSWORD, staff_user
from onestop.cases import deadlines
from onestop.cases.choices import CaseState
from onestop.cases.models import Case
from onestop.catalogue.models import ServiceItemVersion
from onestop.core import workdays
from onestop.demo.staff import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOTP_INPUT = "input[name=code], input[name=otp_token]"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def demo() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "material.pdf"
    drawing = canvas.Canvas(str(path))
    drawing.drawString(72, 720, "onestop test material")
    drawing.save()
    return path


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


def act(page: Page, action: str, label: str, fill: dict[str, str] | None = None) -> None:
    """Open an action's <details> on the staff case page, fill it and confirm."""
    form = page.locator(f"form[action$='/{action}/']")
    form.locator("xpath=..").locator("summary").click()
    for name, value in (fill or {}).items():
        form.locator(f"[name='{action}-{name}']").fill(value)
    with page.expect_navigation():
        form.get_by_role("button", name=f"确认{label}").click()


def test_enterprise_commitment_application_is_approved_on_the_spot(  # type: ignore[no-untyped-def]
    live_server, page: Page, demo, pdf: Path, screenshot
) -> None:
    version = ServiceItemVersion.objects.get(
        name="旅馆业特种行业许可证核发", item__implementing_unit__code="TJ-ZAZD", status="published"
    )
    assert version.commitment_approval
    public_login(page, live_server.url, "13800138001")  # 张伟, legal representative

    page.goto(f"{live_server.url}/services/items/{version.item_id}/")
    with page.expect_navigation():
        page.get_by_role("link", name="在线申请").first.click()
    assert page.url.endswith(f"/cases/apply/{version.item_id}/"), page.url
    page.select_option("select[name=app-enterprise]", label="天津津海科技有限公司")
    page.fill("[name=f-uscc]", "91120101MA05X1234Q")
    page.fill("[name=f-address]", "天津市和平区南京路100号")
    page.fill("[name=f-rooms]", "40")
    page.fill("[name=f-beds]", "60")
    page.fill("[name=f-manager]", "张伟")
    page.check("[name=f-commitment]")
    for material in version.materials.filter(source="applicant"):
        page.set_input_files(f"[name=app-file_{material.pk}]", str(pdf))
    page.check("[name=app-commitment_signed]")
    screenshot(page, "case-apply")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()

    match = re.search(r"/cases/([^/]+)/receipt/", page.url)
    assert match, page.content()[:3000]
    case = Case.objects.get(number=match.group(1))
    assert case.state == CaseState.APPROVED
    assert case.commitment
    assert case.enterprise is not None and case.enterprise.name == "天津津海科技有限公司"
    main = page.locator("main").inner_text()
    assert case.number in main
    assert "准予" in main  # the receipt's timeline shows the on-the-spot approval
    screenshot(page, "case-receipt")

    page.goto(live_server.url + "/cases/mine/")
    assert case.number in page.locator("main").inner_text()


def test_conditional_acceptance_across_national_day(  # type: ignore[no-untyped-def]
    live_server, browser: Browser, demo, pdf: Path, screenshot
) -> None:
    # Nanning's residence permit (any one proof, guangxi-2018#24) offers 容缺受理 for the photo,
    # a non-key material (guangxi-2018#17).
    version = ServiceItemVersion.objects.get(
        item__code="S020-01", status="published", conditional_acceptance=True
    )
    waivable = version.materials.get(is_key=False, waivable=True, source="applicant")
    unit = version.item.implementing_unit
    # No demo officer of each role sits at the handling unit itself (the clerk is at a
    # station below it, the approver at a sibling), so the unit's officers are created here.
    clerk = staff_user(unit=unit, roles=["window_clerk"], username="nn_clerk")
    reviewer = staff_user(unit=unit, roles=["reviewer"], username="nn_reviewer")
    approver = staff_user(unit=unit, roles=["approver"], username="nn_approver")

    start = dt.datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
    # time-machine patches the clock process-wide, so live_server's thread shares it.
    with time_machine.travel(start, tick=True):
        applicant = new_page(browser)
        public_login(applicant, live_server.url, "13800138001")
        applicant.goto(f"{live_server.url}/cases/apply/{version.item_id}/")
        applicant.fill("[name=f-id_number]", "120101198503121230")
        applicant.fill("[name=f-address]", "南宁市青秀区民族大道100号")
        applicant.select_option("[name=f-basis]", "就业")
        applicant.select_option("[name=app-delivery]", "window")
        for material in version.materials.filter(source="applicant").exclude(pk=waivable.pk):
            applicant.set_input_files(f"[name=app-file_{material.pk}]", str(pdf))
        applicant.check(f"[name=app-waive_{waivable.pk}]")
        applicant.fill(f"[name=app-supply_by_{waivable.pk}]", "2026-09-30")
        with applicant.expect_navigation():
            applicant.get_by_role("button", name="提交").click()
        match = re.search(r"/cases/([^/]+)/receipt/", applicant.url)
        assert match, applicant.content()[:3000]
        number = match.group(1)

        # The window clerk accepts, taking over the applicant's 容缺 declaration.
        desk = new_page(browser)
        staff_login(desk, live_server.url, clerk, PASSWORD)
        desk.goto(live_server.url + "/work/cases/")
        assert number in desk.locator("main").inner_text()
        screenshot(desk, "case-inbox")
        desk.goto(f"{live_server.url}/work/cases/{number}/")
        act_form = desk.locator("form[action$='/accept/']")
        act_form.locator("xpath=..").locator("summary").click()
        act_form.locator(f"input[name=accept-missing_materials][value='{waivable.pk}']").check()
        act_form.locator("[name=accept-supply_by]").fill("2026-09-30")
        with desk.expect_navigation():
            act_form.get_by_role("button", name="确认受理").click()

        case = Case.objects.get(number=number)
        assert case.state == CaseState.ACCEPTED and case.conditional
        hours = deadlines.office_hours_of(unit.office_hours)
        expected = workdays.working_days_deadline_at(
            case.accepted_at, int(version.promised_limit), hours
        ).at.astimezone(SHANGHAI)
        assert expected.date() > dt.date(2026, 10, 7)
        # The holiday week does not count, the make-up Saturday of 10 October does.
        assert not workdays.is_working_day(dt.date(2026, 10, 1))
        assert workdays.is_working_day(dt.date(2026, 10, 10))
        assert not workdays.is_provisional(start.date(), expected.date())
        desk.goto(f"{live_server.url}/work/cases/{number}/")
        facts = desk.locator("dl.case-facts").inner_text()
        assert f"承诺办结时限\n{expected:%Y-%m-%d %H:%M}" in facts, facts
        assert "容缺受理" in facts
        screenshot(desk, "case-staff")

        # A reviewer starts the review and asks for a supplement, once and completely.
        review = new_page(browser)
        staff_login(review, live_server.url, reviewer, PASSWORD)
        review.goto(f"{live_server.url}/work/cases/{number}/")
        act(review, "start_review", "开始审核")
        act(
            review,
            "request_supplement",
            "一次性告知补正",
            {"reason": "请补交清晰的就业证明（劳动合同）。"},
        )
        assert Case.objects.get(number=number).state == CaseState.SUPPLEMENT_REQUESTED

        # The applicant uploads the supplement from "my cases".
        applicant.goto(f"{live_server.url}/cases/mine/{number}/")
        assert "请补交清晰的就业证明" in applicant.locator("main").inner_text()
        applicant.set_input_files("form[action$='/supply/'] input[type=file]", str(pdf))
        with applicant.expect_navigation():
            applicant.locator("form[action$='/supply/'] button[type=submit]").click()
        assert Case.objects.get(number=number).state == CaseState.IN_REVIEW

        # The approver approves.
        decide = new_page(browser)
        staff_login(decide, live_server.url, approver, PASSWORD)
        decide.goto(f"{live_server.url}/work/cases/{number}/")
        act(decide, "approve", "准予")
        case = Case.objects.get(number=number)
        assert case.state == CaseState.APPROVED
        assert "准予" in decide.locator("dl.case-facts").inner_text()

        applicant.goto(f"{live_server.url}/cases/mine/")
        assert number in applicant.locator("main").inner_text()
