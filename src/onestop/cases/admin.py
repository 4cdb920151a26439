"""Read-only admin for cases: every change goes through the services (the workbench)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Case, CaseEvent, CaseMaterial, CaseSupervision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor_label", "action", "from_state", "to_state", "note", "public")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseMaterialInline(admin.TabularInline):
    model = CaseMaterial
    extra = 0
    can_delete = False
    fields = (
        "position",
        "name",
        "kind",
        "size",
        "display_name",
        "waived",
        "supply_by",
        "supplement",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item_version", "handling_unit", "state", "warning_level"]
    list_filter = ["state", "warning_level", "conditional", "commitment"]
    search_fields = ["number"]
    exclude = ["verification_code_hash", "idempotency_key"]
    inlines = [CaseMaterialInline, CaseEventInline]


@admin.register(CaseSupervision)
class CaseSupervisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "supervisor", "deadline", "escalated", "created_at"]
