"""Expiry reminders from the register tables.

A document is due for its lead-time threshold L (e.g. 90 / 30 / 7 days before expiry) on the
day its expiry date is exactly L days ahead. So the daily sweep reads, per document type and
threshold, only the rows whose ``expires_on`` equals today + L, through the covering index on
``(doc_type, expires_on, id)`` (an index-only scan on PostgreSQL: the work is proportional to
the due rows, not to the register, and the heap is read only for pages changed since the last
vacuum). The register
rows are never written to (the columns that point at them carry no database constraint, whose
checks would share-lock every due row). Each threshold is recorded once in ``ReminderSent``
(unique per document, expiry and threshold), so running a sweep twice, or two sweeps side by
side, sends nothing twice. When the job did not run for some days, the next sweep widens each
window back to the day after the last finished sweep (only the threshold that is current for a
document is sent, never a stale one).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation

from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash, mask, mask_mobile

from .choices import Channel, DocumentType, MessageKind, MessageStatus
from .conf import conf
from .models import (
    Message,
    MessageTemplate,
    OptOut,
    RegisterDocument,
    ReminderSent,
    ReminderSweepRun,
)
from .rendering import render
from .services import quiet_hours_end

MAX_CATCH_UP_DAYS = 60
# First key of the sweep's advisory locks (pg_advisory_xact_lock(int, int)): "REMI".
_LOCK_NAMESPACE = 0x52454D49


def lead_days(doc_type: str) -> tuple[int, ...]:
    return tuple(sorted(conf("LEAD_DAYS").get(doc_type, (30,)), reverse=True))


def threshold_windows(
    *, doc_type: str, today: date, days_missed: int = 0
) -> list[tuple[int, date, date]]:
    """(threshold, first expiry day, last expiry day) of the documents due today per threshold.

    With no missed days each window is the single day today + L. A missed day widens it back,
    but never past the next smaller threshold (that one is current then) nor into the past."""
    leads = lead_days(doc_type)
    windows = []
    for i, lead in enumerate(leads):
        smaller = leads[i + 1] if i + 1 < len(leads) else -1
        hi = today + timedelta(days=lead)
        lo = max(hi - timedelta(days=days_missed), today + timedelta(days=smaller + 1), today)
        if lo <= hi:
            windows.append((lead, lo, hi))
    return windows


def current_threshold(*, doc_type: str, expires_on: date, today: date) -> int | None:
    """The threshold a document is in on ``today`` (the smallest one not below the days left)."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return None
    return min((lead for lead in lead_days(doc_type) if lead >= days_left), default=None)


# --- the register ---------------------------------------------------------------------------


@transaction.atomic
def register_document_upsert(
    *,
    doc_type: str,
    number: str,
    holder_name: str,
    holder_mobile: str,
    expires_on: date,
    source: str = "",
    language: str = "zh-hans",
    today: date | None = None,
) -> RegisterDocument:
    """Create or update a register entry (keyed by type and number). A renewed document (new
    expiry date) is reminded again from its new thresholds."""
    if doc_type not in DocumentType.values:
        raise ValueError(f"unknown document type {doc_type!r}")
    today = today or timezone.localdate()
    number_hash = lookup_hash(number.strip().upper(), kind=f"doc:{doc_type}")
    doc = (
        RegisterDocument.objects.select_for_update()
        .filter(doc_type=doc_type, number_hash=number_hash)
        .first()
    )
    if doc is None:
        doc = RegisterDocument(doc_type=doc_type, number_hash=number_hash)
    elif doc.expires_on == expires_on and doc.holder_mobile == holder_mobile:
        return doc
    doc.number_masked = mask(number.strip().upper(), keep_start=4, keep_end=4)
    doc.holder_name = holder_name
    doc.holder_mobile = holder_mobile
    doc.holder_mobile_hash = lookup_hash(holder_mobile, kind="mobile") if holder_mobile else ""
    doc.holder_mobile_masked = mask_mobile(holder_mobile) if holder_mobile else ""
    doc.language = language
    doc.source = source[:40]
    doc.expires_on = expires_on
    doc.save()
    return doc


