"""Enterprise pages: the verification desk, batch upload with progress, result download,
partner background check, and the legal representative's authorisation and API keys.

Every write goes through ``onestop.verification.services``; someone else's job is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop.accounts.choices import UserKind
from onestop.accounts.models import Enterprise, Person, User
from onestop.accounts.selectors import enterprises_person_can_act_for, person_of

from .. import selectors, services
from ..errors import VerificationError
from ..forms import ApiKeyForm, AuthoriseForm, BatchForm, PartnerForm
from ..models import ApiKey, BatchJob

View = Callable[..., HttpResponseBase]


def person_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        person = person_of(user) if user.kind == UserKind.PUBLIC else None
        if person is None or person.verified_at is None:
            return render(request, "verification/public/verify_first.html", status=403)
        request.person = person  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def _person(request: HttpRequest) -> Person:
    return request.person  # type: ignore[attr-defined]


def _enterprise(request: HttpRequest, credit_code: str) -> Enterprise:
    for enterprise in enterprises_person_can_act_for(_person(request)):
        if enterprise.credit_code == credit_code:
            return enterprise
    raise Http404


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@person_required
def index(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    rows = []
    for enterprise in enterprises_person_can_act_for(person):
        rows.append(
            {
                "enterprise": enterprise,
                "problem": selectors.eligibility_problem(person=person, enterprise=enterprise),
                "manager": services.person_may_manage(person, enterprise),
                "jobs": list(
                    selectors.jobs_of(enterprise).filter(submitted_by=_user(request))[:10]
                ),
            }
        )
    return render(request, "verification/public/index.html", {"rows": rows})


@person_required
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest, credit_code: str) -> HttpResponse:
    enterprise = _enterprise(request, credit_code)
    problem = selectors.eligibility_problem(person=_person(request), enterprise=enterprise)
    form = BatchForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.batch_submit(
                user=request.user,  # type: ignore[arg-type]
                enterprise=enterprise,
                file=upload,
                original_name=upload.name or "",
                purpose=form.cleaned_data["purpose"],
                consent=form.cleaned_data["consent"],
            )
        except VerificationError as exc:
            form.add_error(None, exc.message)
            status = exc.status if exc.status != 404 else 400
        else:
            return redirect("verification:job", job_id=job.pk)
    elif request.method == "POST":
        status = 400
    quota = selectors.quota_for(enterprise)
    context = {
        "enterprise": enterprise,
        "form": form,
        "problem": problem,
        "quota": quota,
        "used": selectors.rows_used_today(enterprise),
    }
    return render(request, "verification/public/batch_new.html", context, status=status)


def _my_job(request: HttpRequest, job_id: str) -> BatchJob:
    return get_object_or_404(
        BatchJob.objects.select_related("enterprise"), pk=job_id, submitted_by=request.user
    )


@person_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _my_job(request, job_id)
    return render(request, "verification/public/job.html", {"job": job})


@person_required
def job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _my_job(request, job_id)
    return render(request, "verification/public/_progress.html", {"job": job})


@person_required
def job_result(request: HttpRequest, job_id: str) -> HttpResponseBase:
    job = _my_job(request, job_id)
    try:
        handle = services.batch_result_open(user=request.user, job=job)  # type: ignore[arg-type]
    except VerificationError as exc:
        raise Http404(exc.message) from exc
    filename = f"verification-result-{job.created_at:%Y%m%d%H%M}.csv"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="text/csv")
    response["Cache-Control"] = "no-store"
    return response


def template_csv(request: HttpRequest) -> HttpResponse:
    body = "\ufeff" + _("姓名") + "," + _("身份证号码") + "\r\n"
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verification-template.csv"'
    return response


@person_required
@require_http_methods(["GET", "POST"])
def partner(request: HttpRequest, credit_code: str) -> HttpResponse:
    enterprise = _enterprise(request, credit_code)
    form = PartnerForm(request.POST or None)
    answer = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            answer = services.partner_check(
                user=request.user,  # type: ignore[arg-type]
                enterprise=enterprise,
                credit_code=form.cleaned_data["credit_code"],
                purpose=form.cleaned_data["purpose"],
                purpose_detail=form.cleaned_data["purpose_detail"],
            )
        except VerificationError as exc:
            form.add_error(None, exc.message)
            status = exc.status
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "verification/public/partner.html",
        {"enterprise": enterprise, "form": form, "answer": answer},
        status=status,
    )


@person_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, credit_code: str) -> HttpResponse:
    enterprise = _enterprise(request, credit_code)
    person = _person(request)
    if not services.person_may_manage(person, enterprise):
        raise Http404
    authorise_form = AuthoriseForm(request.POST if "authorise" in request.POST else None)
    key_form = ApiKeyForm(request.POST if "create_key" in request.POST else None)
    new_key = None
    status = 200
    try:
        if "authorise" in request.POST and authorise_form.is_valid():
            services.authorisation_grant(
                legal_rep=person,
                enterprise=enterprise,
                valid_until=authorise_form.cleaned_data["valid_until"],
            )
            messages.success(request, _("已授权本企业经办人使用核查服务。"))
            return redirect("verification:manage", credit_code=credit_code)
        if "revoke" in request.POST:
            services.authorisation_revoke(legal_rep=person, enterprise=enterprise)
            messages.success(request, _("已撤销核查服务授权。"))
            return redirect("verification:manage", credit_code=credit_code)
        if "create_key" in request.POST and key_form.is_valid():
            _key, new_key = services.api_key_create(
                legal_rep=person,
                enterprise=enterprise,
                name=key_form.cleaned_data["name"],
                scopes=key_form.cleaned_data["scopes"],
            )
            key_form = ApiKeyForm()
    except VerificationError as exc:
        messages.error(request, exc.message)
        status = exc.status
    return render(
        request,
        "verification/public/manage.html",
        {
            "enterprise": enterprise,
            "authorisation": selectors.active_authorisation(enterprise),
            "authorise_form": authorise_form,
            "key_form": key_form,
            "keys": ApiKey.objects.filter(enterprise=enterprise),
            "new_key": new_key,
        },
        status=status,
    )


@person_required
@require_POST
def key_revoke(request: HttpRequest, credit_code: str, prefix: str) -> HttpResponse:
    enterprise = _enterprise(request, credit_code)
    key = get_object_or_404(ApiKey, enterprise=enterprise, prefix=prefix)
    try:
        services.api_key_revoke(legal_rep=_person(request), key=key)
    except VerificationError as exc:
        raise Http404 from exc
    messages.success(request, _("接口密钥已撤销。"))
    return redirect(reverse("verification:manage", kwargs={"credit_code": credit_code}))
