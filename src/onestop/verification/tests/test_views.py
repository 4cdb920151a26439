"""The enterprise pages: upload, progress, download, partner check, authorisation and keys."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onestop.verification.choices import EnterpriseListKind
from onestop.verification.models import ApiKey, BatchJob, EnterpriseRiskEntry
from onestop.verification.registers import synthetic_person

from .conftest import CREDIT_CODE, FLAGGED, MATCH, WANTED, Org, csv_bytes

pytestmark = pytest.mark.django_db


def login(client: Client, person) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def upload(client: Client, data: bytes, name: str = "workers.csv", consent: str = "on"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/verification/{CREDIT_CODE}/batch/",
        {
            "file": SimpleUploadedFile(name, data),
            "purpose": "employment",
            "consent": consent,
        },
    )


def test_upload_progress_download(
    client: Client, org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login(client, org.agent)
    index = client.get("/verification/")
    assert "批量核查员工身份" in index.content.decode()
    rows = [synthetic_person(MATCH), synthetic_person(WANTED), ("张三", "123")]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(rows))
    assert response.status_code == 302
    job = BatchJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "已核查 3 / 3 人" in page and "下载核查结果" in page
    progress = client.get(f"/verification/jobs/{job.pk}/progress/").content.decode()
    assert 'value="100"' in progress and "hx-get" not in progress  # polling stops when done
    result = client.get(f"/verification/jobs/{job.pk}/result/")
    assert result.status_code == 200 and result["Cache-Control"] == "no-store"
    text = b"".join(result.streaming_content).decode("utf-8-sig")
    assert "一致" in text and "请联系公安机关" in text and "格式错误" in text


def test_progress_polls_while_running(client: Client, org: Org, register) -> None:  # type: ignore[no-untyped-def]
    login(client, org.agent)
    response = upload(client, csv_bytes([synthetic_person(MATCH)]))  # on_commit not run: queued
    job = BatchJob.objects.get()
    assert response.status_code == 302
    progress = client.get(f"/verification/jobs/{job.pk}/progress/").content.decode()
    assert "hx-get" in progress and "排队中" in progress


def test_refused_file_shows_the_reason(client: Client, org: Org, register) -> None:  # type: ignore[no-untyped-def]
    login(client, org.agent)
    response = upload(client, b"%PDF-1.7 not a table", name="a.csv")
    assert response.status_code == 400
    assert "只接受 CSV 或 XLSX 文件" in response.content.decode()
    response = upload(client, csv_bytes([synthetic_person(MATCH)]), consent="")
    assert "请确认已取得被核查人员本人的同意" in response.content.decode()
    assert BatchJob.objects.count() == 0


def test_other_people_cannot_see_a_job(
    client: Client, org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login(client, org.agent)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes([synthetic_person(MATCH)]))
    job = BatchJob.objects.get()
    other = login(Client(), org.legal_rep)
    for suffix in ("", "progress/", "result/"):
        assert other.get(f"/verification/jobs/{job.pk}/{suffix}").status_code == 404
    assert Client().get(f"/verification/jobs/{job.pk}/result/").status_code == 302


def test_responses_carry_no_register_data(
    client: Client, org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """Whatever the enterprise sees — pages, progress, result — holds outcomes only."""
    login(client, org.agent)
    registered_name, number = synthetic_person(MATCH)
    flagged_name, flagged_number = synthetic_person(FLAGGED)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes([("王某某", number), ("王某某", flagged_number)]))
    job = BatchJob.objects.get()
    bodies = [
        client.get(f"/verification/jobs/{job.pk}/").content,
        client.get(f"/verification/jobs/{job.pk}/progress/").content,
        client.get("/verification/").content,
        b"".join(client.get(f"/verification/jobs/{job.pk}/result/").streaming_content),
    ]
    text = "".join(b.decode("utf-8-sig") for b in bodies)
    for secret in (registered_name, flagged_name, number, flagged_number, "诈骗", "反电信"):
        assert secret not in text


def test_partner_check_page(client: Client, org: Org, register) -> None:  # type: ignore[no-untyped-def]
    EnterpriseRiskEntry.objects.create(
        credit_code="91120104MA05P0000K",
        name="天津某某投资咨询有限公司",
        list_kind=EnterpriseListKind.BLACK,
        legal_basis="《刑法》第一百九十二条",
        reason="内部线索编号 X-17",
        unit=register["bureau"],
    )
    login(client, org.agent)
    url = f"/verification/{CREDIT_CODE}/partner/"
    listed = client.post(
        url,
        {
            "credit_code": "91120104ma05p0000k",
            "purpose": "investment",
            "purpose_detail": "合资项目洽谈",
        },
    ).content.decode()
    assert "已列入黑名单" in listed and "《刑法》第一百九十二条" in listed
    assert "X-17" not in listed and "内部线索" not in listed
    clean = client.post(
        url,
        {
            "credit_code": "91120101MA05X1234Q",
            "purpose": "procurement",
            "purpose_detail": "采购合同",
        },
    ).content.decode()
    assert "未列入经济犯罪风险名单" in clean
    no_reason = client.post(
        url, {"credit_code": "91120101MA05X1234Q", "purpose": "procurement", "purpose_detail": "a"}
    )
    assert no_reason.status_code == 400 and "请说明查询事由" in no_reason.content.decode()


def test_legal_rep_manages_authorisation_and_keys(client: Client, org: Org, register) -> None:  # type: ignore[no-untyped-def]
    url = f"/verification/{CREDIT_CODE}/manage/"
    assert login(Client(), org.agent).get(url).status_code == 404  # agents cannot manage
    login(client, org.legal_rep)
    page = client.post(url, {"create_key": "1", "name": "HR 系统", "scopes": ["batch"]})
    plain = re.search(r'<code id="new-key">([^<]+)</code>', page.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert plain.startswith(key.prefix + ".") and plain not in (key.key_hash, key.prefix)
    # The plain key is shown once only.
    assert plain not in client.get(url).content.decode()
    client.post(url, {"revoke": "1"})
    index = login(Client(), org.agent).get("/verification/").content.decode()
    assert "尚未授权使用核查服务" in index


def test_unverified_person_is_sent_to_verify(client: Client, org: Org) -> None:
    from onestop.accounts import services as account_services

    person = account_services.person_register(
        name="王五", id_number="450302199205204562", mobile="13900139004", password="x-y-z-123456"
    )
    login(client, person)
    assert client.get("/verification/").status_code == 403
