"""Every write of the messaging app.

Messages are outbox rows written in the caller's transaction (``message_*``); after commit a
Celery task sends them, and the periodic ``outbox_process`` picks up anything left (a broker
that was down, a worker that died, a retry that is due). Sending is at-least-once with an
idempotent send keyed by the message, so a message reaches its recipient exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash, mask, mask_mobile

from .channels import Outgoing, SendResult, channels
from .choices import RETRYABLE, Channel, MessageKind, MessageStatus
from .conf import conf
from .defaults import EVENTS
from .models import Message, MessageTemplate, OptOut, RegisterDocument, TowedVehicleNotice
from .rendering import render

if TYPE_CHECKING:
    from onestop.accounts.models import Unit, User
    from onestop.cases.models import Case, CaseEvent

logger = logging.getLogger("onestop.messaging")

CASE_ACTIONS = (
    "submit",
    "accept",
    "refuse",
    "request_supplement",
    "approve",
    "deny",
    "issue_result",
    "deliver",
    "conditional_reminder",
)


CODE_REDACTED = "[one-time code removed after sending]"


# --- time rules --------------------------------------------------------------------------------


def _local(now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(conf("TIME_ZONE")))


def quiet_hours_end(now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end, or None if ``now`` is not in quiet hours."""
    start, end = conf("QUIET_HOURS")
    local = _local(now)
    if start <= local.hour or local.hour < end:
        day = local.date() if local.hour < end else local.date() + timedelta(days=1)
        return datetime(day.year, day.month, day.day, end, tzinfo=local.tzinfo)
    return None


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1, 2, ...): exponential, capped."""
    seconds = conf("BACKOFF_BASE_SECONDS") * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, conf("BACKOFF_MAX_SECONDS")))


def _first_attempt_at(*, kind: str, urgent: bool, now: datetime) -> datetime:
    if kind == MessageKind.REMINDER and not urgent:
        return quiet_hours_end(now) or now
    return now


# --- writing messages ----------------------------------------------------------------------


def _template(
    event: str, language: str, channel: str, rows: list[MessageTemplate] | None = None
) -> MessageTemplate | None:
    """The active template for the language (else Chinese). With no row at all for the event and
    channel (e.g. a database restored without the default data), the shipped default applies;
    a row an admin deactivated is respected (nothing is sent). ``rows``: the event's templates
    already read for several channels at once (``_templates``)."""
    if rows is None:
        rows = _templates(event, language, [channel])
    rows = [t for t in rows if t.channel == channel]
    found = {t.language: t for t in rows if t.is_active}
    chosen = found.get(language) or found.get("zh-hans")
    if chosen is not None or rows:
        return chosen
    return _default_template(event, language, channel)


def _templates(event: str, language: str, channels: list[str]) -> list[MessageTemplate]:
    """The event's template rows for ``channels`` in the language and in Chinese (one query)."""
    return list(
        MessageTemplate.objects.filter(
            event=event, channel__in=channels, language__in=[language, "zh-hans"]
        )
    )


def _default_template(event: str, language: str, channel: str) -> MessageTemplate | None:
    spec = EVENTS.get(event)
    texts = spec.texts.get(channel) if spec is not None else None
    if texts is None:
        return None
    zh_subject, zh_body, en_subject, en_body = texts
    english = language == "en"
    return MessageTemplate(
        event=event,
        language="en" if english else "zh-hans",
        channel=channel,
        subject=en_subject if english else zh_subject,
        body=en_body if english else zh_body,
    )


def _mask_address(address: str, channel: str) -> str:
    if channel == Channel.EMAIL:
        local, _sep, domain = address.partition("@")
        return f"{mask(local, keep_start=1, keep_end=0)}@{domain}"
    return mask_mobile(address)


