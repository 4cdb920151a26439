from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.catalogue import selectors
from onestop.catalogue.choices import Level
from onestop.catalogue.models import (
    InspectionListEntry,
    NoPenaltyEntry,
    ProofRequirement,
    ServiceItem,
    ServiceItemVersion,
)
from onestop.core.regions import region_prefix

from .serializers import (
    InspectionListEntrySerializer,
    ItemDetailSerializer,
    ItemSummarySerializer,
    NoPenaltyEntrySerializer,
    ProofRequirementSerializer,
    PublishedListSerializer,
    ShareSerializer,
)

FILTERS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="GB/T 2260 code, e.g. 450000"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
]


def _filters(request: Request) -> dict[str, str | None]:
    region = request.query_params.get("region") or None
    level = request.query_params.get("level") or None
    return {
        "region": region if region and region.isdigit() and len(region) == 6 else None,
        "level": level if level in Level.values else None,
    }


class ItemListView(generics.ListAPIView[ServiceItemVersion]):
    """Published service items (current versions), filterable; `q` searches in Chinese."""

    serializer_class = ItemSummarySerializer
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter("q", OpenApiTypes.STR, description="search text"),
            OpenApiParameter("list", OpenApiTypes.STR, enum=list(selectors.LISTS_BY_SLUG)),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ServiceItemVersion]:
        filters = _filters(self.request)
        slug = self.request.query_params.get("list")
        if slug:
            if slug not in selectors.LISTS_BY_SLUG:
                raise Http404(_("没有这个清单"))
            return selectors.list_versions(slug, **filters)
        return selectors.current_versions(**filters)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = (request.query_params.get("q") or "").strip()[:100]
        if not query:
            return super().list(request, *args, **kwargs)
        from onestop.catalogue.search import search_items

        filters = _filters(request)
        hits = search_items(query, region=filters["region"], level=filters["level"], limit=50)
        by_id = self.get_queryset().in_bulk([h.version_id for h in hits])
        ordered = [by_id[h.version_id] for h in hits if h.version_id in by_id]
        page = self.paginate_queryset(ordered)  # type: ignore[arg-type]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ItemDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ItemDetailSerializer, operation_id="catalogue_item_detail")
    def get(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(ServiceItem, pk=pk)
        if item.current_id is None:
            raise Http404(_("该事项当前没有发布的版本"))
        return Response(ItemDetailSerializer(selectors.version_detail(item.current_id)).data)


class ListIndexView(APIView):
    """The published lists with their item counts."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=FILTERS,
        responses=PublishedListSerializer(many=True),
        operation_id="catalogue_lists",
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        data = [
            {
                "slug": lst.slug,
                "title": str(lst.title),
                "citations": list(lst.citations),
                "target_share": lst.target_share,
                "count": selectors.list_versions(lst.slug, **filters).count(),
            }
            for lst in selectors.ITEM_LISTS
        ]
        return Response(PublishedListSerializer(data, many=True).data)


class ShareView(APIView):
    """Each bureau's (or, with by=unit, each implementing unit's) share of items in every list."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            *FILTERS[:1],
            OpenApiParameter("by", OpenApiTypes.STR, enum=["bureau", "unit"]),
        ],
        responses=ShareSerializer(many=True),
        operation_id="catalogue_shares",
    )
    def get(self, request: Request) -> Response:
        roots = request.query_params.get("by", "bureau") != "unit"
        rows = selectors.shares_by_unit(roots_only=roots, region=_filters(request)["region"])
        data = [
            {
                "unit": s.unit.code,
                "unit_name": s.unit.name,
                "total": s.total,
                "counts": s.counts,
                "shares": {slug: s.share(slug) for slug in s.counts},
            }
            for s in rows
        ]
        return Response(ShareSerializer(data, many=True).data)


class _RegionFilteredList(generics.ListAPIView[Any]):
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    @extend_schema(parameters=FILTERS[:1])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def filter_region(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        region = _filters(self.request)["region"]
        return qs.filter(region_code__startswith=region_prefix(region)) if region else qs


class ProofListView(_RegionFilteredList):
    """减证便民: proofs kept and abolished (guangxi-2018#20)."""

    serializer_class = ProofRequirementSerializer

    def get_queryset(self) -> QuerySet[ProofRequirement]:
        return self.filter_region(
            ProofRequirement.objects.prefetch_related("items__implementing_unit")
        )


class NoPenaltyListView(_RegionFilteredList):
    """免罚清单: first minor violations not penalised when corrected (tianjin-2021#10)."""

    serializer_class = NoPenaltyEntrySerializer

    def get_queryset(self) -> QuerySet[NoPenaltyEntry]:
        return self.filter_region(NoPenaltyEntry.objects.select_related("unit"))


class InspectionListView(_RegionFilteredList):
    """行政检查法定清单: the legal inspection list (tianjin-2021#8)."""

    serializer_class = InspectionListEntrySerializer

    def get_queryset(self) -> QuerySet[InspectionListEntry]:
        return self.filter_region(InspectionListEntry.objects.select_related("unit"))
