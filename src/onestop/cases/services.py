"""Every write to a case. The state machine is the ``TRANSITIONS`` table below.

Each transition service is keyword-only and atomic. It locks the case row, then checks, in
this order, before it changes anything:

1. the actor is related to the case at all — the applicant (or a person who may currently act
   for the applying enterprise), or an officer whose unit subtree contains the handling unit —
   else ``NotAllowed`` (so that strangers learn nothing about the case's state);
2. the action is legal from the current state — else ``IllegalTransition``;
3. the actor holds one of the roles the table allows for it — else ``NotAllowed``;
4. the action's own input (a reason, a supply date …) — else ``InvalidRequest``.

Then it changes the row, appends a ``CaseEvent`` (timeline) and an audit event in the same
transaction, and queues the applicant notification with ``transaction.on_commit``.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.choices import EnterpriseRole, UserKind
from onestop.accounts.models import Enterprise, Person, Unit, User
from onestop.accounts.selectors import (
    membership_is_valid,
    officer_scope_paths,
    person_memberships,
    person_of,
)
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.models import Material, ServiceItemVersion
from onestop.core import rules, workdays
from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash
from onestop.core.uploads import store_upload
from onestop.messaging.services import message_case_event, message_officer_warning
from onestop.payments.selectors import case_payment_state
from onestop.payments.services import payment_order_for_case

from . import deadlines
from .choices import (
    Actor,
    CaseAction,
    CaseChannel,
    CaseState,
    Decision,
    PostCheckResult,
    WarningLevel,
)
from .errors import IdempotencyConflict, IllegalTransition, InvalidRequest, NotAllowed
from .models import (
    CLOCK_PAUSED_STATES,
    CLOCK_RUNNING_STATES,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    CaseSupervision,
)

logger = logging.getLogger(__name__)

S = CaseState
A = CaseAction


@dataclass(frozen=True)
class Transition:
    """Who may perform an action from a state and the state it leads to (``None``: the state
    does not change, e.g. a transfer or a supervision)."""

    actors: frozenset[Actor]
    to_state: CaseState | None


def _t(actors: Collection[Actor], to_state: CaseState | None) -> Transition:
    return Transition(frozenset(actors), to_state)


#: Before a decision: the applicant may still withdraw, the case may be transferred.
_PENDING = (S.SUBMITTED, S.ACCEPTED, S.IN_REVIEW, S.SUPPLEMENT_REQUESTED, S.SUSPENDED)
#: After approval: a result obtained on a false commitment may be revoked (``case_revoke``
#: refuses cases whose decision was a denial).
_APPROVED_OR_LATER = (S.APPROVED, S.RESULT_ISSUED, S.DELIVERED, S.COLLECTED, S.CLOSED)
#: Open cases a supervisor may supervise.
_SUPERVISABLE = (*_PENDING, S.APPROVED, S.DENIED, S.RESULT_ISSUED)

APPLICANT = {Actor.APPLICANT}
CLERK = {Actor.WINDOW_CLERK}
REVIEWER = {Actor.REVIEWER}
APPROVER = {Actor.APPROVER}

#: The state machine: (state, action) → (who may, next state). Nothing else changes a state.
TRANSITIONS: dict[tuple[CaseState, CaseAction], Transition] = {
    (S.DRAFT, A.SUBMIT): _t(APPLICANT, S.SUBMITTED),
    (S.SUBMITTED, A.ACCEPT): _t({Actor.WINDOW_CLERK, Actor.SYSTEM}, S.ACCEPTED),
    (S.SUBMITTED, A.REFUSE): _t(CLERK, S.REFUSED),
    (S.ACCEPTED, A.START_REVIEW): _t(REVIEWER, S.IN_REVIEW),
    # commitment approval (告知承诺制): approved on the spot, without review
    (S.ACCEPTED, A.APPROVE): _t({Actor.SYSTEM}, S.APPROVED),
    (S.IN_REVIEW, A.REQUEST_SUPPLEMENT): _t(REVIEWER, S.SUPPLEMENT_REQUESTED),
    (S.SUPPLEMENT_REQUESTED, A.SUPPLY): _t(APPLICANT, S.IN_REVIEW),
    # the system suspends when a conditional promise is not kept and the item says so
    (S.ACCEPTED, A.SUSPEND): _t({Actor.REVIEWER, Actor.APPROVER, Actor.SYSTEM}, S.SUSPENDED),
    (S.IN_REVIEW, A.SUSPEND): _t({Actor.REVIEWER, Actor.APPROVER, Actor.SYSTEM}, S.SUSPENDED),
    # ... or terminates (终止办理), the consequence most items configure
    (S.ACCEPTED, A.TERMINATE): _t({Actor.SYSTEM}, S.TERMINATED),
    (S.IN_REVIEW, A.TERMINATE): _t({Actor.SYSTEM}, S.TERMINATED),
    (S.SUSPENDED, A.RESUME): _t({Actor.REVIEWER, Actor.APPROVER}, S.IN_REVIEW),
    (S.IN_REVIEW, A.APPROVE): _t(APPROVER, S.APPROVED),
    (S.IN_REVIEW, A.DENY): _t(APPROVER, S.DENIED),
    (S.APPROVED, A.ISSUE_RESULT): _t({Actor.WINDOW_CLERK, Actor.APPROVER}, S.RESULT_ISSUED),
    # the written denial (不予许可决定书) is issued and delivered like an approval
    (S.DENIED, A.ISSUE_RESULT): _t({Actor.WINDOW_CLERK, Actor.APPROVER}, S.RESULT_ISSUED),
    # the system: a courier's signed receipt (delivery app) delivers and closes
    (S.RESULT_ISSUED, A.DELIVER): _t({Actor.WINDOW_CLERK, Actor.SYSTEM}, S.DELIVERED),
    (S.RESULT_ISSUED, A.COLLECT): _t(CLERK, S.COLLECTED),
    (S.DELIVERED, A.CLOSE): _t({Actor.WINDOW_CLERK, Actor.SYSTEM}, S.CLOSED),
    (S.COLLECTED, A.CLOSE): _t(CLERK, S.CLOSED),
    **{(state, A.WITHDRAW): _t(APPLICANT, S.WITHDRAWN) for state in _PENDING},
    **{(state, A.TRANSFER): _t({Actor.WINDOW_CLERK, Actor.REVIEWER}, None) for state in _PENDING},
    **{(state, A.REVOKE): _t(APPROVER, S.REVOKED) for state in _APPROVED_OR_LATER},
    **{(state, A.SUPERVISE): _t({Actor.SUPERVISOR}, None) for state in _SUPERVISABLE},
    # 事后核查 of a commitment approval: a reviewer or approver records what the check found; a
    # false commitment revokes the result at once (the system's REVOKE below)
    **{
        (state, A.POST_CHECK): _t({Actor.REVIEWER, Actor.APPROVER}, None)
        for state in _APPROVED_OR_LATER
    },
    # staff confirm that the materials missing at a conditional acceptance were supplied
    **{
        (state, A.FULFIL_CONDITIONAL): _t({Actor.WINDOW_CLERK, Actor.REVIEWER}, None)
        for state in _PENDING
        if state != S.SUBMITTED
    },
}

#: Staff roles that map to table actors.
_STAFF_ACTORS = {
    "window_clerk": Actor.WINDOW_CLERK,
    "reviewer": Actor.REVIEWER,
    "approver": Actor.APPROVER,
    "supervisor": Actor.SUPERVISOR,
}


def allowed_actions(case: Case, actor: User) -> list[CaseAction]:
    """The actions ``actor`` may perform on ``case`` now (for pages: which buttons to show)."""
    try:
        kinds = _actor_kinds(actor, case)
    except NotAllowed:
        return []
    return [
        action
        for (state, action), transition in TRANSITIONS.items()
        if state == case.state and kinds & transition.actors and _precondition(case, action)
    ]


def _precondition(case: Case, action: CaseAction) -> bool:
    """Conditions beyond the table that the services check too."""
    if action == A.REVOKE:
        return case.decision == Decision.APPROVED
    if action == A.FULFIL_CONDITIONAL:
        return case.conditional and case.conditional_fulfilled_at is None
    if action == A.POST_CHECK:
        return post_check_pending(case)
    if action == A.ACCEPT:
        return not fee_outstanding(case)
    return True


def post_check_pending(case: Case) -> bool:
    """A commitment approval sampled for 事后核查 whose check has not been recorded yet."""
    return (
        case.commitment
        and case.post_check_required
        and case.post_checked_at is None
        and case.decision == Decision.APPROVED
    )


# --- notifications -------------------------------------------------------------------------


def _notify(case: Case, action: str, event: CaseEvent | None = None) -> None:
    """Tell the applicant that ``action`` happened: outbox rows written by the messaging service
    in this same transaction (sent by its workers after commit; nothing is sent for a change
    that rolls back). ``event`` is the timeline row just written, when the caller has it."""
    message_case_event(case=case, action=action, case_event=event)


# --- who is acting --------------------------------------------------------------------------


#: Attribute of a request's user that holds its real-name person for that request (set by
#: ``remember_acting_person``; the user object of a session request lives for one request).
_PERSON_ATTR = "_cases_acting_person"


def remember_acting_person(actor: User, person: Person) -> None:
    """Keep ``person`` on ``actor`` for the rest of the request, so that the permission check,
    the view and the services read it once. Only for a user object that lives for one request
    (``request.user``); the person's ``user`` is set too (no query for ``person.user``)."""
    if person.user_id == actor.pk:
        person.user = actor
        setattr(actor, _PERSON_ATTR, person)


