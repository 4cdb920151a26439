"""Access control for the staff work portal: officers only, with a verified second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """The user must be an officer (kind=staff) who passed TOTP verification this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        # django_otp's OTPMiddleware adds is_verified() to the user at request time.
        if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]
            return redirect_to_login(request.get_full_path(), resolve_url(settings.STAFF_LOGIN_URL))
        if getattr(user, "kind", "") != "staff":
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
