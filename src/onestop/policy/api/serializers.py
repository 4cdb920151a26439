from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Commitment, Measure, MeasurePart, PolicyDocument, ProgressReport


class PolicyDocumentSerializer(serializers.ModelSerializer[PolicyDocument]):
    class Meta:
        model = PolicyDocument
        fields = ["key", "issuer", "title", "date", "region_code", "disclosure"]
        read_only_fields = fields


class MeasurePartSerializer(serializers.ModelSerializer[MeasurePart]):
    class Meta:
        model = MeasurePart
        fields = [
            "number",
            "summary",
            "deadline_text",
            "deadline_date",
            "lead_units",
            "responsible_units",
        ]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer[ProgressReport]):
    class Meta:
        model = ProgressReport
        fields = ["reported_at", "unit_name", "text", "percent", "status_after"]
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    document = serializers.CharField(source="document.key", read_only=True)
    citation = serializers.CharField(read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    lead_units = serializers.ListField(child=serializers.CharField(), read_only=True)
    responsible_units = serializers.ListField(child=serializers.CharField(), read_only=True)
    commitments = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "citation",
            "document",
            "number",
            "section",
            "title",
            "summary",
            "deadline_text",
            "deadline_date",
            "lead_units",
            "responsible_units",
            "status",
            "percent",
            "overdue",
            "commitments",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_commitments(self, obj: Measure) -> list[str]:
        return [c.code for c in obj.commitments.all()]


class MeasureDetailSerializer(MeasureSerializer):
    parts = MeasurePartSerializer(many=True, read_only=True)
    progress_reports = ProgressReportSerializer(many=True, read_only=True)

    class Meta(MeasureSerializer.Meta):
        fields = [*MeasureSerializer.Meta.fields, "parts", "progress_reports"]
        read_only_fields = fields


class CommitmentSerializer(serializers.ModelSerializer[Commitment]):
    measure = serializers.CharField(source="citation", read_only=True)
    citations = serializers.ListField(child=serializers.CharField(), read_only=True)
    target = serializers.CharField(source="target_display", read_only=True)
    scope = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "code",
            "measure",
            "citations",
            "metric",
            "comparator",
            "value",
            "value_max",
            "unit",
            "target",
            "baseline_value",
            "due_date",
            "scope",
            "description",
            "source_quote",
            "measured_by",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_scope(self, obj: Commitment) -> dict:
        return obj.scope
