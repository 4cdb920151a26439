"""Admin for the desk: configuration (liaisons, routing rules) is edited here; tickets are
read-only and never show the sealed identity of an anonymous reporter."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DeskAssignment, Liaison, Supervisor, Ticket, WindowEvaluation


@admin.register(Liaison)
class LiaisonAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "level", "police_type", "phone", "is_active")
    list_filter = ("level", "police_type", "is_active")
    raw_id_fields = ("unit", "officer")


@admin.register(DeskAssignment)
class DeskAssignmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "officer", "enterprise", "region_code", "kind", "is_active")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("unit", "officer", "enterprise")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "state", "unit", "green", "escalation_level", "due_at")
    list_filter = ("kind", "state", "green", "source")
    search_fields = ("number",)
    fields = (
        "number",
        "kind",
        "source",
        "state",
        "title",
        "unit",
        "green",
        "submitted_at",
        "due_at",
        "replied_at",
        "closed_at",
        "escalation_level",
        "anonymous",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Supervisor)
class SupervisorAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "organisation", "unit", "term_end", "is_active")
    list_filter = ("category", "is_active")
    exclude = ("mobile",)
    raw_id_fields = ("unit", "user")


@admin.register(WindowEvaluation)
class WindowEvaluationAdmin(admin.ModelAdmin):
    list_display = ("unit", "year", "score", "result")
    list_filter = ("year", "result")
    readonly_fields = ("unit", "year", "score", "result", "notes", "evaluated_by")
