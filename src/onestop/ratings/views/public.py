"""Public 好差评 pages: rate a finished case or a closed desk ticket (the applicant, once), and
the public statistics (ticket volumes, on-time replies, satisfaction, rectification)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onestop.accounts.choices import UserKind
from onestop.cases.models import Case
from onestop.desk import selectors as desk_selectors
from onestop.desk.models import Ticket

from .. import selectors, services
from ..errors import RatingError
from ..forms import RatingForm


def stats(request: HttpRequest) -> HttpResponse:
    desk_rows = desk_selectors.ticket_stats()
    replied = sum(r.replied for r in desk_rows)
    on_time = sum(r.on_time for r in desk_rows)
    return render(
        request,
        "ratings/public/stats.html",
        {
            "desk_rows": desk_rows,
            "desk_total": sum(r.total for r in desk_rows),
            "desk_on_time_rate": on_time / replied if replied else None,
            "totals": selectors.rating_totals(),
            "by_unit": selectors.rating_stats_by_unit(),
            "by_item": selectors.rating_stats_by_item()[:20],
            "outcomes": selectors.published_outcomes(),
        },
    )


def _rate(
    request: HttpRequest, *, case: Case | None, ticket: Ticket | None, back: str
) -> HttpResponse:
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rating_submit(
                actor=request.user,
                case=case,
                ticket=ticket,
                level=data["level"],
                indicators=data["indicators"],
                comment=data["comment"],
                real_name=data["real_name"],
            )
        except RatingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect(back)
    target: Any = case or ticket
    return render(
        request,
        "ratings/public/rate.html",
        {"form": form, "target": target, "back": back},
        status=400 if form.errors else 200,
    )


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.kind == UserKind.PUBLIC)


def rate_case(request: HttpRequest, number: str) -> HttpResponse:
    if not _signed_in(request):
        return redirect_to_login(request.get_full_path())
    case = Case.objects.filter(number=number).exclude(number="").first()
    if case is None or case.applicant.user_id != request.user.pk:
        raise Http404
    return _rate(request, case=case, ticket=None, back=f"/cases/mine/{case.number}/")


def rate_ticket(request: HttpRequest, number: str) -> HttpResponse:
    if not _signed_in(request):
        return redirect_to_login(request.get_full_path())
    ticket = desk_selectors.tickets_of_user(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    return _rate(request, case=None, ticket=ticket, back=f"/desk/mine/{ticket.number}/")
