"""Verification API for integrators, authenticated by API key (scopes and a daily quota per key).

Errors: 400 invalid input or refused file, 401 bad key, 403 missing scope or the organisation is
not (or no longer) verified and authorised, 404 not this key's job, 429 quota or rate limit.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..choices import ApiScope, Channel
from ..errors import VerificationError
from ..models import ApiKey, BatchJob
from .authentication import ApiKeyAuthentication
from .serializers import (
    BatchCreateSerializer,
    BatchSerializer,
    PartnerCheckAnswerSerializer,
    PartnerCheckRequestSerializer,
    VerificationErrorSerializer,
)

ERRORS = {
    400: OpenApiResponse(VerificationErrorSerializer, description="Invalid input or refused file"),
    401: OpenApiResponse(description="Missing or invalid API key"),
    403: OpenApiResponse(
        VerificationErrorSerializer, description="Scope missing or not authorised"
    ),
    429: OpenApiResponse(VerificationErrorSerializer, description="Quota or rate limit reached"),
}


class ServiceRefused(exceptions.APIException):
    def __init__(self, error: VerificationError) -> None:
        super().__init__(detail=error.message, code=error.code)
        self.status_code = error.status


class HasKeyScope(permissions.BasePermission):
    @property
    def message(self) -> str:
        return _("该接口密钥没有此项权限。")

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        return isinstance(key, ApiKey) and view.scope in key.scopes


class KeyView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasKeyScope]
    scope = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        try:
            services.api_key_use(key=self.key)
        except VerificationError as exc:
            raise ServiceRefused(exc) from exc

    @property
    def key(self) -> ApiKey:
        return self.request.auth  # type: ignore[return-value]


class BatchListView(KeyView):
    scope = ApiScope.BATCH
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="verification_batch_create",
        request=BatchCreateSerializer,
        responses={202: BatchSerializer, **ERRORS},
        summary="Upload a worker list for identity verification",
    )
    def post(self, request: Request) -> Response:
        data = BatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            job = services.batch_submit(
                user=request.user,  # type: ignore[arg-type]
                enterprise=self.key.enterprise,
                file=upload,
                original_name=upload.name or "",
                purpose=data.validated_data["purpose"],
                consent=data.validated_data["consent"],
                channel=Channel.API,
                api_key=self.key,
            )
        except VerificationError as exc:
            raise ServiceRefused(exc) from exc
        job.refresh_from_db()
        body = BatchSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class BatchDetailView(KeyView):
    scope = ApiScope.BATCH

    @extend_schema(
        operation_id="verification_batch_retrieve",
        responses={200: BatchSerializer, **ERRORS},
        summary="Progress and counts of a batch",
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = get_object_or_404(BatchJob, pk=job_id, api_key=self.key)
        return Response(BatchSerializer(job, context={"request": request}).data)


class BatchResultView(KeyView):
    scope = ApiScope.BATCH

    @extend_schema(
        operation_id="verification_batch_result",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **ERRORS},
        summary="The result file (CSV: row, masked name, masked ID number, outcome, reason)",
    )
    def get(self, request: Request, job_id: str) -> FileResponse:
        job = get_object_or_404(BatchJob, pk=job_id, api_key=self.key)
        try:
            handle = services.batch_result_open(
                user=request.user,  # type: ignore[arg-type]
                job=job,
                api_key=self.key,
            )
        except VerificationError as exc:
            raise ServiceRefused(exc) from exc
        response = FileResponse(
            handle, as_attachment=True, filename=f"{job.pk}.csv", content_type="text/csv"
        )
        response["Cache-Control"] = "no-store"
        return response


class PartnerCheckView(KeyView):
    scope = ApiScope.PARTNER
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="verification_partner_check",
        request=PartnerCheckRequestSerializer,
        responses={200: PartnerCheckAnswerSerializer, **ERRORS},
        summary="Is a partner enterprise on an economic-crime list?",
    )
    def post(self, request: Request) -> Response:
        data = PartnerCheckRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            answer = services.partner_check(
                user=request.user,  # type: ignore[arg-type]
                enterprise=self.key.enterprise,
                channel=Channel.API,
                api_key=self.key,
                **data.validated_data,
            )
        except VerificationError as exc:
            raise ServiceRefused(exc) from exc
        return Response(PartnerCheckAnswerSerializer(answer).data)