# --- the sweep ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    scanned: int = 0
    enqueued: int = 0
    skipped: int = 0
    batches: int = 0
    days_missed: int = 0


_COLUMNS = (
    "id",
    "expires_on",
    "holder_name",
    "number_masked",
    "holder_mobile_hash",
    "holder_mobile_masked",
    "language",
)


def _templates() -> dict[tuple[str, str], MessageTemplate]:
    return {
        (t.event, t.language): t
        for t in MessageTemplate.objects.filter(
            channel=Channel.SMS, is_active=True, event__startswith="reminder."
        )
    }


def _days_missed(today: date) -> int:
    last = ReminderSweepRun.objects.filter(day__lt=today).order_by("-day").first()
    if last is None:
        return 0
    return min(max((today - last.day).days - 1, 0), MAX_CATCH_UP_DAYS)


def reminders_sweep(
    *, today: date | None = None, now: datetime | None = None, batch_size: int | None = None
) -> SweepResult:
    """Enqueue every reminder due on ``today``; safe to run again (and side by side).

    On PostgreSQL each batch is one statement run inside the database (``_pg_batch``: keyset
    batches of ``REMINDER_BATCH_SIZE``, set-based inserts, memory independent of the number
    due); on other databases the rows come to Python and are written row by row (``_enqueue``)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    batch_size = batch_size or conf("REMINDER_BATCH_SIZE")
    ctx = _SweepContext(
        today=today,
        now=now,
        not_before=quiet_hours_end(now) or now,
        templates=_templates(),
        labels=_labels(),
        mandatory=set(conf("MANDATORY_REMINDERS")),
        postgres=connection.vendor == "postgresql",
    )
    result = SweepResult(days_missed=_days_missed(today))
    for doc_type in DocumentType.values:
        for lead, lo, hi in threshold_windows(
            doc_type=doc_type, today=today, days_missed=result.days_missed
        ):
            day = lo
            while day <= hi:
                last_id = 0
                while ctx.postgres:
                    scanned, enqueued, skipped, last_id = _pg_batch(
                        ctx, doc_type, lead, day, last_id, batch_size
                    )
                    if not scanned:
                        break
                    result.batches += 1
                    result.scanned += scanned
                    result.enqueued += enqueued
                    result.skipped += skipped
                    if scanned < batch_size:
                        break
                while not ctx.postgres:
                    rows = list(
                        RegisterDocument.objects.filter(
                            doc_type=doc_type, expires_on=day, id__gt=last_id
                        )
                        .order_by("id")
                        .values_list(*_COLUMNS)[:batch_size]
                    )
                    if not rows:
                        break
                    last_id = rows[-1][0]
                    result.batches += 1
                    result.scanned += len(rows)
                    enqueued, skipped = _enqueue(ctx, doc_type, lead, rows)
                    result.enqueued += enqueued
                    result.skipped += skipped
                    if len(rows) < batch_size:
                        break
                day += timedelta(days=1)
    with transaction.atomic():
        ReminderSweepRun.objects.update_or_create(
            day=today,
            defaults={"scanned": result.scanned, "enqueued": result.enqueued, "finished_at": now},
        )
        audit_log(
            actor=None,
            action="message.reminders_sweep",
            summary={
                "day": today.isoformat(),
                "scanned": result.scanned,
                "enqueued": result.enqueued,
                "days_missed": result.days_missed,
            },
        )
    return result


@dataclass
class _SweepContext:
    today: date
    now: datetime
    not_before: datetime
    templates: dict[tuple[str, str], MessageTemplate]
    labels: dict[tuple[str, str], str]  # (doc_type, language) -> label
    mandatory: set[str]
    postgres: bool


def _opted_out(hashes: set[str], *, postgres: bool) -> set[str]:
    if not hashes:
        return set()
    if postgres:  # one array parameter instead of thousands of IN (...) values
        import psycopg

        with psycopg.Cursor(connection.connection) as cursor:
            table = OptOut._meta.db_table
            sql = f"SELECT mobile_hash FROM {table} WHERE mobile_hash = ANY(%b)"  # noqa: S608
            cursor.execute(sql, [list(hashes)])
            return {row[0] for row in cursor.fetchall()}
    return set(OptOut.objects.filter(mobile_hash__in=hashes).values_list("mobile_hash", flat=True))


@transaction.atomic
def _enqueue(
    ctx: _SweepContext, doc_type: str, lead: int, rows: list[tuple[Any, ...]]
) -> tuple[int, int]:
    opted = _opted_out({r[4] for r in rows if r[4]}, postgres=ctx.postgres)
    is_mandatory = doc_type in ctx.mandatory
    event = f"reminder.{doc_type}"
    thresholds: list[tuple[int, date, int, str]] = []
    messages: dict[int, tuple[Any, ...]] = {}
    skipped_count = 0
    for doc_id, expires_on, name, number, mhash, mmasked, lang in rows:
        template = ctx.templates.get((event, lang)) or ctx.templates.get((event, "zh-hans"))
        skipped = ""
        if not mhash:
            skipped = "no_mobile"
        elif mhash in opted and not is_mandatory:
            skipped = "opted_out"
        elif template is None:
            skipped = "no_template"
        thresholds.append((doc_id, expires_on, lead, skipped))
        if skipped:
            skipped_count += 1
            continue
        assert template is not None
        label = ctx.labels[(doc_type, template.language)]
        params = {
            "name": name,
            "document": label,
            "number": number,
            "expires_on": expires_on.isoformat(),
            "days": str((expires_on - ctx.today).days),
        }
        messages[doc_id] = (
            doc_id,
            event,
            template.language,
            mhash,
            mmasked,
            render(template.body, params),
            name,
            number,
            params["days"],
            label,
            template.provider_template_code,
            is_mandatory,
            f"rem:{doc_id}:{expires_on:%Y%m%d}:{lead}",
        )
    return _orm_write(ctx, doc_type, thresholds, messages), skipped_count


def _labels() -> dict[tuple[str, str], str]:
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({(v, language): str(label) for v, label in DocumentType.choices})
    return labels


def _orm_write(
    ctx: _SweepContext,
    doc_type: str,
    thresholds: list[tuple[int, date, int, str]],
    messages: dict[int, tuple[Any, ...]],
) -> int:
    fresh = 0
    for doc_id, expires_on, lead, skipped in thresholds:
        if ReminderSent.objects.filter(
            document_id=doc_id, expires_on=expires_on, lead_days=lead
        ).exists():
            continue
        ReminderSent.objects.create(
            document_id=doc_id,
            expires_on=expires_on,
            lead_days=lead,
            sent_on=ctx.today,
            skipped=skipped,
        )
        m = messages.get(doc_id)
        if m is None:
            continue
        (
            _d,
            event,
            language,
            mhash,
            mmasked,
            body,
            name,
            number,
            days,
            label,
            code,
            mandatory,
            key,
        ) = m
        Message.objects.create(
            event=event,
            kind=MessageKind.REMINDER,
            channel=Channel.SMS,
            language=language,
            document_id=doc_id,
            address_hash=mhash,
            address_masked=mmasked,
            body=body,
            params={
                "name": name,
                "document": label,
                "number": number,
                "expires_on": expires_on.isoformat(),
                "days": days,
            },
            provider_template_code=code,
            mandatory=mandatory,
            status=MessageStatus.CREATED,
            next_attempt_at=ctx.not_before,
            idempotency_key=key,
            created_at=ctx.now,
        )
        fresh += 1
    return fresh


class _Sql:
    """Builds one SQL text with named parameters (placeholders in any order)."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def p(self, value: Any, cast: str = "") -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s{cast}"


