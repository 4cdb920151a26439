from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.service_gate import services_required

from onestop.catalogue import selectors, services

from .conftest import item, write_yaml

pytestmark = pytest.mark.usefixtures("catalogue_units", "measures")


@pytest.fixture
def five_items(tmp_path: Path, catalogue_units: dict, measures: None) -> None:
    """Guangxi: 4 of 5 at most one visit, 3 of 5 online; Tianjin: 1 item, zero visits."""
    window_only = {
        "channels": ["window"],
        "max_visits": 1,
        "delivery": ["window"],
        "conditional_acceptance": None,
        "materials": [{"name": "申请表"}],
    }
    items = [
        item(),  # TJ-ZAZD, zero visits, online, conditional acceptance
        item(
            code="S001-01",
            unit="GX-ZAZD",
            limits={"statutory": 1, "promised": 1},
            measures=["guangxi-2018#25"],
            cross_region="province",
        ),
        item(
            code="L002-01",
            unit="GX-ZAZD",
            name="保安服务公司设立许可",
            item_type="licence",
            measures=["guangxi-2018#11"],
            level="province",
            on_the_spot=True,
        ),
        item(
            code="L003-01",
            unit="GX-NN",
            name="旅馆业特种行业许可",
            item_type="licence",
            measures=["tianjin-2021#7"],
            **window_only,
        ),
        item(
            code="L004-01",
            unit="GX-NN",
            name="金融机构营业场所安全防范设施方案审批",
            item_type="licence",
            measures=["guangxi-2018#10"],
            weekend=True,
            **window_only,
        ),
        item(
            code="L005-01",
            unit="GX-NN",
            name="放射性物品道路运输许可",
            item_type="licence",
            measures=["guangxi-2018#11"],
            **{**window_only, "max_visits": 2},
        ),
    ]
    services.catalogue_import(
        actor=None,
        paths=[
            write_yaml(
                tmp_path,
                "x.yaml",
                {
                    "items": [{k: v for k, v in i.items() if v is not None} for i in items],
                    "proofs": [
                        {
                            "name": "亲属关系证明",
                            "status": "abolished",
                            "replacement": "数据共享核验",
                            "region": "450000",
                            "items": ["L003-01@GX-NN"],
                            "measures": ["guangxi-2018#20"],
                        }
                    ],
                    "no_penalty": [
                        {
                            "code": "MF-001",
                            "violation": "未按规定安装技防系统",
                            "legal_basis": "《企业事业单位内部治安保卫条例》",
                            "conditions": "及时整改",
                            "unit": "TJ-ZAZD",
                            "region": "120000",
                            "measures": ["tianjin-2021#10"],
                        }
                    ],
                    "inspections": [
                        {
                            "code": "JC-001",
                            "subject": "旅馆业治安检查",
                            "target": "旅馆",
                            "legal_basis": "《旅馆业治安管理办法》",
                            "frequency": "每年不超过2次",
                            "max_per_year": 2,
                            "unit": "TJ-ZAZD",
                            "region": "120000",
                            "measures": ["tianjin-2021#8"],
                        }
                    ],
                },
            )
        ],
    )


def names(qs) -> set[str]:
    return {(v.item.implementing_unit.code, v.name) for v in qs}


@pytest.mark.usefixtures("five_items")
def test_list_membership_follows_the_published_fields() -> None:
    assert len(selectors.list_versions("max-one-visit")) == 5
    assert len(selectors.list_versions("max-one-visit", region="450000")) == 4
    assert names(selectors.list_versions("zero-visit", region="120000")) == {
        ("TJ-ZAZD", "新设立企业公章刻制")
    }
    assert len(selectors.list_versions("online", region="450000")) == 2
    assert names(selectors.list_versions("on-the-spot")) == {("GX-ZAZD", "保安服务公司设立许可")}
    assert names(selectors.list_versions("weekend")) == {
        ("GX-NN", "金融机构营业场所安全防范设施方案审批")
    }
    assert len(selectors.list_versions("province")) == 1
    assert len(selectors.list_versions("city")) == 1  # province-wide includes the city
    assert len(selectors.list_versions("nation")) == 0
    assert len(selectors.list_versions("conditional")) == 3
    assert len(selectors.list_versions("max-one-visit", level="province")) == 1
    # Nanning (450100) is inside Guangxi (450000): the city filter narrows to its units.
    assert len(selectors.list_versions("max-one-visit", region="450100")) == 2


