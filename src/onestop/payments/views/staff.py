"""Staff pages: orders in scope, refunds, reconciliation against provider statements."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.workbench.permissions import staff_required

from .. import selectors, services
from ..choices import MismatchKind, OrderState
from ..errors import InvalidRequest, PaymentError
from ..forms import ReconciliationForm, RefundForm
from ..models import ReconciliationRun
from ..registry import get_provider, payment_providers


@staff_required
def orders(request: HttpRequest) -> HttpResponse:
    qs = selectors.orders_for_officer(request.user)  # type: ignore[arg-type]
    state = request.GET.get("state", "")
    if state in OrderState.values:
        qs = qs.filter(state=state)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(number__icontains=query) | qs.filter(reference=query)
    return render(
        request,
        "payments/staff/orders.html",
        {"orders": qs.order_by("-created_at")[:200], "states": OrderState.choices, "state": state},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def order(request: HttpRequest, number: str) -> HttpResponse:
    found = get_object_or_404(
        selectors.orders_for_officer(request.user),  # type: ignore[arg-type]
        number=number,
    )
    may_refund = services.refund_allowed(request.user, found)  # type: ignore[arg-type]
    form = RefundForm(request.POST or None)
    if request.method == "POST":
        if not may_refund:
            raise Http404()
        if form.is_valid():
            fen = int(form.cleaned_data["amount_yuan"] * Decimal(100))
            try:
                services.refund_create(
                    actor=request.user,  # type: ignore[arg-type]
                    order=found,
                    amount_fen=fen,
                    reason=form.cleaned_data["reason"],
                    notify_url=request.build_absolute_uri(
                        reverse("payments:notify", args=[found.provider])
                    ),
                )
            except PaymentError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("退款申请已提交。"))
                return redirect("payments-staff:order", number)
    return render(
        request,
        "payments/staff/order.html",
        {
            "order": found,
            "ledger": found.ledger.all(),
            "refunds": found.refunds.all(),
            "form": form,
            "may_refund": may_refund
            and found.state in (OrderState.PAID, OrderState.PARTLY_REFUNDED),
        },
    )


def _provider_choices() -> list[tuple[str, str]]:
    get_provider()
    return [(key, str(cls.label)) for key, cls in payment_providers]


@staff_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    form = ReconciliationForm(
        request.POST or None, request.FILES or None, providers=_provider_choices()
    )
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["provider"]
        day = form.cleaned_data["day"]
        upload = form.cleaned_data["statement"]
        try:
            if upload is not None:
                text = upload.read(5_000_000).decode("utf-8-sig")
            else:
                text = get_provider(key).statement(day=day)
                if text is None:
                    raise InvalidRequest(
                        _("该支付渠道不支持自动下载对账单，请上传。"), code="no_statement"
                    )
            run = services.reconciliation_run(
                actor=request.user,  # type: ignore[arg-type]
                provider_key=key,
                day=day,
                statement=text,
            )
        except UnicodeDecodeError:
            messages.error(request, _("对账单须为 UTF-8 编码的 CSV 文件。"))
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("payments-staff:reconciliation-run", run.pk)
    runs = ReconciliationRun.objects.all()[:50]
    return render(request, "payments/staff/reconciliation.html", {"form": form, "runs": runs})


@staff_required
def reconciliation_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ReconciliationRun, pk=pk)
    items = list(run.items.all())
    return render(
        request,
        "payments/staff/reconciliation_run.html",
        {
            "run": run,
            "mismatches": [i for i in items if i.kind != MismatchKind.MATCHED],
            "matched": [i for i in items if i.kind == MismatchKind.MATCHED],
        },
    )
