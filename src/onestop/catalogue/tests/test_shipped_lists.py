"""List membership and shares on the shipped catalogue, checked against the YAML itself."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from onestop.catalogue import selectors
from onestop.catalogue.services import shipped_files
from onestop.demo.units import TREES


def _unit_regions() -> dict[str, str]:
    regions: dict[str, str] = {}

    def walk(spec: Any) -> None:
        regions[spec["code"]] = spec["region_code"]
        for child in spec.get("children", []):
            walk(child)

    for tree in TREES:
        walk(tree)
    return regions


def _yaml_items() -> list[dict[str, Any]]:
    items = []
    for path in shipped_files():
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get("items") or [])
    return items


# The oracle: each list's rule written against the raw YAML, independently of the Q objects.
ORACLE = {
    "max-one-visit": lambda i: i.get("max_visits", 1) <= 1,
    "zero-visit": lambda i: i.get("max_visits", 1) == 0,
    "online": lambda i: "online" in i.get("channels", []),
    "city": lambda i: i.get("cross_region", "none") in {"city", "province", "nation"},
    "province": lambda i: i.get("cross_region", "none") in {"province", "nation"},
    "nation": lambda i: i.get("cross_region", "none") == "nation",
    "on-the-spot": lambda i: bool(i.get("on_the_spot")),
    "conditional": lambda i: "conditional_acceptance" in i,
    "commitment": lambda i: "commitment_approval" in i,
    "weekend": lambda i: bool(i.get("weekend")),
    "self-service": lambda i: "kiosk" in i.get("channels", []),
    "nearby": lambda i: "nearby" in i.get("channels", []),
}


@pytest.fixture
def shipped(db: None) -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)


def test_every_published_list_is_defined_in_the_oracle() -> None:
    assert set(ORACLE) == {lst.slug for lst in selectors.ITEM_LISTS}


@pytest.mark.usefixtures("shipped")
def test_list_membership_on_shipped_data() -> None:
    regions = _unit_regions()
    items = _yaml_items()
    for slug, rule in sorted(ORACLE.items()):
        for region, prefix in [(None, ""), ("120000", "12"), ("450000", "45"), ("450100", "4501")]:
            expected = {
                (i["code"], i["unit"])
                for i in items
                if regions[i["unit"]].startswith(prefix) and rule(i)
            }
            actual = {
                (v.item.code, v.item.implementing_unit.code)
                for v in selectors.list_versions(slug, region=region)
            }
            assert actual == expected, (slug, region)


@pytest.mark.usefixtures("shipped")
def test_bureau_shares_on_shipped_data(client: Client) -> None:
    regions = _unit_regions()
    items = _yaml_items()
    shares = {s.unit.code: s for s in selectors.shares_by_unit(roots_only=True)}
    for root, prefix in [("TJ", "12"), ("GX", "45")]:
        mine = [i for i in items if regions[i["unit"]].startswith(prefix)]
        share = shares[root]
        assert share.total == len(mine)
        for slug, rule in ORACLE.items():
            count = sum(1 for i in mine if rule(i))
            assert share.counts[slug] == count, (root, slug)
            expected = (Decimal(count) / len(mine)).quantize(Decimal("0.001"))
            assert share.share(slug) == expected
    # Guangxi's targets (guangxi-2018#11, #12): at least 80% at most one visit and online.
    assert shares["GX"].meets_target("max-one-visit") and shares["GX"].meets_target("online")
    by_unit = Counter(i["unit"] for i in items)
    unit_shares = {s.unit.code: s.total for s in selectors.shares_by_unit()}
    assert unit_shares == dict(by_unit)
    api = {row["unit"]: row for row in client.get("/api/v1/catalogue/shares/").json()}
    assert api["GX"]["counts"] == shares["GX"].counts


@pytest.mark.usefixtures("shipped")
def test_other_lists_through_the_api(client: Client) -> None:
    proofs = client.get("/api/v1/catalogue/lists/proofs/").json()
    assert {p["status"] for p in proofs} == {"kept", "abolished"}
    no_penalty = client.get("/api/v1/catalogue/lists/no-penalty/?region=120000").json()
    assert any("技术防范" in e["violation"] for e in no_penalty)
    inspections = client.get("/api/v1/catalogue/lists/inspections/").json()
    assert len(inspections) >= 8 and all(e["legal_basis"] for e in inspections)
    assert client.get("/api/v1/catalogue/lists/inspections/?region=450000").json() == []
