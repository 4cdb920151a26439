"""API access for staff: verified officers only, objects scoped to the officer's unit subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from onestop.accounts.selectors import scope_queryset


class IsVerifiedOfficer(permissions.BasePermission):
    """An officer (kind=staff) whose session passed the second factor."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and getattr(user, "kind", "") == "staff"
            and getattr(user, "is_verified", lambda: False)()
        )


class UnitScopedQuerysetMixin:
    """For generic API views: ``get_queryset`` keeps only objects whose ``scope_unit_field`` lies
    in the officer's unit subtree, so other units' objects answer 404 like missing ones.
    Set ``scope_unit_field = ""`` for a queryset of units themselves."""

    scope_unit_field: str = "unit"
    permission_classes: Any = [IsVerifiedOfficer]

    def get_queryset(self) -> QuerySet[Any]:
        qs: QuerySet[Model] = super().get_queryset()  # type: ignore[misc]
        request: Request = self.request  # type: ignore[attr-defined]
        return scope_queryset(qs, request.user, unit_field=self.scope_unit_field)  # type: ignore[arg-type]
