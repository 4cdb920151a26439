"""Staff 好差评 pages: the rectification tasks of the officer's unit subtree and one page per
task with the return call, classification, appeal, review and closing forms."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import User
from onestop.workbench.permissions import staff_required

from .. import selectors, services
from ..choices import AppealState, Classification, RectificationState
from ..errors import RatingError
from ..forms import AppealForm, CallForm, ClassifyForm, OutcomeForm, ReviewForm
from ..models import Rectification


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _task(request: HttpRequest, pk: int) -> Rectification:
    task = selectors.rectifications_for_officer(_officer(request)).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


@staff_required
def tasks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ratings/staff/tasks.html",
        {"tasks": selectors.rectifications_for_officer(_officer(request))[:200]},
    )


FORMS: dict[str, Any] = {
    "call": CallForm,
    "classify": ClassifyForm,
    "close": OutcomeForm,
    "appeal": AppealForm,
    "review": ReviewForm,
}


def _context(request: HttpRequest, task: Rectification, bound: dict[str, Any]) -> dict[str, Any]:
    officer = _officer(request)
    open_ = task.state == RectificationState.OPEN
    shown = {
        "call": open_,
        "classify": open_,
        "appeal": open_
        and not task.appeal_state
        and task.classification in (Classification.MISTAKEN, Classification.MALICIOUS),
        "review": task.appeal_state == AppealState.PENDING
        and officer.has_role(services.SUPERVISOR_ROLE)
        and officer.pk != task.appeal_by_id,
        "close": open_,
    }
    labels = {
        "call": _("记录回访"),
        "classify": _("核实分类"),
        "appeal": _("申诉"),
        "review": _("复核申诉"),
        "close": _("整改办结"),
    }
    actions = [
        {"name": n, "label": labels[n], "form": bound.get(n) or FORMS[n](prefix=n)}
        for n in ("call", "classify", "appeal", "review", "close")
        if shown[n]
    ]
    return {"task": task, "rating": task.rating, "actions": actions}


@staff_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    return render(request, "ratings/staff/task.html", _context(request, task, {}))


@staff_required
@require_POST
def task_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in FORMS:
        raise Http404
    task = _task(request, pk)
    officer = _officer(request)
    form = FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        d = form.cleaned_data
        perform = {
            "call": lambda: services.rectification_call_record(
                actor=officer, task=task, reached=d["reached"], note=d["note"]
            ),
            "classify": lambda: services.rectification_classify(
                actor=officer, task=task, classification=d["classification"], note=d["note"]
            ),
            "close": lambda: services.rectification_close(
                actor=officer, task=task, outcome=d["outcome"]
            ),
            "appeal": lambda: services.rectification_appeal(
                actor=officer, task=task, reason=d["reason"]
            ),
            "review": lambda: services.rectification_review(
                actor=officer, task=task, upheld=d["upheld"], note=d["note"]
            ),
        }[action]
        try:
            perform()
        except RatingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("ratings-staff:task", pk=task.pk)
    task = _task(request, pk)
    return render(
        request, "ratings/staff/task.html", _context(request, task, {action: form}), status=400
    )
