"""Admin: templates are editable with a live preview; the outbox and registers are read-only
(changes go through the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .defaults import EVENTS
from .models import Message, MessageTemplate, OptOut, RegisterDocument, TowedVehicleNotice
from .rendering import render, template_check


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = [
            "event",
            "language",
            "channel",
            "subject",
            "body",
            "provider_template_code",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        spec = EVENTS.get(data.get("event", ""))
        if spec is None:
            self.add_error(
                "event",
                _("未知的事件代码。可用：%(codes)s") % {"codes": ", ".join(sorted(EVENTS))},
            )
            return data
        for name in ("subject", "body"):
            try:
                template_check(data.get(name) or "", allowed=spec.params)
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["event", "channel", "language", "subject", "is_active", "updated_at"]
    list_filter = ["channel", "language", "is_active"]
    search_fields = ["event", "subject", "body"]
    readonly_fields = ["placeholders", "preview"]

    @admin.display(description=_("可用占位符"))
    def placeholders(self, obj: MessageTemplate) -> str:
        spec = EVENTS.get(obj.event) if obj and obj.pk else None
        if spec is None:
            return "—"
        return format_html_join(
            ", ", "<code>{{{}}}</code> ({})", sorted((k, v) for k, v in spec.samples.items())
        )

    @admin.display(description=_("预览（示例参数）"))
    def preview(self, obj: MessageTemplate) -> str:
        spec = EVENTS.get(obj.event) if obj and obj.pk else None
        if spec is None:
            return str(_("保存后显示预览"))
        return format_html(
            '<div class="message-preview"><strong>{}</strong>'
            '<p style="white-space:pre-wrap">{}</p></div>',
            render(obj.subject, spec.samples),
            render(obj.body, spec.samples),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event",
        "channel",
        "address_masked",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["event", "idempotency_key", "provider_message_id"]
    exclude = ["address", "address_hash", "claim_token"]


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdmin):
    list_display = ["mobile_masked", "created_at"]
    exclude = ["mobile_hash"]


@admin.register(RegisterDocument)
class RegisterDocumentAdmin(ReadOnlyAdmin):
    list_display = ["doc_type", "number_masked", "holder_name", "expires_on"]
    list_filter = ["doc_type"]
    exclude = ["holder_mobile", "holder_mobile_hash", "number_hash"]
    show_full_result_count = False


@admin.register(TowedVehicleNotice)
class TowedVehicleNoticeAdmin(ReadOnlyAdmin):
    list_display = ["plate", "towed_at", "yard_name", "unit"]
    exclude = ["keeper_mobile", "keeper_mobile_hash"]