def _template_sql(sql: _Sql, text: str, *, label: str, expires_on: date, today: date) -> str:
    """A template as a SQL expression over the due row ``m`` (the same text ``render`` gives).
    A batch reads one expiry day, so the dates are parameters, not per-row expressions."""
    columns = {
        "name": "m.holder_name",
        "number": "m.number_masked",
        "expires_on": sql.p(expires_on.isoformat(), "::text"),
        "days": sql.p(str((expires_on - today).days), "::text"),
        "document": sql.p(label, "::text"),
    }
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        if literal:
            parts.append(sql.p(literal, "::text"))
        if field is not None:
            parts.append(columns.get(field, "''"))
    return "concat(" + ", ".join(parts or ["''"]) + ")"


def _by_language(sql: _Sql, ctx: _SweepContext, event: str, build: Any) -> str:
    """``CASE m.language WHEN <lang> THEN <expr> ... ELSE <zh-hans expr> END``."""
    default = ctx.templates[(event, "zh-hans")]
    whens = [
        f"WHEN {sql.p(lang, '::text')} THEN {build(t)}"
        for (ev, lang), t in ctx.templates.items()
        if ev == event and lang != "zh-hans"
    ]
    otherwise = build(default)
    if not whens:
        return otherwise
    return f"CASE m.language {' '.join(whens)} ELSE {otherwise} END"