def _build(
    *,
    event: str,
    channel: str,
    params: dict[str, Any],
    recipient: User | None = None,
    address: str = "",
    language: str = "",
    kind: str = MessageKind.NOTICE,
    urgent: bool = False,
    mandatory: bool = True,
    link: str = "",
    object_ref: str = "",
    key: str = "",
    now: datetime,
    templates: list[MessageTemplate] | None = None,
) -> Message | None:
    language = language or settings.LANGUAGE_CODE
    template = _template(event, language, channel, templates)
    if template is None:
        logger.warning("no active %s template for %s (%s): not sent", channel, event, language)
        return None
    if channel != Channel.IN_APP and not address:
        return None
    return Message(
        event=event,
        kind=kind,
        channel=channel,
        language=template.language,
        recipient=recipient,
        address=address,
        address_hash=lookup_hash(address, kind="mobile" if channel == Channel.SMS else "email")
        if address
        else "",
        address_masked=_mask_address(address, channel) if address else "",
        subject=render(template.subject, params)[:200],
        body=render(template.body, params),
        params={k: str(v) for k, v in params.items()},
        provider_template_code=template.provider_template_code,
        link=link,
        object_ref=object_ref,
        urgent=urgent,
        mandatory=mandatory,
        next_attempt_at=_first_attempt_at(kind=kind, urgent=urgent, now=now),
        idempotency_key=key or uuid.uuid4().hex,
        created_at=now,
    )


def _save_all(messages: list[Message]) -> list[Message]:
    """Save new messages (skipping keys that exist: the call is idempotent) and send them after
    commit."""
    saved: list[Message] = []
    for message in messages:
        existing = Message.objects.filter(idempotency_key=message.idempotency_key).first()
        if existing is not None:
            saved.append(existing)
            continue
        message.save(force_insert=True)
        saved.append(message)
    fresh = [m.pk for m in saved if m.status in RETRYABLE]
    if fresh:
        transaction.on_commit(partial(_dispatch, fresh))
    return saved


def _dispatch(message_ids: list[int]) -> None:
    """After commit: hand the ids to a worker (in-process without a broker). If the broker is
    unreachable the rows wait for the periodic sweep; nothing is lost."""
    from .tasks import messaging_outbox_send

    try:
        messaging_outbox_send.delay(message_ids=message_ids)
    except Exception:
        logger.exception(
            "could not queue messages %s; the outbox sweep will send them", message_ids
        )


@transaction.atomic
def message_send(
    *,
    event: str,
    channel: str,
    params: dict[str, Any],
    recipient: User | None = None,
    address: str = "",
    language: str = "",
    kind: str = MessageKind.NOTICE,
    urgent: bool = False,
    mandatory: bool = True,
    link: str = "",
    object_ref: str = "",
    idempotency_key: str = "",
) -> Message | None:
    """Write one message to the outbox (None when no template exists or no address is known)."""
    message = _build(
        event=event,
        channel=channel,
        params=params,
        recipient=recipient,
        address=address,
        language=language,
        kind=kind,
        urgent=urgent,
        mandatory=mandatory,
        link=link,
        object_ref=object_ref,
        key=idempotency_key,
        now=timezone.now(),
    )
    if message is None:
        return None
    return _save_all([message])[0]


@transaction.atomic
def message_sms_urgent(*, mobile: str, body: str, event: str = "account.code") -> Message:
    """An urgent SMS whose text is already composed (one-time codes): no quiet hours, no rate
    limit here (the caller limits), sent at once after commit."""
    now = timezone.now()
    message = Message(
        event=event,
        kind=MessageKind.CODE,
        channel=Channel.SMS,
        address=mobile,
        address_hash=lookup_hash(mobile, kind="mobile"),
        address_masked=mask_mobile(mobile),
        body=body,
        params={"body": body},
        provider_template_code=_template_code(event),
        urgent=True,
        next_attempt_at=now,
        idempotency_key=uuid.uuid4().hex,
        created_at=now,
    )
    return _save_all([message])[0]


def _template_code(event: str) -> str:
    template = _template(event, settings.LANGUAGE_CODE, Channel.SMS)
    return template.provider_template_code if template else ""


def _case_params(case: Case, action: str, event: CaseEvent | None = None) -> dict[str, Any]:
    if event is None:
        event = case.events.filter(action=action).order_by("-at", "-id").first()
    try:
        link = reverse("cases:mine-detail", args=[case.number]) if case.number else ""
    except NoReverseMatch:  # pragma: no cover - the cases app is always routed
        link = ""
    return {
        "number": case.number or f"#{case.pk}",
        "item": case.item_version.name,
        "reason": (event.note if event is not None else "") or _("详见办件详情"),
        "link": link,
        "_event_id": event.pk if event is not None else "",
    }