def _acting_person(actor: User) -> Person | None:
    if actor is None or not actor.is_authenticated or actor.kind != UserKind.PUBLIC:
        return None
    cached = getattr(actor, _PERSON_ATTR, None)
    if isinstance(cached, Person) and cached.user_id == actor.pk:
        return cached
    return person_of(actor)


def acting_person(actor: User) -> Person | None:
    """The real-name person a public user acts as (the one kept for the request, if any)."""
    return _acting_person(actor)


def _may_act_for(person: Person, enterprise: Enterprise) -> bool:
    return any(
        m.enterprise_id == enterprise.pk and membership_is_valid(m)
        for m in person_memberships(person)
    )


def _actor_kinds(actor: User | None, case: Case) -> set[Actor]:
    """What ``actor`` is with respect to ``case``; ``NotAllowed`` if nothing at all."""
    if actor is None:
        return {Actor.SYSTEM}
    if not actor.is_authenticated or not actor.is_active:
        raise NotAllowed()
    if actor.kind == UserKind.STAFF:
        path = case.handling_unit.path
        if not any(path.startswith(p) for p in officer_scope_paths(actor)):
            raise NotAllowed(code="out_of_scope")
        return {_STAFF_ACTORS[r] for r in actor.role_codes() if r in _STAFF_ACTORS}
    person = _acting_person(actor)
    if person is None:
        raise NotAllowed()
    if case.enterprise_id is not None:
        assert case.enterprise is not None
        if _may_act_for(person, case.enterprise):
            return {Actor.APPLICANT}
        raise NotAllowed()
    if case.applicant_id == person.pk:
        return {Actor.APPLICANT}
    raise NotAllowed()


# --- the transition core --------------------------------------------------------------------


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_unit", "item_version", "enterprise", "applicant")
        .get(pk=case.pk)
    )


def _begin(*, case: Case, actor: User | None, action: CaseAction) -> tuple[Case, Transition]:
    """Lock the row and check relation, legality and role (see the module docstring)."""
    locked = _locked(case)
    return locked, _check(case=locked, kinds=_actor_kinds(actor, locked), action=action)


def _check(*, case: Case, kinds: set[Actor], action: CaseAction) -> Transition:
    """Legality and role of ``action`` on the (locked) ``case`` for an actor of ``kinds``."""
    transition = TRANSITIONS.get((CaseState(case.state), action))
    if transition is None:
        raise IllegalTransition(
            params={"state": CaseState(case.state).label, "action": action.label}
        )
    if not kinds & transition.actors:
        raise NotAllowed(
            _("您的角色不能对该办件执行“%(action)s”。"),
            code="role_required",
            params={"action": action.label},
        )
    return transition


def _finish(
    *,
    case: Case,
    actor: User | None,
    action: CaseAction,
    transition: Transition,
    now: datetime,
    note: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
    update_fields: Collection[str] | None = None,
) -> Case:
    """Move ``case`` to the transition's state and save it (only ``update_fields`` and the
    state when given), append the timeline event and the audit row, notify the applicant."""
    from_state = case.state
    if transition.to_state is not None:
        case.state = transition.to_state
    if update_fields is None:
        case.save()
    else:
        case.save(update_fields=sorted({*update_fields, "state", "updated_at"}))
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        action=action,
        from_state=from_state,
        to_state=case.state,
        note=note,
        public=public,
        data=data or {},
    )
    audit_log(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        summary={"before": {"state": from_state}, "after": {"state": case.state}, **(data or {})},
        unit=case.handling_unit,
    )
    if public:
        _notify(case, action, event)
    return case


