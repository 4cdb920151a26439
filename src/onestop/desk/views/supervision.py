"""Social supervision (监督员): the supervisor's own portal page (visit reports, feedback through
the desk) and the staff page that registers supervisors, answers visit reports and records the
yearly evaluation of windows as demonstration sites (示范窗口)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import Unit, User
from onestop.accounts.selectors import scope_queryset
from onestop.core.pii import lookup_hash
from onestop.workbench.permissions import staff_required

from .. import services
from ..errors import DeskError
from ..forms import EvaluationForm, ResponseForm, SupervisorForm, VisitForm
from ..models import Supervisor, SupervisorVisit, WindowEvaluation


def supervisor_home(request: HttpRequest) -> HttpResponse:
    """A supervisor's page: file a visit report, see earlier ones and the units' answers."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    supervisor = Supervisor.objects.filter(user=request.user, is_active=True).first()
    if supervisor is None:
        raise Http404
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supervisor_visit_report(
                actor=cast(User, request.user),
                unit=data["unit"],
                visited_on=data["visited_on"],
                findings=data["findings"],
                suggestions=data["suggestions"],
            )
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("走访报告已提交。"))
            return redirect("desk:supervisor")
    return render(
        request,
        "desk/public/supervisor.html",
        {
            "supervisor": supervisor,
            "form": form,
            "visits": supervisor.visits.select_related("unit"),
        },
    )


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    officer = _officer(request)
    units = scope_queryset(Unit.objects.filter(is_active=True), officer, unit_field="")
    return {
        "supervisors": scope_queryset(Supervisor.objects.select_related("unit"), officer),
        "visits": scope_queryset(
            SupervisorVisit.objects.select_related("unit", "supervisor"), officer
        )[:100],
        "evaluations": scope_queryset(WindowEvaluation.objects.select_related("unit"), officer)[
            :100
        ],
        "supervisor_form": forms.get("supervisor_form") or SupervisorForm(prefix="sup"),
        "evaluation_form": forms.get("evaluation_form")
        or EvaluationForm(prefix="eval", units=units, initial={"year": timezone.localdate().year}),
        "response_form": ResponseForm(prefix="resp"),
        "can_evaluate": officer.has_role(services.SUPERVISOR_ROLE, "unit_admin", "platform_admin"),
    }


@staff_required
def supervision(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/staff/supervision.html", _context(request))


@staff_required
@require_POST
def supervisor_add(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    form = SupervisorForm(request.POST, prefix="sup")
    if form.is_valid() and officer.unit is not None:
        data = form.cleaned_data
        mobile = data["mobile"].strip()
        user = (
            User.objects.filter(
                kind="public", mobile_hash=lookup_hash(mobile, kind="mobile")
            ).first()
            if mobile
            else None
        )
        try:
            services.supervisor_register(
                actor=officer,
                name=data["name"],
                category=data["category"],
                organisation=data["organisation"],
                mobile=mobile,
                unit=officer.unit,
                term_start=data["term_start"],
                term_end=data["term_end"],
                user=user,
            )
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("监督员已登记。"))
            return redirect("desk-staff:supervision")
    return render(
        request, "desk/staff/supervision.html", _context(request, supervisor_form=form), status=400
    )


@staff_required
@require_POST
def visit_respond(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _officer(request)
    visit = (
        scope_queryset(SupervisorVisit.objects.select_related("unit"), officer)
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    form = ResponseForm(request.POST, prefix="resp")
    if form.is_valid():
        try:
            services.supervisor_visit_respond(
                actor=officer, visit=visit, response=form.cleaned_data["response"]
            )
        except DeskError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已反馈。"))
    else:
        messages.error(request, _("请填写反馈落实情况。"))
    return redirect("desk-staff:supervision")


@staff_required
@require_POST
def evaluate(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    units = scope_queryset(Unit.objects.filter(is_active=True), officer, unit_field="")
    form = EvaluationForm(request.POST, prefix="eval", units=units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.window_evaluate(
                actor=officer,
                unit=data["unit"],
                year=data["year"],
                score=data["score"],
                notes=data["notes"],
            )
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("评定已保存。"))
            return redirect("desk-staff:supervision")
    return render(
        request, "desk/staff/supervision.html", _context(request, evaluation_form=form), status=400
    )
