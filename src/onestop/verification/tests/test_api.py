"""The integrator API: API keys (hashed at rest), scopes, per-key quotas, outcomes only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from onestop.verification import services
from onestop.verification.choices import EnterpriseListKind
from onestop.verification.models import ApiKey, EnterpriseRiskEntry
from onestop.verification.registers import synthetic_person

from .conftest import MATCH, Org, csv_bytes

pytestmark = pytest.mark.django_db


def key_client(org: Org, scopes: list[str]) -> tuple[APIClient, ApiKey]:
    key, plain = services.api_key_create(
        legal_rep=org.legal_rep, enterprise=org.enterprise, name="HR", scopes=scopes
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client, key


def test_batch_via_api(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client, _key = key_client(org, ["batch"])
    name, number = synthetic_person(MATCH)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/verification/batches/",
            {
                "file": SimpleUploadedFile(
                    "w.csv", csv_bytes([(name, number), ("王某某", number)])
                ),
                "purpose": "employment",
                "consent": "true",
            },
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    detail = client.get(f"/api/v1/verification/batches/{job_id}/").json()
    assert detail["state"] == "done" and detail["counts"] == {"match": 1, "invalid": 1}
    assert set(detail) == {
        "id", "state", "purpose", "total_rows", "processed_rows", "counts", "error",
        "created_at", "finished_at", "result_expires_at", "result_url",
    }  # fmt: skip
    result = client.get(f"/api/v1/verification/batches/{job_id}/result/")
    text = b"".join(result.streaming_content).decode("utf-8-sig")
    assert "一致" in text and number not in text and name not in text
    # Another key of the same organisation does not see the job.
    other, _ = key_client(org, ["batch"])
    assert other.get(f"/api/v1/verification/batches/{job_id}/").status_code == 404


def test_keys_are_hashed_and_checked(org: Org, register) -> None:  # type: ignore[no-untyped-def]
    client, key = key_client(org, ["partner"])
    assert len(key.key_hash) == 64
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Api-Key {key.prefix}.wrong-secret")
    assert bad.post("/api/v1/verification/partner-checks/", {}, format="json").status_code == 401
    assert APIClient().get(
        "/api/v1/verification/batches/00000000-0000-0000-0000-000000000000/"
    ).status_code in (401, 403)
    services.api_key_revoke(legal_rep=org.legal_rep, key=key)
    response = client.post("/api/v1/verification/partner-checks/", {}, format="json")
    assert response.status_code == 401


def test_scopes(org: Org, register) -> None:  # type: ignore[no-untyped-def]
    client, _key = key_client(org, ["partner"])
    response = client.post("/api/v1/verification/batches/", {}, format="multipart")
    assert response.status_code == 403
    assert "没有此项权限" in response.json()["detail"]


def test_partner_check_and_key_quota(org: Org, register) -> None:  # type: ignore[no-untyped-def]
    EnterpriseRiskEntry.objects.create(
        credit_code="91450103MA5L00001C",
        name="南宁某某贸易有限公司",
        list_kind=EnterpriseListKind.GREY,
        legal_basis="《防范和处置非法集资条例》第十二条",
        reason="secret lead",
        unit=register["bureau"],
    )
    client, key = key_client(org, ["partner"])
    key.daily_quota = 2
    key.save()
    body = {"credit_code": "91450103MA5L00001C", "purpose": "lending", "purpose_detail": "贷款审查"}
    answer = client.post("/api/v1/verification/partner-checks/", body, format="json").json()
    assert answer == {
        "credit_code": "91450103MA5L00001C",
        "listed": True,
        "listings": [
            {
                "list_kind": "grey",
                "list_label": "灰名单",
                "legal_basis": "《防范和处置非法集资条例》第十二条",
            }
        ],
    }
    missing_purpose = client.post(
        "/api/v1/verification/partner-checks/", {**body, "purpose": "curiosity"}, format="json"
    )
    assert missing_purpose.status_code == 400
    exhausted = client.post("/api/v1/verification/partner-checks/", body, format="json")
    assert exhausted.status_code == 429 and "已达上限" in exhausted.json()["detail"]


def test_api_refuses_when_authorisation_is_revoked(org: Org, register) -> None:  # type: ignore[no-untyped-def]
    client, _key = key_client(org, ["partner"])
    services.authorisation_revoke(legal_rep=org.legal_rep, enterprise=org.enterprise)
    body = {"credit_code": "91450103MA5L00001C", "purpose": "lending", "purpose_detail": "贷款审查"}
    response = client.post("/api/v1/verification/partner-checks/", body, format="json")
    assert response.status_code == 403 and "授权" in response.json()["detail"]
