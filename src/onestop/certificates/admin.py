"""Admin: issuers' credit codes; certificates and keys read-only (they change through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Certificate, SigningKey, UnitIssuer


@admin.register(UnitIssuer)
class UnitIssuerAdmin(admin.ModelAdmin):
    list_display = ["unit", "credit_code", "token_algorithm", "last_serial"]
    list_filter = ["token_algorithm"]
    readonly_fields = ["last_serial"]
    search_fields = ["unit__name", "credit_code"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["identifier", "title", "issuing_unit", "status", "valid_until"]
    list_filter = ["cert_type", "status"]
    search_fields = ["identifier", "title"]
    exclude = ["pdf", "holder_id", "holder_id_hash", "token"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "kind", "algorithm", "subject", "status", "not_after"]
    list_filter = ["kind", "algorithm", "status"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
