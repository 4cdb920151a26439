"""Every write of 好差评.

``rating_submit`` (the applicant rates a finished case or a closed desk ticket, once);
a bad review opens a ``Rectification``: ``rectification_call_record`` (the named return call),
``rectification_classify`` (valid / explained / mistaken / malicious), ``rectification_close``
(the outcome, published on the statistics page), ``rectification_appeal`` and
``rectification_review`` (a mistaken or malicious review, once confirmed by a supervisor, is left
out of the statistics).

Cases are only read (``onestop.cases``' models and selectors); nothing here changes a case.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.choices import UserKind
from onestop.accounts.models import Unit, User
from onestop.accounts.selectors import officer_scope_paths
from onestop.cases.choices import CaseState
from onestop.cases.models import TERMINAL_STATES, Case
from onestop.core import workdays
from onestop.core.audit import audit_log
from onestop.desk.choices import TicketState
from onestop.desk.models import Ticket
from onestop.desk.services import is_owner

from .choices import BAD_LEVELS, AppealState, Classification, Level, RectificationState
from .conf import indicator_options, ratings_setting
from .errors import AlreadyRated, InvalidRating, InvalidState, NotAllowed, NotApplicant, NotEnded
from .models import Rating, Rectification

logger = logging.getLogger(__name__)

#: A case has ended (and may be rated) once it is in one of these states.
ENDED_CASE_STATES = frozenset(TERMINAL_STATES - {CaseState.WITHDRAWN})
SUPERVISOR_ROLE = "supervisor"


def ratings_notify(*, rating_id: int, event: str) -> None:
    """Tell the people concerned (after commit, in the message centre): ``bad_review`` → the
    rated unit's supervisors and approvers, with the rectification deadline; ``rectified`` → the
    rater (the outcome of their bad review; not for anonymous ratings)."""
    from onestop.accounts.choices import Role
    from onestop.messaging.services import message_send

    rating = (
        Rating.objects.select_related("rater", "unit", "item", "case", "ticket")
        .filter(pk=rating_id)
        .first()
    )
    if rating is None:
        return
    task = Rectification.objects.filter(rating=rating).first()
    rated = rating.case or rating.ticket
    subject = rated.number if rated is not None else ""
    title = str(rating.item) if rating.item_id else str(rating.unit)
    due = (
        timezone.localtime(task.due_at, workdays.SHANGHAI).strftime("%Y-%m-%d %H:%M")
        if task is not None
        else ""
    )
    params = {"number": subject, "title": title, "due": due}
    if event == "bad_review":
        recipients = list(
            User.objects.filter(
                unit=rating.unit,
                kind=UserKind.STAFF,
                is_active=True,
                groups__name__in=[Role.SUPERVISOR, Role.APPROVER],
            ).distinct()
        )
        link = reverse("ratings-staff:task", args=[task.pk]) if task is not None else ""
    elif event == "rectified" and rating.real_name and rating.rater_id is not None:
        recipients, link = [rating.rater], ""
    else:
        return
    for user in recipients:
        message_send(
            event=f"rating.{event}",
            channel="in_app",
            params=params,
            recipient=user,
            link=link,
            object_ref=f"ratings.rating:{rating.pk}",
            idempotency_key=f"rating:{rating.pk}:{event}:{user.pk}",
        )


def _queue(rating: Rating, event: str) -> None:
    transaction.on_commit(partial(ratings_notify, rating_id=rating.pk, event=event))


def case_has_ended(case: Case) -> bool:
    return case.state in ENDED_CASE_STATES


def _hours(unit: Unit) -> workdays.OfficeHours:
    try:
        return workdays.OfficeHours.parse(unit.office_hours)
    except ValueError:
        return workdays.OfficeHours.default()


def _target(
    actor: Any, case: Case | None, ticket: Ticket | None
) -> tuple[Unit, Any, dict[str, Any]]:
    """Check who rates what: the applicant only, only after the end (in that order)."""
    if (case is None) == (ticket is None):
        raise InvalidRating(_("请选择要评价的办件或工单。"))
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotApplicant()
    if getattr(actor, "kind", "") != UserKind.PUBLIC:
        raise NotApplicant()
    if case is not None:
        case = Case.objects.select_related("applicant", "handling_unit", "item_version").get(
            pk=case.pk
        )
        if case.applicant.user_id != actor.pk:
            raise NotApplicant()
        if not case_has_ended(case):
            raise NotEnded()
        return case.handling_unit, case.item_version.item_id, {"case": case}
    assert ticket is not None
    ticket = Ticket.objects.select_related("unit").get(pk=ticket.pk)
    if not is_owner(actor, ticket):
        raise NotApplicant()
    if ticket.state != TicketState.CLOSED:
        raise NotEnded()
    return ticket.unit, None, {"ticket": ticket}


@transaction.atomic
def rating_submit(
    *,
    actor: Any,
    level: int,
    case: Case | None = None,
    ticket: Ticket | None = None,
    indicators: Sequence[str] = (),
    comment: str = "",
    real_name: bool = True,
    now: datetime | None = None,
) -> Rating:
    """Rate a finished case or a closed desk ticket (一事一评). Refused (and nothing written)
    for anyone but the applicant, before the end, and the second time. A bad review must say
    what was wrong (an indicator or a comment) and opens a rectification task."""
    now = now or timezone.now()
    unit, item_id, target = _target(actor, case, ticket)
    if Rating.objects.filter(**target).exists():
        raise AlreadyRated()
    if level not in Level.values:
        raise InvalidRating(_("请选择评价等级。"))
    options = indicator_options(level)
    chosen = list(dict.fromkeys(indicators))
    unknown = [code for code in chosen if code not in options]
    if unknown:
        raise InvalidRating(_("评价指标无效。"))
    comment = (comment or "").strip()
    # A rating of an anonymous tip must not tie the reporter to it: never real-name, and the
    # audit event names no actor (the rater stays recorded in the row for the one-rating rule).
    sealed = "ticket" in target and target["ticket"].anonymous
    if sealed:
        real_name = False
    if level in BAD_LEVELS and not chosen and not comment:
        raise InvalidRating(_("差评请勾选问题或填写具体意见，以便整改。"))
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                rater=actor,
                level=level,
                indicators=chosen,
                comment=comment,
                real_name=real_name,
                unit=unit,
                item_id=item_id,
                created_at=now,
                **target,
            )
    except IntegrityError as exc:  # a concurrent first rating won
        raise AlreadyRated() from exc
    audit_log(
        actor=None if sealed else actor,
        action="ratings.submit",
        obj=rating,
        unit=unit,
        summary={
            "level": level,
            "target": rating.target_label,
            **({"by": "reporter"} if sealed else {}),
        },
    )
    if level in BAD_LEVELS:
        days = int(ratings_setting("rectification_days"))
        task = Rectification.objects.create(
            rating=rating,
            unit=unit,
            due_at=workdays.working_days_deadline_at(now, days, _hours(unit)).at,
            created_at=now,
        )
        audit_log(actor=None, action="ratings.rectification_open", obj=task, unit=unit)
        _queue(rating, "bad_review")
    return rating


# --- rectification --------------------------------------------------------------------------


def staff_may_handle(actor: Any, task: Rectification) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "kind", "") == UserKind.STAFF
        and any(task.unit.path.startswith(p) for p in officer_scope_paths(actor))
    )


def _locked(task: Rectification, actor: Any) -> Rectification:
    task = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("unit", "rating")
        .get(pk=task.pk)
    )
    if not staff_may_handle(actor, task):
        raise NotAllowed()
    return task


def _open(task: Rectification) -> None:
    if task.state != RectificationState.OPEN:
        raise InvalidState()


def _text(value: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidRating(message)
    return value


@transaction.atomic
def rectification_call_record(
    *, actor: User, task: Rectification, reached: bool, note: str, now: datetime | None = None
) -> Rectification:
    """Record the named return call (回访) to the rater: who called, when, what was said."""
    task = _locked(task, actor)
    _open(task)
    task.return_call_note = _text(note, _("请填写回访记录。"))
    task.return_call_at = now or timezone.now()
    task.return_call_by = actor
    task.return_call_reached = reached
    task.save()
    audit_log(
        actor=actor,
        action="ratings.return_call",
        obj=task,
        unit=task.unit,
        summary={"reached": reached},
    )
    return task


@transaction.atomic
def rectification_classify(
    *, actor: User, task: Rectification, classification: str, note: str
) -> Rectification:
    """Classify the bad review after checking the facts."""
    task = _locked(task, actor)
    _open(task)
    if classification not in Classification.values:
        raise InvalidRating(_("请选择核实类别。"))
    task.classification = classification
    task.classification_note = _text(note, _("请填写核实说明。"))
    task.save()
    audit_log(
        actor=actor,
        action="ratings.classify",
        obj=task,
        unit=task.unit,
        summary={"classification": classification},
    )
    return task


@transaction.atomic
def rectification_close(
    *, actor: User, task: Rectification, outcome: str, now: datetime | None = None
) -> Rectification:
    """Close the task with its outcome (published). A real-name bad review needs its return call
    first (100% return calls), and every task needs its classification."""
    now = now or timezone.now()
    task = _locked(task, actor)
    _open(task)
    if task.rating.real_name and task.return_call_at is None:
        raise InvalidRating(_("实名差评须先完成回访。"))
    if not task.classification:
        raise InvalidRating(_("请先核实差评类别。"))
    if task.appeal_state == AppealState.PENDING:
        raise InvalidRating(_("申诉复核尚未完成。"))
    task.outcome = _text(outcome, _("请填写整改结果。"))
    task.state = RectificationState.CLOSED
    task.closed_at = now
    task.closed_by = actor
    task.on_time = now <= task.due_at
    task.save()
    audit_log(
        actor=actor,
        action="ratings.rectification_close",
        obj=task,
        unit=task.unit,
        summary={"on_time": task.on_time, "classification": task.classification},
    )
    _queue(task.rating, "rectified")
    return task


@transaction.atomic
def rectification_appeal(*, actor: User, task: Rectification, reason: str) -> Rectification:
    """The rated unit appeals a review it found mistaken or malicious (申诉)."""
    task = _locked(task, actor)
    _open(task)
    if task.classification not in (Classification.MISTAKEN, Classification.MALICIOUS):
        raise InvalidRating(_("只有误评或恶意差评可以申诉。"))
    if task.appeal_state:
        raise InvalidState()
    task.appeal_state = AppealState.PENDING
    task.appeal_reason = _text(reason, _("请填写申诉理由。"))
    task.appeal_by = actor
    task.save()
    audit_log(actor=actor, action="ratings.appeal", obj=task, unit=task.unit)
    return task


@transaction.atomic
def rectification_review(
    *, actor: User, task: Rectification, upheld: bool, note: str
) -> Rectification:
    """A supervisor other than the appellant decides the appeal; an upheld appeal takes the
    rating out of the statistics, a rejected one makes the review count as valid."""
    task = _locked(task, actor)
    if task.appeal_state != AppealState.PENDING:
        raise InvalidState()
    if not actor.has_role(SUPERVISOR_ROLE) or actor.pk == task.appeal_by_id:
        raise NotAllowed(_("申诉须由申诉人以外的督办人复核。"))
    task.appeal_state = AppealState.UPHELD if upheld else AppealState.REJECTED
    task.appeal_decision = _text(note, _("请填写复核意见。"))
    task.appeal_decided_by = actor
    if not upheld:
        task.classification = Classification.VALID
    task.save()
    if upheld:
        Rating.objects.filter(pk=task.rating_id).update(excluded=True)
    audit_log(
        actor=actor,
        action="ratings.appeal_review",
        obj=task,
        unit=task.unit,
        summary={"upheld": upheld},
    )
    return task
