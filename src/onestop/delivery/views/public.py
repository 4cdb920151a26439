"""Applicant pages: the delivery address of a case, the tracking timeline; the couriers'
signed tracking push endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from onestop.accounts.selectors import person_of
from onestop.cases.selectors import cases_person_may_see

from .. import selectors, services
from ..base import courier_providers, get_courier
from ..errors import DeliveryError
from ..forms import AddressForm
from ..models import Shipment


def _my_case_id(request: HttpRequest, number: str) -> int:
    person = person_of(request.user) if request.user.is_authenticated else None
    if person is None:
        raise Http404()
    case_id = (
        cases_person_may_see(person).filter(number=number).values_list("pk", flat=True).first()
    )
    if case_id is None:
        raise Http404()
    return int(case_id)


@require_http_methods(["GET", "POST"])
def address(request: HttpRequest, number: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case_id = _my_case_id(request, number)
    current = selectors.delivery_address_of(case_id)
    initial = (
        {
            "recipient": current.recipient,
            "mobile": current.mobile,
            "region_code": current.region_code,
            "address": current.address,
        }
        if current
        else {}
    )
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.delivery_address_set(
                actor=request.user,
                case_id=case_id,
                **form.cleaned_data,
            )
        except DeliveryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, str(_saved()))
            return redirect("delivery:address", number)
    return render(
        request,
        "delivery/public/address.html",
        {"form": form, "number": number, "shipments": selectors.shipments_for_case(case_id)},
    )


def _saved() -> str:
    from django.utils.translation import gettext as _

    return _("寄递地址已保存。")


def track(request: HttpRequest, number: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    shipment = get_object_or_404(Shipment, number=number)
    _my_case_id(request, shipment.case_number)
    return render(request, "delivery/public/track.html", {"shipments": [shipment]})


@csrf_exempt
@require_POST
def push(request: HttpRequest, courier: str) -> HttpResponse:
    get_courier()
    if courier not in courier_providers:
        raise Http404()
    reply = services.shipment_push_receive(
        courier_key=courier, headers=dict(request.headers), body=request.body
    )
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