def _pg_batch(
    ctx: _SweepContext, doc_type: str, lead: int, day: date, last_id: int, batch_size: int
) -> tuple[int, int, int, int]:
    """One batch in one transaction, entirely inside PostgreSQL: read the due rows through the
    covering index (an index-only scan), keep those whose threshold is not recorded yet, mark
    the ones not to send, record their thresholds and write the messages of the ones to send
    with the body rendered in SQL (plain inserts, no per-row ORM, no ``ON CONFLICT``).

    The once-only guard: a transaction-scoped advisory lock on (type, threshold, expiry day)
    serialises the batches of that window across concurrent sweeps, and each statement takes
    its snapshot after the lock, so it sees every threshold a concurrent sweep committed. The
    unique constraints on ``ReminderSent`` and on the message key stay as the last line: a bug
    would fail the batch, never send twice. Returns (scanned, enqueued, skipped, last id)."""
    import psycopg

    event = f"reminder.{doc_type}"
    mandatory = doc_type in ctx.mandatory
    has_template = (event, "zh-hans") in ctx.templates
    doc = RegisterDocument._meta.db_table
    sent_table = ReminderSent._meta.db_table
    sql = _Sql()
    due = (
        f"SELECT id, expires_on, holder_name, number_masked, holder_mobile_hash, "  # noqa: S608 - table names from the models; values are bound
        f"holder_mobile_masked, language FROM {doc} "
        f"WHERE doc_type = {sql.p(doc_type, '::text')} AND expires_on = {sql.p(day, '::date')} "
        f"AND id > {sql.p(last_id, '::bigint')} ORDER BY id LIMIT {sql.p(batch_size, '::int')}"
    )
    lead_param = sql.p(lead, "::int")
    fresh = (
        f"SELECT due.*, CASE WHEN due.holder_mobile_hash = '' THEN 'no_mobile' "  # noqa: S608 - table names from the models; values are bound
        f"WHEN NOT {sql.p(mandatory, '::boolean')} AND EXISTS (SELECT 1 FROM "
        f"{OptOut._meta.db_table} o WHERE o.mobile_hash = due.holder_mobile_hash) "
        f"THEN 'opted_out' WHEN NOT {sql.p(has_template, '::boolean')} THEN 'no_template' "
        f"ELSE '' END AS skipped FROM due WHERE NOT EXISTS (SELECT 1 FROM {sent_table} r "
        f"WHERE r.document_id = due.id AND r.expires_on = due.expires_on "
        f"AND r.lead_days = {lead_param})"
    )
    sent = (
        f"INSERT INTO {sent_table} (document_id, expires_on, lead_days, sent_on, skipped) "  # noqa: S608
        f"SELECT id, expires_on, {lead_param}, {sql.p(ctx.today, '::date')}, skipped FROM fresh"
    )
    if has_template:
        language = _by_language(sql, ctx, event, lambda t: sql.p(t.language, "::text"))
        body = _by_language(
            sql,
            ctx,
            event,
            lambda t: _template_sql(
                sql,
                t.body,
                label=ctx.labels[(doc_type, t.language)],
                expires_on=day,
                today=ctx.today,
            ),
        )
        label = _by_language(
            sql, ctx, event, lambda t: sql.p(ctx.labels[(doc_type, t.language)], "::text")
        )
        code = _by_language(sql, ctx, event, lambda t: sql.p(t.provider_template_code, "::text"))
        msg = (
            f"INSERT INTO {Message._meta.db_table} (document_id, event, language, "  # noqa: S608
            f"address_hash, address_masked, body, params, provider_template_code, mandatory, "
            f"idempotency_key, kind, channel, status, next_attempt_at, created_at, "
            f"recipient_id, address, subject, link, object_ref, urgent, attempts, claim_token, "
            f"provider, provider_message_id, last_error) "
            f"SELECT m.id, {sql.p(event, '::text')}, {language}, m.holder_mobile_hash, "
            f"m.holder_mobile_masked, {body}, jsonb_build_object('name', m.holder_name, "
            f"'document', {label}, 'number', m.number_masked, "
            f"'expires_on', {sql.p(day.isoformat(), '::text')}, "
            f"'days', {sql.p(str((day - ctx.today).days), '::text')}), {code}, "
            f"{sql.p(mandatory, '::boolean')}, "
            f"'rem:' || m.id || {sql.p(f':{day:%Y%m%d}:{lead}', '::text')}, "
            f"{sql.p(MessageKind.REMINDER.value, '::text')}, {sql.p(Channel.SMS.value, '::text')}, "
            f"{sql.p(MessageStatus.CREATED.value, '::text')}, "
            f"{sql.p(ctx.not_before, '::timestamptz')}, {sql.p(ctx.now, '::timestamptz')}, "
            f"NULL, '', '', '', '', false, 0, '', '', '', '' "
            f"FROM fresh m WHERE m.skipped = '' RETURNING 1"
        )
    else:
        msg = "SELECT 1 WHERE false"
    statement = (
        f"WITH due AS ({due}), fresh AS ({fresh}), sent AS ({sent}), msg AS ({msg}) "  # noqa: S608 - table names from the models; values are bound
        f"SELECT (SELECT count(*) FROM due), (SELECT count(*) FROM msg), "
        f"(SELECT count(*) FROM fresh WHERE skipped <> ''), (SELECT coalesce(max(id), 0) FROM due)"
    )
    window = f"{doc_type}:{lead}:{day.isoformat()}"
    with transaction.atomic(), psycopg.Cursor(connection.connection) as cursor:
        # Its own statement: the batch statement's snapshot is taken once the lock is held.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%(ns)s, hashtext(%(window)s))",
            {"ns": _LOCK_NAMESPACE, "window": window},
        )
        cursor.execute(statement, sql.params)
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


