"""Reads about units and users that need more than one line of ORM."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .choices import EnterpriseRole
from .models import Enterprise, EnterpriseMembership, Person, Unit, User

M = TypeVar("M", bound=Model)


def top_level_units() -> QuerySet[Unit]:
    return Unit.objects.filter(parent__isnull=True, is_active=True).prefetch_related("children")


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.subtree_of(unit)


def officer_scope_paths(user: User) -> list[str]:
    """Unit paths whose subtrees the officer may see; platform admins see every root."""
    if not user.is_authenticated or user.kind != "staff":
        return []
    if user.is_superuser or user.has_role("platform_admin"):
        return list(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    return [user.unit.path] if user.unit is not None else []


def scope_queryset(qs: QuerySet[M], user: User, *, unit_field: str = "unit") -> QuerySet[M]:
    """Restrict ``qs`` to objects whose ``unit_field`` lies in the officer's unit subtree.

    ``unit_field=""`` scopes a queryset of units themselves."""
    paths = officer_scope_paths(user)
    if not paths:
        return qs.none()
    lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
    condition = Q()
    for path in paths:
        condition |= Q(**{lookup: path})
    return qs.filter(condition)


def get_scoped_object_or_404(
    qs: QuerySet[M], user: User, pk: object, unit_field: str = "unit"
) -> M:
    """The object ``pk`` of ``qs`` if it lies in the officer's unit subtree, else 404 (not 403:
    an officer must not learn that another unit's object exists)."""
    try:
        return scope_queryset(qs, user, unit_field=unit_field).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unit_staff(unit: Unit) -> QuerySet[User]:
    return (
        User.objects.filter(unit=unit, kind="staff")
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "username")
    )


# --- persons and enterprises ----------------------------------------------------------------


def person_of(user: User) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


def membership_is_valid(membership: EnterpriseMembership, *, on: dt.date | None = None) -> bool:
    """Whether ``membership`` lets its person act for the enterprise today (or ``on``)."""
    if membership.revoked_at is not None:
        return False
    if membership.role == EnterpriseRole.LEGAL_REPRESENTATIVE:
        return (
            membership.person.id_number_hash == membership.enterprise.legal_representative_id_hash
        )
    today = on or timezone.localdate()
    return membership.authorised_until is not None and membership.authorised_until >= today


def person_memberships(person: Person) -> list[EnterpriseMembership]:
    """Every membership of ``person`` (valid or not), enterprise and person loaded."""
    return list(
        EnterpriseMembership.objects.filter(person=person)
        .select_related("enterprise", "person")
        .order_by("enterprise__name")
    )


def enterprises_person_can_act_for(person: Person) -> list[Enterprise]:
    return [m.enterprise for m in person_memberships(person) if membership_is_valid(m)]


def person_can_act_for(person: Person, enterprise: Enterprise) -> bool:
    membership = (
        EnterpriseMembership.objects.filter(person=person, enterprise=enterprise)
        .select_related("enterprise", "person")
        .first()
    )
    return membership is not None and membership_is_valid(membership)


def enterprise_agents(enterprise: Enterprise) -> QuerySet[EnterpriseMembership]:
    return (
        EnterpriseMembership.objects.filter(enterprise=enterprise, role=EnterpriseRole.AGENT)
        .select_related("person", "enterprise")
        .order_by("-created_at")
    )
