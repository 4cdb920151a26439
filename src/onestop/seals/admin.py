"""Admin: the registry of licensed engraving shops (configurators add shops and operators)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import EngravingShop, Seal, SealOrder


@admin.register(EngravingShop)
class EngravingShopAdmin(admin.ModelAdmin):
    list_display = ["name", "licence_no", "region_code", "rating", "is_active"]
    list_filter = ["is_active", "region_code"]
    search_fields = ["name", "licence_no"]
    filter_horizontal = ["operators"]


@admin.register(SealOrder)
class SealOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change through the services (portal, shop portal)."""

    list_display = ["number", "enterprise", "shop", "state", "submitted_at", "elapsed_working"]
    list_filter = ["state"]
    search_fields = ["number", "enterprise__name"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    list_display = ["code", "enterprise", "kind", "status", "filed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "enterprise__name"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
