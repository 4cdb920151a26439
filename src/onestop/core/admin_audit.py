"""A read-only admin for the audit log: nobody adds, changes or deletes events here.

Imported by ``onestop.core.admin``.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from onestop.core.models import AuditEvent
from onestop.core.models.audit import AuditEventQuerySet


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("=actor_label", "action", "=object_id", "object_repr", "request_id")
    date_hierarchy = "occurred_at"
    list_select_related = False
    show_full_result_count = False
    readonly_fields = tuple(f.name for f in AuditEvent._meta.fields)

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        user: Any = request.user
        if user.is_superuser or user.has_role("platform_admin"):
            return qs
        from onestop.accounts.selectors import officer_scope_paths

        return cast(AuditEventQuerySet, qs).within_unit_paths(officer_scope_paths(user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        return bool(
            user.is_active
            and user.is_staff
            and (user.has_perm("core.view_auditevent") or user.has_perm("core.search_auditevent"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
