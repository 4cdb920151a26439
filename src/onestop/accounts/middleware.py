"""Idle timeout: sessions end after a number of minutes without a request.

Staff sessions end after ``STAFF_IDLE_TIMEOUT_MINUTES``, public ones after
``PUBLIC_IDLE_TIMEOUT_MINUTES`` (0 disables). The user is logged out on their next request and
the login page tells them why. The last-activity stamp is kept to the minute: the session is
written when it moved by a minute or more, not on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SESSION_KEY = "_onestop_last_seen"
NOTICE_KEY = "_onestop_idle_logout"
#: The last-activity stamp moves (and the session is saved) only when it is this much older.
STAMP_RESOLUTION_SECONDS = 60


def pop_idle_logout_notice(request: HttpRequest) -> str:
    """The message to show on a login page if the previous session ended by idle timeout."""
    if request.session.pop(NOTICE_KEY, False):
        return _("您已长时间未操作，为保护账户安全已自动退出，请重新登录。")
    return ""


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
            if minutes and last_seen is not None and now - float(last_seen) > minutes * 60:
                logout(request)
                request.idle_timed_out = True  # type: ignore[attr-defined]
                # logout() flushed the session; this flag lives in the new, anonymous one.
                request.session[NOTICE_KEY] = True
            elif last_seen is None or now - float(last_seen) >= STAMP_RESOLUTION_SECONDS:
                # Written at most once a minute: a request within the minute does not rewrite
                # the session row (the timeout may end a session up to a minute early).
                request.session[SESSION_KEY] = now
        return self.get_response(request)