@pytest.mark.usefixtures("five_items")
def test_each_bureau_share_is_computed_against_the_targets() -> None:
    shares = {s.unit.code: s for s in selectors.shares_by_unit(roots_only=True)}
    gx = shares["GX"]
    assert gx.total == 5
    assert gx.counts["max-one-visit"] == 4 and gx.share("max-one-visit") == Decimal("0.800")
    assert gx.meets_target("max-one-visit") is True
    assert gx.counts["online"] == 2 and gx.meets_target("online") is False
    assert shares["TJ"].share("zero-visit") == Decimal("1.000")
    by_unit = {s.unit.code: s for s in selectors.shares_by_unit()}
    assert by_unit["GX-NN"].total == 3 and by_unit["GX-NN"].counts["max-one-visit"] == 2


@pytest.mark.usefixtures("five_items")
def test_list_pages_and_downloads(client: Client) -> None:
    page = client.get("/services/lists/items/max-one-visit/?region=450000")
    assert page.status_code == 200
    html = page.content.decode()
    assert "保安服务公司设立许可" in html and "放射性物品道路运输许可" not in html

    csv_response = client.get("/services/lists/items/max-one-visit/?region=450000&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "实施编码" and len(rows) == 5

    xlsx = client.get("/services/lists/items/online/?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "实施编码" and sheet.max_row == 4

    for kind, text in [
        ("proofs", "亲属关系证明"),
        ("no-penalty", "未按规定安装技防系统"),
        ("inspections", "旅馆业治安检查"),
    ]:
        response = client.get(f"/services/lists/{kind}/")
        assert response.status_code == 200 and text in response.content.decode()
        assert client.get(f"/services/lists/{kind}/?format=xlsx").status_code == 200

    index = client.get("/services/lists/").content.decode()
    assert "80.0%" in index  # Guangxi at-most-one-visit share
    assert client.get("/services/lists/items/nope/").status_code == 404
    assert client.get("/services/lists/nope/").status_code == 404


@pytest.mark.usefixtures("five_items")
def test_item_detail_shows_materials_limits_fee_channels_and_basis(client: Client) -> None:
    version = selectors.list_versions("zero-visit", region="120000").get()
    html = client.get(f"/services/items/{version.item_id}/").content.decode()
    for text in [
        "营业执照",
        "可容缺",
        "0.5",
        "个工作日",
        "不收费",
        "网上办",
        "《印章业治安管理办法》",
        "S001-01-120000-TJ-ZAZD",
        "tianjin-2021#4",
    ]:
        assert text in html, text
    assert client.get("/services/items/999999/").status_code == 404


@pytest.mark.usefixtures("five_items")
def test_api_lists_items_lists_and_shares(client: Client) -> None:
    data = client.get("/api/v1/catalogue/items/?list=max-one-visit&region=450000").json()
    assert data["count"] == 4
    detail = client.get(f"/api/v1/catalogue/items/{data['results'][0]['id']}/").json()
    assert detail["materials"] and detail["measures"]
    lists = {row["slug"]: row for row in client.get("/api/v1/catalogue/lists/").json()}
    assert lists["max-one-visit"]["count"] == 5 and lists["max-one-visit"]["target_share"] == "0.80"
    shares = {row["unit"]: row for row in client.get("/api/v1/catalogue/shares/").json()}
    assert shares["GX"]["shares"]["max-one-visit"] == "0.800"
    assert client.get("/api/v1/catalogue/items/?list=bogus").status_code == 404


@pytest.mark.usefixtures("five_items")
def test_export_round_trips_through_import(tmp_path: Path) -> None:
    from onestop.catalogue.yaml_export import catalogue_export_yaml

    exported = tmp_path / "export.yaml"
    exported.write_text(catalogue_export_yaml(), encoding="utf-8")
    report = services.catalogue_import(actor=None, paths=[exported])
    assert len(report.unchanged) == 6 and not report.new_versions and not report.created


@pytest.mark.usefixtures("five_items")
def test_xlsx_download_opens_in_libreoffice(client: Client, tmp_path: Path) -> None:
    if shutil.which("soffice") is None:
        # make test installs libreoffice-calc-nogui; in CI a missing LibreOffice is a failure.
        if services_required():
            pytest.fail("LibreOffice (soffice) is not installed")
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    xlsx = tmp_path / "online.xlsx"
    xlsx.write_bytes(client.get("/services/lists/items/max-one-visit/?format=xlsx").content)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    rows = list(csv.reader((tmp_path / "online.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "实施编码"
    assert {r[1] for r in rows[1:]} >= {"保安服务公司设立许可", "新设立企业公章刻制"}
