from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from onestop.accounts.choices import UnitKind
from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import UnitFactory


@pytest.fixture
def catalogue_units(db: None) -> dict[str, Unit]:
    tj = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    tj_za = UnitFactory(
        code="TJ-ZAZD", name="治安管理总队", kind=UnitKind.CORPS, region_code="120000", parent=tj
    )
    gx = UnitFactory(
        code="GX", name="广西壮族自治区公安厅", kind=UnitKind.BUREAU, region_code="450000"
    )
    gx_za = UnitFactory(
        code="GX-ZAZD", name="治安管理总队", kind=UnitKind.CORPS, region_code="450000", parent=gx
    )
    gx_nn = UnitFactory(
        code="GX-NN", name="南宁市公安局", kind=UnitKind.SUB_BUREAU, region_code="450100", parent=gx
    )
    return {"TJ": tj, "TJ-ZAZD": tj_za, "GX": gx, "GX-ZAZD": gx_za, "GX-NN": gx_nn}


@pytest.fixture
def measures(db: None) -> None:
    call_command("policy_load", verbosity=0)


def item(**overrides: Any) -> dict[str, Any]:
    """A valid item; tests break one rule at a time."""
    data: dict[str, Any] = {
        "code": "S001-01",
        "unit": "TJ-ZAZD",
        "name": "新设立企业公章刻制",
        "item_type": "public_service",
        "category": "治安",
        "keywords": ["刻章", "公章", "印章"],
        "level": "city",
        "legal_basis": "《印章业治安管理办法》",
        "limits": {"statutory": 1, "promised": 0.5, "unit": "working_days"},
        "fee": {"fen": 0},
        "channels": ["online", "window"],
        "max_visits": 0,
        "delivery": ["courier", "electronic"],
        "result": {"type": "certificate", "name": "印章"},
        "materials": [
            {"name": "营业执照", "source": "shared", "key": True, "ecert": True, "trust": "A"},
            {"name": "经办人授权书", "key": False, "waivable": True},
        ],
        "conditional_acceptance": {"supply_days": 5, "consequence": "逾期未补正的，终止办理"},
        "measures": ["tianjin-2021#4"],
        "commitments": [],
    }
    data.update(overrides)
    return data


def write_yaml(directory: Path, name: str, document: dict[str, Any]) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path
