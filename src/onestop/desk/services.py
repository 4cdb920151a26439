"""Every write of the enterprise desk (服务企业直通车).

Tickets: ``ticket_submit`` (portal), ``ticket_record`` (staff, from 12389 / 110 / a window),
``ticket_reply``, ``ticket_accept`` / ``ticket_reopen`` (the asker), ``ticket_escalate``
(a supervisor), ``ticket_rectify``, ``ticket_reporter_reveal`` (the identity custodian only)
and ``ticket_sweep`` (reminders and escalation of late tickets, run periodically).
Supervision: ``supervisor_register``, ``supervisor_visit_report``, ``supervisor_visit_respond``,
``window_evaluate``. Directory and routing: ``liaison_create``, ``assignment_set``.

Each service is keyword-only and atomic, checks before it changes anything, and writes an audit
event. Messages to people leave through ``desk_notify`` after the commit.

Anonymity: an anonymous reporter's identity is written only to ``Ticket.sealed_identity``;
audit events of the reporter's own steps are written with no actor (``actor=None``, the
summary says ``"by": "reporter"``), so the audit log does not name them either. Only a holder of
the configured ``reveal_role`` can read the identity, and every reveal is audited.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.choices import UserKind
from onestop.accounts.models import Enterprise, Unit, User
from onestop.accounts.selectors import officer_scope_paths, person_can_act_for, person_of
from onestop.core import workdays
from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash
from onestop.core.services import pii_reveal

from .choices import (
    ComplaintReason,
    EvaluationResult,
    LiaisonLevel,
    PoliceType,
    SupervisorCategory,
    TicketAction,
    TicketKind,
    TicketSource,
    TicketState,
)
from .conf import desk_setting
from .errors import InvalidRequest, InvalidState, NotAllowed
from .models import (
    DeskAssignment,
    Liaison,
    Supervisor,
    SupervisorVisit,
    Ticket,
    TicketEvent,
    TicketNumberSequence,
    WindowEvaluation,
)

logger = logging.getLogger(__name__)

SUPERVISOR_ROLE = "supervisor"
STAFF_SOURCES = (TicketSource.HOTLINE_12389, TicketSource.ALARM_110, TicketSource.WINDOW)


# --- notifications (messaging) ------------------------------------------------------------------


#: Events told to the asker, to the handlers, and to the supervisors above the unit.
_TO_ASKER = {"replied", "rectified", "closed"}
_TO_HANDLERS = {"submitted", "reopened", "reminder"}
_TO_SUPERVISORS = {"escalated", "overdue"}


def _handlers(ticket: Ticket) -> list[Any]:
    """The dedicated officer, else the active officers of the handling unit."""
    if ticket.officer_id is not None and ticket.officer is not None:
        return [ticket.officer]
    return list(User.objects.filter(unit=ticket.unit, kind=UserKind.STAFF, is_active=True))


def _supervisors(ticket: Ticket) -> list[Any]:
    from onestop.accounts.choices import Role

    path = ticket.unit.path
    ancestors = [path[:i] for i in range(4, len(path) + 1, 4)]
    return list(
        User.objects.filter(
            unit__path__in=ancestors,
            kind=UserKind.STAFF,
            is_active=True,
            groups__name=Role.SUPERVISOR,
        ).distinct()
    )


def desk_notify(*, ticket_id: int, event: str) -> None:
    """Tell the people concerned that ``event`` happened (after the transaction commits), in
    the message centre: ``submitted`` / ``reopened`` / ``reminder`` → the dedicated officer (else
    the unit's officers); ``escalated`` / ``overdue`` → the supervisors of the unit and the units
    above it; ``replied`` / ``rectified`` / ``closed`` → the asker. An anonymous reporter is
    never messaged (no account is linked); nothing goes by SMS, so no identity can leak."""
    from onestop.messaging.services import message_send

    ticket = (
        Ticket.objects.select_related("officer", "reporter", "unit").filter(pk=ticket_id).first()
    )
    if ticket is None:
        return
    if event in _TO_ASKER:
        recipients = (
            [ticket.reporter] if ticket.reporter is not None and not ticket.anonymous else []
        )
        link = reverse("desk:mine-detail", args=[ticket.number])
    elif event in _TO_HANDLERS:
        recipients, link = _handlers(ticket), reverse("desk-staff:ticket", args=[ticket.number])
    elif event in _TO_SUPERVISORS:
        recipients, link = _supervisors(ticket), reverse("desk-staff:ticket", args=[ticket.number])
    else:
        logger.warning("desk ticket %s: no notice for event %r", ticket_id, event)
        return
    due = timezone.localtime(ticket.due_at, workdays.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    params = {"number": ticket.number, "title": ticket.title, "due": due}
    for user in recipients:
        message_send(
            event=f"desk.{event}",
            channel="in_app",
            params=params,
            recipient=user,
            link=link,
            object_ref=f"desk.ticket:{ticket.pk}",
            idempotency_key=f"desk:{ticket.pk}:{event}:{user.pk}:{uuid.uuid4().hex[:12]}",
        )


def _queue_notification(ticket: Ticket, event: str) -> None:
    transaction.on_commit(partial(desk_notify, ticket_id=ticket.pk, event=event))


# --- helpers --------------------------------------------------------------------------------


def owner_hash_of(user: Any) -> str:
    return lookup_hash(str(user.pk), kind="desk_owner")


def _is_staff(actor: Any) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "kind", "") == UserKind.STAFF
    )


def _in_scope(actor: User, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in officer_scope_paths(actor))


def staff_may_handle(actor: User, ticket: Ticket) -> bool:
    """An officer may see and answer a ticket of their unit subtree or assigned to them."""
    return _is_staff(actor) and (ticket.officer_id == actor.pk or _in_scope(actor, ticket.unit))


def is_owner(actor: Any, ticket: Ticket) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or _is_staff(actor):
        return False
    if ticket.reporter_id is not None:
        return bool(ticket.reporter_id == actor.pk)
    return bool(ticket.owner_hash) and ticket.owner_hash == owner_hash_of(actor)


def may_reveal(actor: Any, ticket: Ticket) -> bool:
    return (
        ticket.anonymous
        and _is_staff(actor)
        and actor.has_role(desk_setting("reveal_role"))
        and _in_scope(actor, ticket.unit)
    )


def _hours(unit: Unit) -> workdays.OfficeHours:
    try:
        return workdays.OfficeHours.parse(unit.office_hours)
    except ValueError:
        return workdays.OfficeHours.default()


def ticket_deadline(*, kind: str, start: datetime, unit: Unit) -> workdays.Deadline[datetime]:
    """When a ticket of ``kind`` received at ``start`` must be answered (see ``conf``)."""
    limit = desk_setting("limits").get(kind) or {"days": 1}
    hours = _hours(unit)
    if "hours" in limit:
        return workdays.working_time_deadline(start, Decimal(str(limit["hours"])), hours)
    return workdays.working_days_deadline_at(start, int(limit["days"]), hours)


def ticket_route(
    *, kind: str, enterprise: Enterprise | None, region_code: str = "", unit: Unit | None = None
) -> tuple[Unit, User | None]:
    """The responsible unit and dedicated officer: the most specific active assignment rule
    (enterprise > region > ticket kind); a unit chosen by the asker narrows the rules to it."""
    region = region_code or (enterprise.region_code if enterprise else "")
    rules = DeskAssignment.objects.filter(is_active=True).select_related("unit", "officer")
    best: tuple[int, DeskAssignment] | None = None
    for rule in rules:
        if rule.enterprise_id is not None and (
            enterprise is None or rule.enterprise_id != enterprise.pk
        ):
            continue
        if rule.region_code and rule.region_code != region:
            continue
        if rule.kind and rule.kind != kind:
            continue
        if unit is not None and not rule.unit.path.startswith(unit.path):
            continue
        score = (8 if rule.enterprise_id else 0) + (4 if rule.region_code else 0)
        score += 2 if rule.kind else 0
        if best is None or score > best[0] or (score == best[0] and rule.pk < best[1].pk):
            best = (score, rule)
    if unit is not None:
        return unit, best[1].officer if best else None
    if best is not None:
        return best[1].unit, best[1].officer
    code = desk_setting("default_unit")
    fallback = Unit.objects.filter(code=code).first() if code else None
    if fallback is None and region:
        fallback = Unit.objects.filter(region_code=region, is_active=True).order_by("path").first()
    if fallback is None:
        fallback = Unit.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()
    if fallback is None:
        raise InvalidRequest(_("尚未配置承办单位，暂不能受理。"))
    return fallback, None


def _next_number(now: datetime) -> str:
    day = timezone.localtime(now).date()
    seq, _created = TicketNumberSequence.objects.select_for_update().get_or_create(day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"ZTC{day:%Y%m%d}{seq.last:04d}"


def _event(
    ticket: Ticket,
    action: str,
    *,
    actor: Any,
    now: datetime,
    note: str = "",
    public: bool = True,
    as_reporter: bool = False,
) -> TicketEvent:
    """Append a timeline entry and the matching audit event. ``as_reporter`` keeps an anonymous
    reporter out of both (no actor, label "reporter")."""
    anonymous_actor = as_reporter and ticket.anonymous
    event = TicketEvent.objects.create(
        ticket=ticket,
        at=now,
        actor=None if anonymous_actor or not getattr(actor, "is_authenticated", False) else actor,
        actor_label="reporter" if as_reporter else _actor_label(actor),
        action=action,
        note=note,
        public=public,
    )
    audit_log(
        actor=None if anonymous_actor else actor,
        action=f"desk.ticket_{action}",
        obj=ticket,
        unit=ticket.unit,
        summary={"state": ticket.state, **({"by": "reporter"} if as_reporter else {})},
    )
    return event


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return (actor.get_full_name() or actor.get_username())[:100]


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("unit", "enterprise")
        .get(pk=ticket.pk)
    )


def _required(text: str, message: Any) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidRequest(message)
    return text


def _check_kind(kind: str) -> str:
    if kind not in TicketKind.values:
        raise InvalidRequest(_("工单类型无效。"))
    return kind


# --- filing ---------------------------------------------------------------------------------


@transaction.atomic
def ticket_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    body: str,
    enterprise: Enterprise | None = None,
    anonymous: bool = False,
    unit: Unit | None = None,
    subject_unit: Unit | None = None,
    complaint_reason: str = "",
    topic: str = "",
    region_code: str = "",
    contact_mobile: str = "",
    now: datetime | None = None,
) -> Ticket:
    """File a ticket from the portal, around the clock.

    A signed-in, real-name user files any kind, for themselves or for an enterprise they may act
    for; a tip report (线索举报) may be anonymous, and is the only kind a visitor who is not
    signed in may file (always anonymous). A registered supervisor's tickets come through
    their own channel (source "supervisor").
    """
    now = now or timezone.now()
    kind = _check_kind(kind)
    title = _required(title, _("请填写标题。"))[:120]
    body = _required(body, _("请填写内容。"))
    signed_in = bool(actor is not None and getattr(actor, "is_authenticated", False))
    if _is_staff(actor):
        raise NotAllowed(_("民警请通过工作台登记来电来访。"))
    person = person_of(actor) if signed_in else None
    if not signed_in:
        if kind != TicketKind.TIP:
            raise NotAllowed(_("请先登录后再提交；未登录只能匿名提交线索举报。"))
        anonymous = True
    elif person is None and not anonymous:
        raise NotAllowed(_("请先完成实名认证后再提交。"))
    if anonymous and kind != TicketKind.TIP:
        raise InvalidRequest(_("只有线索举报可以匿名提交。"))
    if enterprise is not None and (person is None or not person_can_act_for(person, enterprise)):
        raise NotAllowed(_("您不能代表该企业提交。"))
    if kind == TicketKind.COMPLAINT and complaint_reason not in ComplaintReason.values:
        raise InvalidRequest(_("请选择投诉事由。"))
    supervisor = (
        Supervisor.objects.filter(user=actor, is_active=True).first() if signed_in else None
    )
    routed_unit, officer = ticket_route(
        kind=kind, enterprise=enterprise, region_code=region_code, unit=unit
    )
    deadline = ticket_deadline(kind=kind, start=now, unit=routed_unit)
    ticket = Ticket(
        number=_next_number(now),
        kind=kind,
        source=TicketSource.SUPERVISOR if supervisor and not anonymous else TicketSource.PORTAL,
        title=title,
        body=body,
        topic=topic[:40],
        region_code=region_code or (enterprise.region_code if enterprise else ""),
        enterprise=None if anonymous else enterprise,
        subject_unit=subject_unit,
        complaint_reason=complaint_reason if kind == TicketKind.COMPLAINT else "",
        unit=routed_unit,
        officer=officer,
        green=kind == TicketKind.GREEN_CHANNEL,
        submitted_at=now,
        due_at=deadline.at,
        due_provisional=deadline.provisional,
        supervisor=None if anonymous else supervisor,
    )
    if anonymous:
        identity: dict[str, str] = {"contact": contact_mobile.strip()}
        if signed_in:
            identity.update(
                user_id=str(actor.pk),
                username=actor.get_username(),
                name=person.name if person else actor.get_full_name(),
                mobile=(person.mobile if person else actor.mobile) or "",
            )
            ticket.owner_hash = owner_hash_of(actor)
        ticket.anonymous = True
        ticket.sealed_identity = json.dumps(identity, ensure_ascii=False)
    else:
        assert person is not None
        ticket.reporter = actor
        ticket.reporter_name = person.name
        ticket.contact_mobile = contact_mobile.strip() or person.mobile
    ticket.save()
    _event(ticket, TicketAction.SUBMIT, actor=actor, now=now, as_reporter=True)
    _queue_notification(ticket, "submitted")
    return ticket


@transaction.atomic
def ticket_record(
    *,
    actor: User,
    source: str,
    kind: str,
    title: str,
    body: str,
    caller_name: str = "",
    caller_mobile: str = "",
    anonymous: bool = False,
    enterprise: Enterprise | None = None,
    subject_unit: Unit | None = None,
    complaint_reason: str = "",
    unit: Unit | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Staff enter a ticket received by the 12389 hotline, the 110 alarm desk or at a window."""
    now = now or timezone.now()
    if not _is_staff(actor):
        raise NotAllowed()
    if source not in STAFF_SOURCES:
        raise InvalidRequest(_("请选择来源。"))
    kind = _check_kind(kind)
    title = _required(title, _("请填写标题。"))[:120]
    body = _required(body, _("请填写内容。"))
    if kind == TicketKind.COMPLAINT and complaint_reason not in ComplaintReason.values:
        raise InvalidRequest(_("请选择投诉事由。"))
    if anonymous and kind != TicketKind.TIP:
        raise InvalidRequest(_("只有线索举报可以匿名提交。"))
    if not anonymous:
        caller_name = _required(caller_name, _("请填写来电人姓名。"))
    routed_unit, officer = ticket_route(kind=kind, enterprise=enterprise, unit=unit)
    deadline = ticket_deadline(kind=kind, start=now, unit=routed_unit)
    ticket = Ticket(
        number=_next_number(now),
        kind=kind,
        source=source,
        title=title,
        body=body,
        enterprise=enterprise,
        region_code=enterprise.region_code if enterprise else "",
        subject_unit=subject_unit,
        complaint_reason=complaint_reason if kind == TicketKind.COMPLAINT else "",
        unit=routed_unit,
        officer=officer,
        green=kind == TicketKind.GREEN_CHANNEL,
        submitted_at=now,
        due_at=deadline.at,
        due_provisional=deadline.provisional,
    )
    if anonymous:
        ticket.anonymous = True
        ticket.sealed_identity = json.dumps(
            {"name": caller_name.strip(), "mobile": caller_mobile.strip()}, ensure_ascii=False
        )
    else:
        ticket.reporter_name = caller_name[:100]
        ticket.contact_mobile = caller_mobile.strip()
    ticket.save()
    _event(ticket, TicketAction.RECORD, actor=actor, now=now, note=ticket.get_source_display())
    _queue_notification(ticket, "submitted")
    return ticket


# --- handling -------------------------------------------------------------------------------


@transaction.atomic
def ticket_reply(
    *,
    actor: User,
    ticket: Ticket,
    reply: str,
    rectification_days: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Answer a ticket. For a complaint found justified, ``rectification_days`` (working days)
    sets the deadline by which the unit complained about must rectify."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    if not staff_may_handle(actor, ticket):
        raise NotAllowed()
    if not ticket.awaiting_reply:
        raise InvalidState(params={"state": ticket.get_state_display()})
    reply = _required(reply, _("请填写答复内容。"))
    if rectification_days is not None:
        if ticket.kind != TicketKind.COMPLAINT:
            raise InvalidRequest(_("只有投诉需要整改。"))
        if not 1 <= rectification_days <= 60:
            raise InvalidRequest(_("整改期限应为 1 至 60 个工作日。"))
        ticket.rectification_required = True
        ticket.rectification_due_at = workdays.working_days_deadline_at(
            now, rectification_days, _hours(ticket.unit)
        ).at
    if ticket.first_reply_on_time is None:
        ticket.first_reply_on_time = now <= ticket.due_at
    ticket.state = TicketState.REPLIED
    ticket.reply = reply
    ticket.replied_at = now
    ticket.save()
    _event(ticket, TicketAction.REPLY, actor=actor, now=now, note=reply)
    _queue_notification(ticket, "replied")
    return ticket


def _owner_check(actor: Any, ticket: Ticket) -> None:
    if not is_owner(actor, ticket):
        raise NotAllowed()
    if ticket.state != TicketState.REPLIED:
        raise InvalidState(params={"state": ticket.get_state_display()})


@transaction.atomic
def ticket_accept(*, actor: Any, ticket: Ticket, now: datetime | None = None) -> Ticket:
    """The asker accepts the reply: the ticket is closed (and may then be rated)."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _owner_check(actor, ticket)
    if ticket.rectification_required and ticket.rectified_at is None:
        raise InvalidRequest(_("整改尚未完成，暂不能办结。"))
    ticket.state = TicketState.CLOSED
    ticket.closed_at = now
    ticket.save()
    _event(ticket, TicketAction.ACCEPT, actor=actor, now=now, as_reporter=True)
    _queue_notification(ticket, "closed")
    return ticket


@transaction.atomic
def ticket_reopen(
    *, actor: Any, ticket: Ticket, reason: str, now: datetime | None = None
) -> Ticket:
    """The asker does not accept the reply: the ticket goes back with a fresh time limit."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _owner_check(actor, ticket)
    reason = _required(reason, _("请说明不认可的理由。"))
    deadline = ticket_deadline(kind=ticket.kind, start=now, unit=ticket.unit)
    ticket.state = TicketState.REOPENED
    ticket.reopen_count += 1
    ticket.due_at = deadline.at
    ticket.due_provisional = deadline.provisional
    ticket.reminded_at = None
    ticket.save()
    _event(ticket, TicketAction.REOPEN, actor=actor, now=now, note=reason, as_reporter=True)
    _queue_notification(ticket, "reopened")
    return ticket


@transaction.atomic
def ticket_escalate(
    *, actor: User, ticket: Ticket, comment: str, now: datetime | None = None
) -> Ticket:
    """A supervisor (督办人) escalates a ticket: its supervision level goes up by one."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    if not (_is_staff(actor) and _in_scope(actor, ticket.unit)):
        raise NotAllowed()
    if not actor.has_role(SUPERVISOR_ROLE):
        raise NotAllowed(_("只有督办人可以督办。"))
    if ticket.state == TicketState.CLOSED:
        raise InvalidState(params={"state": ticket.get_state_display()})
    comment = _required(comment, _("请填写督办意见。"))
    ticket.escalation_level += 1
    ticket.escalated_at = now
    ticket.save()
    _event(ticket, TicketAction.ESCALATE, actor=actor, now=now, note=comment)
    _queue_notification(ticket, "escalated")
    return ticket


@transaction.atomic
def ticket_rectify(
    *, actor: User, ticket: Ticket, note: str, now: datetime | None = None
) -> Ticket:
    """Record that the rectification a complaint reply required has been done."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    if not staff_may_handle(actor, ticket):
        raise NotAllowed()
    if not ticket.rectification_required or ticket.rectified_at is not None:
        raise InvalidState(params={"state": ticket.get_state_display()})
    ticket.rectification_note = _required(note, _("请填写整改情况。"))
    ticket.rectified_at = now
    ticket.save()
    _event(ticket, TicketAction.RECTIFY, actor=actor, now=now, note=ticket.rectification_note)
    _queue_notification(ticket, "rectified")
    return ticket


@transaction.atomic
def ticket_reporter_reveal(*, actor: User, ticket: Ticket, purpose: str) -> dict[str, str]:
    """The sealed identity of an anonymous reporter, for the identity custodian only.

    Audited twice: ``pii.reveal`` (with the stated purpose) and ``desk.ticket_reveal``; a
    staff-only timeline entry records who looked. Nobody else can call it successfully.
    """
    if not may_reveal(actor, ticket):
        raise NotAllowed(_("只有指定岗位可以查看举报人身份。"))
    raw = pii_reveal(actor=actor, obj=ticket, field="sealed_identity", purpose=purpose)
    now = timezone.now()
    TicketEvent.objects.create(
        ticket=ticket,
        at=now,
        actor=actor,
        actor_label=_actor_label(actor),
        action=TicketAction.REVEAL,
        note=purpose.strip(),
        public=False,
    )
    audit_log(
        actor=actor,
        action="desk.ticket_reveal",
        obj=ticket,
        unit=ticket.unit,
        purpose=purpose.strip(),
    )
    data: dict[str, str] = json.loads(raw) if raw else {}
    return data


# --- the periodic sweep ---------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    escalated: int


def ticket_sweep(*, now: datetime | None = None) -> SweepResult:
    """Remind handlers shortly before the due time; escalate (level 1) tickets answered late and
    complaints whose rectification is overdue. Safe to run twice: each step happens once."""
    now = now or timezone.now()
    remind_hours = Decimal(str(desk_setting("remind_hours")))
    reminded = escalated = 0
    waiting = Ticket.objects.filter(
        state__in=(TicketState.SUBMITTED, TicketState.REOPENED)
    ).select_related("unit")
    for ticket in waiting.filter(due_at__lt=now, escalation_level=0):
        escalated += _sweep_escalate(ticket.pk, now, _("答复超期，系统自动督办。"))
    for ticket in waiting.filter(reminded_at__isnull=True, due_at__gte=now):
        left = workdays.working_time_between(now, ticket.due_at, _hours(ticket.unit))
        if left <= timedelta(hours=float(remind_hours)):
            reminded += _sweep_remind(ticket.pk, now)
    late_rectification = Ticket.objects.filter(
        rectification_required=True,
        rectified_at__isnull=True,
        rectification_due_at__lt=now,
        escalation_level=0,
    )
    for ticket in late_rectification:
        escalated += _sweep_escalate(ticket.pk, now, _("整改超期，系统自动督办。"))
    return SweepResult(reminded=reminded, escalated=escalated)


@transaction.atomic
def _sweep_remind(ticket_id: int, now: datetime) -> int:
    ticket = Ticket.objects.select_for_update().select_related("unit").get(pk=ticket_id)
    if ticket.reminded_at is not None or not ticket.awaiting_reply:
        return 0
    ticket.reminded_at = now
    ticket.save(update_fields=["reminded_at", "updated_at"])
    _event(ticket, TicketAction.REMIND, actor=None, now=now, public=False)
    _queue_notification(ticket, "reminder")
    return 1


@transaction.atomic
def _sweep_escalate(ticket_id: int, now: datetime, note: Any) -> int:
    ticket = Ticket.objects.select_for_update().select_related("unit").get(pk=ticket_id)
    if ticket.escalation_level > 0:
        return 0
    ticket.escalation_level = 1
    ticket.escalated_at = now
    ticket.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
    _event(ticket, TicketAction.OVERDUE, actor=None, now=now, note=str(note))
    _queue_notification(ticket, "overdue")
    return 1


# --- supervisors, visits, window evaluation -------------------------------------------------


def _staff_in_scope(actor: Any, unit: Unit) -> None:
    if not (_is_staff(actor) and _in_scope(actor, unit)):
        raise NotAllowed()


@transaction.atomic
def supervisor_register(
    *,
    actor: User,
    name: str,
    category: str,
    unit: Unit,
    term_start: date,
    term_end: date,
    organisation: str = "",
    mobile: str = "",
    user: User | None = None,
) -> Supervisor:
    """Register a social supervisor (监督员) appointed by ``unit``; with a portal ``user`` they
    get their own feedback channel (their tickets are marked as supervisor feedback)."""
    _staff_in_scope(actor, unit)
    if category not in SupervisorCategory.values:
        raise InvalidRequest(_("请选择监督员类别。"))
    if term_end < term_start:
        raise InvalidRequest(_("聘期结束日期不能早于开始日期。"))
    if user is not None and user.kind != UserKind.PUBLIC:
        raise InvalidRequest(_("监督员账号应为门户用户。"))
    supervisor = Supervisor.objects.create(
        name=_required(name, _("请填写姓名。"))[:50],
        category=category,
        organisation=organisation[:100],
        mobile=mobile.strip(),
        user=user,
        unit=unit,
        term_start=term_start,
        term_end=term_end,
    )
    audit_log(
        actor=actor,
        action="desk.supervisor_register",
        obj=supervisor,
        unit=unit,
        summary={"category": category},
    )
    return supervisor


@transaction.atomic
def supervisor_visit_report(
    *,
    actor: User,
    unit: Unit,
    visited_on: date,
    findings: str,
    suggestions: str = "",
    supervisor: Supervisor | None = None,
) -> SupervisorVisit:
    """A supervisor files a visit report: themselves through the portal, or staff for them."""
    if _is_staff(actor):
        if supervisor is None:
            raise InvalidRequest(_("请选择监督员。"))
        _staff_in_scope(actor, supervisor.unit)
    else:
        own = Supervisor.objects.filter(user=actor, is_active=True).first() if actor else None
        if own is None or (supervisor is not None and supervisor.pk != own.pk):
            raise NotAllowed(_("只有在聘监督员可以提交走访报告。"))
        supervisor = own
    if visited_on > timezone.localdate():
        raise InvalidRequest(_("走访日期不能晚于今天。"))
    visit = SupervisorVisit.objects.create(
        supervisor=supervisor,
        unit=unit,
        visited_on=visited_on,
        findings=_required(findings, _("请填写发现的问题。")),
        suggestions=suggestions.strip(),
    )
    audit_log(actor=actor, action="desk.visit_report", obj=visit, unit=unit)
    return visit


@transaction.atomic
def supervisor_visit_respond(
    *, actor: User, visit: SupervisorVisit, response: str
) -> SupervisorVisit:
    """The visited unit reports back what it did about the findings."""
    _staff_in_scope(actor, visit.unit)
    visit.response = _required(response, _("请填写反馈落实情况。"))
    visit.responded_at = timezone.now()
    visit.save(update_fields=["response", "responded_at", "updated_at"])
    audit_log(actor=actor, action="desk.visit_respond", obj=visit, unit=visit.unit)
    return visit


def evaluation_result(score: Decimal) -> str:
    if score >= 90:
        return EvaluationResult.DEMONSTRATION
    if score >= 60:
        return EvaluationResult.QUALIFIED
    return EvaluationResult.UNQUALIFIED


@transaction.atomic
def window_evaluate(
    *, actor: User, unit: Unit, year: int, score: Decimal, notes: str = ""
) -> WindowEvaluation:
    """The yearly evaluation of a window (示范窗口 from 90 points, 合格 from 60); re-evaluating
    the same year replaces the score. Supervisors and administrators of a unit above it."""
    _staff_in_scope(actor, unit)
    if not actor.has_role(SUPERVISOR_ROLE, "unit_admin", "platform_admin"):
        raise NotAllowed()
    score = Decimal(score)
    if not Decimal(0) <= score <= Decimal(100):
        raise InvalidRequest(_("得分应在 0 至 100 之间。"))
    if not 2000 <= year <= timezone.localdate().year:
        raise InvalidRequest(_("年度无效。"))
    evaluation, _created = WindowEvaluation.objects.update_or_create(
        unit=unit,
        year=year,
        defaults={
            "score": score,
            "result": evaluation_result(score),
            "notes": notes.strip(),
            "evaluated_by": actor,
        },
    )
    audit_log(
        actor=actor,
        action="desk.window_evaluate",
        obj=evaluation,
        unit=unit,
        summary={"year": year, "score": str(score), "result": evaluation.result},
    )
    return evaluation


# --- directory and routing rules ------------------------------------------------------------


@transaction.atomic
def liaison_create(
    *,
    actor: User | None,
    name: str,
    unit: Unit,
    level: str,
    police_type: str,
    phone: str,
    title: str = "",
    officer: User | None = None,
) -> Liaison:
    if actor is not None:
        _staff_in_scope(actor, unit)
    if level not in LiaisonLevel.values or police_type not in PoliceType.values:
        raise InvalidRequest()
    liaison = Liaison.objects.create(
        name=_required(name, _("请填写姓名。")),
        unit=unit,
        level=level,
        police_type=police_type,
        phone=_required(phone, _("请填写联系电话。")),
        title=title,
        officer=officer,
    )
    audit_log(actor=actor, action="desk.liaison_create", obj=liaison, unit=unit)
    return liaison


@transaction.atomic
def assignment_set(
    *,
    actor: User | None,
    unit: Unit,
    officer: User | None = None,
    enterprise: Enterprise | None = None,
    region_code: str = "",
    kind: str = "",
) -> DeskAssignment:
    """Create or update the routing rule for (enterprise, region, kind)."""
    if actor is not None:
        _staff_in_scope(actor, unit)
    if kind and kind not in TicketKind.values:
        raise InvalidRequest(_("工单类型无效。"))
    if officer is not None and (
        officer.unit is None or not officer.unit.path.startswith(unit.path)
    ):
        raise InvalidRequest(_("联络民警应属于承办单位。"))
    rule, _created = DeskAssignment.objects.update_or_create(
        enterprise=enterprise,
        region_code=region_code,
        kind=kind,
        defaults={"unit": unit, "officer": officer, "is_active": True},
    )
    audit_log(
        actor=actor,
        action="desk.assignment_set",
        obj=rule,
        unit=unit,
        summary={"kind": kind, "region_code": region_code},
    )
    return rule


def tickets_visible_filter(user: Any) -> Q:
    """For selectors: the tickets an asker owns (named or anonymous)."""
    return Q(reporter=user) | Q(owner_hash=owner_hash_of(user), reporter__isnull=True)
