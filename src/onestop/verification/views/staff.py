"""Staff pages: wanted-person alerts of the officer's units, and the verification audit trail."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop.accounts.models import User
from onestop.core.models import AuditEvent
from onestop.core.pii import mask_id_number, mask_name
from onestop.workbench.permissions import staff_required

from .. import selectors, services
from ..choices import AlertState
from ..errors import VerificationError
from ..forms import AlertHandleForm, AuditSearchForm

PAGE_SIZE = 50


def _officer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required
def alerts(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", AlertState.OPEN)
    qs = selectors.alerts_for(_officer(request))
    if state in AlertState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "verification/staff/alerts.html",
        {
            "page": page,
            "state": state,
            "states": AlertState.choices,
            "may_audit": selectors.may_search_audit(_officer(request)),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alerts_for(_officer(request)).filter(pk=pk).first()
    if alert is None:
        raise Http404
    form = AlertHandleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_handle(
                officer=_officer(request), alert=alert, note=form.cleaned_data["note"]
            )
        except VerificationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已记录处置情况。"))
            return redirect("verification-staff:alert", pk=alert.pk)
    wanted = alert.wanted
    return render(
        request,
        "verification/staff/alert.html",
        {
            "alert": alert,
            "form": form,
            # Officers see masked identifiers; revealing in full goes through pii_reveal.
            "wanted_name": mask_name(wanted.name or ""),
            "wanted_id": mask_id_number(wanted.id_number or ""),
        },
    )


@staff_required
def audit(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    if not selectors.may_search_audit(officer):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    qs = AuditEvent.objects.filter(action__startswith="verification.")
    if form.is_valid():
        data = form.cleaned_data
        if data["credit_code"]:
            qs = qs.filter(summary__enterprise=data["credit_code"].strip().upper())
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["date_from"]:
            qs = qs.filter(
                occurred_at__gte=timezone.make_aware(
                    dt.datetime.combine(data["date_from"], dt.time.min)
                )
            )
        if data["date_to"]:
            qs = qs.filter(
                occurred_at__lt=timezone.make_aware(
                    dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min)
                )
            )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "verification/staff/audit.html", {"form": form, "page": page})
