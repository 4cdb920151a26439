"""Reads about cases that need more than one line of ORM."""

from __future__ import annotations

import hmac

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, Q, QuerySet, Value, When

from onestop.accounts.models import Person, User
from onestop.accounts.selectors import enterprises_person_can_act_for, scope_queryset

from .choices import WarningLevel
from .models import Case, CaseEvent
from .services import verification_code_hash


def cases_for_officer(user: User) -> QuerySet[Case]:
    """Cases whose handling unit lies in the officer's unit subtree."""
    return scope_queryset(
        Case.objects.select_related("item_version", "handling_unit"),
        user,
        unit_field="handling_unit",
    )


def cases_of_person(person: Person) -> QuerySet[Case]:
    """ "My cases": the cases the person filed (drafts included), newest first."""
    return (
        Case.objects.filter(applicant=person)
        .select_related("item_version", "handling_unit")
        .order_by("-created_at")
    )


def case_public_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The events the applicant sees (internal notes and supervision excluded)."""
    return case.events.filter(public=True).order_by("at", "id")


def case_public_lookup(*, number: str, code: str) -> Case | None:
    """The case for the public progress lookup (case number + verification code, no login);
    ``None`` when either is wrong (the caller must not say which)."""
    number = (number or "").strip().upper()
    case = Case.objects.filter(number=number).exclude(number="").first()
    expected = verification_code_hash(number, code or "")
    if case is None or not hmac.compare_digest(case.verification_code_hash, expected):
        return None
    return case


def event_action_labels() -> dict[str, str]:
    """Timeline action keys in words: every workflow action, plus the draft's creation."""
    from django.utils.translation import gettext

    from .choices import CaseAction

    return {**{k: str(v) for k, v in CaseAction.choices}, "create": gettext("创建申请")}


def event_actor_label(event: CaseEvent) -> str:
    """Who acted, for staff eyes: officers by name, the applicant as "申请人", jobs as "系统"."""
    from django.utils.translation import gettext

    actor = event.actor
    if actor is None:
        return gettext("系统") if event.actor_label == "system" else event.actor_label
    if getattr(actor, "kind", "") == "staff":
        return actor.get_full_name() or actor.get_username()
    return gettext("申请人")


def cases_in_officer_scope(user: User) -> QuerySet[Case]:
    """Submitted (numbered) cases whose handling unit lies in the officer's subtree."""
    return scope_queryset(
        Case.objects.exclude(number="")
        .select_related("item_version", "handling_unit", "applicant", "enterprise")
        .defer("applicant__id_number", "applicant__mobile"),
        user,
        unit_field="handling_unit",
    )


def order_by_urgency(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Red first, then yellow, then the earliest promised due (cases without one last)."""
    return qs.annotate(
        urgency=CaseWhen(
            When(warning_level=WarningLevel.RED, then=Value(0)),
            When(warning_level=WarningLevel.YELLOW, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        has_due=CaseWhen(
            When(promised_due_at__isnull=True, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("urgency", "has_due", "promised_due_at", "submitted_at", "pk")


def cases_person_may_see(person: Person) -> QuerySet[Case]:
    """Cases the person filed, or of an enterprise they may currently act for."""
    enterprises = [e.pk for e in enterprises_person_can_act_for(person)]
    return (
        Case.objects.filter(Q(applicant=person) | Q(enterprise__in=enterprises))
        .select_related("item_version", "handling_unit", "enterprise")
        .order_by("-created_at")
    )
