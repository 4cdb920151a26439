"""Serializers of the verification API: only outcomes and counts, never register data."""

from __future__ import annotations

from rest_framework import serializers

from ..choices import JobState, PartnerPurpose, Purpose
from ..models import BatchJob


class BatchCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX with the columns 姓名 and 身份证号码.")
    purpose = serializers.CharField(
        max_length=20, help_text="Why the workers are checked: " + ", ".join(Purpose.values)
    )
    consent = serializers.BooleanField(
        help_text="The organisation attests that every listed person consented to the check."
    )


class BatchSerializer(serializers.ModelSerializer):
    state = serializers.CharField(help_text="One of " + ", ".join(JobState.values))
    purpose = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    # explicit, so that the schema does not take the database's integer bounds
    total_rows = serializers.IntegerField(min_value=0, read_only=True)
    processed_rows = serializers.IntegerField(min_value=0, read_only=True)
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = BatchJob
        fields = [
            "id",
            "state",
            "purpose",
            "total_rows",
            "processed_rows",
            "counts",
            "error",
            "created_at",
            "finished_at",
            "result_expires_at",
            "result_url",
        ]

    def get_result_url(self, job: BatchJob) -> str | None:
        if job.state != JobState.DONE:
            return None
        request = self.context.get("request")
        path = f"/api/v1/verification/batches/{job.pk}/result/"
        return request.build_absolute_uri(path) if request else path


class PartnerCheckRequestSerializer(serializers.Serializer):
    credit_code = serializers.CharField(max_length=40)
    purpose = serializers.CharField(
        max_length=20, help_text="One of " + ", ".join(PartnerPurpose.values)
    )
    purpose_detail = serializers.CharField(max_length=200)


class ListingSerializer(serializers.Serializer):
    list_kind = serializers.CharField()
    list_label = serializers.CharField()
    legal_basis = serializers.CharField()


class PartnerCheckAnswerSerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    listed = serializers.BooleanField()
    listings = ListingSerializer(many=True)


class VerificationErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