def message_case_event(
    *, case: Case, action: str, case_event: CaseEvent | None = None
) -> list[Message]:
    """Tell the applicant that ``action`` happened to ``case``: an in-app message and an SMS to
    the applicant's mobile where known. Call it inside the case transaction; calling it again
    for the same case event adds nothing. Actions without a notice return []. ``case_event``:
    the timeline row of the action, when the caller just wrote it (else the latest is read).

    The messages are inserted in one statement; only when a key exists already (the same event
    notified again) does the unique key refuse it, and they are written one by one skipping
    the existing ones."""
    if action not in CASE_ACTIONS:
        return []
    event = f"case.{action}"
    params = _case_params(case, action, case_event)
    event_id = params.pop("_event_id")
    occurrence = f"ev{event_id}" if event_id else uuid.uuid4().hex[:12]
    applicant = case.applicant
    user = applicant.user
    now = timezone.now()
    language = settings.LANGUAGE_CODE
    templates = _templates(event, language, [Channel.IN_APP, Channel.SMS])
    built = [
        _build(
            event=event,
            channel=Channel.IN_APP,
            params=params,
            recipient=user,
            link=params["link"],
            object_ref=f"cases.case:{case.pk}",
            key=f"case:{case.pk}:{occurrence}:in_app",
            now=now,
            templates=templates,
        ),
        _build(
            event=event,
            channel=Channel.SMS,
            params=params,
            recipient=user,
            address=applicant.mobile or "",
            link=params["link"],
            object_ref=f"cases.case:{case.pk}",
            key=f"case:{case.pk}:{occurrence}:sms",
            now=now,
            templates=templates,
        ),
    ]
    fresh = [m for m in built if m is not None]
    try:
        with transaction.atomic():
            messages = _insert_new(fresh)
            _audit_case_event(case, event, messages)
    except IntegrityError:  # notified before: keep the existing rows, add the missing ones
        with transaction.atomic():
            for message in fresh:
                message.pk = None
                message._state.adding = True
            messages = _save_all(fresh)
            _audit_case_event(case, event, messages)
    return messages


def _insert_new(messages: list[Message]) -> list[Message]:
    """Insert ``messages`` in one statement (IntegrityError if a key exists) and send them after
    commit."""
    if not messages:
        return []
    saved = Message.objects.bulk_create(messages)
    transaction.on_commit(partial(_dispatch, [m.pk for m in saved]))
    return saved


def _audit_case_event(case: Case, event: str, messages: list[Message]) -> None:
    audit_log(
        actor=None,
        action="message.case_event",
        obj=case,
        summary={"event": event, "messages": [m.pk for m in messages]},
        unit=case.handling_unit,
    )


