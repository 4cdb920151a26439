from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from conftest import login_verified
from django.test import Client

from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import staff_user
from onestop.policy.choices import MeasureStatus
from onestop.policy.models import Measure

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_public_index_lists_measures_by_section_in_chinese(
    client: Client, policy_loaded: None
) -> None:
    with time_machine.travel(dt.datetime(2021, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = client.get("/policy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "优化营商环境措施落实情况" in html
    assert "一、助力企业创业发展" in html and "五、狠抓督察保障" in html
    assert "创建线上“服务企业直通车”" in html
    assert "营造优化营商环境良好氛围" in html
    assert "2021年3月" in html
    assert "已超期" in html
    assert html.count('href="/policy/tianjin-2021/') == 20
    assert html.count('href="/policy/guangxi-2018/') == 50


def test_overdue_badge_only_after_deadline(client: Client, policy_loaded: None) -> None:
    with time_machine.travel(dt.datetime(2021, 3, 15, 9, 0, tzinfo=SHANGHAI), tick=False):
        before = client.get("/policy/tianjin-2021/1/").content.decode()
    with time_machine.travel(dt.datetime(2021, 4, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        after = client.get("/policy/tianjin-2021/1/").content.decode()
    assert "badge danger overdue" not in before
    assert "badge danger overdue" in after


def test_public_measure_detail_shows_text_commitments_and_progress(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["bureau"])
    from onestop.policy import services

    measure = Measure.objects.get(document__key="tianjin-2021", number=4)
    services.measure_report_progress(
        actor=officer, measure=measure, text="公章刻制已压缩至半日办结", percent=60
    )
    response = client.get("/policy/tianjin-2021/4/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "确保新设立企业0.5个工作日完成公章刻制" in html
    assert "≤ 0.5 个工作日" in html
    assert "公章刻制已压缩至半日办结" in html
    assert "治安管理总队" in html
    assert client.get("/policy/tianjin-2021/21/").status_code == 404
    assert client.get("/policy/nowhere-2000/1/").status_code == 404


def test_measure_with_parts_shows_each_deadline(client: Client, policy_loaded: None) -> None:
    html = client.get("/policy/tianjin-2021/8/").content.decode()
    assert "2021年6月" in html and "内保总队" in html and "法制总队" in html


def test_commitments_page(client: Client, policy_loaded: None) -> None:
    response = client.get("/policy/commitments/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "服务承诺" in html
    assert "由法定20个工作日缩短为3个工作日" in html
    assert 'href="/policy/guangxi-2018/21/"' in html
    assert "≤ 7 个工作日" in html
    assert "大厅现场等候时间" in html


def test_staff_pages_require_officer(client: Client, policy_loaded: None) -> None:
    response = client.get("/work/policy/")
    assert response.status_code == 302
    assert "/work/login/" in response["Location"]


def test_staff_list_filters_overdue(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    login_verified(client, staff_user(unit=unit_tree["bureau"]))
    Measure.objects.filter(document__key="tianjin-2021", number=1).update(status=MeasureStatus.DONE)
    with time_machine.travel(dt.datetime(2021, 7, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        everything = client.get("/work/policy/").content.decode()
        overdue = client.get("/work/policy/?overdue=1&document=tianjin-2021").content.decode()
    assert "tianjin-2021#1" in everything and "guangxi-2018#50" in everything
    # 2021年6月 measures are overdue on 1 July; the done one and the ongoing ones are not
    assert "tianjin-2021#13" in overdue
    assert "tianjin-2021#1<" not in overdue
    assert "tianjin-2021#2<" not in overdue
    assert "tianjin-2021#4<" not in overdue  # 2021年12月
    assert "guangxi-2018" not in overdue.split("<tbody>")[1]


def test_officer_reports_progress_through_the_staff_page(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["hexi"])
    login_verified(client, officer)
    page = client.get("/work/policy/tianjin-2021/13/")
    assert page.status_code == 200
    assert "报告落实进展" in page.content.decode()
    assert "填写督办意见" not in page.content.decode()
    response = client.post(
        "/work/policy/tianjin-2021/13/progress/",
        {"text": "以承诺代审核已在河西试行", "percent": "100", "status": ""},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "进展报告已提交" in html
    assert "以承诺代审核已在河西试行" in html
    measure = Measure.objects.get(document__key="tianjin-2021", number=13)
    assert measure.status == MeasureStatus.DONE
    report = measure.progress_reports.get()
    assert report.author == officer and report.unit_name == "河西分局"


def test_bad_progress_report_is_refused_with_message(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    login_verified(client, staff_user(unit=unit_tree["hexi"]))
    response = client.post(
        "/work/policy/tianjin-2021/13/progress/",
        {"text": "已完成", "percent": "30", "status": "done"},
    )
    assert response.status_code == 400
    assert "标记为已完成时，完成进度应为 100%" in response.content.decode()
    assert not Measure.objects.get(
        document__key="tianjin-2021", number=13
    ).progress_reports.exists()


def test_supervisor_writes_note_and_clerk_cannot(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    clerk = staff_user(unit=unit_tree["station1"])
    login_verified(client, clerk)
    response = client.post("/work/policy/guangxi-2018/49/notes/", {"text": "请限期整改"})
    assert response.status_code == 403

    supervisor = staff_user(unit=unit_tree["bureau"], roles=["supervisor"])
    client.logout()
    login_verified(client, supervisor)
    page = client.get("/work/policy/guangxi-2018/49/").content.decode()
    assert "填写督办意见" in page
    response = client.post(
        "/work/policy/guangxi-2018/49/notes/",
        {"text": "请于7个工作日内回复投诉办理情况"},
        follow=True,
    )
    html = response.content.decode()
    assert "督办意见已记录" in html
    assert "请于7个工作日内回复投诉办理情况" in html
    note = Measure.objects.get(document__key="guangxi-2018", number=49).supervision_notes.get()
    assert note.author == supervisor
    # supervision notes are internal: not on the public page
    assert (
        "请于7个工作日内回复投诉办理情况"
        not in client.get("/policy/guangxi-2018/49/").content.decode()
    )
