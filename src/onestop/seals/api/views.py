"""Public seal API: seal information verification by seal code."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.core.middleware import client_ip

from .. import services


class SealVerifyView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("code", "")
        if not code:
            return Response(
                {"code": "missing_parameter", "detail": _("请提供印章编码。")}, status=400
            )
        seal = services.seal_lookup(code=code[:20], ip=client_ip(request))
        if seal is None:
            return Response({"found": False}, status=404)
        return Response(
            {
                "found": True,
                "code": seal.code,
                "status": seal.status,
                "status_label": seal.get_status_display(),
                "kind": seal.kind,
                "kind_label": seal.get_kind_display(),
                "enterprise": seal.enterprise.name,
                "credit_code": seal.enterprise.credit_code,
                "filed_at": seal.filed_at,
                "revoked_at": seal.revoked_at,
                "imprint_url": request.build_absolute_uri(
                    reverse("seals:imprint", args=[seal.code])
                ),
            }
        )