def _required(text: str, message: Any) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidRequest(message, code="reason_required")
    return text


def _step(
    *,
    case: Case,
    actor: User | None,
    action: CaseAction,
    note: str = "",
    reason_required: Any = None,
) -> tuple[Case, Transition, str, datetime]:
    locked, transition = _begin(case=case, actor=actor, action=action)
    if reason_required is not None:
        note = _required(note, reason_required)
    return locked, transition, (note or "").strip(), timezone.now()


# --- clock helpers --------------------------------------------------------------------------


def _hours(case: Case) -> workdays.OfficeHours:
    return deadlines.office_hours_of(case.handling_unit.office_hours)


def start_clock(case: Case, now: datetime, hours: workdays.OfficeHours | None = None) -> None:
    """Start the case's clocks at acceptance ``now`` (statutory and promised due instants in the
    handling unit's working time, no pause, the warning level as of ``now``); not saved. The
    demo activity generator backdates acceptances through it too."""
    version = case.item_version
    hours = hours or _hours(case)
    statutory = deadlines.limit_deadline(
        now, version.statutory_limit, version.statutory_limit_unit, hours
    )
    promised = deadlines.limit_deadline(
        now, version.promised_limit, version.promised_limit_unit, hours
    )
    case.accepted_at = now
    case.statutory_due_at = statutory.at
    case.promised_due_at = promised.at
    case.due_provisional = statutory.provisional or promised.provisional
    case.paused_at = None
    case.paused_total = timedelta(0)
    case.warning_level = deadlines.warning_level(
        at=now, accepted_at=now, due=promised.at, paused_total=timedelta(0), hours=hours
    )


def _pause_clock(case: Case, now: datetime) -> None:
    if case.paused_at is None:
        case.paused_at = now


def _resume_clock(case: Case, now: datetime) -> timedelta:
    if case.paused_at is None:
        return timedelta(0)
    hours = _hours(case)
    paused = max(workdays.working_time_between(case.paused_at, now, hours), timedelta(0))
    case.paused_total += paused
    provisional = case.due_provisional
    if case.statutory_due_at is not None:
        moved = deadlines.extend(case.statutory_due_at, paused, hours)
        case.statutory_due_at, provisional = moved.at, provisional or moved.provisional
    if case.promised_due_at is not None:
        moved = deadlines.extend(case.promised_due_at, paused, hours)
        case.promised_due_at, provisional = moved.at, provisional or moved.provisional
    case.due_provisional = provisional
    case.paused_at = None
    case.warning_level = _level(case, now)
    return paused


def _level(case: Case, now: datetime) -> WarningLevel:
    if case.promised_due_at is None or case.accepted_at is None:
        return WarningLevel.NONE
    return deadlines.warning_level(
        at=case.paused_at or now,
        accepted_at=case.accepted_at,
        due=case.promised_due_at,
        paused_total=case.paused_total,
        hours=_hours(case),
    )


def _decide(case: Case, now: datetime, decision: Decision) -> None:
    """The handling clock stops: a case decided in time no longer carries a warning; one
    decided late stays red (``on_time`` is recorded at close)."""
    case.decided_at = now
    case.decision = decision
    if case.paused_at is not None:
        _resume_clock(case, now)
    late = case.promised_due_at is not None and now > case.promised_due_at
    case.warning_level = WarningLevel.RED if late else WarningLevel.NONE
    if decision == Decision.APPROVED:
        _issue_certificate_after_commit(case)


def _issue_certificate_after_commit(case: Case) -> None:
    """An approval yields the item's e-certificate (certificates app), issued by a task once the
    approval is committed (signing takes a while; the task is idempotent and retried)."""
    from .tasks import cases_issue_certificate

    transaction.on_commit(partial(cases_issue_certificate.delay, case.pk))


def _record_on_time(case: Case, now: datetime) -> None:
    case.closed_at = now
    if case.promised_due_at is not None:
        finished = case.decided_at or now
        case.on_time = finished <= case.promised_due_at


# --- case numbers and codes -----------------------------------------------------------------


#: Case-number prefix per root unit path: (prefix, monotonic time it was read). Cleared when any
#: unit is saved or deleted in this process (``unit_prefixes_forget``, connected in the app
#: config); another process's change to a root unit's code is seen within ``_PREFIX_TTL``.
_prefixes: dict[str, tuple[str, float]] = {}
_PREFIX_TTL = 60.0


def unit_prefixes_forget(**_kwargs: Any) -> None:
    """Signal receiver: a unit changed, the cached case-number prefixes may be stale."""
    _prefixes.clear()


def _number_prefix(unit: Unit) -> str:
    root_path = unit.path.split(".")[0]
    cached = _prefixes.get(root_path)
    if cached is not None and time.monotonic() - cached[1] < _PREFIX_TTL:
        return cached[0]
    root_code = Unit.objects.filter(path=root_path).values_list("code", flat=True).first() or ""
    prefix = re.sub(r"[^A-Z0-9]", "", root_code.upper())[:4] or "CN"
    _prefixes[root_path] = (prefix, time.monotonic())
    return prefix


def _increment_sequence(prefix: str, day: date) -> int | None:
    """The sequence's next value (the row stays locked until commit), or None if the day has
    no row yet. One ``UPDATE … RETURNING`` on PostgreSQL."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + 1 WHERE prefix = %s AND day = %s "  # noqa: S608
                "RETURNING last",
                [prefix, day],
            )
            row = cursor.fetchone()
        return int(row[0]) if row is not None else None
    sequences = CaseNumberSequence.objects.filter(prefix=prefix, day=day)
    if not sequences.update(last=F("last") + 1):
        return None
    return int(sequences.values_list("last", flat=True).get())


def _next_number(unit: Unit, now: datetime) -> str:
    """``<prefix><yyyymmdd><6-digit sequence>``; the sequence row is locked until commit, so
    two concurrent submissions never get the same number (the unique constraint backs it)."""
    prefix = _number_prefix(unit)
    day = timezone.localtime(now, workdays.SHANGHAI).date()
    last = None
    for _attempt in range(3):
        last = _increment_sequence(prefix, day)
        if last is not None:
            break
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, day=day, last=1)
            last = 1
            break
        except IntegrityError:
            continue  # another submission created the row first: increment it
    if last is None:
        raise RuntimeError(f"no case-number sequence row for {prefix} {day}")
    return f"{prefix}{day:%Y%m%d}{last:06d}"


def verification_code_hash(number: str, code: str) -> str:
    return lookup_hash(f"{number}:{code.strip()}", kind="case_verification")


def _post_check_sampled(case: Case) -> bool:
    """Always for applicants (or enterprises) with a failed commitment on record; otherwise at
    the item's rate, deterministically from the case number (reproducible, auditable)."""
    failed = Q(applicant=case.applicant_id)
    if case.enterprise_id is not None:
        failed |= Q(enterprise=case.enterprise_id)
    if (
        Case.objects.filter(failed, commitment=True, state=CaseState.REVOKED)
        .exclude(pk=case.pk)
        .exists()
    ):
        return True
    rate = case.item_version.post_check_rate or 0
    return random.Random(case.number).random() * 100 < float(rate)


