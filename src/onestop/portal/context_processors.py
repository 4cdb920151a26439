from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LARGE_TEXT": request.COOKIES.get("onestop_large_text") == "1",
        "DEMO_MODE": settings.ONESTOP_ENV != "production",
    }
