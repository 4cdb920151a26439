from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.accounts.models import Unit, User
from onestop.core.regions import region_prefix

from .permissions import UnitScopedQuerysetMixin
from .serializers import MeSerializer, StaffUnitSerializer, UnitSerializer


class MeView(APIView):
    """The logged-in user, their unit and roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer, operation_id="accounts_me")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(cast(User, request.user)).data)


class UnitListView(generics.ListAPIView[Unit]):
    """Public directory of active units (bureaus, corps, sub-bureaus, police stations)."""

    serializer_class = UnitSerializer
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "region_code",
                str,
                description="GB/T 2260 code: 450000 lists the province, 450100 the city",
            )
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Unit]:
        qs = Unit.objects.filter(is_active=True).select_related("parent")
        region = self.request.query_params.get("region_code")
        if region:
            qs = qs.filter(region_code__startswith=region_prefix(region))
        return qs


class StaffUnitDetailView(UnitScopedQuerysetMixin, generics.RetrieveAPIView[Unit]):
    """A unit in the officer's subtree, with its staff (staff API; second factor required)."""

    serializer_class = StaffUnitSerializer
    scope_unit_field = ""
    queryset = Unit.objects.select_related("parent")
