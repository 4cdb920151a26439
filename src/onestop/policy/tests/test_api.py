from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_api_lists_all_70_measures(client: Client, policy_loaded: None) -> None:
    response = client.get("/api/v1/policy/measures/")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 70
    citations = {m["citation"] for m in data}
    assert "tianjin-2021#20" in citations and "guangxi-2018#50" in citations
    first = next(m for m in data if m["citation"] == "tianjin-2021#4")
    assert "seal-engraving-half-day" in first["commitments"]
    assert first["responsible_units"] == ["治安管理总队"]
    only_tj = client.get("/api/v1/policy/measures/?document=tianjin-2021").json()
    assert len(only_tj) == 20


def test_api_measure_detail_and_commitments(client: Client, policy_loaded: None) -> None:
    detail = client.get("/api/v1/policy/measures/tianjin-2021/11/").json()
    assert detail["title"] == "扶持保障我市企业发展壮大"
    assert [p["deadline_text"] for p in detail["parts"]] == ["2021年6月", "2021年7月", "2021年12月"]
    assert client.get("/api/v1/policy/measures/tianjin-2021/99/").status_code == 404

    commitments = client.get("/api/v1/policy/commitments/").json()
    seal = next(c for c in commitments if c["code"] == "seal-engraving-half-day")
    assert seal["measure"] == "tianjin-2021#4"
    assert seal["value"] == "0.50"
    assert seal["unit"] == "working_days"
    one = client.get("/api/v1/policy/commitments/hall-waiting-1h/").json()
    assert one["measure"] == "guangxi-2018#14"
    assert one["scope"]["region"] == "450000"
    filtered = client.get("/api/v1/policy/commitments/?metric=item_processing_time").json()
    assert {c["code"] for c in filtered} == {"seal-engraving-half-day", "seal-engraving-one-day"}


def test_api_is_read_only(client: Client, policy_loaded: None) -> None:
    response = client.post("/api/v1/policy/measures/", {"title": "x"})
    assert response.status_code in (403, 405)


def test_schema_documents_policy_endpoints(client: Client) -> None:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/policy/measures/" in paths
    assert "/api/v1/policy/commitments/{code}/" in paths
