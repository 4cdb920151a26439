"""Catalogue configuration in the admin. Published versions are read-only; edits happen on a
draft ("create draft" action), which is validated and published through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import VersionStatus
from .models import (
    InspectionListEntry,
    Material,
    NoPenaltyEntry,
    ProofRequirement,
    ServiceItem,
    ServiceItemVersion,
)


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = [
        "position",
        "name",
        "source",
        "originals",
        "copies",
        "is_key",
        "waivable",
        "ecert_replaceable",
        "trust_level",
        "note",
    ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_frozen

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "current_name", "implementing_unit", "current"]
    list_filter = ["implementing_unit__kind", "versions__category"]
    search_fields = ["code", "versions__name", "implementing_unit__name"]
    raw_id_fields = ["implementing_unit"]
    readonly_fields = ["current"]
    actions = ["create_draft"]

    @admin.display(description=_("名称"))
    def current_name(self, obj: ServiceItem) -> str:
        return obj.current.name if obj.current is not None else "—"

    @admin.action(description=_("基于当前版本创建草稿"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        for item in queryset:
            try:
                draft = services.version_create_draft(actor=request.user, item=item)  # type: ignore[arg-type]
                self.message_user(request, _("已创建草稿：%s") % draft, messages.SUCCESS)
            except ValidationError as exc:
                self.message_user(request, f"{item}: {'; '.join(exc.messages)}", messages.ERROR)


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "level",
        "max_visits",
        "channel_online",
        "promised_limit",
        "promised_limit_unit",
        "published_at",
    ]
    list_filter = [
        "status",
        "level",
        "item_type",
        "max_visits",
        "channel_online",
        "conditional_acceptance",
        "commitment_approval",
        "cross_region_scope",
    ]
    search_fields = ["name", "item__code", "keywords"]
    inlines = [MaterialInline]
    filter_horizontal = ["measures", "commitments"]
    readonly_fields = ["item", "number", "status", "published_at", "created_at"]
    actions = ["publish", "retire"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are created by import or the "create draft" action

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("发布所选草稿"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ServiceItemVersion]) -> None:
        for version in queryset:
            try:
                services.version_publish(actor=request.user, version=version)  # type: ignore[arg-type]
                self.message_user(request, _("已发布：%s") % version, messages.SUCCESS)
            except ValidationError as exc:
                self.message_user(request, f"{version}: {'; '.join(exc.messages)}", messages.ERROR)

    @admin.action(description=_("废止所选版本"))
    def retire(self, request: HttpRequest, queryset: QuerySet[ServiceItemVersion]) -> None:
        for version in queryset:
            try:
                services.version_retire(actor=request.user, version=version)  # type: ignore[arg-type]
                self.message_user(request, _("已废止：%s") % version, messages.SUCCESS)
            except ValidationError as exc:
                self.message_user(request, f"{version}: {'; '.join(exc.messages)}", messages.ERROR)


@admin.register(ProofRequirement)
class ProofRequirementAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "issuer", "region_code", "citations"]
    list_filter = ["status", "region_code"]
    search_fields = ["name", "issuer"]
    filter_horizontal = ["items"]


@admin.register(NoPenaltyEntry)
class NoPenaltyEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "violation", "unit", "region_code"]
    list_filter = ["region_code"]
    search_fields = ["code", "violation"]
    raw_id_fields = ["unit"]


@admin.register(InspectionListEntry)
class InspectionListEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "subject", "target", "frequency", "max_per_year", "unit"]
    list_filter = ["region_code"]
    search_fields = ["code", "subject", "target"]
    raw_id_fields = ["unit"]
