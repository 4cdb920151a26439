"""Batch verification through the services: each outcome, input quirks, quotas, purge."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from onestop.core.models import AuditEvent
from onestop.verification import services
from onestop.verification.choices import JobState, Outcome, Purpose
from onestop.verification.errors import NotEligible, QuotaExceeded, VerificationError
from onestop.verification.models import BatchJob, EnterpriseQuota, WantedHitAlert
from onestop.verification.registers import synthetic_person

from .conftest import (
    CANCELLED,
    DECEASED,
    FLAGGED,
    MATCH,
    UNKNOWN,
    WANTED,
    Org,
    csv_bytes,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def submit(org: Org, data: bytes, *, name: str = "workers.csv", consent: bool = True) -> BatchJob:
    return services.batch_submit(
        user=org.agent.user,
        enterprise=org.enterprise,
        file=io.BytesIO(data),
        original_name=name,
        purpose=Purpose.EMPLOYMENT,
        consent=consent,
    )


def run(org: Org, data: bytes, django_capture_on_commit_callbacks, **kwargs) -> BatchJob:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = submit(org, data, **kwargs)
    job.refresh_from_db()
    return job


def result_rows(job: BatchJob) -> list[list[str]]:
    with default_storage.open(job.result_path, "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_each_outcome(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    name, number = synthetic_person(MATCH)
    _other_name, other_number = synthetic_person(MATCH + 1)
    rows = [
        (name, number),  # match
        ("王某某", other_number),  # mismatch
        synthetic_person(UNKNOWN),  # not found
        synthetic_person(CANCELLED),  # cancelled → not found
        synthetic_person(DECEASED),  # deceased → not found
        synthetic_person(WANTED),  # wanted → contact police
        synthetic_person(FLAGGED),  # risk list → contact police
        ("赵六", "12010119850312123"),  # 17 digits → invalid
        ("赵六", "120101198503121231"),  # bad check digit → invalid
    ]
    job = run(org, csv_bytes(rows), django_capture_on_commit_callbacks)
    assert job.state == JobState.DONE
    result = result_rows(job)
    assert result[0] == ["行号", "姓名", "身份证号码", "核查结果", "说明"]
    outcomes = [r[3] for r in result[1:]]
    assert outcomes == [
        "一致",
        "不一致",
        "查无此人",
        "查无此人",
        "查无此人",
        "请联系公安机关",
        "请联系公安机关",
        "格式错误",
        "格式错误",
    ]
    assert [r[0] for r in result[1:]] == [str(n) for n in range(2, 11)]
    assert "18 位" in result[8][4] and "校验位" in result[9][4]
    assert job.counts == {
        Outcome.MATCH: 1,
        Outcome.MISMATCH: 1,
        Outcome.NOT_FOUND: 3,
        Outcome.CONTACT_POLICE: 2,
        Outcome.INVALID: 2,
    }
    # The upload is gone once processed; the result stays for 7 days.
    assert job.upload_path == ""
    assert not default_storage.exists(f"verification/uploads/{job.pk}.csv")
    assert job.result_expires_at - job.finished_at == dt.timedelta(days=7)


def test_result_never_carries_register_data(
    org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """The mismatch row must not reveal the registered name; no row reveals a full number,
    nor why someone is flagged."""
    registered_name, number = synthetic_person(MATCH)
    wanted_name, wanted_number = synthetic_person(WANTED)
    job = run(
        org,
        csv_bytes([("王某某", number), ("王某某", wanted_number)]),
        django_capture_on_commit_callbacks,
    )
    with default_storage.open(job.result_path, "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    for secret in (registered_name, wanted_name, number, wanted_number, "网逃", "诈骗", "在逃"):
        assert secret not in text
    assert "王*某" in text and number[:4] + "**********" + number[-4:] in text


def test_wanted_hit_alerts_the_competent_unit_only(
    org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    job = run(org, csv_bytes([synthetic_person(WANTED)]), django_capture_on_commit_callbacks)
    alert = WantedHitAlert.objects.get()
    assert alert.unit == register["station2"]
    assert alert.enterprise == org.enterprise and alert.job == job and alert.row_number == 2
    assert alert.name_matched
    # The flagged (non-wanted) person gets the same answer but raises no alert.
    run(org, csv_bytes([synthetic_person(FLAGGED)]), django_capture_on_commit_callbacks)
    assert WantedHitAlert.objects.count() == 1


def test_input_quirks(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    name, number = synthetic_person(MATCH)
    x_index = next(i for i in range(24) if synthetic_person(i)[1].endswith("X"))
    x_name, x_number = synthetic_person(x_index)
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    rows = [
        (name, full_width),  # full-width digits
        ("", ""),  # blank row: skipped
        (x_name, x_number.lower()),  # lower-case x
        (f" {name} ", f" {number[:6]} {number[6:]} "),  # spaces; duplicate of row 2
    ]
    job = run(org, csv_bytes(rows), django_capture_on_commit_callbacks)
    result = result_rows(job)[1:]
    assert [(r[0], r[3]) for r in result] == [("2", "一致"), ("4", "一致"), ("5", "格式错误")]
    assert "与第 2 行" in result[2][4]
    assert job.total_rows == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings(org: Org, register, django_capture_on_commit_callbacks, encoding: str) -> None:  # type: ignore[no-untyped-def]
    job = run(
        org,
        csv_bytes([synthetic_person(MATCH)], encoding=encoding),
        django_capture_on_commit_callbacks,
    )
    assert job.encoding in {"utf-8-sig", "gb18030"}
    assert result_rows(job)[1][3] == "一致"


def test_xlsx_with_numbers_as_cells(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    name, number = synthetic_person(MATCH)
    data = xlsx_bytes([(name, number), (None, None), ("钱七", 120101198503121230)])
    job = run(org, data, django_capture_on_commit_callbacks, name="workers.xlsx")
    result = result_rows(job)[1:]
    assert [r[3] for r in result] == ["一致", "格式错误"]
    assert "文本格式" in result[1][4]
    assert result[1][0] == "4"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "a.csv", "文件是空的"),
        ("姓名,身份证号码\r\n".encode(), "a.csv", "没有需要核查的数据行"),
        ("名称,号码\r\n张三,1\r\n".encode(), "a.csv", "未找到表头"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls", "旧版 Excel"),
        (b"%PDF-1.7\n%%EOF", "a.csv", "不是表格"),
        (b"PK\x03\x04garbage-not-a-zip", "a.xlsx", "已损坏"),
        (xlsx_bytes([("张三", "1")]), "a.csv", "扩展名"),
        ("姓名,身份证号码\r\n张三,1\r\n".encode(), "a.xlsx", "扩展名"),
        ("姓名,身份证号码\r\n张三,1\r\n".encode(), "a.pdf", ".csv 或 .xlsx"),
        (b"\xff\xfe\xfd\x80\x81 \xff\xff", "a.csv", "无法识别文件编码"),
        ('姓名,身份证号码\r\n"张三,1\r\n'.encode(), "a.csv", "CSV 格式错误"),
    ],
)
def test_malformed_files_are_refused(
    org: Org, register, data: bytes, name: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VerificationError) as info:
        submit(org, data, name=name)
    assert expected in info.value.message
    assert BatchJob.objects.count() == 0


def test_too_many_rows(org: Org, register, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ONESTOP_VERIFICATION = {"eager_in_thread": False, "max_rows": 3}
    with pytest.raises(VerificationError, match="最多 3 行"):
        submit(org, csv_bytes([synthetic_person(i) for i in range(4)]))


def test_consent_is_required(org: Org, register) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VerificationError, match="同意"):
        submit(org, csv_bytes([synthetic_person(MATCH)]), consent=False)


def test_daily_quota_exhaustion(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    EnterpriseQuota.objects.create(
        enterprise=org.enterprise, daily_rows=5, jobs_per_hour=10, daily_partner_checks=5
    )
    run(org, csv_bytes([synthetic_person(i) for i in range(3)]), django_capture_on_commit_callbacks)
    with pytest.raises(QuotaExceeded, match="超出今日核查配额") as info:
        submit(org, csv_bytes([synthetic_person(i) for i in range(3, 6)]))
    assert info.value.status == 429
    assert BatchJob.objects.count() == 1
    run(
        org,
        csv_bytes([synthetic_person(i) for i in range(3, 5)]),
        django_capture_on_commit_callbacks,
    )


def test_hourly_rate_limit(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    EnterpriseQuota.objects.create(
        enterprise=org.enterprise, daily_rows=100, jobs_per_hour=2, daily_partner_checks=5
    )
    for _ in range(2):
        run(org, csv_bytes([synthetic_person(MATCH)]), django_capture_on_commit_callbacks)
    with pytest.raises(QuotaExceeded, match="每小时最多"):
        submit(org, csv_bytes([synthetic_person(MATCH)]))


def test_purge_after_retention(org: Org, register, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    job = run(org, csv_bytes([synthetic_person(MATCH)]), django_capture_on_commit_callbacks)
    path = job.result_path
    assert services.batch_purge_expired(now=timezone.now() + dt.timedelta(days=6)) == 0
    assert default_storage.exists(path)
    assert services.batch_purge_expired(now=timezone.now() + dt.timedelta(days=7, minutes=1)) == 1
    job.refresh_from_db()
    assert job.state == JobState.PURGED and job.result_path == ""
    assert not default_storage.exists(path)
    with pytest.raises(VerificationError):
        services.batch_result_open(user=org.agent.user, job=job)


def test_only_the_uploader_downloads(
    org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    job = run(org, csv_bytes([synthetic_person(MATCH)]), django_capture_on_commit_callbacks)
    with pytest.raises(VerificationError):
        services.batch_result_open(user=org.legal_rep.user, job=job)
    services.batch_result_open(user=org.agent.user, job=job).close()
    assert AuditEvent.objects.filter(action="verification.batch_download").count() == 1


def test_every_query_is_audited_with_purpose(
    org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    job = run(org, csv_bytes([synthetic_person(MATCH)]), django_capture_on_commit_callbacks)
    submitted = AuditEvent.objects.get(action="verification.batch_submit", object_id=str(job.pk))
    assert submitted.purpose == "招用人员（劳动用工）"
    assert submitted.summary["enterprise"] == org.enterprise.credit_code
    done = AuditEvent.objects.get(action="verification.batch_done", object_id=str(job.pk))
    assert done.summary["counts"] == {"match": 1}
    # No personal data of the checked people in the audit trail.
    number = synthetic_person(MATCH)[1]
    assert number not in str(list(AuditEvent.objects.values_list("summary", "object_repr")))


def test_eligibility(org: Org, register) -> None:  # type: ignore[no-untyped-def]
    services.authorisation_revoke(legal_rep=org.legal_rep, enterprise=org.enterprise)
    with pytest.raises(NotEligible, match="尚未授权"):
        submit(org, csv_bytes([synthetic_person(MATCH)]))
    with pytest.raises(NotEligible, match="法定代表人"):
        services.authorisation_grant(
            legal_rep=org.agent,
            enterprise=org.enterprise,
            valid_until=timezone.localdate() + dt.timedelta(days=1),
        )
    services.authorisation_grant(
        legal_rep=org.legal_rep,
        enterprise=org.enterprise,
        valid_until=timezone.localdate() + dt.timedelta(days=1),
    )
    submit(org, csv_bytes([synthetic_person(MATCH)]))
    # An agent whose authorisation was revoked may no longer submit.
    membership = org.agent.enterprise_memberships.get()
    from onestop.accounts import services as account_services

    account_services.enterprise_revoke_agent(legal_rep=org.legal_rep, membership=membership)
    with pytest.raises(NotEligible, match="无权代表"):
        submit(org, csv_bytes([synthetic_person(MATCH)]))


def test_processing_twice_is_harmless(
    org: Org, register, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    job = run(org, csv_bytes([synthetic_person(WANTED)]), django_capture_on_commit_callbacks)
    assert services.batch_process(job_id=job.pk) is None
    assert WantedHitAlert.objects.count() == 1
