"""Payer pages: pay an order, the demo cashier, the notify endpoint, my orders, receipts, and
paying a fine by decision number and verification code without logging in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from onestop.core import workdays
from onestop.core.middleware import client_ip

from .. import receipts, selectors, services
from ..choices import OPEN_STATES, PAID_STATES
from ..contrib import demo
from ..errors import PaymentError
from ..forms import FineLookupForm
from ..models import PaymentOrder
from ..registry import get_provider, payment_providers

_SESSION_ORDERS = "payments_orders"
LOOKUP_LIMIT = 10
LOOKUP_WINDOW = 600


def _may_pay(request: HttpRequest, order: PaymentOrder) -> bool:
    if order.payer_id is not None:
        return bool(request.user.is_authenticated and request.user.pk == order.payer_id)
    return order.number in request.session.get(_SESSION_ORDERS, [])


def _order_or_404(request: HttpRequest, number: str) -> PaymentOrder:
    order = get_object_or_404(PaymentOrder.objects.select_related("unit"), number=number)
    if not _may_pay(request, order):
        if order.payer_id is not None and not request.user.is_authenticated:
            raise _LoginNeeded()
        raise Http404()
    return order


class _LoginNeeded(Exception):
    pass


def _login_guard(view: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _LoginNeeded:
            return redirect_to_login(request.get_full_path())

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _providers() -> list[tuple[str, str]]:
    get_provider()  # load the adapters
    configured = payment_providers.configured_key()
    keys = [configured] + [k for k in ("demo",) if k != configured]
    return [(k, str(payment_providers.get_class(k).label)) for k in keys]


@_login_guard
@require_http_methods(["GET", "POST"])
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    """The order, its state, and the choice of payment channel."""
    order = _order_or_404(request, number)
    qr = ""
    if request.method == "POST":
        key = request.POST.get("provider", "")
        if key not in dict(_providers()):
            messages.error(request, _("请选择支付方式。"))
            return redirect("payments:order-pay", number)
        try:
            started = services.payment_start(
                order=order,
                actor=request.user if request.user.is_authenticated else None,
                provider_key=key,
                notify_url=request.build_absolute_uri(reverse("payments:notify", args=[key])),
                return_url=request.build_absolute_uri(reverse("payments:order-pay", args=[number])),
            )
        except PaymentError as exc:
            messages.error(request, str(exc))
            return redirect("payments:order-pay", number)
        if started.redirect_url:
            return HttpResponseRedirect(started.redirect_url)
        qr = started.qr_payload
        order.refresh_from_db()
    return render(
        request,
        "payments/public/order.html",
        {
            "order": order,
            "providers": _providers(),
            "payable": order.state in OPEN_STATES and order.expires_at > timezone.now(),
            "paid": order.state in PAID_STATES,
            "qr": qr,
        },
    )


@_login_guard
@require_http_methods(["GET", "POST"])
def demo_cashier(request: HttpRequest, number: str) -> HttpResponse:
    """The demo gateway's cashier page (what a real gateway shows on its own site)."""
    order = _order_or_404(request, number)
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in {"pay", "pay_lost", "fail", "cancel", "leave"}:
            return redirect("payments:demo-cashier", number)
        copies = max(1, min(5, _int(request.POST.get("copies"), 1)))
        delay = max(0, min(3600, _int(request.POST.get("delay"), 0)))
        demo.gateway_pay(order=order, outcome=outcome, copies=copies, delay_seconds=delay)
        if outcome == "leave":
            return redirect("portal:home")
        if outcome in {"fail", "cancel"}:
            messages.warning(request, _("支付未完成，您可以重新支付。"))
        return redirect("payments:order-pay", number)
    return render(request, "payments/public/demo_cashier.html", {"order": order})


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """The gateways' asynchronous notification endpoint (one URL per provider)."""
    get_provider()
    if provider not in payment_providers:
        raise Http404()
    reply = services.payment_notice_receive(
        provider_key=provider, headers=dict(request.headers), body=request.body
    )
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)


def mine(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    orders = selectors.orders_of_user(request.user)[:200]
    return render(request, "payments/public/mine.html", {"orders": orders})


@_login_guard
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The payment receipt (PDF) of a paid order."""
    order = _order_or_404(request, number)
    if order.state not in PAID_STATES:
        raise Http404()
    response = HttpResponse(receipts.receipt_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{order.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def fine(request: HttpRequest) -> HttpResponse:
    """Pay a fine without logging in: decision number + verification code (rate-limited)."""
    form = FineLookupForm(request.POST or None)
    found = None
    error = ""
    status = 200
    if request.method == "POST":
        key = f"payments:fine:{client_ip(request) or 'unknown'}"
        cache.add(key, 0, LOOKUP_WINDOW)
        try:
            tries = cache.incr(key)
        except ValueError:
            tries = 1
        if tries > LOOKUP_LIMIT:
            error, status = _("查询过于频繁，请 10 分钟后再试。"), 429
        elif form.is_valid():
            found = selectors.fine_lookup(
                decision_number=form.cleaned_data["decision_number"],
                code=form.cleaned_data["code"],
            )
            if found is None:
                error, status = _("决定书编号或验证码不正确。"), 404
            elif request.POST.get("pay"):
                order = services.fine_order_create(fine=found)
                allowed = request.session.get(_SESSION_ORDERS, [])
                request.session[_SESSION_ORDERS] = [*allowed[-19:], order.number]
                return redirect("payments:order-pay", order.number)
        else:
            status = 400
    context: dict[str, Any] = {"form": form, "fine": found, "error": error}
    if found is not None:
        today = timezone.localtime(timezone.now(), workdays.SHANGHAI).date()
        surcharge = services.fine_surcharge_fen(found, today)
        latest = selectors.fine_order(found)
        context.update(
            surcharge_fen=surcharge,
            days_late=max(0, (today - found.due_on).days),
            total_fen=found.amount_fen + surcharge,
            paid_order=latest if latest is not None and latest.state in PAID_STATES else None,
        )
    return render(request, "payments/public/fine.html", context, status=status)
