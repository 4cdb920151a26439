"""Staff pages: shipments in scope, sending a case result, the demo courier's steps."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop.cases.selectors import cases_in_officer_scope
from onestop.workbench.permissions import staff_required

from .. import selectors, services
from ..contrib import demo
from ..errors import DeliveryError
from ..forms import ShipmentCreateForm


@staff_required
@require_http_methods(["GET", "POST"])
def shipments(request: HttpRequest) -> HttpResponse:
    form = ShipmentCreateForm(
        request.POST or None, initial={"case_number": request.GET.get("case", "")[:32]}
    )
    if request.method == "POST" and form.is_valid():
        case_id = (
            cases_in_officer_scope(request.user)  # type: ignore[arg-type]
            .filter(number=form.cleaned_data["case_number"].strip())
            .values_list("pk", flat=True)
            .first()
        )
        if case_id is None:
            form.add_error("case_number", _("本单位范围内没有该办件。"))
        else:
            try:
                shipment = services.shipment_create_for_case(
                    case_id=case_id,
                    actor=request.user,  # type: ignore[arg-type]
                    contents=form.cleaned_data["contents"],
                )
            except DeliveryError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("delivery-staff:shipment", shipment.number)
    rows = selectors.shipments_for_officer(request.user)[:200]  # type: ignore[arg-type]
    return render(request, "delivery/staff/shipments.html", {"form": form, "shipments": rows})


@staff_required
def shipment(request: HttpRequest, number: str) -> HttpResponse:
    found = get_object_or_404(
        selectors.shipments_for_officer(request.user).prefetch_related("events"),  # type: ignore[arg-type]
        number=number,
    )
    return render(
        request, "delivery/staff/shipment.html", {"shipment": found, "shipments": [found]}
    )


@staff_required
@require_POST
def demo_advance(request: HttpRequest, number: str) -> HttpResponse:
    """Play the demo courier's next step (only for shipments sent by the demo courier)."""
    found = get_object_or_404(
        selectors.shipments_for_officer(request.user),  # type: ignore[arg-type]
        number=number,
        courier="demo",
    )
    if not demo.advance(shipment=found, fail=request.POST.get("fail") == "1"):
        messages.warning(request, _("该寄递已无后续节点。"))
    return redirect("delivery-staff:shipment", number)
