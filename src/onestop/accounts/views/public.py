"""Public login (password or SMS code), registration, real-name, my account, enterprises."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash

from .. import selectors, services
from ..choices import EnterpriseRole, UserKind
from ..forms import (
    AuthoriseAgentForm,
    BindEnterpriseForm,
    CodeForm,
    MobileForm,
    PublicLoginForm,
    RegisterForm,
    SmsLoginForm,
)
from ..middleware import pop_idle_logout_notice
from ..models import DemoSmsMessage, Enterprise, EnterpriseMembership, Person, User

View = Callable[..., HttpResponse]
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
DEMO_OUTBOX_SIZE = 20


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _add_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def person_required(view: View) -> View:
    """A logged-in public user with a real-name record (staff go to their work portal)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        user = cast(User, request.user)
        if user.kind == UserKind.STAFF:
            return redirect("workbench:inbox")
        person = selectors.person_of(user)
        if person is None:
            raise Http404
        request.person = person  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def _login_public(request: HttpRequest, user: Any, *, method: str) -> None:
    login(request, user, backend=MODEL_BACKEND)
    audit_log(actor=user, action="person.login", obj=user, summary={"method": method})


def login_view(request: HttpRequest) -> HttpResponse:
    """Password login with a mobile number or resident ID number."""
    next_url = _safe_next(request, reverse("accounts:account"))
    notice = pop_idle_logout_notice(request)
    if notice:
        messages.warning(request, notice)
    form = PublicLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        user = services.public_user_for_login(identifier)
        # Unknown identifiers are counted too, under an opaque key (never the clear value).
        username = (
            user.username
            if user is not None
            else ("?" + lookup_hash(identifier.strip().upper(), kind="login")[:32])
        )
        authenticated = authenticate(
            request=request, username=username, password=form.cleaned_data["password"]
        )
        if authenticated is None or authenticated.kind != UserKind.PUBLIC:
            form.add_error(None, _("账号或密码不正确。"))
        else:
            _login_public(request, authenticated, method="password")
            return HttpResponseRedirect(next_url)
    return render(request, "accounts/public/login.html", {"form": form, "next": next_url})


def login_sms(request: HttpRequest) -> HttpResponse:
    """Login by a code sent to the mobile: first the mobile, then the code."""
    next_url = _safe_next(request, reverse("accounts:account"))
    if request.method == "POST" and "code" in request.POST:
        form: Form = SmsLoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.login_code_check(
                    mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                _login_public(request, user, method="sms")
                return HttpResponseRedirect(next_url)
        return render(
            request,
            "accounts/public/login_sms.html",
            {"form": form, "step": "code", "next": next_url},
        )
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            services.login_code_send(mobile=mobile)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.info(
                request, _("如该手机号码已注册并完成实名认证，验证码已发送，5 分钟内有效。")
            )
            code_form = SmsLoginForm(initial={"mobile": mobile})
            return render(
                request,
                "accounts/public/login_sms.html",
                {"form": code_form, "step": "code", "next": next_url},
            )
    return render(
        request,
        "accounts/public/login_sms.html",
        {"form": form, "step": "mobile", "next": next_url},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_log(actor=request.user, action="person.logout", obj=request.user)
    logout(request)
    messages.success(request, _("您已退出登录。"))
    return redirect("portal:home")


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_register(
                name=data["name"],
                id_number=data["id_number"],
                mobile=data["mobile"],
                password=data["password1"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _login_public(request, person.user, method="register")
            _send_real_name_code(request, person)
            return redirect("accounts:verify-mobile")
    return render(request, "accounts/public/register.html", {"form": form})


def _send_real_name_code(request: HttpRequest, person: Person) -> bool:
    try:
        services.person_send_mobile_code(person=person)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return False
    messages.info(
        request, _("验证码已发送至 %(mobile)s，5 分钟内有效。") % {"mobile": person.mobile_masked}
    )
    return True


@person_required
def verify_mobile(request: HttpRequest) -> HttpResponse:
    """Real-name step: confirm the mobile with the code sent to it."""
    person: Person = request.person  # type: ignore[attr-defined]
    if person.verified_at is not None:
        messages.info(request, _("您已完成实名认证。"))
        return redirect("accounts:account")
    if request.method == "POST" and request.POST.get("action") == "resend":
        _send_real_name_code(request, person)
        return redirect("accounts:verify-mobile")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_verify_mobile(person=person, code=form.cleaned_data["code"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("实名认证已完成。"))
            return redirect("accounts:account")
    return render(request, "accounts/public/verify_mobile.html", {"form": form, "person": person})


@person_required
def account(request: HttpRequest) -> HttpResponse:
    person: Person = request.person  # type: ignore[attr-defined]
    memberships = [
        (m, selectors.membership_is_valid(m)) for m in selectors.person_memberships(person)
    ]
    return render(
        request, "accounts/public/account.html", {"person": person, "memberships": memberships}
    )


@person_required
def enterprise_bind(request: HttpRequest) -> HttpResponse:
    person: Person = request.person  # type: ignore[attr-defined]
    form = BindEnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.enterprise_bind_legal_rep(
                person=person,
                credit_code=form.cleaned_data["credit_code"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("已绑定企业：%(name)s") % {"name": membership.enterprise.name}
            )
            return redirect("accounts:enterprise", pk=membership.enterprise_id)
    return render(request, "accounts/public/enterprise_bind.html", {"form": form, "person": person})


def _my_membership(person: Person, enterprise_pk: int) -> EnterpriseMembership:
    membership = (
        EnterpriseMembership.objects.filter(person=person, enterprise_id=enterprise_pk)
        .select_related("enterprise", "person")
        .first()
    )
    if membership is None or not selectors.membership_is_valid(membership):
        raise Http404
    return membership


@person_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise the person acts for; its legal representative manages agents here."""
    person: Person = request.person  # type: ignore[attr-defined]
    membership = _my_membership(person, pk)
    enterprise: Enterprise = membership.enterprise
    is_legal_rep = membership.role == EnterpriseRole.LEGAL_REPRESENTATIVE
    form = AuthoriseAgentForm(request.POST or None) if is_legal_rep else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.enterprise_authorise_agent(
                legal_rep=person,
                enterprise=enterprise,
                agent_id_number=form.cleaned_data["agent_id_number"],
                agent_name=form.cleaned_data["agent_name"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已授权经办人。"))
            return redirect("accounts:enterprise", pk=enterprise.pk)
    agents = (
        [(m, selectors.membership_is_valid(m)) for m in selectors.enterprise_agents(enterprise)]
        if is_legal_rep
        else []
    )
    return render(
        request,
        "accounts/public/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "membership": membership,
            "is_legal_rep": is_legal_rep,
            "form": form,
            "agents": agents,
        },
    )


@require_POST
@person_required
def enterprise_revoke(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    person: Person = request.person  # type: ignore[attr-defined]
    _my_membership(person, pk)
    target = get_object_or_404(EnterpriseMembership, pk=membership_pk, enterprise_id=pk)
    try:
        services.enterprise_revoke_agent(legal_rep=person, membership=target)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已撤销 %(name)s 的经办授权。") % {"name": target.person.name})
    return redirect("accounts:enterprise", pk=pk)


def demo_outbox(request: HttpRequest) -> HttpResponse:
    """The demo SMS outbox (never in production, where real providers send)."""
    if settings.ONESTOP_ENV == "production":
        raise Http404
    messages_ = DemoSmsMessage.objects.all()[:DEMO_OUTBOX_SIZE]
    return render(request, "accounts/public/demo_outbox.html", {"sms_messages": messages_})
