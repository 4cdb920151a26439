"""Staff pages: follow up the measures, report progress, write supervision notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.workbench.permissions import staff_required

from .. import selectors, services
from ..forms import ProgressReportForm, SupervisionNoteForm
from ..models import PolicyDocument


@staff_required
def measure_list(request: HttpRequest) -> HttpResponse:
    overdue_only = request.GET.get("overdue") == "1"
    document = request.GET.get("document") or None
    measures = list(selectors.measure_list(document=document, overdue_only=overdue_only))
    return render(
        request,
        "policy/staff/measure_list.html",
        {
            "measures": measures,
            "overdue_only": overdue_only,
            "document": document,
            "documents": PolicyDocument.objects.order_by("-date"),
            "overdue_total": selectors.measures_overdue().count(),
        },
    )


def _detail(
    request: HttpRequest,
    document: str,
    number: int,
    *,
    progress_form: ProgressReportForm | None = None,
    note_form: SupervisionNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    measure = selectors.measure_get(document=document, number=number)
    can_supervise = services.can_supervise(request.user)
    return render(
        request,
        "policy/staff/measure_detail.html",
        {
            "measure": measure,
            "parts": measure.parts.all(),
            "reports": selectors.measure_progress(measure),
            "notes": measure.supervision_notes.select_related("author"),
            "commitments": selectors.commitments_for_measure(measure),
            "progress_form": progress_form
            or ProgressReportForm(initial={"percent": measure.percent}),
            "note_form": (note_form or SupervisionNoteForm()) if can_supervise else None,
        },
        status=status,
    )


@staff_required
def measure_detail(request: HttpRequest, document: str, number: int) -> HttpResponse:
    return _detail(request, document, number)


def _apply_errors(form: ProgressReportForm | SupervisionNoteForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required
@require_POST
def progress_create(request: HttpRequest, document: str, number: int) -> HttpResponse:
    measure = selectors.measure_get(document=document, number=number)
    form = ProgressReportForm(request.POST)
    if form.is_valid():
        try:
            services.measure_report_progress(
                actor=request.user,
                measure=measure,
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                status=form.cleaned_data["status"] or None,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("进展报告已提交。"))
            return redirect("policy-staff:measure", document=document, number=number)
    return _detail(request, document, number, progress_form=form, status=400)


@staff_required
@require_POST
def note_create(request: HttpRequest, document: str, number: int) -> HttpResponse:
    measure = selectors.measure_get(document=document, number=number)
    if not services.can_supervise(request.user):
        raise PermissionDenied
    form = SupervisionNoteForm(request.POST)
    if form.is_valid():
        try:
            services.measure_add_supervision_note(
                actor=request.user, measure=measure, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("督办意见已记录。"))
            return redirect("policy-staff:measure", document=document, number=number)
    return _detail(request, document, number, note_form=form, status=400)
