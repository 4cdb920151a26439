"""Staff login (password, then TOTP with enrolment on first use), logout and the unit page."""

from __future__ import annotations

import base64
import time
from typing import Any, cast

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core.audit import audit_log
from onestop.workbench.permissions import staff_required

from .. import selectors
from ..choices import UserKind
from ..forms import StaffLoginForm, TotpForm
from ..middleware import pop_idle_logout_notice
from ..models import Unit, User

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PENDING_KEY = "_onestop_staff_pending"
PENDING_MAX_AGE = 5 * 60  # seconds between the password step and the code step


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, {}
    if time.time() - float(pending.get("at", 0)) > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    user_id = pending.get("user_id")
    if not isinstance(user_id, int):
        return None, {}
    user = User.objects.filter(pk=user_id, is_active=True, kind=UserKind.STAFF).first()
    return user, pending


def staff_login(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password, checked through ``authenticate`` so that django-axes
    counts failures and refuses locked accounts."""
    next_url = _safe_next(request, reverse("workbench:inbox"))
    user = request.user
    if user.is_authenticated and user.is_verified() and user.kind == UserKind.STAFF:  # type: ignore[attr-defined]
        return HttpResponseRedirect(next_url)
    notice = pop_idle_logout_notice(request)
    if notice:
        messages.warning(request, notice)
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        authenticated = authenticate(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if authenticated is None:
            form.add_error(None, _("用户名或密码不正确。"))
        elif authenticated.kind != UserKind.STAFF:
            form.add_error(
                None,
                _("民警工作台仅供公安机关工作人员登录。群众和企业用户请从门户网站登录。"),
            )
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "user_id": authenticated.pk,
                "backend": getattr(authenticated, "backend", MODEL_BACKEND),
                "at": time.time(),
                "next": next_url,
            }
            return redirect("accounts:staff-login-verify")
    return render(request, "accounts/staff/login.html", {"form": form, "next": next_url})


def _qr_svg(data: str) -> str:
    return segno.make(data, error="m").svg_inline(scale=4, title=_("身份验证器绑定二维码"))


def _lock_response(request: HttpRequest, username: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    return get_lockout_response(request, None, {"username": username})


def staff_login_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the TOTP code; an officer without a confirmed device enrols one first."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("请先输入用户名和密码。"))
        return redirect("accounts:staff-login")
    credentials = {"username": user.username}
    if AxesProxyHandler.is_locked(request, credentials):
        return _lock_response(request, user.username)

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)
    assert device is not None

    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            # django-otp's exponential back-off (1 s, 2 s, 4 s … after each wrong code).
            form.add_error(None, _("验证尝试过于频繁，请稍候几秒再试。"))
        elif device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_log(actor=user, action="staff.totp_enrol", obj=user, unit=user.unit)
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            audit_log(actor=user, action="staff.login", obj=user, unit=user.unit)
            return HttpResponseRedirect(pending.get("next") or reverse("workbench:inbox"))
        else:
            # A wrong code counts as a failed login for the lockout, like a wrong password.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _lock_response(request, user.username)
            form.add_error("code", _("动态验证码不正确，请重新输入。"))

    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "officer": user}
    if enrolling:
        context["qr_svg"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308 - segno output
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
        context["issuer"] = getattr(settings, "OTP_TOTP_ISSUER", "")
    return render(request, "accounts/staff/verify.html", context)


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        audit_log(actor=user, action="staff.logout", obj=user)
    logout(request)
    messages.success(request, _("您已安全退出民警工作台。"))
    return redirect("accounts:staff-login")


@staff_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit in the officer's subtree: its details, sub-units and staff."""
    officer = cast(User, request.user)
    unit = selectors.get_scoped_object_or_404(
        Unit.objects.select_related("parent"), officer, pk, unit_field=""
    )
    children = selectors.scope_queryset(unit.children.all(), officer, unit_field="")
    return render(
        request,
        "accounts/staff/unit_detail.html",
        {"unit": unit, "children": children, "staff": selectors.unit_staff(unit)},
    )
