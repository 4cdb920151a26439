from __future__ import annotations

from rest_framework import serializers

from onestop.accounts.models import Unit
from onestop.catalogue.models import (
    InspectionListEntry,
    Material,
    NoPenaltyEntry,
    ProofRequirement,
    ServiceItemVersion,
)
from onestop.policy.models import Commitment


class MaterialSerializer(serializers.ModelSerializer[Material]):
    class Meta:
        model = Material
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
        read_only_fields = fields


class ItemSummarySerializer(serializers.ModelSerializer[ServiceItemVersion]):
    id = serializers.IntegerField(source="item_id", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    code = serializers.CharField(source="item.code", read_only=True)
    implementation_code = serializers.CharField(source="item.implementation_code", read_only=True)
    implementing_unit = serializers.CharField(source="item.implementing_unit.code", read_only=True)
    implementing_unit_name = serializers.CharField(
        source="item.implementing_unit.name", read_only=True
    )
    region_code = serializers.CharField(source="item.implementing_unit.region_code", read_only=True)
    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    deliveries = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ServiceItemVersion
        fields = [
            "id",
            "version",
            "code",
            "implementation_code",
            "name",
            "short_name",
            "item_type",
            "category",
            "implementing_unit",
            "implementing_unit_name",
            "region_code",
            "level",
            "statutory_limit",
            "statutory_limit_unit",
            "promised_limit",
            "promised_limit_unit",
            "fee_fen",
            "channels",
            "max_visits",
            "cross_region_scope",
            "on_the_spot",
            "weekend_service",
            "conditional_acceptance",
            "commitment_approval",
            "deliveries",
            "citations",
        ]
        read_only_fields = fields


class ItemDetailSerializer(ItemSummarySerializer):
    materials = MaterialSerializer(many=True, read_only=True)
    measures = serializers.SerializerMethodField()
    commitments: serializers.RelatedField[Commitment, str, str] | serializers.ManyRelatedField = (
        serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    )

    class Meta(ItemSummarySerializer.Meta):
        fields = [
            *ItemSummarySerializer.Meta.fields,
            "summary",
            "legal_basis",
            "conditions",
            "limit_note",
            "fee_basis",
            "appointment_needed",
            "conditional_supply_days",
            "conditional_consequence",
            "commitment_text",
            "post_check_rate",
            "result_type",
            "result_name",
            "form_schema",
            "eligibility_rules",
            "materials",
            "measures",
            "commitments",
            "published_at",
        ]
        read_only_fields = fields

    def get_measures(self, obj: ServiceItemVersion) -> list[str]:
        return sorted(m.citation for m in obj.measures.all())


class PublishedListSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    citations = serializers.ListField(child=serializers.CharField())
    target_share = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class ShareSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_name = serializers.CharField()
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    shares = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=3))


class ProofRequirementSerializer(serializers.ModelSerializer[ProofRequirement]):
    items = serializers.SerializerMethodField()

    class Meta:
        model = ProofRequirement
        fields = [
            "id",
            "name",
            "status",
            "issuer",
            "legal_basis",
            "replacement",
            "region_code",
            "citations",
            "items",
        ]
        read_only_fields = fields

    def get_items(self, obj: ProofRequirement) -> list[str]:
        return [item.implementation_code for item in obj.items.all()]


class NoPenaltyEntrySerializer(serializers.ModelSerializer[NoPenaltyEntry]):
    unit: serializers.RelatedField[Unit, str, str] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = NoPenaltyEntry
        fields = [
            "code",
            "violation",
            "legal_basis",
            "conditions",
            "correction_period",
            "unit",
            "region_code",
            "citations",
        ]
        read_only_fields = fields


class InspectionListEntrySerializer(serializers.ModelSerializer[InspectionListEntry]):
    unit: serializers.RelatedField[Unit, str, str] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = InspectionListEntry
        fields = [
            "code",
            "subject",
            "target",
            "legal_basis",
            "frequency",
            "max_per_year",
            "focus",
            "method",
            "unit",
            "region_code",
            "citations",
        ]
        read_only_fields = fields
