"""Staff pages: the certificates issued by the officer's unit subtree, status changes and the
unit's signing keys (rotation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.selectors import get_scoped_object_or_404, scope_queryset
from onestop.workbench.permissions import staff_required

from .. import services
from ..choices import KeyKind
from ..errors import CertificateError
from ..forms import StatusForm
from ..models import Certificate, SigningKey


@staff_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    qs = scope_queryset(
        Certificate.objects.select_related("issuing_unit").defer("pdf"),
        request.user,  # type: ignore[arg-type]
        unit_field="issuing_unit",
    )
    return render(request, "certificates/staff/list.html", {"certificates": qs[:200]})


@staff_required
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Certificate.objects.select_related("issuing_unit")
    cert = get_scoped_object_or_404(qs, request.user, unit_field="issuing_unit", pk=pk)  # type: ignore[arg-type]
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_set_status(
                actor=request.user,
                certificate=cert,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except CertificateError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("证照状态已更新。"))
            return redirect("certificates-staff:detail", pk=cert.pk)
    return render(
        request,
        "certificates/staff/detail.html",
        {"certificate": cert, "form": form, "scans": cert.scans.all()[:20]},
    )


@staff_required
def keys(request: HttpRequest) -> HttpResponse:
    qs = scope_queryset(
        SigningKey.objects.filter(kind=KeyKind.UNIT).select_related("unit"),
        request.user,  # type: ignore[arg-type]
    )
    return render(request, "certificates/staff/keys.html", {"keys": qs})


@staff_required
@require_POST
def key_rotate(request: HttpRequest) -> HttpResponse:
    unit = getattr(request.user, "unit", None)
    if unit is None:
        raise PermissionDenied
    key = services.signing_key_rotate(actor=request.user, unit=unit)
    messages.success(request, _("已为本单位生成新的签名密钥 %(kid)s。") % {"kid": key.kid})
    return redirect("certificates-staff:keys")
