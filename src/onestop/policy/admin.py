"""Admin for the policy data. Text corrections are made here (Django's admin history records
them); status, progress and supervision go through the staff pages and their audited services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Commitment,
    Measure,
    MeasurePart,
    PolicyDocument,
    ProgressReport,
    SupervisionNote,
)


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "issuer", "date", "region_code"]
    search_fields = ["key", "title", "issuer"]


class MeasurePartInline(admin.TabularInline):
    model = MeasurePart
    extra = 0


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ProgressReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = ["reported_at", "unit_name", "author", "percent", "status_after", "text"]


class SupervisionNoteInline(ReadOnlyInline):
    model = SupervisionNote
    fields = ["created_at", "author", "text"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "document", "section", "deadline_text", "status", "percent"]
    list_filter = ["document", "status"]
    search_fields = ["title", "summary"]
    readonly_fields = ["status", "percent", "status_changed_at"]
    inlines = [MeasurePartInline, ProgressReportInline, SupervisionNoteInline]


@admin.register(MeasurePart)
class MeasurePartAdmin(admin.ModelAdmin):
    list_display = ["__str__", "deadline_text", "deadline_date"]
    list_filter = ["measure__document"]
    search_fields = ["summary"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["measure", "unit_name", "author", "reported_at", "percent", "status_after"]
    list_filter = ["status_after", "measure__document"]


@admin.register(SupervisionNote)
class SupervisionNoteAdmin(ReadOnlyAdmin):
    list_display = ["measure", "author", "created_at"]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["code", "measure", "metric", "comparator", "value", "unit", "due_date"]
    list_filter = ["metric", "unit", "measure__document"]
    search_fields = ["code", "description", "source_quote"]
    autocomplete_fields = ["measure"]
    filter_horizontal = ["also_measures"]