def case_eligibility(case: Case, *, today: date | None = None) -> rules.Explanation | None:
    """The item version's eligibility rules applied to the case's form data (None: no rules).

    Submission refuses a case whose rules fail; "unknown" (a fact the form does not ask for)
    goes on to the officer, who sees the explanation on the case page."""
    rule_set = case.item_version.eligibility_rules
    if not rule_set:
        return None
    facts = rules.derive_facts(case.form_data or {}, today=today or timezone.localdate())
    return rules.evaluate(rule_set, facts)


# --- drafts ---------------------------------------------------------------------------------


def case_by_idempotency_key(*, person: Person, key: str) -> Case | None:
    """The case ``person`` created with idempotency ``key`` (None for no key)."""
    if not key:
        return None
    return Case.objects.filter(applicant=person, idempotency_key=key).first()


def _create_checks(
    *,
    person: Person,
    item_version: ServiceItemVersion,
    enterprise: Enterprise | None,
    channel: str,
    delivery: str,
) -> tuple[Person | None, str]:
    """``case_create``'s checks before the insert: (the agent, the delivery)."""
    if item_version.status != VersionStatus.PUBLISHED:
        raise InvalidRequest(
            _("该事项版本未发布或已停用，不能申请。"), code="version_not_published"
        )
    agent = None
    if enterprise is not None:
        memberships = [
            m
            for m in person_memberships(person)
            if m.enterprise_id == enterprise.pk and membership_is_valid(m)
        ]
        if not memberships:
            raise NotAllowed(_("您无权代表该企业申请。"), code="not_enterprise_agent")
        if memberships[0].role == EnterpriseRole.AGENT:
            agent = person
    deliveries = item_version.deliveries
    delivery = delivery or (deliveries[0] if deliveries else "window")
    if deliveries and delivery not in deliveries:
        raise InvalidRequest(_("该事项不支持所选的结果送达方式。"), code="delivery_not_offered")
    if channel not in CaseChannel.values:
        raise InvalidRequest(_("申请渠道无效。"), code="bad_channel")
    return agent, delivery


@transaction.atomic
def case_create(
    *,
    actor: User,
    item_version: ServiceItemVersion,
    enterprise: Enterprise | None = None,
    form_data: dict[str, Any] | None = None,
    channel: CaseChannel | str = CaseChannel.ONLINE,
    delivery: str = "",
    receiving_unit: Unit | None = None,
    idempotency_key: str = "",
    submit: bool = False,
    commitment_signed: bool = False,
) -> Case:
    """Start an application (a draft) for ``item_version`` as ``actor``'s real-name person,
    optionally for ``enterprise``; with ``submit`` it is submitted at once (as ``case_submit``
    does, without re-reading the row inserted a moment before in this transaction).

    The same ``idempotency_key`` returns the same case, untouched (not submitted), marked
    ``case.idempotent_replay = True``: the insert comes first and the unique constraint on
    (applicant, key) finds the earlier case (looked up by key only then, or when a check
    refuses the request: the earlier case is answered even if, say, the version was withdrawn
    since)."""
    person = _acting_person(actor)
    if person is None:
        raise NotAllowed(_("请先登录并完成实名认证后再申请。"), code="person_required")
    idempotency_key = (idempotency_key or "").strip()[:64]
    try:
        agent, delivery = _create_checks(
            person=person,
            item_version=item_version,
            enterprise=enterprise,
            channel=channel,
            delivery=delivery,
        )
    except (InvalidRequest, NotAllowed):
        existing = case_by_idempotency_key(person=person, key=idempotency_key)
        if existing is None:
            raise
        return _same_application(existing, item_version)
    unit = item_version.item.implementing_unit
    case = Case(
        item_version=item_version,
        receiving_unit=receiving_unit or unit,
        handling_unit=unit,
        applicant=person,
        enterprise=enterprise,
        agent=agent,
        form_data=form_data or {},
        channel=channel,
        delivery=delivery,
        idempotency_key=idempotency_key,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        existing = case_by_idempotency_key(person=person, key=idempotency_key)
        if existing is None:
            raise
        return _same_application(existing, item_version)
    now = timezone.now()
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        actor_label=actor.get_username(),
        action="create",
        to_state=case.state,
        public=True,
    )
    audit_log(
        actor=actor,
        action="case.create",
        obj=case,
        summary={"after": {"item_version": item_version.pk, "state": case.state}},
        unit=unit,
    )
    if submit:
        # The row was inserted by this transaction: nobody else can see or lock it, so the
        # submission checks and changes the instance in hand instead of re-locking it.
        transition = _check(case=case, kinds=_actor_kinds(actor, case), action=A.SUBMIT)
        return _submit(
            locked=case,
            actor=actor,
            transition=transition,
            now=timezone.now(),
            commitment_signed=commitment_signed,
        )
    return case


def _same_application(existing: Case, item_version: ServiceItemVersion) -> Case:
    if existing.item_version_id != item_version.pk:
        raise IdempotencyConflict()
    existing.idempotent_replay = True  # type: ignore[attr-defined]
    return existing


@transaction.atomic
def case_draft_update(
    *, actor: User, case: Case, form_data: dict[str, Any], delivery: str = ""
) -> Case:
    """Save the form of a draft (resume later)."""
    locked = _locked(case)
    if Actor.APPLICANT not in _actor_kinds(actor, locked):
        raise NotAllowed()
    if locked.state != CaseState.DRAFT:
        raise IllegalTransition(
            _("办件已提交，不能再修改申请内容。"), code="not_a_draft", params={}
        )
    if delivery:
        if delivery not in locked.item_version.deliveries:
            raise InvalidRequest(_("该事项不支持所选的结果送达方式。"), code="delivery_not_offered")
        locked.delivery = delivery
    locked.form_data = form_data
    locked.save(update_fields=["form_data", "delivery", "updated_at"])
    audit_log(actor=actor, action="case.draft_update", obj=locked, unit=locked.handling_unit)
    return locked


