"""The shipped catalogue (src/onestop/catalogue/data/*.yaml) parses cleanly and covers the seeds.

These tests read the YAML through the same parser the importer uses (``load_documents``) and
check what a citizen or a supervisor would see: every service the two seed documents name is
in the catalogue, the promised limits the documents set are the ones published, Guangxi meets
its own ≥ 80 % targets, and the lists (proofs, no-penalty, inspections) are complete enough.
The last test imports everything into a test database holding the demo organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from onestop.accounts.models import Unit
from onestop.accounts.services import unit_create
from onestop.catalogue.choices import Channel, LimitUnit, MaxVisits
from onestop.catalogue.models import (
    ITEM_TYPE_LETTER,
    InspectionListEntry,
    Material,
    NoPenaltyEntry,
    ProofRequirement,
    ServiceItem,
    ServiceItemVersion,
)
from onestop.catalogue.services import catalogue_import
from onestop.catalogue.specs import ItemSpec, ListEntrySpec, load_documents
from onestop.demo.units import TREES, UnitSpec

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
POLICY_DATA = Path(__file__).resolve().parents[2] / "policy" / "data"

#: Units the shipped data uses that are not (yet) in onestop.demo.units: Guangxi's 2018 fire
#: services were part of the public-security organs (guangxi-2018#9, #21).
PENDING_UNITS: set[str] = set()

#: Measures the catalogue must cite: every service-related measure of the two seeds.
REQUIRED_MEASURES = {
    "tianjin-2021#1",
    "tianjin-2021#3",
    "tianjin-2021#4",
    "tianjin-2021#5",
    "tianjin-2021#7",
    "tianjin-2021#11",
    "tianjin-2021#13",
    "tianjin-2021#15",
    "tianjin-2021#16",
    "tianjin-2021#17",
    "guangxi-2018#9",
    "guangxi-2018#10",
    "guangxi-2018#11",
    "guangxi-2018#12",
    "guangxi-2018#17",
    "guangxi-2018#19",
    "guangxi-2018#21",
    "guangxi-2018#22",
    "guangxi-2018#23",
    "guangxi-2018#24",
    "guangxi-2018#25",
    "guangxi-2018#26",
    "guangxi-2018#27",
    "guangxi-2018#28",
    "guangxi-2018#29",
    "guangxi-2018#30",
    "guangxi-2018#35",
    "guangxi-2018#44",
    "guangxi-2018#46",
}


@pytest.fixture(scope="module")
def shipped() -> tuple[list[ItemSpec], list[ListEntrySpec], list[str]]:
    paths = sorted(DATA_DIR.glob("*.yaml"))
    assert paths, "no shipped catalogue files"
    return load_documents(paths)


@pytest.fixture(scope="module")
def items(shipped: tuple[list[ItemSpec], list[ListEntrySpec], list[str]]) -> list[ItemSpec]:
    return shipped[0]


@pytest.fixture(scope="module")
def entries(
    shipped: tuple[list[ItemSpec], list[ListEntrySpec], list[str]],
) -> list[ListEntrySpec]:
    return shipped[1]


def _item(items: list[ItemSpec], code: str, unit: str) -> ItemSpec:
    found = [i for i in items if i.code == code and i.unit_code == unit]
    assert len(found) == 1, f"{code}@{unit} should be shipped exactly once"
    return found[0]


def _promised(item: ItemSpec) -> tuple[Decimal, str]:
    return item.fields["promised_limit"], item.fields["promised_limit_unit"]


def _unit_codes(trees: Iterable[UnitSpec]) -> set[str]:
    codes: set[str] = set()
    for tree in trees:
        codes.add(tree["code"])
        codes |= _unit_codes(tree.get("children", []))
    return codes


# -------------------------------------------------------------------------- well-formedness


def test_every_shipped_file_parses_without_errors(shipped: tuple) -> None:
    items, _entries, errors = shipped
    assert errors == []
    assert 50 <= len(items) <= 90


def test_every_item_cites_a_measure_and_its_code_letter_matches_its_type(
    items: list[ItemSpec],
) -> None:
    for item in items:
        assert item.measures, item.origin
        assert item.code[0] == ITEM_TYPE_LETTER[item.fields["item_type"]], item.origin
        assert item.fields["legal_basis"].startswith("《"), item.origin


def test_every_online_item_has_a_titled_form(items: list[ItemSpec]) -> None:
    for item in items:
        if not (item.fields["channel_online"] or item.fields["channel_mobile"]):
            continue
        schema = item.fields["form_schema"]
        assert schema.get("type") == "object" and schema.get("properties"), item.origin
        assert all(p.get("title") for p in schema["properties"].values()), item.origin
        assert set(schema.get("required", [])) <= set(schema["properties"]), item.origin


def test_cited_measures_cover_every_service_measure_of_the_seeds(items: list[ItemSpec]) -> None:
    cited = {m for item in items for m in item.measures}
    assert REQUIRED_MEASURES - cited == set()


def test_citations_units_and_commitments_exist(items: list[ItemSpec]) -> None:
    known_measures = set()
    for key in ("tianjin-2021", "guangxi-2018"):
        doc = yaml.safe_load((POLICY_DATA / "measures" / f"{key}.yaml").read_text("utf-8"))
        known_measures |= {f"{key}#{m['number']}" for m in doc["measures"]}
    commitments = yaml.safe_load((POLICY_DATA / "commitments.yaml").read_text("utf-8"))
    known_commitments = {c["code"] for c in commitments["commitments"]}
    units = _unit_codes(TREES) | PENDING_UNITS
    for item in items:
        assert set(item.measures) <= known_measures, item.origin
        assert set(item.commitments) <= known_commitments, item.origin
        assert item.unit_code in units, item.origin


def test_texts_fit_the_database_columns(
    items: list[ItemSpec], entries: list[ListEntrySpec]
) -> None:
    """An over-long text would pass the parser but fail the import at the database."""
    too_long = []
    for item in items:
        for name, value in item.fields.items():
            field = ServiceItemVersion._meta.get_field(name)
            if field.max_length and isinstance(value, str) and len(value) > field.max_length:
                too_long.append(f"{item.origin} {name}")
        for material in item.materials:
            for name, value in (("name", material.name), ("note", material.note)):
                if len(value) > Material._meta.get_field(name).max_length:
                    too_long.append(f"{item.origin} material {material.name}")
    models = {
        "proofs": ProofRequirement,
        "no_penalty": NoPenaltyEntry,
        "inspections": InspectionListEntry,
    }
    for entry in entries:
        model = models[entry.kind]
        for name, value in entry.data.items():
            names = {f.name for f in model._meta.get_fields()}
            if name not in names or not isinstance(value, str):
                continue  # items / measures / region are mapped by the importer
            max_length = getattr(model._meta.get_field(name), "max_length", None)
            if max_length and len(value) > max_length:
                too_long.append(f"{entry.origin} {name}")
    assert too_long == []


# -------------------------------------------------------------------------- seed promises


def test_seal_engraving_half_a_day_in_tianjin_one_day_in_guangxi(items: list[ItemSpec]) -> None:
    tianjin = _item(items, "S001-01", "TJ-ZAZD")
    assert _promised(tianjin) == (Decimal("0.5"), LimitUnit.WORKING_DAYS)
    assert tianjin.fields["max_visits"] == MaxVisits.ZERO
    # "免除申请人提交任何材料": everything the review needs comes from shared data
    assert all(m.source == "shared" for m in tianjin.materials)
    guangxi = _item(items, "S001-01", "GX-NN")
    assert _promised(guangxi) == (Decimal("1"), LimitUnit.WORKING_DAYS)
    assert guangxi.fields["max_visits"] == MaxVisits.ZERO
    assert "guangxi-2018#25" in guangxi.measures
    assert "seal-engraving-half-day" in tianjin.commitments
    verification = _item(items, "S001-02", "GX-ZAZD")
    assert verification.fields["channel_online"]


def test_fire_design_review_three_working_days_instead_of_twenty(items: list[ItemSpec]) -> None:
    review = _item(items, "L009-01", "GX-NN-XF")
    assert _promised(review) == (Decimal("3"), LimitUnit.WORKING_DAYS)
    assert review.fields["statutory_limit"] == Decimal("20")
    assert "guangxi-2018#21" in review.measures


def test_credit_repair_is_reviewed_within_ten_working_days_at_the_local_station(
    items: list[ItemSpec],
) -> None:
    repairs = [i for i in items if "tianjin-2021#11" in i.measures]
    assert repairs
    for item in repairs:
        assert _promised(item) == (Decimal("10"), LimitUnit.WORKING_DAYS)
        assert item.fields["level"] == "station"


def test_id_card_pickup_and_courier_limits(items: list[ItemSpec]) -> None:
    pickup = _item(items, "S011-01", "GX-NN-D1-S1")
    courier = _item(items, "S011-02", "GX-NN-D1-S1")
    assert _promised(pickup) == (Decimal("15"), LimitUnit.WORKING_DAYS)
    assert _promised(courier) == (Decimal("8"), LimitUnit.WORKING_DAYS)
    assert "18" in pickup.fields["limit_note"]
    assert "10" in courier.fields["limit_note"]
    assert pickup.fields["fee_fen"] == courier.fields["fee_fen"] == 2000
    # fingerprints need one visit; collecting at the station is a second one
    assert courier.fields["max_visits"] == MaxVisits.ONE
    assert pickup.fields["max_visits"] == MaxVisits.MANY


def test_commitment_approval_where_the_seeds_introduce_it(items: list[ItemSpec]) -> None:
    for code, unit in [
        ("L001-01", "TJ-ZAZD"),
        ("L002-01", "TJ-ZAZD"),
        ("L003-01", "TJ-WAZD"),
        ("L020-02", "TJ-JJZD"),
        ("S020-01", "TJ-RKZD"),
    ]:
        item = _item(items, code, unit)
        assert item.fields["commitment_approval"], item.origin
        assert item.fields["commitment_text"], item.origin
    road = _item(items, "L020-02", "TJ-JJZD")
    assert road.fields["max_visits"] == MaxVisits.ZERO
    assert "200米" in road.fields["conditions"]


def test_conditional_acceptance_in_each_department_guangxi_names(items: list[ItemSpec]) -> None:
    categories = {
        i.fields["category"]
        for i in items
        if i.fields["conditional_acceptance"] and "guangxi-2018#17" in i.measures
    }
    assert {"治安", "消防", "出入境", "交管"} <= categories


def test_guangxi_meets_its_one_visit_and_online_targets(items: list[ItemSpec]) -> None:
    guangxi = [i for i in items if i.unit_code.startswith("GX-")]
    assert len(guangxi) >= 30
    at_most_one = sum(i.fields["max_visits"] <= MaxVisits.ONE for i in guangxi)
    online = sum(i.fields[f"channel_{Channel.ONLINE}"] for i in guangxi)
    assert at_most_one / len(guangxi) >= 0.8
    assert online / len(guangxi) >= 0.8
    # honest exceptions exist: items that need the citizen or the car more than once
    assert any(i.fields["max_visits"] == MaxVisits.MANY for i in guangxi)


def test_weekend_windows_in_nanning(items: list[ItemSpec]) -> None:
    weekend = {(i.code, i.unit_code) for i in items if i.fields["weekend_service"]}
    assert ("S013-01", "GX-NN-D1") in weekend
    assert any(unit == "GX-NN" for _, unit in weekend)


@pytest.mark.parametrize(
    ("colloquial", "expected_name"),
    [
        ("暂住证", "居住证申领"),
        ("驾照到期", "机动车驾驶证有效期满换证"),
        ("占道施工", "占用、挖掘道路施工交通安全审核"),
        ("车检", "机动车检验合格标志核发"),
        ("外国人住宿登记", "境外人员住宿登记网上自助申报"),
        ("身份证到期", "居民身份证申领、换领"),
        ("刻章", "公章刻制"),
    ],
)
def test_colloquial_keywords_find_the_service(
    items: list[ItemSpec],
    colloquial: str,
    expected_name: str,
) -> None:
    names = [i.fields["name"] for i in items if colloquial in i.fields["keywords"].split()]
    assert any(expected_name in name for name in names), names


# -------------------------------------------------------------------------- lists


def test_list_sections_have_their_minimum_entries(entries: list[ListEntrySpec]) -> None:
    by_kind: dict[str, list[dict]] = {"proofs": [], "no_penalty": [], "inspections": []}
    for entry in entries:
        by_kind[entry.kind].append(entry.data)
    proofs = by_kind["proofs"]
    assert len(proofs) >= 10
    assert sum(p["status"] == "abolished" for p in proofs) >= 10
    assert sum(p["status"] == "kept" for p in proofs) >= 5
    assert all(p["legal_basis"] for p in proofs)
    assert all(p.get("replacement") for p in proofs if p["status"] == "abolished")

    no_penalty = by_kind["no_penalty"]
    assert len(no_penalty) >= 6
    assert len({e["code"] for e in no_penalty}) == len(no_penalty)
    violations = " ".join(e["violation"] for e in no_penalty)
    assert "技术防范系统" in violations and "治安防范设施" in violations
    assert all("行政处罚法" in e["legal_basis"] for e in no_penalty)

    inspections = by_kind["inspections"]
    assert len(inspections) >= 8
    assert len({e["code"] for e in inspections}) == len(inspections)
    assert {"TJ-NBZD", "TJ-ZAZD", "TJ-JJZD", "TJ-TZJF", "TJ-JDZD"} <= {
        e["unit"] for e in inspections
    }
    for entry in inspections:
        assert entry["legal_basis"] and entry["frequency"] and entry["focus"] and entry["method"]
        assert isinstance(entry["max_per_year"], int) and entry["max_per_year"] >= 1


def test_list_entries_refer_to_shipped_items_and_cite_measures(
    items: list[ItemSpec],
    entries: list[ListEntrySpec],
) -> None:
    shipped_keys = {f"{i.code}@{i.unit_code}" for i in items}
    for entry in entries:
        assert entry.data.get("measures"), entry.origin
        assert set(entry.data.get("items", [])) <= shipped_keys, entry.origin


# -------------------------------------------------------------------------- end to end


def _create_units(spec: UnitSpec, parent: Unit | None) -> None:
    unit = Unit.objects.filter(code=spec["code"]).first() or unit_create(
        actor=None,
        code=spec["code"],
        name=spec["name"],
        kind=spec["kind"],
        region_code=spec["region_code"],
        parent=parent,
    )
    for child in spec.get("children", []):
        _create_units(child, unit)


@pytest.mark.django_db
def test_the_shipped_catalogue_imports_into_the_demo_organisation(
    items: list[ItemSpec],
    entries: list[ListEntrySpec],
) -> None:
    for tree in TREES:
        _create_units(tree, None)
    pending: list[UnitSpec] = [
        {
            "code": "GX-XF",
            "name": "广西壮族自治区公安消防总队",
            "kind": "corps",
            "region_code": "450000",
        },
        {
            "code": "GX-NN-XF",
            "name": "南宁市公安消防支队",
            "kind": "brigade",
            "region_code": "450100",
        },
    ]
    for spec in pending:  # until onestop.demo.units has them
        _create_units(spec, Unit.objects.get(code=spec["code"].rsplit("-", 1)[0]))
    call_command("policy_load", verbosity=0)

    report = catalogue_import(actor=None)

    assert len(report.created) == len(items)
    assert report.list_entries == len(entries)
    seal = ServiceItem.objects.get(code="S001-01", implementing_unit__code="TJ-ZAZD")
    assert seal.current is not None
    assert seal.current.promised_limit == Decimal("0.5")
    assert {c.code for c in seal.current.commitments.all()} >= {"seal-engraving-half-day"}
    assert ProofRequirement.objects.filter(status="abolished").count() >= 10
    # importing the same files again publishes nothing new
    again = catalogue_import(actor=None)
    assert again.created == [] and again.new_versions == []
    assert len(again.unchanged) == len(items)
