"""Admin for units, users, persons, enterprises and the demo SMS outbox.

Personal data never appears in clear: ID numbers and mobiles are shown masked, and forms take a
new value without displaying the stored one. Units are created through ``unit_create`` so that
their tree path is maintained.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.core.pii import mask_id_number

from . import identifiers, services
from .models import DemoSmsMessage, Enterprise, EnterpriseMembership, Person, Unit, User
from .selectors import scope_queryset


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "region_code", "is_active"]
    list_filter = ["kind", "region_code", "is_active"]
    search_fields = ["name", "short_name", "code", "region_code"]
    ordering = ["path"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, obj: Unit) -> str:
        return "　" * (obj.depth - 1) + obj.name

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        # Moving a unit re-paths its subtree; that is a separate operation, not an edit.
        return ["path", "parent"] if obj is not None else ["path"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scope_queryset(qs, cast(User, request.user), unit_field="")

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        unit = services.unit_create(
            actor=request.user,  # type: ignore[arg-type]
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            region_code=data["region_code"],
            parent=data.get("parent"),
            short_name=data.get("short_name", ""),
            office_hours=data["office_hours"],
            address=data.get("address", ""),
            phone=data.get("phone", ""),
        )
        obj.pk, obj.path = unit.pk, unit.path


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "kind",
        "unit",
        "police_number",
        "mobile_display",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "is_staff", "groups"]
    search_fields = ["username", "first_name", "last_name", "police_number"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["mobile_display", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "mobile_display")}),
        (_("单位与身份"), {"fields": ("kind", "unit", "police_number")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "kind", "unit", "police_number", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("手机号码"))
    def mobile_display(self, obj: User) -> str:
        return obj.mobile_masked or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request).select_related("unit")
        if request.user.is_superuser:
            return qs
        # Unit administrators manage the staff of their own subtree only.
        return scope_queryset(qs, cast(User, request.user))


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_number_display", "mobile_display", "verified_at"]
    list_filter = ["id_type", "verified_at"]
    search_fields = ["name"]
    fields = [
        "user",
        "name",
        "id_type",
        "id_number_display",
        "mobile_display",
        "verified_at",
        "verification_method",
        "created_at",
    ]
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description=_("证件号码"))
    def id_number_display(self, obj: Person) -> str:
        return obj.id_number_masked

    @admin.display(description=_("手机号码"))
    def mobile_display(self, obj: Person) -> str:
        return obj.mobile_masked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # persons register themselves (real-name verification)


class EnterpriseAdminForm(forms.ModelForm):
    legal_representative_id_input = forms.CharField(
        label=_("法定代表人身份证号码"),
        required=False,
        max_length=18,
        help_text=_("新建时必填；修改时留空则保持不变。已保存的号码不会显示。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Enterprise
        fields = [
            "credit_code",
            "name",
            "legal_representative_name",
            "region_code",
            "address",
            "registered_on",
        ]

    def clean_credit_code(self) -> str:
        return identifiers.normalise_credit_code(self.cleaned_data["credit_code"])

    def clean_legal_representative_id_input(self) -> str:
        value = self.cleaned_data.get("legal_representative_id_input", "")
        if not value:
            if self.instance.pk is None:
                raise forms.ValidationError(_("请输入法定代表人身份证号码。"))
            return ""
        return identifiers.normalise_id_number(value)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    form = EnterpriseAdminForm
    list_display = [
        "name",
        "credit_code",
        "legal_representative_name",
        "legal_rep_id_display",
        "region_code",
    ]
    search_fields = ["name", "credit_code"]
    list_filter = ["region_code"]
    readonly_fields = ["legal_rep_id_display"]

    def get_readonly_fields(self, request: HttpRequest, obj: Enterprise | None = None) -> list[str]:
        return ["legal_rep_id_display", "credit_code"] if obj is not None else []

    def get_fields(  # type: ignore[override]
        self, request: HttpRequest, obj: Enterprise | None = None
    ) -> list[str]:
        fields = ["credit_code", "name", "legal_representative_name"]
        if obj is not None:
            fields.append("legal_rep_id_display")
        return [*fields, "legal_representative_id_input", "region_code", "address", "registered_on"]

    @admin.display(description=_("法定代表人证件号码"))
    def legal_rep_id_display(self, obj: Enterprise) -> str:
        return mask_id_number(obj.legal_representative_id or "")

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        data = form.cleaned_data
        common = {
            "name": data["name"],
            "legal_representative_name": data["legal_representative_name"],
            "region_code": data.get("region_code", ""),
            "address": data.get("address", ""),
            "registered_on": data.get("registered_on"),
        }
        if change:
            services.enterprise_update(
                actor=cast(User, request.user),
                enterprise=obj,
                legal_representative_id=data.get("legal_representative_id_input", ""),
                **common,
            )
        else:
            created = services.enterprise_create(
                actor=cast(User, request.user),
                credit_code=data["credit_code"],
                legal_representative_id=data["legal_representative_id_input"],
                **common,
            )
            obj.pk = created.pk


@admin.register(EnterpriseMembership)
class EnterpriseMembershipAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "person", "role", "authorised_until", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "person__name"]
    readonly_fields = [
        "enterprise",
        "person",
        "role",
        "authorised_until",
        "authorised_by",
        "revoked_at",
        "created_at",
    ]
    fields = readonly_fields  # type: ignore[assignment]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bound and authorised by the enterprise's legal representative

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DemoSmsMessage)
class DemoSmsMessageAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "mobile_masked", "body"]
    readonly_fields = ["sent_at", "mobile_masked", "body"]
    fields = readonly_fields  # type: ignore[assignment]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
