"""好差评 API: the applicant rates a finished case or closed desk ticket; anyone reads the
statistics. Refusals: 403 (not the applicant), 409 (not ended yet, or already rated), 400."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.cases.models import Case
from onestop.desk.api.views import Conflict, IsPublicUser
from onestop.desk.models import Ticket

from .. import selectors, services
from ..errors import AlreadyRated, NotApplicant, NotEnded, RatingError
from ..models import Rating


class RateSerializer(serializers.Serializer[Any]):
    case = serializers.CharField(required=False, allow_blank=True, default="")
    ticket = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.IntegerField(min_value=1, max_value=5)
    indicators = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    real_name = serializers.BooleanField(required=False, default=True)


class RatingSerializer(serializers.ModelSerializer[Rating]):
    target = serializers.CharField(source="target_label", read_only=True)
    rectification_due_at = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = (
            "id",
            "target",
            "level",
            "indicators",
            "comment",
            "real_name",
            "created_at",
            "rectification_due_at",
        )
        read_only_fields = fields

    def get_rectification_due_at(self, rating: Rating) -> str | None:
        task = getattr(rating, "rectification", None)
        return task.due_at.isoformat() if task else None


class RateView(APIView):
    permission_classes = [IsPublicUser]

    @extend_schema(
        request=RateSerializer,
        responses={
            201: RatingSerializer,
            400: OpenApiResponse(description="Invalid input"),
            403: OpenApiResponse(description="Not the applicant"),
            409: OpenApiResponse(description="Not ended yet, or already rated"),
        },
    )
    def post(self, request: Request) -> Response:
        body = RateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = Case.objects.filter(number=data["case"]).first() if data["case"] else None
        ticket = Ticket.objects.filter(number=data["ticket"]).first() if data["ticket"] else None
        if (data["case"] and case is None) or (data["ticket"] and ticket is None):
            raise exceptions.NotFound()
        try:
            rating = services.rating_submit(
                actor=request.user,
                case=case,
                ticket=ticket,
                level=data["level"],
                indicators=data["indicators"],
                comment=data["comment"],
                real_name=data["real_name"],
            )
        except RatingError as error:
            detail = {"detail": str(error), "code": error.code}
            if isinstance(error, NotApplicant):
                raise exceptions.PermissionDenied(detail) from None
            if isinstance(error, AlreadyRated | NotEnded):
                raise Conflict(detail) from None
            raise exceptions.ValidationError(detail) from None
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class StatsRowSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    total = serializers.IntegerField()
    by_level = serializers.DictField(child=serializers.IntegerField())
    bad = serializers.IntegerField()
    rectified = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)
    rectification_rate = serializers.FloatField(allow_null=True)
    return_call_rate = serializers.FloatField(allow_null=True)


class StatsView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiResponse(description="totals, by_unit, by_item")})
    def get(self, request: Request) -> Response:
        return Response(
            {
                "totals": StatsRowSerializer(selectors.rating_totals()).data,
                "by_unit": StatsRowSerializer(selectors.rating_stats_by_unit(), many=True).data,
                "by_item": StatsRowSerializer(selectors.rating_stats_by_item(), many=True).data,
            }
        )