@transaction.atomic
def case_material_upload(
    *,
    actor: User,
    case: Case,
    file: File[Any],
    material_id: int | None = None,
    supplement: bool = False,
) -> CaseMaterial:
    """Store an applicant's file for one of the item's materials (a draft; a new upload of the
    same material replaces the old one) or as a supplement (a case awaiting 补正).

    The file is checked by content (``onestop.core.uploads``) before anything is written; a
    refused file raises ``InvalidRequest`` with the upload's error code and stores nothing."""
    locked = _locked(case)
    if Actor.APPLICANT not in _actor_kinds(actor, locked):
        raise NotAllowed()
    material = None
    if supplement:
        if locked.state != CaseState.SUPPLEMENT_REQUESTED:
            raise IllegalTransition(
                _("只有待补正的办件才能上传补正材料。"), code="not_awaiting_supplement", params={}
            )
    else:
        if locked.state != CaseState.DRAFT:
            raise IllegalTransition(
                _("办件已提交，不能再修改申请材料。"), code="not_a_draft", params={}
            )
        material = locked.item_version.materials.filter(pk=material_id or 0).first()
        if material is None:
            raise InvalidRequest(_("该事项没有这项申请材料。"), code="unknown_material")
    try:
        stored = store_upload(file, prefix=f"cases/{locked.pk}")
    except ValidationError as error:
        raise InvalidRequest(" ".join(error.messages), code=error.code or "bad_upload") from None
    if material is not None:
        locked.materials.filter(material=material, supplement=False).delete()
    row = CaseMaterial.objects.create(
        case=locked,
        material=material,
        name=material.name if material else str(_("补正材料")),
        position=material.position if material else 0,
        storage_name=stored.name,
        kind=stored.kind,
        size=stored.size,
        sha256=stored.sha256,
        display_name=stored.safe_name,
        supplement=supplement,
    )
    audit_log(
        actor=actor,
        action="case.material_upload",
        obj=locked,
        summary={
            "material": row.name,
            "kind": row.kind,
            "size": row.size,
            "sha256": row.sha256,
            "supplement": supplement,
        },
        unit=locked.handling_unit,
    )
    return row


#: Trust levels at which a material may be supplied as a valid e-certificate of the applicant.
ECERT_TRUST_LEVELS = frozenset({"A", "B"})


def ecert_may_replace(material: Material) -> bool:
    """The item lets this material be an e-certificate (and trusts such a source enough)."""
    return bool(material.ecert_replaceable and material.trust_level in ECERT_TRUST_LEVELS)


