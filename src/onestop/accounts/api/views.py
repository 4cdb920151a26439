from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.accounts.models import Unit, User

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

    def get_queryset(self) -> QuerySet[Unit]:
        qs = Unit.objects.filter(is_active=True).select_related("parent")
        region = self.request.query_params.get("region_code")
        if region:
            qs = qs.filter(region_code__startswith=region.rstrip("0") or region)
        return qs


class StaffUnitDetailView(UnitScopedQuerysetMixin, generics.RetrieveAPIView[Unit]):
    """A unit in the officer's subtree, with its staff (staff API; second factor required)."""

    serializer_class = StaffUnitSerializer
    scope_unit_field = ""
    queryset = Unit.objects.select_related("parent")
