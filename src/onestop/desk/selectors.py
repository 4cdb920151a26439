"""Reads of the desk that need more than one line of ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from onestop.accounts.models import User
from onestop.accounts.selectors import officer_scope_paths

from .choices import TicketAction, TicketKind, TicketState
from .models import Liaison, Ticket
from .services import owner_hash_of

#: Columns that never leave the database for lists (the sealed identity, contact numbers).
_SECRET = ("sealed_identity", "contact_mobile")


def tickets_for_officer(user: User) -> QuerySet[Ticket]:
    """Tickets of the officer's unit subtree or assigned to them: green channel first, then
    escalated, then the earliest due."""
    paths = officer_scope_paths(user)
    condition = Q(officer=user)
    for path in paths:
        condition |= Q(unit__path__startswith=path)
    return (
        Ticket.objects.filter(condition)
        .select_related("unit", "officer", "enterprise")
        .defer(*_SECRET)
        .order_by("-green", "-escalation_level", "due_at", "pk")
    )


def tickets_of_user(user: Any) -> QuerySet[Ticket]:
    """ "My tickets": the ones the user filed, anonymous tips included, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(
            Q(reporter=user) | Q(reporter__isnull=True, owner_hash=owner_hash_of(user))
        )
        .select_related("unit", "enterprise")
        .defer(*_SECRET)
        .order_by("-submitted_at")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    who: str
    note: str


def ticket_timeline(ticket: Ticket, *, staff: bool) -> list[TimelineEntry]:
    """The ticket's timeline in words. The asker sees public entries and "工作人员" for
    officers; staff see every entry, with officers' names (never an anonymous reporter's)."""
    events = ticket.events.select_related("actor").order_by("at", "id")
    if not staff:
        events = events.filter(public=True)
    labels = dict(TicketAction.choices)
    entries = []
    for event in events:
        if event.actor_label == "reporter":
            who = gettext("匿名举报人") if ticket.anonymous else gettext("提交人")
        elif event.actor_label in ("system", ""):
            who = gettext("系统")
        elif staff:
            who = event.actor_label
        else:
            who = gettext("工作人员")
        entries.append(
            TimelineEntry(
                at=event.at,
                label=str(labels.get(event.action, event.action)),
                who=who,
                note=event.note,
            )
        )
    return entries


def liaison_directory(*, level: str = "", police_type: str = "") -> QuerySet[Liaison]:
    qs = Liaison.objects.filter(is_active=True).select_related("unit")
    if level:
        qs = qs.filter(level=level)
    if police_type:
        qs = qs.filter(police_type=police_type)
    return qs


@dataclass(frozen=True)
class KindStats:
    kind: str
    label: str
    total: int
    closed: int
    replied: int
    on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.replied if self.replied else None


def ticket_stats(*, since: datetime | None = None) -> list[KindStats]:
    """Ticket volumes and the on-time rate of first replies, per kind (public statistics)."""
    qs = Ticket.objects.all()
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    rows = {
        row["kind"]: row
        for row in qs.values("kind").annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(state=TicketState.CLOSED)),
            replied=Count("pk", filter=Q(first_reply_on_time__isnull=False)),
            on_time=Count("pk", filter=Q(first_reply_on_time=True)),
        )
    }
    result = []
    for value, label in TicketKind.choices:
        row = rows.get(value, {})
        result.append(
            KindStats(
                kind=value,
                label=str(label),
                total=row.get("total", 0),
                closed=row.get("closed", 0),
                replied=row.get("replied", 0),
                on_time=row.get("on_time", 0),
            )
        )
    return result