@transaction.atomic
def case_material_from_certificate(
    *, actor: User, case: Case, material_id: int, certificate_id: int
) -> CaseMaterial:
    """Use one of the applicant's valid e-certificates as a draft's material (nothing uploaded).

    The item version must allow it for the material (``ecert_may_replace``) and the certificate
    must be valid and held by the applying party (the enterprise applied for, else the person)."""
    from onestop.certificates.selectors import certificates_usable_as_material

    locked = _locked(case)
    if Actor.APPLICANT not in _actor_kinds(actor, locked):
        raise NotAllowed()
    if locked.state != CaseState.DRAFT:
        raise IllegalTransition(
            _("办件已提交，不能再修改申请材料。"), code="not_a_draft", params={}
        )
    material = locked.item_version.materials.filter(pk=material_id).first()
    if material is None or not ecert_may_replace(material):
        raise InvalidRequest(_("该材料不能以电子证照代替。"), code="ecert_not_allowed")
    certificate = (
        certificates_usable_as_material(
            person=locked.applicant, material_name=material.name, enterprise_id=locked.enterprise_id
        )
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        raise InvalidRequest(
            _("该电子证照无效或不属于申请主体，请上传材料。"), code="ecert_unusable"
        )
    locked.materials.filter(material=material, supplement=False).delete()
    row = CaseMaterial.objects.create(
        case=locked,
        material=material,
        name=material.name,
        position=material.position,
        kind="ecert",
        display_name=f"{certificate.title}（{certificate.identifier}）",
    )
    audit_log(
        actor=actor,
        action="case.material_ecert",
        obj=locked,
        summary={"material": material.name, "certificate": certificate.identifier},
        unit=locked.handling_unit,
    )
    return row


# --- transitions ----------------------------------------------------------------------------


@transaction.atomic
def case_submit(*, actor: User, case: Case, commitment_signed: bool = False) -> Case:
    """Submit a draft: it gets its case number and a verification code for the public progress
    lookup (returned once as ``case.verification_code``, only its hash is stored).

    With ``commitment_signed`` on an item under commitment approval (告知承诺制) the case is
    accepted and approved at once; a post-check is sampled at the item's rate.
    """
    locked, transition, _note, now = _step(case=case, actor=actor, action=A.SUBMIT)
    return _submit(
        locked=locked,
        actor=actor,
        transition=transition,
        now=now,
        commitment_signed=commitment_signed,
    )


#: The columns a submission changes (with the state; see ``_finish``).
_SUBMIT_FIELDS = ("number", "verification_code_hash", "submitted_at", "eligibility")


def _submit(
    *,
    locked: Case,
    actor: User,
    transition: Transition,
    now: datetime,
    commitment_signed: bool,
) -> Case:
    """``case_submit`` after the row is locked and the transition checked."""
    version = locked.item_version
    if version.status != VersionStatus.PUBLISHED:
        raise InvalidRequest(_("该事项版本已停用，请重新申请。"), code="version_not_published")
    if commitment_signed and not version.commitment_approval:
        raise InvalidRequest(_("该事项不实行告知承诺制。"), code="commitment_not_offered")
    explanation = case_eligibility(locked, today=timezone.localdate(now))
    if explanation is not None:
        if explanation.result == "fail":
            raise InvalidRequest(
                _("您填写的信息不符合该事项的申请条件，请核对后再提交。"),
                code="not_eligible",
                data={"eligibility": explanation.as_dict()},
            )
        locked.eligibility = explanation.as_dict()
    locked.number = _next_number(locked.receiving_unit, now)
    code = f"{secrets.randbelow(10**6):06d}"
    locked.verification_code_hash = verification_code_hash(locked.number, code)
    locked.submitted_at = now
    _finish(
        case=locked,
        actor=actor,
        action=A.SUBMIT,
        transition=transition,
        now=now,
        update_fields=_SUBMIT_FIELDS,
    )
    if fee_fen(locked):
        payment_order_for_case(
            case_id=locked.pk,
            payer=actor,
            amount_fen=fee_fen(locked),
            description=f"{version.name} {locked.number}",
        )
    if commitment_signed:
        locked.commitment = True
        locked.commitment_signed_at = now
        locked.post_check_required = _post_check_sampled(locked)
        if fee_outstanding(locked):
            # approved on the spot once the fee is paid (``case_fee_paid``)
            locked.save(update_fields=["commitment", "commitment_signed_at", "post_check_required"])
        else:
            _commitment_approve(locked, now)
    locked.verification_code = code
    return locked


def _commitment_approve(locked: Case, now: datetime) -> None:
    """告知承诺制: the system accepts and approves a signed commitment case on the spot."""
    start_clock(locked, now)
    _finish(
        case=locked,
        actor=None,
        action=A.ACCEPT,
        transition=TRANSITIONS[(S.SUBMITTED, A.ACCEPT)],
        now=now,
        note=str(_("告知承诺制：申请人已签署承诺书，当场受理。")),
        data={"commitment": True},
    )
    _decide(locked, now, Decision.APPROVED)
    _finish(
        case=locked,
        actor=None,
        action=A.APPROVE,
        transition=TRANSITIONS[(S.ACCEPTED, A.APPROVE)],
        now=now,
        note=str(_("告知承诺制：以承诺代替审核，当场准予。")),
        data={"commitment": True, "post_check": locked.post_check_required},
    )


# --- fees (收费) ------------------------------------------------------------------------------


def fee_fen(case: Case) -> int:
    """The item version's fee for this case in fen (0: free of charge)."""
    return int(case.item_version.fee_fen or 0)


def fee_outstanding(case: Case) -> bool:
    """A fee is due and its payment is not confirmed: the case waits before acceptance."""
    return fee_fen(case) > 0 and case_payment_state(case.pk) != "paid"


@transaction.atomic
def case_fee_paid(*, case_id: int) -> Case | None:
    """The payments app confirmed the case's fee (after commit of the payment; safe to call
    again). A signed commitment case waiting for its fee is now accepted and approved on the
    spot; other cases simply become acceptable by the window clerk."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return None
    locked = _locked(case)
    if (
        locked.state == S.SUBMITTED
        and locked.commitment
        and locked.commitment_signed_at is not None
        and not fee_outstanding(locked)
    ):
        _commitment_approve(locked, timezone.now())
    return locked


@transaction.atomic
def case_accept(
    *,
    actor: User,
    case: Case,
    missing_material_ids: Sequence[int] = (),
    supply_by: date | None = None,
    note: str = "",
) -> Case:
    """Accept (受理) a submitted case; the deadlines start now.

    With ``missing_material_ids`` it is a conditional acceptance (容缺受理): only non-key
    materials the item lets be missing may be absent, and the applicant's promised
    ``supply_by`` date must lie within the item's ``conditional_supply_days`` working days.
    """
    locked, transition, note, now = _step(case=case, actor=actor, action=A.ACCEPT, note=note)
    if fee_outstanding(locked):
        raise InvalidRequest(_("申请人尚未缴纳费用，缴费确认后方可受理。"), code="fee_unpaid")
    data: dict[str, Any] = {}
    if missing_material_ids:
        _check_conditional(locked, list(missing_material_ids), supply_by, now)
        locked.conditional = True
        locked.conditional_materials = sorted(set(missing_material_ids))
        locked.conditional_supply_by = supply_by
        data = {
            "conditional": True,
            "missing": locked.conditional_materials,
            "supply_by": supply_by.isoformat() if supply_by else None,
        }
    start_clock(locked, now)
    return _finish(
        case=locked,
        actor=actor,
        action=A.ACCEPT,
        transition=transition,
        now=now,
        note=note,
        data=data,
    )


def _check_conditional(case: Case, ids: list[int], supply_by: date | None, now: datetime) -> None:
    version = case.item_version
    if not version.conditional_acceptance:
        raise InvalidRequest(_("该事项不实行容缺受理。"), code="conditional_not_offered")
    materials = {m.pk: m for m in version.materials.all()}
    unknown = [i for i in ids if i not in materials]
    if unknown:
        raise InvalidRequest(_("所列容缺材料不属于该事项。"), code="unknown_material")
    blocking = [materials[i].name for i in ids if materials[i].is_key or not materials[i].waivable]
    if blocking:
        raise InvalidRequest(
            _("关键材料或不可容缺的材料缺失，不能容缺受理：%(names)s"),
            code="key_material_missing",
            params={"names": "、".join(blocking)},
        )
    if supply_by is None:
        raise InvalidRequest(_("容缺受理须由申请人承诺补齐日期。"), code="supply_date_required")
    today = timezone.localtime(now, workdays.SHANGHAI).date()
    latest = workdays.add_working_days(today, version.conditional_supply_days or 0)
    if not today <= supply_by <= latest:
        raise InvalidRequest(
            _("承诺补齐日期须在受理后 %(days)s 个工作日内（不晚于 %(latest)s）。"),
            code="supply_date_too_late",
            params={"days": version.conditional_supply_days or 0, "latest": latest.isoformat()},
        )


@transaction.atomic
def case_refuse(*, actor: User, case: Case, reason: str) -> Case:
    """Refuse to accept (不予受理); the legal reason is required and shown to the applicant."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.REFUSE,
        note=reason,
        reason_required=_("不予受理须说明理由及法律依据。"),
    )
    locked.closed_at = now
    return _finish(
        case=locked, actor=actor, action=A.REFUSE, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_start_review(*, actor: User, case: Case, note: str = "") -> Case:
    locked, transition, note, now = _step(case=case, actor=actor, action=A.START_REVIEW, note=note)
    return _finish(
        case=locked,
        actor=actor,
        action=A.START_REVIEW,
        transition=transition,
        now=now,
        note=note,
        public=True,
    )


@transaction.atomic
def case_request_supplement(*, actor: User, case: Case, reason: str) -> Case:
    """Ask for corrected or missing materials all at once (一次性告知); the clock pauses."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.REQUEST_SUPPLEMENT,
        note=reason,
        reason_required=_("请一次性列明需要补正的材料和要求。"),
    )
    _pause_clock(locked, now)
    return _finish(
        case=locked,
        actor=actor,
        action=A.REQUEST_SUPPLEMENT,
        transition=transition,
        now=now,
        note=note,
    )


@transaction.atomic
def case_supply(*, actor: User, case: Case, note: str = "") -> Case:
    """The applicant supplied what was asked for; the clock resumes and the due instants move
    later by the office time that passed while paused."""
    locked, transition, note, now = _step(case=case, actor=actor, action=A.SUPPLY, note=note)
    paused = _resume_clock(locked, now)
    return _finish(
        case=locked,
        actor=actor,
        action=A.SUPPLY,
        transition=transition,
        now=now,
        note=note,
        data={"paused_seconds": int(paused.total_seconds())},
    )


@transaction.atomic
def case_suspend(*, actor: User, case: Case, reason: str) -> Case:
    """Suspend handling for a statutory reason (中止); the clock pauses."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.SUSPEND,
        note=reason,
        reason_required=_("中止办理须说明理由及法律依据。"),
    )
    _pause_clock(locked, now)
    return _finish(
        case=locked, actor=actor, action=A.SUSPEND, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_resume(*, actor: User, case: Case, note: str = "") -> Case:
    locked, transition, note, now = _step(case=case, actor=actor, action=A.RESUME, note=note)
    paused = _resume_clock(locked, now)
    return _finish(
        case=locked,
        actor=actor,
        action=A.RESUME,
        transition=transition,
        now=now,
        note=note,
        data={"paused_seconds": int(paused.total_seconds())},
    )


@transaction.atomic
def case_approve(*, actor: User, case: Case, note: str = "") -> Case:
    locked, transition, note, now = _step(case=case, actor=actor, action=A.APPROVE, note=note)
    _decide(locked, now, Decision.APPROVED)
    return _finish(
        case=locked, actor=actor, action=A.APPROVE, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_deny(*, actor: User, case: Case, reason: str) -> Case:
    """Deny (不予许可); the reason and legal basis are required. The written decision is then
    issued and delivered like an approval."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.DENY,
        note=reason,
        reason_required=_("不予许可须说明理由及法律依据。"),
    )
    _decide(locked, now, Decision.DENIED)
    return _finish(
        case=locked, actor=actor, action=A.DENY, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_issue_result(*, actor: User, case: Case, note: str = "") -> Case:
    locked, transition, note, now = _step(case=case, actor=actor, action=A.ISSUE_RESULT, note=note)
    return _finish(
        case=locked, actor=actor, action=A.ISSUE_RESULT, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_deliver(*, actor: User, case: Case, note: str = "") -> Case:
    """The result reached the applicant by courier or electronically."""
    locked, transition, note, now = _step(case=case, actor=actor, action=A.DELIVER, note=note)
    return _finish(
        case=locked, actor=actor, action=A.DELIVER, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_collect(*, actor: User, case: Case, note: str = "") -> Case:
    """The applicant collected the result at the window."""
    locked, transition, note, now = _step(case=case, actor=actor, action=A.COLLECT, note=note)
    return _finish(
        case=locked, actor=actor, action=A.COLLECT, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_close(*, actor: User, case: Case, note: str = "") -> Case:
    """Close (办结); records whether the decision came within the promised time."""
    locked, transition, note, now = _step(case=case, actor=actor, action=A.CLOSE, note=note)
    _record_on_time(locked, now)
    return _finish(
        case=locked,
        actor=actor,
        action=A.CLOSE,
        transition=transition,
        now=now,
        note=note,
        data={"on_time": locked.on_time},
    )


@transaction.atomic
def case_withdraw(*, actor: User, case: Case, reason: str = "") -> Case:
    """The applicant withdraws the application before a decision."""
    locked, transition, note, now = _step(case=case, actor=actor, action=A.WITHDRAW, note=reason)
    locked.paused_at = None
    locked.closed_at = now
    return _finish(
        case=locked, actor=actor, action=A.WITHDRAW, transition=transition, now=now, note=note
    )


@transaction.atomic
def case_transfer(*, actor: User, case: Case, to_unit: Unit, reason: str) -> Case:
    """Hand the case to the competent unit (cross-region handling); its state is unchanged and
    the receiving unit is kept."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.TRANSFER,
        note=reason,
        reason_required=_("移交须说明理由。"),
    )
    if not to_unit.is_active or to_unit.pk == locked.handling_unit_id:
        raise InvalidRequest(_("请选择另一个在用的办理单位。"), code="bad_target_unit")
    from_unit = locked.handling_unit
    locked.handling_unit = to_unit
    return _finish(
        case=locked,
        actor=actor,
        action=A.TRANSFER,
        transition=transition,
        now=now,
        note=note,
        data={"from_unit": from_unit.code, "to_unit": to_unit.code},
    )


@transaction.atomic
def case_revoke(*, actor: User, case: Case, reason: str) -> Case:
    """Revoke an approval (e.g. a commitment found false at the post-check). A revoked
    commitment case is the applicant's failed commitment on record: their later commitment
    cases are always post-checked."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.REVOKE,
        note=reason,
        reason_required=_("撤销须说明理由及法律依据。"),
    )
    if locked.decision != Decision.APPROVED:
        raise IllegalTransition(_("只有准予的办件才能撤销。"))
    if locked.closed_at is None:
        locked.closed_at = now
    return _finish(
        case=locked,
        actor=actor,
        action=A.REVOKE,
        transition=transition,
        now=now,
        note=note,
        data={"commitment": locked.commitment},
    )


@transaction.atomic
def case_supervise(
    *,
    actor: User,
    case: Case,
    comment: str,
    deadline: datetime | None = None,
    escalated: bool = False,
) -> CaseSupervision:
    """督办: a supervisor comments on a case, optionally with a deadline and an escalation."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.SUPERVISE,
        note=comment,
        reason_required=_("请填写督办意见。"),
    )
    if deadline is not None and deadline <= now:
        raise InvalidRequest(_("督办期限须晚于当前时间。"), code="bad_deadline")
    supervision = CaseSupervision.objects.create(
        case=locked, supervisor=actor, comment=note, deadline=deadline, escalated=escalated
    )
    _finish(
        case=locked,
        actor=actor,
        action=A.SUPERVISE,
        transition=transition,
        now=now,
        note=note,
        public=False,
        data={"escalated": escalated, "deadline": deadline.isoformat() if deadline else None},
    )
    return supervision


