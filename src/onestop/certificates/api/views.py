"""Public certificate API (no login): verification, published keys, signed status list."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onestop.core.middleware import client_ip

from .. import services
from ..choices import ScanChannel, TokenAlgorithm


class VerificationSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    valid = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    signature_checked = serializers.BooleanField()
    signature_valid = serializers.BooleanField()
    signing_key_revoked = serializers.BooleanField()
    identifier = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    type = serializers.CharField(required=False)
    holder = serializers.CharField(required=False, help_text="masked")
    holder_id = serializers.CharField(required=False, help_text="masked")
    issuer = serializers.CharField(required=False)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)


class VerifyView(APIView):
    """Verify a certificate by identifier or by the QR token; each call is logged."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("identifier", OpenApiTypes.STR, required=False),
            OpenApiParameter("token", OpenApiTypes.STR, required=False),
        ],
        responses=VerificationSerializer,
    )
    def get(self, request: Request) -> Response:
        identifier = request.query_params.get("identifier", "")
        token = request.query_params.get("token", "")
        if not identifier and not token:
            return Response(
                {"code": "missing_parameter", "detail": _("请提供证照标识或二维码令牌。")},
                status=400,
            )
        result = services.certificate_verify(
            identifier=identifier[:200],
            token=token[:4000],
            channel=ScanChannel.API,
            ip=client_ip(request),
        )
        return Response(result.public_dict())


class KeysView(APIView):
    """The issuers' public keys and the platform root (for offline verification)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(services.published_keys())


class StatusListView(APIView):
    """A signed JWS listing every certificate that is not valid and every revoked key: signed by
    the platform root (ES256, default) or, with ``alg=SM2``, by the platform SM2 status-list key
    (for ``verify_offline_sm2.py``)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "alg", OpenApiTypes.STR, required=False, enum=list(TokenAlgorithm.values)
            )
        ],
        responses={(200, "application/jose"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        algorithm = request.query_params.get("alg", TokenAlgorithm.ES256)
        if algorithm not in TokenAlgorithm.values:
            return Response(
                {"code": "bad_algorithm", "detail": _("不支持该签名算法。")}, status=400
            )
        response = HttpResponse(
            services.status_list_token(algorithm=algorithm), content_type="application/jose"
        )
        response["Cache-Control"] = "public, max-age=300"
        return response
