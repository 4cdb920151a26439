"""The monthly report PDF: rendered with reportlab and the CJK font, readable by poppler's
pdftotext (so the Chinese text is really there), archived by the service and downloadable."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import login_verified
from django.test import Client
from django.utils import timezone

from onestop.insights import metrics
from onestop.insights.models import MonthlyReport
from onestop.insights.report import render_monthly_pdf
from onestop.insights.services import monthly_report_generate
from onestop.insights.tests.test_views import KEY, World, world  # noqa: F401 - fixture

#: pdftotext needs poppler-data's CMaps to map the CID font's glyphs back to Chinese text.
GB1_CMAPS = Path("/usr/share/poppler/cMap/Adobe-GB1")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None or not GB1_CMAPS.is_dir(),
        reason="poppler-utils and poppler-data are not installed",
    ),
]


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def test_monthly_pdf_has_the_summary_worst_units_and_measures(world: World) -> None:  # noqa: F811
    month = timezone.localdate().replace(day=1)
    pdf = render_monthly_pdf(month=month)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert f"{month:%Y-%m} 承诺兑现月报" in text and "第 1 页" in text
    for result in metrics.dashboard(public=True):
        # titles may wrap inside a table cell: compare the first characters
        assert result.title[:6] in text, result.title
    assert "一、各项承诺兑现情况" in text and "三、改革措施进展" in text
    # on-time completion fails (4 of 8): its worst unit, 友谊路派出所 (0 of 2), is named
    assert "二、未达标承诺的落后单位和事项" in text
    assert "友谊路派出所" in text
    # aggregates only: no applicant, no case numbers
    assert "欧阳测试人" not in text
    assert not any(case.number in text for case in world.cases)


def test_monthly_pdf_of_an_empty_month_still_renders(world: World) -> None:  # noqa: F811
    text = pdf_text(render_monthly_pdf(month=date(2020, 1, 1)))
    assert "2020-01 承诺兑现月报" in text and "暂无数据" in text


def test_generated_report_is_archived_and_downloadable(world: World) -> None:  # noqa: F811
    month = timezone.localdate().replace(day=1)
    report = monthly_report_generate(month=month)
    assert MonthlyReport.objects.get() == report
    client = login_verified(Client(), world.heping)
    html = client.get("/work/insights/").content.decode()
    url = f"/work/insights/reports/{month:%Y-%m}.pdf"
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert len(body) == report.size
    assert "承诺兑现月报" in pdf_text(body)