# --- synthetic data -------------------------------------------------------------------------


def synthetic_documents(*, count: int, today: date, seed: int = 1) -> int:
    """Fill the register with ``count`` plausible documents (demo and tests); returns how many
    were created. Mobiles are 139xxxxxxxx, numbers are not real identity numbers."""
    import random

    rng = random.Random(seed)
    types = list(DocumentType.values)
    surnames = "王李张刘陈杨黄赵吴周"
    given = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀"
    batch: list[RegisterDocument] = []
    created = 0
    for i in range(count):
        doc_type = types[i % len(types)]
        number = f"SYN{seed:03d}{i:09d}"
        mobile = f"139{rng.randrange(10**8):08d}"
        expires_on = today + timedelta(days=rng.randrange(-30, 3 * 365))
        batch.append(
            RegisterDocument(
                doc_type=doc_type,
                number_hash=lookup_hash(number, kind=f"doc:{doc_type}"),
                number_masked=mask(number, keep_start=4, keep_end=4),
                holder_name=rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                holder_mobile=mobile,
                holder_mobile_hash=lookup_hash(mobile, kind="mobile"),
                holder_mobile_masked=mask_mobile(mobile),
                expires_on=expires_on,
                source="synthetic",
            )
        )
        if len(batch) >= 2000:
            created += len(RegisterDocument.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        created += len(RegisterDocument.objects.bulk_create(batch, ignore_conflicts=True))
    return created
