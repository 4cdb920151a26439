"""Read-only public API of the measures and commitments."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions

from .. import selectors
from ..choices import Metric
from ..models import Commitment, Measure
from .serializers import CommitmentSerializer, MeasureDetailSerializer, MeasureSerializer


@extend_schema_view(
    get=extend_schema(
        operation_id="policy_measures_list",
        parameters=[
            OpenApiParameter(
                "document", OpenApiTypes.STR, description="document key, e.g. tianjin-2021"
            ),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="only overdue measures"),
        ],
    )
)
class MeasureListView(generics.ListAPIView[Measure]):
    """The numbered measures of the policy documents, with status and overdue flag."""

    serializer_class = MeasureSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def get_queryset(self) -> QuerySet[Measure]:
        params = self.request.query_params
        return selectors.measure_list(
            document=params.get("document") or None,
            overdue_only=params.get("overdue") in ("1", "true"),
        ).prefetch_related("commitments")


@extend_schema_view(get=extend_schema(operation_id="policy_measures_retrieve"))
class MeasureDetailView(generics.RetrieveAPIView[Measure]):
    """One measure by citation (document key and number), with parts and progress history."""

    serializer_class = MeasureDetailSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self) -> Measure:
        return selectors.measure_get(document=self.kwargs["document"], number=self.kwargs["number"])


@extend_schema_view(
    get=extend_schema(
        operation_id="policy_commitments_list",
        parameters=[OpenApiParameter("metric", OpenApiTypes.STR, enum=Metric.values)],
    )
)
class CommitmentListView(generics.ListAPIView[Commitment]):
    """Every measurable promise of the policy documents."""

    serializer_class = CommitmentSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def get_queryset(self) -> QuerySet[Commitment]:
        return selectors.commitment_list(metric=self.request.query_params.get("metric") or None)


@extend_schema_view(get=extend_schema(operation_id="policy_commitments_retrieve"))
class CommitmentDetailView(generics.RetrieveAPIView[Commitment]):
    serializer_class = CommitmentSerializer
    permission_classes = [permissions.AllowAny]

    def get_object(self) -> Commitment:
        return selectors.commitment_get(code=self.kwargs["code"])