def _officers_for(case: Case, level: str) -> list[User]:
    from onestop.accounts.choices import Role
    from onestop.accounts.models import User

    roles = [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER]
    if level == "red":
        roles.append(Role.SUPERVISOR)
    return list(
        User.objects.filter(
            unit=case.handling_unit, kind="staff", is_active=True, groups__name__in=roles
        )
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def message_officer_warning(*, case: Case, level: str) -> list[Message]:
    """Warn the handlers of ``case`` (in-app; red warnings also by SMS where the officer has a
    mobile) that its promised deadline is near (``yellow``) or passed (``red``)."""
    from onestop.cases.choices import WarningLevel

    if level not in (WarningLevel.YELLOW, WarningLevel.RED):
        return []
    due = case.promised_due_at
    params = {
        "number": case.number or f"#{case.pk}",
        "item": case.item_version.name,
        "level": str(WarningLevel(level).label),
        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "",
    }
    try:
        link = reverse("cases-staff:case", args=[case.number]) if case.number else ""
    except NoReverseMatch:  # pragma: no cover - the cases app is always routed
        link = ""
    now = timezone.now()
    day = timezone.localdate(now).isoformat()
    built: list[Message | None] = []
    for officer in _officers_for(case, level):
        base = f"warn:{case.pk}:{level}:{day}:{officer.pk}"
        built.append(
            _build(
                event="case.warning",
                channel=Channel.IN_APP,
                params=params,
                recipient=officer,
                kind=MessageKind.WARNING,
                link=link,
                object_ref=f"cases.case:{case.pk}",
                key=f"{base}:in_app",
                now=now,
            )
        )
        if level == WarningLevel.RED and officer.mobile:
            built.append(
                _build(
                    event="case.warning",
                    channel=Channel.SMS,
                    params=params,
                    recipient=officer,
                    address=officer.mobile,
                    kind=MessageKind.WARNING,
                    object_ref=f"cases.case:{case.pk}",
                    key=f"{base}:sms",
                    now=now,
                )
            )
    messages = _save_all([m for m in built if m is not None])
    if messages:
        audit_log(
            actor=None,
            action="message.officer_warning",
            obj=case,
            summary={"level": level, "messages": [m.pk for m in messages]},
            unit=case.handling_unit,
        )
    return messages


# --- the outbox worker -------------------------------------------------------------------------


@dataclass
class OutboxResult:
    claimed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    deferred: int = 0


def outbox_claim(
    *, now: datetime | None = None, limit: int | None = None, ids: list[int] | None = None
) -> tuple[str, list[int]]:
    """Claim due messages for this worker: rows waiting for a (re)try whose time has come, and
    rows another worker claimed but did not finish within its lease. ``FOR UPDATE SKIP LOCKED``
    (on PostgreSQL) lets several workers claim side by side without waiting or overlapping."""
    now = now or timezone.now()
    limit = limit or conf("BATCH_SIZE")
    token = secrets.token_hex(8)
    due = Q(status__in=RETRYABLE, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, provider_message_id="", claimed_until__lt=now
    )
    with transaction.atomic():
        qs = Message.objects.filter(due)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        locked = qs.order_by("next_attempt_at", "pk").select_for_update(skip_locked=True)
        claimed = list(locked.values_list("pk", flat=True)[:limit])
        if claimed:
            Message.objects.filter(pk__in=claimed).update(
                status=MessageStatus.SENDING,
                claim_token=token,
                claimed_until=now + timedelta(seconds=conf("LEASE_SECONDS")),
                attempts=F("attempts") + 1,
            )
    return token, claimed


def _rate_limited_until(message: Message, now: datetime) -> datetime | None:
    if message.urgent or message.channel == Channel.IN_APP or not message.address_hash:
        return None
    limit = conf("RATE_LIMIT_PER_HOUR")
    window = now - timedelta(hours=1)
    recent = list(
        Message.objects.filter(
            address_hash=message.address_hash,
            channel=message.channel,
            sent_at__gt=window,
            urgent=False,
        )
        .order_by("sent_at")
        .values_list("sent_at", flat=True)[:limit]
    )
    if len(recent) < limit or recent[0] is None:
        return None
    return recent[0] + timedelta(hours=1)


def _release(message: Message, token: str, *, until: datetime, reason: str) -> None:
    """Give a claimed message back without counting the attempt (quiet hours, rate limit)."""
    Message.objects.filter(pk=message.pk, claim_token=token).update(
        status=MessageStatus.CREATED,
        attempts=F("attempts") - 1,
        next_attempt_at=until,
        claimed_until=None,
        claim_token="",
        last_error=reason,
    )


def _address(message: Message) -> str:
    if message.address:
        return message.address
    if message.document_id is not None:
        # Message.document has no database constraint: a document deleted outside Django
        # leaves the id behind, which is no mobile to send to.
        try:
            document = message.document
        except RegisterDocument.DoesNotExist:
            return ""
        return (document.holder_mobile or "") if document is not None else ""
    return ""


def outbox_send_claimed(*, message: Message, token: str, now: datetime | None = None) -> str:
    """Send one message this worker claimed; record the outcome unless another worker has taken
    the row over meanwhile. Returns the resulting status ("deferred" when put back)."""
    now = now or timezone.now()
    if message.kind == MessageKind.REMINDER and not message.urgent:
        until = quiet_hours_end(now)
        if until is not None:
            _release(message, token, until=until, reason="quiet_hours")
            return "deferred"
        if (
            not message.mandatory
            and message.address_hash
            and OptOut.objects.filter(mobile_hash=message.address_hash).exists()
        ):
            _finish(
                message,
                token,
                SendResult(MessageStatus.PERMANENT_FAILURE, error="opted_out"),
                now,
            )
            return MessageStatus.PERMANENT_FAILURE
    until = _rate_limited_until(message, now)
    if until is not None:
        _release(message, token, until=until, reason="rate_limited")
        return "deferred"
    channel = channels.get(message.channel)
    address = _address(message)
    if message.channel != Channel.IN_APP and not address:
        result = SendResult(MessageStatus.PERMANENT_FAILURE, error="no address")
    else:
        result = channel.send(
            Outgoing(
                message_id=message.pk,
                key=message.idempotency_key,
                address=address,
                subject=message.subject,
                body=message.body,
                params=message.params,
                template_code=message.provider_template_code,
            )
        )
    _finish(message, token, result, now, provider=channel.provider_name())
    return result.status


def _finish(
    message: Message, token: str, result: SendResult, now: datetime, *, provider: str = ""
) -> None:
    fields: dict[str, Any] = {
        "claim_token": "",
        "claimed_until": None,
        "last_error": result.error[:200],
    }
    if provider:
        fields["provider"] = provider
    if result.provider_message_id:
        fields["provider_message_id"] = result.provider_message_id[:64]
    status = result.status
    if status in (MessageStatus.DELIVERED, MessageStatus.SENDING):
        fields["sent_at"] = now
        if status == MessageStatus.DELIVERED:
            fields["delivered_at"] = now
    elif status in (MessageStatus.TEMPORARY_FAILURE, MessageStatus.UNDETERMINED):
        if message.attempts >= conf("MAX_ATTEMPTS"):
            status = MessageStatus.PERMANENT_FAILURE
            fields["last_error"] = f"gave up after {message.attempts} attempts: {result.error}"[
                :200
            ]
        else:
            fields["next_attempt_at"] = now + backoff(message.attempts)
    fields["status"] = status
    if message.kind == MessageKind.CODE and status not in RETRYABLE:
        # A one-time code is not kept in the outbox once it has left (or never will).
        fields["body"] = CODE_REDACTED
        fields["params"] = {}
    updated = Message.objects.filter(pk=message.pk, claim_token=token).update(**fields)
    if not updated:
        logger.warning("message %s was taken over by another worker; outcome dropped", message.pk)
    elif status == MessageStatus.PERMANENT_FAILURE:
        logger.warning("message %s failed permanently: %s", message.pk, fields["last_error"])


def outbox_process(
    *, now: datetime | None = None, limit: int | None = None, ids: list[int] | None = None
) -> OutboxResult:
    """Claim one batch of due messages and send them one by one. Each outcome is committed on
    its own, so a worker that dies mid-batch loses nothing: unfinished rows come back to the
    next worker when their lease ends, and the idempotent send keeps them from arriving twice."""
    now = now or timezone.now()
    token, claimed = outbox_claim(now=now, limit=limit, ids=ids)
    result = OutboxResult(claimed=len(claimed))
    messages = Message.objects.filter(pk__in=claimed).select_related("document").order_by("pk")
    for message in messages:
        status = outbox_send_claimed(message=message, token=token, now=now)
        if status == "deferred":
            result.deferred += 1
        else:
            result.statuses[status] = result.statuses.get(status, 0) + 1
    return result


def outbox_drain(*, now: datetime | None = None, max_batches: int = 100) -> OutboxResult:
    """Run batches until nothing is due (the periodic job)."""
    total = OutboxResult()
    for _i in range(max_batches):
        batch = outbox_process(now=now)
        if not batch.claimed:
            break
        total.claimed += batch.claimed
        total.deferred += batch.deferred
        for key, value in batch.statuses.items():
            total.statuses[key] = total.statuses.get(key, 0) + value
    return total


# --- delivery receipts -------------------------------------------------------------------------


def receipt_signature(body: bytes) -> str:
    secret = conf("RECEIPT_SECRET") or settings.SECRET_KEY
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def receipt_verify(*, body: bytes, signature: str) -> bool:
    return bool(signature) and hmac.compare_digest(receipt_signature(body), signature.strip())


@transaction.atomic
def message_receipt_apply(
    *, provider: str, provider_message_id: str, out_id: str, delivered: bool, error: str = ""
) -> Message | None:
    """Apply one verified delivery receipt. A receipt names the message by the gateway's id and
    our key (``OutId``); both must match. Repeated receipts change nothing."""
    message = (
        Message.objects.select_for_update()
        .filter(provider=provider, provider_message_id=provider_message_id, idempotency_key=out_id)
        .first()
    )
    if message is None:
        return None
    if message.status in (MessageStatus.DELIVERED, MessageStatus.PERMANENT_FAILURE):
        return message
    message.status = MessageStatus.DELIVERED if delivered else MessageStatus.PERMANENT_FAILURE
    message.last_error = "" if delivered else error[:200]
    message.delivered_at = timezone.now() if delivered else None
    message.save(update_fields=["status", "last_error", "delivered_at"])
    audit_log(
        actor=None,
        action="message.receipt",
        obj=message,
        summary={"status": message.status, "error": error[:100]},
    )
    return message


# --- the inbox ---------------------------------------------------------------------------------


@transaction.atomic
def message_mark_read(*, user: User, message_id: int) -> int:
    return Message.objects.filter(
        pk=message_id, recipient=user, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def message_mark_all_read(*, user: User) -> int:
    return Message.objects.filter(
        recipient=user, channel=Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- reminder opt-out ----------------------------------------------------------------------------


@transaction.atomic
def reminder_opt_out(*, mobile: str, actor: User | None) -> OptOut:
    """Stop non-mandatory reminders to ``mobile`` (from the message centre or an SMS reply)."""
    mobile_hash = lookup_hash(mobile, kind="mobile")
    opt, created = OptOut.objects.get_or_create(
        mobile_hash=mobile_hash, defaults={"mobile_masked": mask_mobile(mobile)}
    )
    if created:
        audit_log(actor=actor, action="message.opt_out", obj=opt)
    return opt


@transaction.atomic
def reminder_opt_in(*, mobile: str, actor: User | None) -> None:
    deleted, _rows = OptOut.objects.filter(mobile_hash=lookup_hash(mobile, kind="mobile")).delete()
    if deleted:
        audit_log(actor=actor, action="message.opt_in", summary={"mobile": mask_mobile(mobile)})


def reminder_opted_out(*, mobile: str) -> bool:
    return OptOut.objects.filter(mobile_hash=lookup_hash(mobile, kind="mobile")).exists()


# --- towed vehicles ------------------------------------------------------------------------------


@transaction.atomic
def towed_vehicle_notify(
    *,
    actor: User | None,
    unit: Unit,
    plate: str,
    keeper_mobile: str,
    towed_at: datetime,
    towed_from: str,
    yard_name: str,
    yard_address: str,
    yard_phone: str = "",
) -> TowedVehicleNotice:
    """Record a towed vehicle and tell its keeper at once (urgent: no quiet hours) where to
    collect it."""
    notice = TowedVehicleNotice.objects.create(
        plate=plate,
        keeper_mobile=keeper_mobile,
        keeper_mobile_hash=lookup_hash(keeper_mobile, kind="mobile"),
        towed_at=towed_at,
        towed_from=towed_from,
        yard_name=yard_name,
        yard_address=yard_address,
        yard_phone=yard_phone,
        unit=unit,
    )
    message = message_send(
        event="towed.notice",
        channel=Channel.SMS,
        params={
            "plate": plate,
            "towed_at": timezone.localtime(towed_at).strftime("%Y-%m-%d %H:%M"),
            "towed_from": towed_from,
            "yard": yard_name,
            "address": yard_address,
            "phone": yard_phone or unit.phone,
        },
        address=keeper_mobile,
        kind=MessageKind.REMINDER,
        urgent=True,
        object_ref=f"messaging.towedvehiclenotice:{notice.pk}",
        idempotency_key=f"towed:{notice.pk}",
    )
    notice.message = message
    notice.save(update_fields=["message"])
    audit_log(actor=actor, action="message.towed_notice", obj=notice, unit=unit)
    return notice


def db_is_postgres() -> bool:
    return connection.vendor == "postgresql"
