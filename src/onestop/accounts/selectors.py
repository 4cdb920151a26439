"""Reads about units and users that need more than one line of ORM."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from .models import Unit, User

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
    return [user.unit.path] if user.unit_id else []


def scope_queryset(qs: QuerySet[M], user: User, *, unit_field: str = "unit") -> QuerySet[M]:
    """Restrict ``qs`` to objects whose ``unit_field`` lies in the officer's unit subtree."""
    paths = officer_scope_paths(user)
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{unit_field}__path__startswith": path})
    return qs.filter(condition)
