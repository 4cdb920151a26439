"""Enterprise pages (order seals, follow the order against the promise, e-seals, sign PDFs),
the engraving shop's portal, and the public verification pages (seal code, signed PDF)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import Enterprise
from onestop.accounts.selectors import enterprises_person_can_act_for
from onestop.cases.views.public import applicant_required
from onestop.core.middleware import client_ip
from onestop.core.uploads import validate_upload
from onestop.payments.selectors import service_payment_order

from .. import selectors, services
from ..choices import SealStatus
from ..forms import OrderForm, RevokeForm, SealCodeForm, SignForm, VerifyPdfForm
from ..models import EngravingShop, ESeal, Seal, SealOrder

View = Callable[..., HttpResponse]


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _my_order(request: HttpRequest, number: str) -> SealOrder:
    return get_object_or_404(selectors.orders_of_person(request.person), number=number)  # type: ignore[attr-defined]


# --- enterprise ---------------------------------------------------------------------------------


@applicant_required
def index(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    return render(
        request,
        "seals/public/index.html",
        {
            "orders": selectors.orders_of_person(person),
            "eseals": selectors.eseals_of_person(person),
        },
    )


@applicant_required
def order_new(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    enterprises = enterprises_person_can_act_for(person)
    form = OrderForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        enterprise = get_object_or_404(Enterprise, pk=form.cleaned_data["enterprise"])
        try:
            order = services.seal_order_submit(
                actor=request.user,
                person=person,
                enterprise=enterprise,
                shop=form.cleaned_data["shop"],
                kinds=form.cleaned_data["kinds"],
                handover=form.cleaned_data["handover"],
                courier_address=form.cleaned_data["courier_address"],
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("刻章订单已提交，刻制企业将尽快接单。"))
            return redirect("seals:order", number=order.number)
    return render(
        request,
        "seals/public/order_new.html",
        {"form": form, "shops": selectors.shops_with_stats(), "enterprises": enterprises},
    )


@applicant_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _my_order(request, number)
    return render(
        request,
        "seals/public/order.html",
        {
            "order": order,
            "promise": services.order_promise(order),
            "seals": order.seals.select_related("eseal"),
            "revoke_form": RevokeForm(),
            "eseal_kinds": services.ESEAL_KINDS,
            "payment": service_payment_order(f"{services.PAYMENT_REFERENCE_PREFIX}{order.pk}"),
        },
    )


@applicant_required
@require_POST
def eseal_create(request: HttpRequest, number: str, seal_pk: int) -> HttpResponse:
    order = _my_order(request, number)
    seal = get_object_or_404(Seal, pk=seal_pk, order=order)
    try:
        services.eseal_create(actor=request.user, person=request.person, seal=seal)  # type: ignore[attr-defined]
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("电子印章已制作，可在“电子签章”中使用。"))
    return redirect("seals:order", number=order.number)


@applicant_required
@require_POST
def seal_revoke(request: HttpRequest, number: str, seal_pk: int) -> HttpResponse:
    order = _my_order(request, number)
    seal = get_object_or_404(Seal, pk=seal_pk, order=order)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写注销原因。"))
    else:
        try:
            services.seal_revoke(actor=request.user, seal=seal, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("印章已注销，查验时将显示为已注销。"))
    return redirect("seals:order", number=order.number)


@applicant_required
def sign(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    eseals = list(selectors.eseals_of_person(person))
    form = SignForm(request.POST or None, request.FILES or None, eseals=eseals)
    if request.method == "POST" and form.is_valid():
        eseal = get_object_or_404(ESeal, pk=form.cleaned_data["eseal"])
        upload = form.cleaned_data["document"]
        try:
            validate_upload(upload, allowed={"pdf"})
            upload.seek(0)
            signed = services.eseal_sign_pdf(
                actor=request.user,
                person=person,
                eseal=eseal,
                pdf=upload.read(),
                document_name=upload.name,
            )
        except ValidationError as exc:
            form.add_error("document", _error_text(exc))
        else:
            response = HttpResponse(signed, content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="sealed.pdf"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
    return render(request, "seals/public/sign.html", {"form": form, "eseals": eseals})


# --- public verification ------------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    form = SealCodeForm(request.GET or None)
    seal = None
    searched = False
    if request.GET and form.is_valid():
        searched = True
        seal = services.seal_lookup(code=form.cleaned_data["code"], ip=client_ip(request))
    return render(
        request, "seals/public/verify.html", {"form": form, "seal": seal, "searched": searched}
    )


def imprint(request: HttpRequest, code: str) -> HttpResponse:
    seal = Seal.objects.filter(code=code).exclude(status=SealStatus.ENGRAVING).first()
    if seal is None or not seal.imprint:
        raise Http404
    return HttpResponse(bytes(seal.imprint), content_type="image/png")


def verify_pdf(request: HttpRequest) -> HttpResponse:
    form = VerifyPdfForm(request.POST or None, request.FILES or None)
    results = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            validate_upload(upload, allowed={"pdf"})
            upload.seek(0)
            results = services.eseal_verify_pdf(pdf=upload.read())
        except ValidationError as exc:
            form.add_error("document", _error_text(exc))
        except ValueError:
            form.add_error("document", _("无法读取该 PDF 文件。"))
    return render(request, "seals/public/verify_pdf.html", {"form": form, "results": results})


# --- engraving shop portal ----------------------------------------------------------------------


def shop_operator_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not EngravingShop.objects.filter(operators=request.user).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@shop_operator_required
def shop_queue(request: HttpRequest) -> HttpResponse:
    orders = selectors.orders_of_shop_operator(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "seals/public/shop_queue.html",
        {"orders": [(o, services.order_promise(o)) for o in orders]},
    )


@shop_operator_required
def shop_order(request: HttpRequest, number: str) -> HttpResponse:
    orders = selectors.orders_of_shop_operator(request.user)  # type: ignore[arg-type]
    order = get_object_or_404(orders, number=number)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.seal_order_accept(actor=request.user, order=order)
                messages.success(request, _("已接单。"))
            elif action == "ready":
                imprints = {}
                for seal in order.seals.all():
                    upload = request.FILES.get(f"imprint-{seal.pk}")
                    if upload is not None:
                        validate_upload(upload, allowed={"png"})
                        upload.seek(0)
                        imprints[seal.pk] = upload.read()
                services.seal_order_mark_ready(actor=request.user, order=order, imprints=imprints)
                messages.success(request, _("已标记刻制完成，印章已自动备案。"))
            elif action == "complete":
                services.seal_order_complete(actor=request.user, order=order)
                messages.success(request, _("已交付。"))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        return redirect("seals:shop-order", number=order.number)
    return render(
        request,
        "seals/public/shop_order.html",
        {"order": order, "promise": services.order_promise(order), "seals": order.seals.all()},
    )
