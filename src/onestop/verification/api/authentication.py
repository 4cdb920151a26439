"""API-key authentication for integrators: ``Authorization: Api-Key <prefix>.<secret>``.

Keys belong to an organisation (enterprise); only their SHA-256 is stored, compared in constant
time. ``request.user`` is the legal representative who created the key (for the audit trail);
``request.auth`` is the :class:`~onestop.verification.models.ApiKey`.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ..models import ApiKey
from ..services import api_key_digest

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _sep, token = header.partition(" ")
        if keyword != KEYWORD:
            return None
        token = token.strip()
        prefix, dot, _secret = token.partition(".")
        key = (
            ApiKey.objects.select_related("enterprise", "created_by__user")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
            if dot
            else None
        )
        if key is None or not hmac.compare_digest(key.key_hash, api_key_digest(token)):
            raise exceptions.AuthenticationFailed(_("接口密钥无效或已撤销。"))
        user = key.created_by.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("接口密钥无效或已撤销。"))
        return user, key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "onestop.verification.api.authentication.ApiKeyAuthentication"
    name = "verificationApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <prefix>.<secret>` — created by the enterprise's legal "
            "representative on the verification page.",
        }
