"""Case API serializers: requests are plain serializers, responses read-only model views."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onestop.core.api import CachedFieldsMixin
from onestop.core.pii import mask_name

from .. import selectors, services
from ..models import Case, CaseEvent, CaseMaterial


class CaseCreateSerializer(serializers.Serializer[Any]):
    """A new application. Materials are not uploaded through the API."""

    item_id = serializers.IntegerField(min_value=1)
    form_data = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)
    delivery = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    enterprise = serializers.IntegerField(required=False, allow_null=True, default=None)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="Submit at once instead of keeping a draft."
    )
    commitment_signed = serializers.BooleanField(required=False, default=False)


class CaseSubmitSerializer(serializers.Serializer[Any]):
    commitment_signed = serializers.BooleanField(required=False, default=False)


class CaseWithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MaterialUploadSerializer(serializers.Serializer[Any]):
    """Multipart: one file for one of the item version's materials (``material_id``)."""

    material_id = serializers.IntegerField()
    file = serializers.FileField(max_length=255, allow_empty_file=True)


class SupplyUploadSerializer(serializers.Serializer[Any]):
    """Multipart: the supplement file answering a 补正 request, with an optional note."""

    file = serializers.FileField(max_length=255, allow_empty_file=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CaseMaterialSerializer(CachedFieldsMixin, serializers.ModelSerializer[CaseMaterial]):
    class Meta:
        model = CaseMaterial
        fields = [
            "id",
            "material_id",
            "name",
            "display_name",
            "kind",
            "size",
            "sha256",
            "waived",
            "supply_by",
            "supplement",
            "uploaded_at",
        ]
        read_only_fields = fields


class StaffActionSerializer(serializers.Serializer[Any]):
    """Inputs of every staff action; each action reads only its own (see the action's page form):
    ``note`` (most), ``reason`` (refuse, suspend, deny, revoke, transfer, request_supplement),
    ``missing_materials`` + ``supply_by`` (accept, 容缺), ``materials`` (request_supplement),
    ``to_unit`` (transfer), ``comment`` + ``deadline`` + ``escalated`` (supervise),
    ``result`` (``passed``/``failed``) + ``findings`` (post_check)."""

    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    missing_materials = serializers.ListField(child=serializers.IntegerField(), required=False)
    supply_by = serializers.DateField(required=False, allow_null=True)
    materials = serializers.ListField(child=serializers.CharField(), required=False)
    to_unit = serializers.IntegerField(required=False)
    comment = serializers.CharField(required=False, allow_blank=True)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    escalated = serializers.BooleanField(required=False)
    result = serializers.ChoiceField(choices=["passed", "failed"], required=False)
    findings = serializers.CharField(required=False, allow_blank=True)


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()


class EventSerializer(CachedFieldsMixin, serializers.ModelSerializer[CaseEvent]):
    action_label = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["at", "action", "action_label", "from_state", "to_state", "note"]
        read_only_fields = fields

    def get_action_label(self, obj: CaseEvent) -> str:
        return selectors.event_action_label(obj.action)


class CaseSummarySerializer(CachedFieldsMixin, serializers.ModelSerializer[Case]):
    item_code = serializers.CharField(source="item_version.item.code", read_only=True)
    item_name = serializers.CharField(source="item_version.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    handling_unit = serializers.CharField(source="handling_unit.name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "item_code",
            "item_name",
            "state",
            "state_label",
            "handling_unit",
            "enterprise",
            "delivery",
            "created_at",
            "submitted_at",
            "promised_due_at",
            "decision",
            "closed_at",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSummarySerializer):
    """The applicant's view: form data, public timeline, and the actions open to them now.
    ``verification_code`` (for the public progress lookup) is given once, in the submit answer."""

    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    verification_code = serializers.SerializerMethodField()
    materials = CaseMaterialSerializer(many=True, read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "form_data",
            "eligibility",
            "materials",
            "commitment",
            "conditional",
            "conditional_supply_by",
            "timeline",
            "allowed_actions",
            "verification_code",
        ]
        read_only_fields = fields

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, obj: Case) -> Any:
        return EventSerializer(selectors.case_public_timeline(obj), many=True).data

    def get_allowed_actions(self, obj: Case) -> list[str]:
        return [str(a.value) for a in services.allowed_actions(obj, self.context["request"].user)]

    def get_verification_code(self, obj: Case) -> str | None:
        return getattr(obj, "verification_code", "") or None


class StaffCaseSummarySerializer(CaseSummarySerializer):
    applicant_name = serializers.SerializerMethodField()
    enterprise_name = serializers.SerializerMethodField()

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "applicant_name",
            "enterprise_name",
            "warning_level",
            "accepted_at",
            "statutory_due_at",
        ]
        read_only_fields = fields

    def get_applicant_name(self, obj: Case) -> str:
        return mask_name(obj.applicant.name)

    def get_enterprise_name(self, obj: Case) -> str:
        return obj.enterprise.name if obj.enterprise else ""


class StaffEventSerializer(EventSerializer):
    actor = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "actor", "public"]
        read_only_fields = fields

    def get_actor(self, obj: CaseEvent) -> str:
        return selectors.event_actor_label(obj)


class StaffCaseDetailSerializer(StaffCaseSummarySerializer):
    events = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(StaffCaseSummarySerializer.Meta):
        fields = [
            *StaffCaseSummarySerializer.Meta.fields,
            "form_data",
            "eligibility",
            "channel",
            "commitment",
            "post_check_required",
            "post_check_result",
            "post_checked_at",
            "conditional",
            "conditional_materials",
            "conditional_supply_by",
            "paused_at",
            "on_time",
            "events",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_events(self, obj: Case) -> Any:
        events = obj.events.select_related("actor").order_by("at", "id")
        return StaffEventSerializer(events, many=True).data

    def get_allowed_actions(self, obj: Case) -> list[str]:
        user = self.context["request"].user
        return [str(a.value) for a in services.allowed_actions(obj, user)]
