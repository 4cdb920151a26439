"""Idle timeout: staff sessions end after STAFF_IDLE_TIMEOUT_MINUTES without a request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "_onestop_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            minutes = (
                settings.STAFF_IDLE_TIMEOUT_MINUTES
                if getattr(user, "kind", "") == "staff"
                else settings.PUBLIC_IDLE_TIMEOUT_MINUTES
            )
            now = time.time()
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - float(last_seen) > minutes * 60:
                logout(request)
                request.idle_timed_out = True  # type: ignore[attr-defined]
            else:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
