"""Every write of the verification services: keyword-only, audited, one place for web, API and
jobs.

Data minimisation: an enterprise learns one outcome per row and nothing else; the upload is
deleted as soon as it has been processed and the result file after ``result_days``; audit events
hold counts, purposes and masked identifiers only.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import logging
import secrets
import tempfile
import threading
import uuid
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from onestop.accounts.models import Enterprise, Person, User
from onestop.accounts.selectors import membership_is_valid
from onestop.core.audit import audit_log
from onestop.core.identity import normalise_text
from onestop.core.pii import mask_id_number, mask_name
from onestop.core.uploads import safe_display_name

from . import selectors
from .checks import Checker, Chunk, Found, WantedHit, lookup_pairs
from .choices import (
    AlertState,
    ApiScope,
    Channel,
    EnterpriseListKind,
    JobState,
    Outcome,
    PartnerPurpose,
    Purpose,
)
from .conf import conf
from .errors import NotEligible, QuotaExceeded, VerificationError
from .models import (
    ApiKey,
    ApiKeyUsage,
    BatchJob,
    EnterpriseRiskEntry,
    PartnerCheck,
    VerificationAuthorisation,
    WantedHitAlert,
)
from .reading import Inspected, UploadRefused, inspect_upload, iter_chunks

logger = logging.getLogger(__name__)

RESULT_HEADER = [N_("行号"), N_("姓名"), N_("身份证号码"), N_("核查结果"), N_("说明")]


# --- authorisation by the legal representative ---------------------------------------------


def _require_legal_rep(person: Person, enterprise: Enterprise) -> None:
    membership = selectors.legal_rep_membership(enterprise)
    if membership is None or membership.person_id != person.pk:
        raise NotEligible(
            _("只有已实名绑定企业的法定代表人可以授权核查服务或管理接口密钥。"),
            code="not_legal_rep",
        )


@transaction.atomic
def authorisation_grant(
    *, legal_rep: Person, enterprise: Enterprise, valid_until: dt.date
) -> VerificationAuthorisation:
    """The legal representative authorises the enterprise's agents to use the services."""
    _require_legal_rep(legal_rep, enterprise)
    today = timezone.localdate()
    if valid_until < today or valid_until > today + dt.timedelta(days=366):
        raise VerificationError(_("授权截止日期应在今天至一年之内。"), code="bad_until")
    VerificationAuthorisation.objects.filter(enterprise=enterprise, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    authorisation = VerificationAuthorisation.objects.create(
        enterprise=enterprise, granted_by=legal_rep, valid_until=valid_until
    )
    audit_log(
        actor=legal_rep.user,
        action="verification.authorise",
        obj=authorisation,
        summary={"enterprise": enterprise.credit_code, "until": valid_until.isoformat()},
    )
    return authorisation


@transaction.atomic
def authorisation_revoke(*, legal_rep: Person, enterprise: Enterprise) -> int:
    _require_legal_rep(legal_rep, enterprise)
    revoked = VerificationAuthorisation.objects.filter(
        enterprise=enterprise, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    audit_log(
        actor=legal_rep.user,
        action="verification.authorise_revoke",
        obj=enterprise,
        summary={"enterprise": enterprise.credit_code, "revoked": revoked},
    )
    return revoked


# --- batch verification ---------------------------------------------------------------------


def _lock_enterprise(enterprise: Enterprise) -> None:
    """Serialise quota checks of one enterprise (SQLite already serialises writers)."""
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()


def _check_batch_quota(enterprise: Enterprise, rows: int) -> None:
    quota = selectors.quota_for(enterprise)
    if selectors.jobs_last_hour(enterprise) >= quota.jobs_per_hour:
        raise QuotaExceeded(
            _("提交过于频繁：每小时最多提交 %(n)d 个批量任务，请稍后再试。")
            % {"n": quota.jobs_per_hour},
            code="rate_limited",
        )
    used = selectors.rows_used_today(enterprise)
    if used + rows > quota.daily_rows:
        raise QuotaExceeded(
            _("超出今日核查配额：今日已核查 %(used)d 人，配额 %(quota)d 人，本文件 %(rows)d 人。")
            % {"used": used, "quota": quota.daily_rows, "rows": rows},
            code="quota_exceeded",
        )


def _eligible(*, user: User, enterprise: Enterprise, api_key: ApiKey | None) -> None:
    if api_key is not None:
        problem = selectors.enterprise_eligibility_problem(enterprise)
    else:
        person = Person.objects.filter(user=user).first()
        problem = selectors.eligibility_problem(person=person, enterprise=enterprise)
    if problem is not None:
        raise problem


def batch_submit(
    *,
    user: User,
    enterprise: Enterprise,
    file: IO[bytes],
    original_name: str,
    purpose: str,
    consent: bool,
    channel: str = Channel.WEB,
    api_key: ApiKey | None = None,
) -> BatchJob:
    """Accept a worker list: check who asks, why, the consent, the file and the quota; store
    the upload and queue the job (after commit). Refusals change nothing. The file is read
    before the transaction opens (a large XLSX takes seconds)."""
    _eligible(user=user, enterprise=enterprise, api_key=api_key)
    if purpose not in Purpose.values:
        raise VerificationError(_("请选择核查目的。"), code="purpose")
    if not consent:
        raise VerificationError(_("请确认已取得被核查人员本人的同意。"), code="consent_missing")
    try:
        inspected = inspect_upload(
            file,
            original_name=original_name,
            max_rows=conf("max_rows"),
            max_bytes=conf("max_upload_bytes"),
        )
    except UploadRefused as exc:
        raise VerificationError(exc.message, code=exc.code) from exc
    with transaction.atomic():
        return _batch_create(
            user=user,
            enterprise=enterprise,
            file=file,
            original_name=original_name,
            purpose=purpose,
            channel=channel,
            api_key=api_key,
            inspected=inspected,
        )


def _batch_create(
    *,
    user: User,
    enterprise: Enterprise,
    file: IO[bytes],
    original_name: str,
    purpose: str,
    channel: str,
    api_key: ApiKey | None,
    inspected: Inspected,
) -> BatchJob:
    _eligible(user=user, enterprise=enterprise, api_key=api_key)
    _lock_enterprise(enterprise)
    _check_batch_quota(enterprise, inspected.rows)
    job_id = uuid.uuid4()
    file.seek(0)
    upload_path = default_storage.save(
        f"verification/uploads/{job_id}.{inspected.kind}", File(file, name="upload")
    )
    job = BatchJob.objects.create(
        id=job_id,
        enterprise=enterprise,
        submitted_by=user,
        api_key=api_key,
        channel=channel,
        purpose=purpose,
        consent_attested_at=timezone.now(),
        original_name=safe_display_name(original_name)[:120],
        file_kind=inspected.kind,
        encoding=inspected.encoding,
        name_col=inspected.name_col,
        id_col=inspected.id_col,
        header_line=inspected.header_line,
        upload_path=upload_path,
        total_rows=inspected.rows,
    )
    audit_log(
        actor=user,
        action="verification.batch_submit",
        obj=job,
        purpose=str(Purpose(purpose).label),
        summary={
            "enterprise": enterprise.credit_code,
            "rows": inspected.rows,
            "channel": channel,
            "api_key": api_key.prefix if api_key else "",
            "consent_attested": True,
        },
    )
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: uuid.UUID) -> None:
    from .tasks import verification_batch_process

    if settings.CELERY_TASK_ALWAYS_EAGER and conf("eager_in_thread"):
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()
    else:
        verification_batch_process.delay(str(job_id))


def _run_in_thread(job_id: uuid.UUID) -> None:
    try:
        batch_process(job_id=job_id)
    except Exception:
        logger.exception("verification job %s failed", job_id)
    finally:
        connection.close()


def _claim(job_id: uuid.UUID) -> BatchJob | None:
    with transaction.atomic():
        job = (
            BatchJob.objects.select_for_update()
            .select_related("enterprise", "submitted_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.state != JobState.QUEUED:
            return None  # already processed (a task delivered twice) or gone
        job.state = JobState.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
        return job


def _delete_file(path: str) -> None:
    if path:
        with contextlib.suppress(FileNotFoundError):
            default_storage.delete(path)


def _close_thread_connection() -> None:
    connection.close()  # resolved in the calling thread: the lookup thread's own connection


def _mask_name(name: str) -> str:
    """``pii.mask_name`` (张*明 / 张*), inlined for the result file's hot loop."""
    size = len(name)
    if size <= 2:
        return name[0] + "*" if size == 2 else name
    return name[0] + "*" * (size - 2) + name[-1]


def _result_lines(chunk: Chunk, labels: dict[str, str]) -> list[tuple[Any, ...]]:
    """The result file's rows of a decided chunk: row number, masked name and number, outcome,
    the reason for an invalid row (valid rows carry a normalised 18-character number)."""
    invalid = Outcome.INVALID
    lines: list[tuple[Any, ...]] = []
    append = lines.append
    for line, name, number, outcome, reason, name_raw, id_raw in zip(
        chunk.lines,
        chunk.names,
        chunk.numbers,
        chunk.outcomes,
        chunk.reasons,
        chunk.names_raw,
        chunk.ids_raw,
        strict=True,
    ):
        if outcome != invalid:
            masked = number[:4] + "**********" + number[14:]
            append((line, _mask_name(name), masked, labels[outcome], ""))
            continue
        name = name or normalise_text(name_raw)
        number = number or normalise_text(id_raw)
        append((line, mask_name(name[:50]), mask_id_number(number[:30]), labels[outcome], reason))
    return lines


def batch_process(*, job_id: uuid.UUID) -> BatchJob | None:
    """Run one queued job: stream the rows, check them chunk by chunk, write the result file,
    delete the upload, raise alerts for wanted persons. Safe to run twice (only a queued job is
    claimed). Progress is committed per chunk, so this is not one transaction."""
    job = _claim(job_id)
    if job is None:
        return None
    counts: Counter[str] = Counter()
    hits: list[WantedHit] = []
    inspected = Inspected(
        kind=job.file_kind,
        encoding=job.encoding,
        name_col=job.name_col,
        id_col=job.id_col,
        header_line=job.header_line,
        rows=job.total_rows,
    )
    chunk_rows = conf("chunk_rows")
    max_rows = conf("max_rows")
    checker = Checker()
    labels = {value: str(label) for value, label in Outcome.choices}
    processed = 0
    # On PostgreSQL in autocommit, the chunks read so far are looked up on ``lookup_connections``
    # other connections (one thread each: the driver releases the GIL while it waits) while the
    # next chunk is parsed and validated here. Inside a transaction (the test suite) another
    # connection would not see our rows: look up inline.
    pipelined = connection.vendor == "postgresql" and not connection.in_atomic_block
    lanes = [ThreadPoolExecutor(max_workers=1) for _lane in range(conf("lookup_connections"))]
    if not pipelined:
        lanes = []
    try:
        with (
            default_storage.open(job.upload_path, "rb") as upload,
            tempfile.TemporaryFile() as out,
        ):
            text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow([_(h) for h in RESULT_HEADER])
            pending: deque[tuple[Chunk, Future[list[Found]]]] = deque()

            def finish(chunk: Chunk, found: list[Found]) -> None:
                nonlocal processed
                checker.decide(chunk, found)
                counts.update(chunk.outcomes)
                hits.extend(chunk.wanted_hits)
                writer.writerows(_result_lines(chunk, labels))
                processed += len(chunk)
                BatchJob.objects.filter(pk=job.pk).update(
                    processed_rows=min(processed, job.total_rows), counts=dict(counts)
                )

            def lookup(chunk: Chunk) -> list[Found]:
                return lookup_pairs(chunk.id_hashes, chunk.name_hashes, today=checker.today)

            def submit(chunk: Chunk, number: int) -> None:
                checker.prepare(chunk)
                if not lanes:
                    finish(chunk, lookup(chunk))
                    return
                if len(pending) >= len(lanes):  # at most one chunk in flight per connection
                    finish(*_resolved(pending.popleft()))
                pending.append((chunk, lanes[number % len(lanes)].submit(lookup, chunk)))

            taken = 0
            for number, chunk in enumerate(iter_chunks(upload, inspected, size=chunk_rows)):
                if taken + len(chunk) > max_rows:  # never more than a file may hold
                    chunk = chunk.head(max_rows - taken)
                if not chunk:
                    break
                taken += len(chunk)
                submit(chunk, number)
            while pending:
                finish(*_resolved(pending.popleft()))
            text.flush()
            out.seek(0)
            result_path = default_storage.save(
                f"verification/results/{job.pk}.csv", File(out, name="result.csv")
            )
            text.detach()
    except Exception as exc:
        _batch_fail(job, exc)
        return job
    finally:
        for lane in lanes:
            lane.submit(_close_thread_connection).result()
            lane.shutdown()
    return _batch_finish(job, result_path=result_path, counts=counts, hits=hits, rows=processed)


def _resolved(pending: tuple[Chunk, Future[list[Found]]]) -> tuple[Chunk, list[Found]]:
    return pending[0], pending[1].result()


@transaction.atomic
def _batch_finish(
    job: BatchJob, *, result_path: str, counts: Counter[str], hits: list[WantedHit], rows: int
) -> BatchJob:
    _delete_file(job.upload_path)
    now = timezone.now()
    job.state = JobState.DONE
    job.result_path = result_path
    job.upload_path = ""
    job.processed_rows = rows
    job.total_rows = rows
    job.counts = dict(counts)
    job.finished_at = now
    job.result_expires_at = now + dt.timedelta(days=conf("result_days"))
    job.save()
    alerts_raise(job=job, rows=hits)
    audit_log(
        actor=job.submitted_by,
        action="verification.batch_done",
        obj=job,
        purpose=str(Purpose(job.purpose).label),
        summary={"enterprise": job.enterprise.credit_code, "rows": rows, "counts": dict(counts)},
    )
    return job


@transaction.atomic
def _batch_fail(job: BatchJob, exc: Exception) -> None:
    logger.exception("verification job %s failed", job.pk, exc_info=exc)
    _delete_file(job.upload_path)
    message = exc.message if isinstance(exc, UploadRefused) else _("核查失败，请重新提交。")
    BatchJob.objects.filter(pk=job.pk).update(
        state=JobState.FAILED,
        upload_path="",
        error=message[:300],
        finished_at=timezone.now(),
    )
    audit_log(
        actor=job.submitted_by,
        action="verification.batch_failed",
        obj=job,
        summary={"enterprise": job.enterprise.credit_code, "error": type(exc).__name__},
    )


@transaction.atomic
def batch_result_open(*, user: User, job: BatchJob, api_key: ApiKey | None = None) -> IO[bytes]:
    """The result file of a finished job, for its uploader only (or the key that uploaded)."""
    allowed = (
        job.api_key_id == api_key.pk if api_key is not None else job.submitted_by_id == user.pk
    )
    if not allowed:
        raise VerificationError(_("只有提交人可以下载核查结果。"), code="not_uploader", status=404)
    if job.state != JobState.DONE or not job.result_path:
        raise VerificationError(_("核查结果不存在或已清除。"), code="no_result", status=404)
    audit_log(
        actor=user,
        action="verification.batch_download",
        obj=job,
        purpose=str(Purpose(job.purpose).label),
        summary={"enterprise": job.enterprise.credit_code},
    )
    return default_storage.open(job.result_path, "rb")


@transaction.atomic
def batch_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete result files past their retention and uploads left behind by crashed jobs."""
    now = now or timezone.now()
    purged = 0
    for job in BatchJob.objects.select_for_update().filter(
        state=JobState.DONE, result_expires_at__lte=now
    ):
        _delete_file(job.result_path)
        job.result_path = ""
        job.state = JobState.PURGED
        job.purged_at = now
        job.save(update_fields=["result_path", "state", "purged_at"])
        purged += 1
    stale = now - dt.timedelta(days=1)
    for job in BatchJob.objects.select_for_update().filter(
        state__in=[JobState.QUEUED, JobState.RUNNING], created_at__lte=stale
    ):
        _delete_file(job.upload_path)
        job.upload_path = ""
        job.state = JobState.FAILED
        job.error = _("核查超时未完成，上传文件已删除，请重新提交。")
        job.finished_at = now
        job.save(update_fields=["upload_path", "state", "error", "finished_at"])
        purged += 1
    if purged:
        audit_log(actor=None, action="verification.purge", summary={"jobs": purged})
    return purged


# --- alerts ---------------------------------------------------------------------------------


def alerts_raise(*, job: BatchJob, rows: list[WantedHit]) -> list[WantedHitAlert]:
    """Wanted persons were queried: a task for each unit that wants them. The enterprise is not
    told (its row says "please contact the police", like any flagged person)."""
    from .models import WantedPerson

    if not rows:
        return []
    wanted = WantedPerson.objects.select_related("unit").in_bulk({row.wanted_id for row in rows})
    alerts = WantedHitAlert.objects.bulk_create(
        WantedHitAlert(
            unit=wanted[row.wanted_id].unit,
            wanted=wanted[row.wanted_id],
            enterprise=job.enterprise,
            job=job,
            row_number=row.line,
            name_matched=row.name_matched,
        )
        for row in rows
        if row.wanted_id in wanted
    )
    by_unit: dict[int, list[WantedHitAlert]] = {}
    for alert in alerts:
        by_unit.setdefault(alert.unit_id, []).append(alert)
    for unit_alerts in by_unit.values():
        audit_log(
            actor=None,
            action="verification.alert_raise",
            obj=job,
            unit=unit_alerts[0].unit,
            summary={"enterprise": job.enterprise.credit_code, "alerts": len(unit_alerts)},
        )
    return alerts


@transaction.atomic
def alert_handle(*, officer: User, alert: WantedHitAlert, note: str) -> WantedHitAlert:
    note = note.strip()
    if not note:
        raise VerificationError(_("请填写处置情况。"), code="note_missing")
    alert = WantedHitAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.state == AlertState.HANDLED:
        raise VerificationError(_("该预警已处置。"), code="already_handled", status=409)
    alert.state = AlertState.HANDLED
    alert.handled_by = officer
    alert.handled_at = timezone.now()
    alert.note = note[:500]
    alert.save()
    audit_log(
        actor=officer,
        action="verification.alert_handle",
        obj=alert,
        unit=alert.unit,
        summary={"state": alert.state},
    )
    return alert


# --- partner background check ---------------------------------------------------------------


@dataclass(frozen=True)
class ListingAnswer:
    list_kind: str
    list_label: str
    legal_basis: str


@dataclass(frozen=True)
class PartnerAnswer:
    credit_code: str
    listed: bool
    listings: list[ListingAnswer]


def _check_partner_quota(enterprise: Enterprise) -> None:
    quota = selectors.quota_for(enterprise)
    minute_ago = timezone.now() - dt.timedelta(minutes=1)
    if selectors.partner_checks_since(enterprise, minute_ago) >= quota.partner_checks_per_minute:
        raise QuotaExceeded(
            _("查询过于频繁：每分钟最多 %(n)d 次，请稍后再试。")
            % {"n": quota.partner_checks_per_minute},
            code="rate_limited",
        )
    if selectors.partner_checks_today(enterprise) >= quota.daily_partner_checks:
        raise QuotaExceeded(
            _("超出今日合作方核查配额（%(n)d 次）。") % {"n": quota.daily_partner_checks},
            code="quota_exceeded",
        )


@transaction.atomic
def partner_check(
    *,
    user: User,
    enterprise: Enterprise,
    credit_code: str,
    purpose: str,
    purpose_detail: str,
    channel: str = Channel.WEB,
    api_key: ApiKey | None = None,
) -> PartnerAnswer:
    """Is a partner enterprise on an economic-crime list? Listed or not, with the legal basis;
    never the internal reason."""
    from onestop.core.identity import parse_credit_code

    _eligible(user=user, enterprise=enterprise, api_key=api_key)
    if purpose not in PartnerPurpose.values:
        raise VerificationError(_("请选择查询目的。"), code="purpose")
    purpose_detail = purpose_detail.strip()
    if len(purpose_detail) < 4:
        raise VerificationError(
            _("请说明查询事由（例如合作项目名称），至少 4 个字。"), code="purpose_detail"
        )
    try:
        code = parse_credit_code(credit_code).number
    except Exception as exc:
        message = getattr(exc, "messages", [_("统一社会信用代码格式不正确。")])[0]
        raise VerificationError(str(message), code="credit_code") from exc
    _lock_enterprise(enterprise)
    _check_partner_quota(enterprise)
    entries = list(
        EnterpriseRiskEntry.objects.active().filter(credit_code=code).order_by("list_kind", "pk")
    )
    kinds = dict(EnterpriseListKind.choices)
    listings = [ListingAnswer(e.list_kind, str(kinds[e.list_kind]), e.legal_basis) for e in entries]
    check = PartnerCheck.objects.create(
        enterprise=enterprise,
        submitted_by=user,
        channel=channel,
        subject_credit_code=code,
        purpose=purpose,
        purpose_detail=purpose_detail[:200],
        listed=bool(listings),
    )
    audit_log(
        actor=user,
        action="verification.partner_check",
        obj=check,
        purpose=f"{PartnerPurpose(purpose).label}：{purpose_detail}",
        summary={
            "enterprise": enterprise.credit_code,
            "subject": code,
            "listed": bool(listings),
            "channel": channel,
            "api_key": api_key.prefix if api_key else "",
        },
    )
    return PartnerAnswer(credit_code=code, listed=bool(listings), listings=listings)


# --- API keys -------------------------------------------------------------------------------

KEY_PREFIX_BYTES = 6


def api_key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_key_create(
    *, legal_rep: Person, enterprise: Enterprise, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    """A new key; the returned plain key (``<prefix>.<secret>``) is shown once, never stored."""
    _require_legal_rep(legal_rep, enterprise)
    name = name.strip()
    if not name:
        raise VerificationError(_("请填写密钥名称。"), code="name")
    scopes = sorted(set(scopes))
    if not scopes or any(s not in ApiScope.values for s in scopes):
        raise VerificationError(_("请选择权限范围。"), code="scopes")
    prefix = secrets.token_hex(KEY_PREFIX_BYTES)
    secret = secrets.token_urlsafe(32)
    plain = f"{prefix}.{secret}"
    key = ApiKey.objects.create(
        enterprise=enterprise,
        name=name[:100],
        prefix=prefix,
        key_hash=api_key_digest(plain),
        scopes=scopes,
        daily_quota=conf("api_daily_quota"),
        created_by=legal_rep,
    )
    audit_log(
        actor=legal_rep.user,
        action="verification.api_key_create",
        obj=key,
        summary={"enterprise": enterprise.credit_code, "prefix": prefix, "scopes": scopes},
    )
    return key, plain


@transaction.atomic
def api_key_revoke(*, legal_rep: Person, key: ApiKey) -> ApiKey:
    _require_legal_rep(legal_rep, key.enterprise)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_log(
            actor=legal_rep.user,
            action="verification.api_key_revoke",
            obj=key,
            summary={"prefix": key.prefix},
        )
    return key


@transaction.atomic
def api_key_use(*, key: ApiKey) -> None:
    """Count one call against the key's daily quota; refuse beyond it."""
    today = timezone.localdate()
    usage, _created = ApiKeyUsage.objects.select_for_update().get_or_create(key=key, day=today)
    if usage.calls >= key.daily_quota:
        raise QuotaExceeded(
            _("该接口密钥今日调用次数已达上限（%(n)d 次）。") % {"n": key.daily_quota},
            code="key_quota_exceeded",
        )
    ApiKeyUsage.objects.filter(pk=usage.pk).update(calls=F("calls") + 1)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


def person_may_manage(person: Person, enterprise: Enterprise) -> bool:
    membership = selectors.legal_rep_membership(enterprise)
    return (
        membership is not None
        and membership.person_id == person.pk
        and membership_is_valid(membership)
    )