# --- commitment approval follow-up (事后核查) -------------------------------------------------

#: A revocation that follows from a failed post-check is the system's consequence of the check.
_REVOKE_AFTER_FAILED_CHECK = _t({Actor.SYSTEM}, CaseState.REVOKED)


@transaction.atomic
def case_post_check(*, actor: User, case: Case, passed: bool, findings: str) -> Case:
    """Record the post-check of a commitment approval (告知承诺制事后核查).

    If the commitment proves false, the approval is revoked in the same transaction and the case
    becomes the applicant's failed commitment on record (their later commitment cases are always
    post-checked, see ``_post_check_sampled``)."""
    locked, transition, note, now = _step(
        case=case,
        actor=actor,
        action=A.POST_CHECK,
        note=findings,
        reason_required=_("请填写核查情况。"),
    )
    if not post_check_pending(locked):
        raise InvalidRequest(_("该办件没有待办的事后核查。"), code="nothing_to_check")
    locked.post_checked_at = now
    locked.post_check_result = PostCheckResult.PASSED if passed else PostCheckResult.FAILED
    locked.post_check_findings = note
    _finish(
        case=locked,
        actor=actor,
        action=A.POST_CHECK,
        transition=transition,
        now=now,
        note=note,
        public=not passed,
        data={"passed": passed},
    )
    if passed:
        return locked
    if locked.closed_at is None:
        locked.closed_at = now
    return _finish(
        case=locked,
        actor=None,
        action=A.REVOKE,
        transition=_REVOKE_AFTER_FAILED_CHECK,
        now=now,
        note=note,
        data={"commitment": True, "post_check": "failed"},
    )


