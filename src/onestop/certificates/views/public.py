"""Public pages: the holder's wallet (my certificates, PDF, QR, share links) and the
verification pages anyone may use without logging in (each look-up is logged)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.cases.views.public import applicant_required
from onestop.core.middleware import client_ip

from .. import render as cert_render
from .. import selectors, services
from ..choices import ScanChannel
from ..errors import CertificateError
from ..forms import ShareForm, VerifyForm
from ..models import Certificate, ShareLink


def _mine(request: HttpRequest, pk: int) -> Certificate:
    return get_object_or_404(selectors.certificates_of_person(request.person), pk=pk)  # type: ignore[attr-defined]


@applicant_required
def wallet(request: HttpRequest) -> HttpResponse:
    certificates = selectors.certificates_of_person(request.person)  # type: ignore[attr-defined]
    return render(request, "certificates/public/wallet.html", {"certificates": certificates})


@applicant_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _mine(request, pk)
    share = None
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                created = services.share_link_create(
                    actor=request.user,
                    person=request.person,  # type: ignore[attr-defined]
                    certificate=cert,
                    recipient=form.cleaned_data["recipient"],
                    purpose=form.cleaned_data["purpose"],
                    days=form.cleaned_data["days"],
                    consent=form.cleaned_data["consent"],
                )
            except CertificateError as exc:
                form.add_error(None, str(exc.message))
            else:
                share = request.build_absolute_uri(
                    reverse("certificates:share", args=[created.token])
                )
                form = ShareForm()
    else:
        form = ShareForm()
    return render(
        request,
        "certificates/public/detail.html",
        {
            "certificate": cert,
            "form": form,
            "new_share_url": share,
            "shares": cert.shares.all(),
            "verify_url": services.verify_url(cert.token),
        },
    )


@applicant_required
@require_POST
def share_revoke(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    cert = _mine(request, pk)
    link = get_object_or_404(ShareLink, pk=share_pk, certificate=cert)
    services.share_link_revoke(actor=request.user, link=link)
    messages.success(request, _("分享链接已撤销。"))
    return redirect("certificates:detail", pk=cert.pk)


def _pdf_response(cert: Certificate) -> HttpResponse:
    response = HttpResponse(bytes(cert.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ecert-{cert.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@applicant_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(_mine(request, pk))


@applicant_required
def qr(request: HttpRequest, pk: int) -> HttpResponse:
    cert = _mine(request, pk)
    return HttpResponse(
        cert_render.qr_png(services.verify_url(cert.token), scale=5), content_type="image/png"
    )


def verify(request: HttpRequest) -> HttpResponse:
    result = None
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        result = services.certificate_verify(
            identifier=form.cleaned_data["identifier"],
            channel=ScanChannel.PAGE,
            ip=client_ip(request),
        )
    return render(request, "certificates/public/verify.html", {"form": form, "result": result})


def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    result = services.certificate_verify(token=token, channel=ScanChannel.QR, ip=client_ip(request))
    return render(
        request,
        "certificates/public/verify.html",
        {"form": VerifyForm(), "result": result, "scanned": True},
    )


def share(request: HttpRequest, token: str) -> HttpResponse:
    link = services.share_link_open(token=token, ip=client_ip(request))
    if link is None:
        return render(request, "certificates/public/share_gone.html", status=410)
    return render(
        request,
        "certificates/public/share.html",
        {"link": link, "certificate": link.certificate, "token": token},
    )


def share_pdf(request: HttpRequest, token: str) -> HttpResponse:
    link = services.share_link_open(token=token, ip=client_ip(request))
    if link is None:
        raise Http404
    return _pdf_response(link.certificate)
