from __future__ import annotations

from django import forms

from .models import ServiceItemVersion


class DraftForm(forms.ModelForm):
    """The fields an officer edits on a draft; structural fields stay with import/admin."""

    class Meta:
        model = ServiceItemVersion
        fields = [
            "name",
            "short_name",
            "summary",
            "category",
            "keywords",
            "level",
            "legal_basis",
            "conditions",
            "statutory_limit",
            "statutory_limit_unit",
            "promised_limit",
            "promised_limit_unit",
            "limit_note",
            "fee_fen",
            "fee_basis",
            "channel_online",
            "channel_window",
            "channel_kiosk",
            "channel_nearby",
            "channel_mobile",
            "max_visits",
            "cross_region_scope",
            "on_the_spot",
            "appointment_needed",
            "weekend_service",
            "conditional_acceptance",
            "conditional_supply_days",
            "conditional_consequence",
            "commitment_approval",
            "commitment_text",
            "post_check_rate",
            "delivery_window",
            "delivery_courier",
            "delivery_electronic",
            "result_type",
            "result_name",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "commitment_text": forms.Textarea(attrs={"rows": 3}),
        }