# --- conditional acceptance follow-up --------------------------------------------------------


@transaction.atomic
def case_conditional_fulfil(*, actor: User, case: Case, note: str = "") -> Case:
    """The materials missing at a conditional acceptance were supplied and checked; the promise
    is kept (no reminder, no consequence any more)."""
    locked, transition, note, now = _step(
        case=case, actor=actor, action=A.FULFIL_CONDITIONAL, note=note
    )
    if not locked.conditional or locked.conditional_fulfilled_at is not None:
        raise InvalidRequest(_("该办件没有待补齐的容缺材料。"), code="nothing_to_fulfil")
    locked.conditional_fulfilled_at = now
    return _finish(
        case=locked,
        actor=actor,
        action=A.FULFIL_CONDITIONAL,
        transition=transition,
        now=now,
        note=note,
        data={"materials": locked.conditional_materials},
    )


def _consequence_action(text: str) -> CaseAction:
    """The item's configured consequence (free text in the catalogue): 中止 (without 终止)
    suspends, anything else terminates (every shipped item says 终止 or 不予…)."""
    return A.SUSPEND if "中止" in text and "终止" not in text else A.TERMINATE


@dataclass(frozen=True)
class ConditionalSweepResult:
    reminded: int
    enforced: int


def case_conditional_sweep(*, now: datetime | None = None) -> ConditionalSweepResult:
    """Remind applicants one working day before their promised supply date, and apply the
    item's consequence to cases still being handled once the date has passed. Safe to run
    twice: each case is reminded once and a consequence changes the state."""
    now = now or timezone.now()
    today = timezone.localtime(now, workdays.SHANGHAI).date()
    reminder_from = workdays.add_working_days(today, 1)
    open_states = [S.ACCEPTED, S.IN_REVIEW, S.SUPPLEMENT_REQUESTED, S.SUSPENDED]
    pending = Case.objects.filter(
        conditional=True, conditional_fulfilled_at=None, state__in=open_states
    ).exclude(conditional_supply_by=None)
    reminded = enforced = 0
    due_soon = pending.filter(
        conditional_reminded_at=None,
        conditional_supply_by__gte=today,
        conditional_supply_by__lte=reminder_from,
    )
    for case_id in due_soon.values_list("pk", flat=True):
        reminded += _conditional_remind(case_id, now)
    overdue = pending.filter(conditional_supply_by__lt=today, state__in=list(CLOCK_RUNNING_STATES))
    for case_id in overdue.values_list("pk", flat=True):
        enforced += _conditional_enforce(case_id, now)
    return ConditionalSweepResult(reminded=reminded, enforced=enforced)


@transaction.atomic
def _conditional_remind(case_id: int, now: datetime) -> int:
    case = Case.objects.select_for_update().filter(pk=case_id, conditional_reminded_at=None).first()
    if case is None:
        return 0
    case.conditional_reminded_at = now
    case.save(update_fields=["conditional_reminded_at", "updated_at"])
    supply_by = case.conditional_supply_by.isoformat() if case.conditional_supply_by else ""
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=None,
        actor_label="system",
        action="conditional_reminder",
        from_state=case.state,
        to_state=case.state,
        note=str(_("请于 %(date)s 前补齐容缺材料。") % {"date": supply_by}),
        public=True,
    )
    audit_log(actor=None, action="case.conditional_reminder", obj=case)
    _notify(case, "conditional_reminder")
    return 1


@transaction.atomic
def _conditional_enforce(case_id: int, now: datetime) -> int:
    case = Case.objects.get(pk=case_id)
    consequence = case.item_version.conditional_consequence or str(_("逾期未补正的，终止办理"))
    action = _consequence_action(consequence)
    try:
        locked, transition = _begin(case=case, actor=None, action=action)
    except IllegalTransition:
        return 0  # moved on meanwhile
    if locked.conditional_fulfilled_at is not None:
        return 0
    note = str(
        _("申请人未在承诺日期 %(date)s 前补齐容缺材料：%(consequence)s")
        % {"date": locked.conditional_supply_by, "consequence": consequence}
    )
    if action == A.SUSPEND:
        _pause_clock(locked, now)
    else:
        locked.closed_at = now
    _finish(
        case=locked,
        actor=None,
        action=action,
        transition=transition,
        now=now,
        note=note,
        data={"conditional": True},
    )
    return 1


# --- warnings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    checked: int
    changed: int


def case_warnings_sweep(*, now: datetime | None = None) -> SweepResult:
    """Recompute the warning level of every case whose clock runs; write only changes (safe to
    run twice). A raised level is logged on the timeline (staff only) and notified."""
    now = now or timezone.now()
    checked = changed = 0
    open_cases = (
        Case.objects.filter(state__in=CLOCK_RUNNING_STATES | CLOCK_PAUSED_STATES)
        .exclude(promised_due_at=None)
        .select_related("handling_unit")
        .order_by("pk")
    )
    for case in open_cases.iterator(chunk_size=500):
        checked += 1
        level = _level(case, now)
        if level != case.warning_level and _warning_set(case, level, now):
            changed += 1
    return SweepResult(checked=checked, changed=changed)


@transaction.atomic
def _warning_set(case: Case, level: WarningLevel, now: datetime) -> bool:
    updated = Case.objects.filter(pk=case.pk, warning_level=case.warning_level).update(
        warning_level=level, updated_at=now
    )
    if not updated:
        return False  # changed meanwhile; the next sweep looks again
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=None,
        actor_label="system",
        action="warning",
        from_state=case.state,
        to_state=case.state,
        public=False,
        data={"from": case.warning_level, "to": level},
    )
    audit_log(
        actor=None,
        action="case.warning",
        obj=case,
        summary={
            "before": {"warning_level": case.warning_level},
            "after": {"warning_level": level},
        },
        unit=case.handling_unit,
    )
    message_officer_warning(case=case, level=level)
    return True
