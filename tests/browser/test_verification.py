"""Issue 9 through the real pages: an authorised enterprise agent uploads an XLSX of 1,000
workers (including bad rows and a wanted person), watches the progress bar, downloads the result;
the competent police station sees the alert the enterprise never hears about."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from django.core.management import call_command

from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import PASSWORD, staff_user
from onestop.verification import demo as verification_demo
from onestop.verification.models import BatchJob, WantedHitAlert
from onestop.verification.registers import synthetic_person
from tests.browser.test_case_journey import public_login, staff_login

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings) -> None:  # type: ignore[no-untyped-def]
    # Small chunks so that the 1,000 rows move the progress bar in several steps.
    settings.ONESTOP_VERIFICATION = {"chunk_rows": 100}
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    verification_demo.load_demo()


def workers_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "姓名", "身份证号码", "岗位"])
    for n in range(1, 1001):
        name, number = synthetic_person(n)
        if n % 100 == 0:
            number = number[:17] + ("0" if number[17] != "0" else "1")  # bad check digit
        elif n % 97 == 0:
            number = number[:16]  # too short
        elif n % 50 == 0:
            name = "错" + name  # wrong name
        elif n == 555:
            name, number = synthetic_person(verification_demo.DEMO_WANTED)
        elif n == 556:
            name, number = synthetic_person(verification_demo.DEMO_UNREGISTERED)
        elif n == 557:
            number = number.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        sheet.append([n, name, number, "仓储"])
        if n == 300:
            sheet.append([None, None, None, None])  # a blank row
    workbook.save(path)
    return path


def test_batch_verification_journey(  # type: ignore[no-untyped-def]
    live_server, page: Page, demo, tmp_path: Path, screenshot, browser
) -> None:
    public_login(page, live_server.url, "13800138002")  # 李娜, authorised agent
    page.goto(live_server.url + "/verification/")
    screenshot(page, "verification-index")
    with page.expect_navigation():
        page.get_by_role("link", name="批量核查员工身份").click()
    page.set_input_files("input[name=file]", str(workers_xlsx(tmp_path / "员工名单.xlsx")))
    page.select_option("select[name=purpose]", "employment")
    page.check("input[name=consent]")
    screenshot(page, "verification-upload")
    with page.expect_navigation():
        page.get_by_role("button", name="提交核查").click()
    assert "/verification/jobs/" in page.url, page.locator("main").inner_text()[:2000]

    # The htmx poll replaces the progress section until the job is done.
    progress = page.locator("#job-progress")
    assert progress.locator("progress").count() == 1
    page.locator("#job-progress[data-state=done]").wait_for(timeout=60_000)
    text = page.locator("main").inner_text()
    assert "已核查 1000 / 1000 人" in text, text
    assert page.locator("progress").get_attribute("value") == "100"
    screenshot(page, "verification-done")

    with page.expect_download() as download_info:
        page.locator("#download-result").click()
    content = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["行号", "姓名", "身份证号码", "核查结果", "说明"]
    assert len(rows) == 1001
    outcomes = Counter(row[3] for row in rows[1:])
    assert outcomes["格式错误"] == 10 + 10  # 10 bad check digits, 10 too short (n % 97)
    assert outcomes["不一致"] >= 1 and outcomes["一致"] > 900
    assert outcomes["请联系公安机关"] == 1 and outcomes["查无此人"] >= 1
    by_line = {row[0]: row for row in rows[1:]}
    wanted_line = str(555 + 2)  # header on line 1; data row n on line n + 1 (+1 after the blank)
    assert by_line[wanted_line][3] == "请联系公安机关" and by_line[wanted_line][4] == ""
    assert by_line["559"][3] == "一致"  # full-width digits and lower-case x are fine
    name, number = synthetic_person(verification_demo.DEMO_WANTED)
    assert number not in content and name not in content

    job = BatchJob.objects.get()
    assert job.upload_path == ""  # the upload is gone

    # The competent station sees the alert.
    officer = staff_user(unit=Unit.objects.get(code="TJ-HP-XBL"), username="xbl-officer")
    staff_page = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN"
    ).new_page()
    staff_login(staff_page, live_server.url, officer, PASSWORD)
    staff_page.goto(live_server.url + "/work/verification/")
    assert "天津津海科技有限公司" in staff_page.locator("main").inner_text()
    with staff_page.expect_navigation():
        staff_page.locator("main table a").first.click()
    screenshot(staff_page, "verification-alert")
    assert WantedHitAlert.objects.get().row_number == 557
