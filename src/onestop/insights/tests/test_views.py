"""The commitments pages: public summary and metric pages (no login, no personal data, no case
links), the staff dashboard and drill-down scoped to the officer's unit subtree, the CSV/XLSX
exports (same figures as the metrics) and the monthly report downloads."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from conftest import login_verified
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from onestop.accounts.models import Unit, User
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState, Decision
from onestop.cases.models import Case
from onestop.cases.tests.factories import case_in_state, item_version, person
from onestop.insights import metrics
from onestop.insights.models import MonthlyReport
from onestop.insights.services import rollup_refresh

pytestmark = pytest.mark.django_db

APPLICANT = "欧阳测试人"
KEY = "on-time-rate"


@dataclass
class World:
    units: dict[str, Unit]
    heping: User
    hexi: User
    cases: list[Case]


def _closed(version, applicant, *, late: bool) -> Case:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return case_in_state(
        version=version,
        applicant=applicant,
        state=CaseState.CLOSED,
        submitted_at=now - timedelta(days=3),
        accepted_at=now - timedelta(days=3),
        decided_at=now - timedelta(hours=1),
        decision=Decision.APPROVED,
        promised_due_at=now - timedelta(days=1) if late else now + timedelta(days=3),
    )


@pytest.fixture
def world(unit_tree: dict[str, Unit]) -> World:
    applicant = person(APPLICANT)
    cases = []
    # 和平分局: station 1 keeps its promise on 3 of 4 cases, station 2 on 1 of 2
    v1 = item_version(unit=unit_tree["station1"])
    v2 = item_version(unit=unit_tree["station2"])
    v3 = item_version(unit=unit_tree["station3"])
    for late in (False, False, False, True):
        cases.append(_closed(v1, applicant, late=late))
    for late in (False, True):
        cases.append(_closed(v2, applicant, late=late))
    # 河西分局: late on both
    for _ in range(2):
        cases.append(_closed(v3, applicant, late=True))
    rollup_refresh(full=True)
    return World(
        units=unit_tree,
        heping=staff_user(unit=unit_tree["heping"], username="heping-officer"),
        hexi=staff_user(unit=unit_tree["hexi"], username="hexi-officer"),
        cases=cases,
    )


def _no_personal_data(html: str, w: World) -> None:
    assert APPLICANT not in html
    for case in w.cases:
        assert case.number not in html
        assert case.applicant.id_number not in html
    assert "/work/" not in html, "public pages must not link into the work portal"


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = response.content
    assert body.startswith("\ufeff".encode()), "CSV needs the UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _expected(header: list[str], rows: list[list[object]]) -> list[list[str]]:
    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            return str(round(v, 4))
        return str(v)

    return [header, *[[cell(v) for v in row] for row in rows]]


# --- public ---------------------------------------------------------------------------------


def test_public_summary_lists_every_metric_without_personal_data(world: World) -> None:
    response = Client().get("/insights/")
    assert response.status_code == 200
    html = response.content.decode()
    for key in metrics.METRIC_KEYS:
        assert f'id="metric-{key}"' in html
        assert f'href="/insights/{key}/"' in html
    assert html.count('role="img"') >= len(metrics.METRIC_KEYS)  # one sparkline per metric
    assert 'id="measures"' in html
    _no_personal_data(html, world)
    # the whole-platform on-time rate: 4 of 8 cases (3+1 in 和平, 0 in 河西)
    result = metrics.metric_detail(KEY, public=True)
    assert (result.numerator, result.denominator) == (4, 8)
    row = html[html.index(f'id="metric-{KEY}"') :]
    assert "50.0%" in row[: row.index("</tr>")]


def test_public_metric_page_and_unknown_metric(world: World) -> None:
    client = Client()
    for key in metrics.METRIC_KEYS:
        response = client.get(f"/insights/{key}/")
        assert response.status_code == 200, key
        html = response.content.decode()
        _no_personal_data(html, world)
        assert "<svg" in html and 'id="chart-weekly"' in html and 'id="chart-monthly"' in html
    assert client.get("/insights/no-such-metric/").status_code == 404
    assert client.get("/insights/no-such-metric.csv").status_code == 404
    assert client.get(f"/insights/{KEY}.pdf").status_code == 404


def test_public_metric_page_goes_down_the_unit_tree(world: World) -> None:
    client = Client()
    top = client.get(f"/insights/{KEY}/").content.decode()
    assert "天津市公安局" in top
    down = client.get(f"/insights/{KEY}/?unit=TJ-HP").content.decode()
    units = down[down.index('id="units"') :]
    assert "劝业场派出所" in units and "小白楼派出所" in units and "友谊路派出所" not in units
    _no_personal_data(down, world)
    assert client.get(f"/insights/{KEY}/?unit=NOPE").status_code == 404


def test_public_exports_match_the_metric(world: World) -> None:
    client = Client()
    header, rows = metrics.metric_table(KEY, public=True)
    response = client.get(f"/insights/{KEY}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = _csv(response)
    assert table == _expected(header, rows)
    current = table[1]
    assert current[4:6] == ["4", "8"] and float(current[3]) == pytest.approx(50.0)

    response = client.get(f"/insights/{KEY}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [["" if c is None else c for c in r] for r in sheet.iter_rows(values_only=True)]
    assert values[0] == header
    assert len(values) == len(rows) + 1
    assert values[1][3] == pytest.approx(50.0) and values[1][4:6] == [4, 8]


# --- staff ----------------------------------------------------------------------------------


def test_staff_pages_need_a_verified_officer(world: World) -> None:
    anonymous = Client()
    response = anonymous.get("/work/insights/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert anonymous.get(f"/work/insights/{KEY}.csv").status_code == 302
    public_user = Client()
    public_user.force_login(world.cases[0].applicant.user)
    # a citizen has no second factor: sent to the staff login like anyone unverified
    assert public_user.get("/work/insights/").status_code == 302
    unverified = Client()
    unverified.force_login(world.heping, backend="django.contrib.auth.backends.ModelBackend")
    assert unverified.get("/work/insights/").status_code == 302


def test_staff_dashboard_is_scoped_to_the_subtree(world: World) -> None:
    heping = login_verified(Client(), world.heping)
    html = heping.get("/work/insights/").content.decode()
    assert "和平分局" in html
    for key in metrics.METRIC_KEYS:
        assert f'href="/work/insights/{key}/"' in html
    row = html[html.index(f'id="metric-{KEY}"') :]
    assert "66.7%" in row[: row.index("</tr>")]  # 4 of 6 in 和平, 河西's cases not counted

    hexi = login_verified(Client(), world.hexi)
    row = hexi.get("/work/insights/").content.decode()
    row = row[row.index(f'id="metric-{KEY}"') :]
    assert "0.0%" in row[: row.index("</tr>")]


def test_staff_drill_down_stays_in_the_subtree(world: World) -> None:
    heping = login_verified(Client(), world.heping)
    top = heping.get(f"/work/insights/{KEY}/")
    assert top.status_code == 200
    html = top.content.decode()
    units = html[html.index('id="units"') :]
    units = units[: units.index("</table>")]
    assert 'href="?unit=TJ-HP-1"' in units and 'href="?unit=TJ-HP-2"' in units
    assert "友谊路派出所" not in units
    # case links go to the staff case list filtered to the item
    assert "/work/cases/?state=all" in html

    down = heping.get(f"/work/insights/{KEY}/?unit=TJ-HP-2")
    assert down.status_code == 200
    html = down.content.decode()
    assert re.search(r'id="metric-value">\s*50\.0%', html)
    assert "小白楼派出所" in html and 'href="?unit=TJ-HP"' in html  # breadcrumbs up

    # another unit's subtree, its parent, an unknown code, an unknown metric: all 404
    for query in ("?unit=TJ-HX", "?unit=TJ-HX-1", "?unit=TJ", "?unit=%3Cx%3E"):
        assert heping.get(f"/work/insights/{KEY}/{query}").status_code == 404, query
        assert heping.get(f"/work/insights/{KEY}.csv{query}").status_code == 404, query
    assert heping.get("/work/insights/no-such-metric/").status_code == 404

    hexi = login_verified(Client(), world.hexi)
    assert hexi.get(f"/work/insights/{KEY}/?unit=TJ-HP-1").status_code == 404
    assert hexi.get(f"/work/insights/{KEY}/?unit=TJ-HX-1").status_code == 200


def test_staff_exports_match_the_scoped_metric(world: World) -> None:
    heping = login_verified(Client(), world.heping)
    scope = list(Unit.objects.subtree_of(world.units["heping"]))
    station = world.units["station1"]
    header, rows = metrics.metric_table(KEY, units=scope, unit=station)
    table = _csv(heping.get(f"/work/insights/{KEY}.csv?unit=TJ-HP-1"))
    assert table == _expected(header, rows)
    assert table[1][4:6] == ["3", "4"]
    response = heping.get(f"/work/insights/{KEY}.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    first = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[4:6] == (4, 6)


def test_monthly_reports_are_listed_and_downloaded(world: World) -> None:
    month = date(2026, 11, 1)
    report = MonthlyReport(month=month, size=8, sha256="0" * 64)
    report.file.save("commitments-2026-11.pdf", ContentFile(b"%PDF-1.4"), save=True)
    heping = login_verified(Client(), world.heping)
    html = heping.get("/work/insights/").content.decode()
    assert 'href="/work/insights/reports/2026-11.pdf"' in html
    response = heping.get("/work/insights/reports/2026-11.pdf")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4"
    assert "commitments-2026-11.pdf" in response["Content-Disposition"]
    assert heping.get("/work/insights/reports/2026-10.pdf").status_code == 404
    assert heping.get("/work/insights/reports/2026-13.pdf").status_code == 404
    assert Client().get("/work/insights/reports/2026-11.pdf").status_code == 302


def test_pages_switch_to_english(world: World) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/insights/").content.decode()
    assert "Commitments kept" in html and "承诺兑现情况" not in html
