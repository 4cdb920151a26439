"""Public desk pages: file a ticket (around the clock), my tickets with accept / reopen, and the
green-channel liaison directory. An asker sees only their own tickets (others are a 404)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.choices import UserKind
from onestop.accounts.models import User
from onestop.accounts.selectors import enterprises_person_can_act_for, person_of

from .. import selectors, services
from ..choices import TicketKind, TicketState
from ..errors import DeskError
from ..forms import DirectoryFilter, ReasonForm, TicketForm
from ..models import Ticket


def _public_user(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.kind == UserKind.PUBLIC)


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/public/index.html", {"kinds": TicketKind.choices})


def new(request: HttpRequest) -> HttpResponse:
    """File a ticket. Visitors who are not signed in can only file an anonymous tip."""
    signed_in = _public_user(request)
    if request.user.is_authenticated and not signed_in:
        raise Http404
    person = person_of(cast(User, request.user)) if signed_in else None
    enterprises = enterprises_person_can_act_for(person) if person else []
    form = TicketForm(
        request.POST or None,
        enterprises=enterprises,
        signed_in=signed_in,
        initial={"kind": request.GET.get("kind", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_submit(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                enterprise=data.get("enterprise"),
                anonymous=data.get("anonymous", False),
                unit=data.get("unit"),
                subject_unit=data.get("subject_unit"),
                complaint_reason=data.get("complaint_reason") or "",
                contact_mobile=data.get("contact_mobile") or "",
            )
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已提交，工单编号 %(number)s，答复时限 %(due)s。")
                % {"number": ticket.number, "due": _local(ticket.due_at)},
            )
            if signed_in:
                return redirect("desk:mine-detail", number=ticket.number)
            return render(request, "desk/public/received.html", {"ticket": ticket})
    return render(
        request,
        "desk/public/new.html",
        {"form": form, "signed_in": signed_in, "needs_person": signed_in and person is None},
    )


def _local(instant: Any) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(instant):%Y-%m-%d %H:%M}"


def _login_required(request: HttpRequest) -> HttpResponse | None:
    if not _public_user(request):
        return redirect_to_login(request.get_full_path())
    return None


def _my_ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = selectors.tickets_of_user(request.user).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


def mine(request: HttpRequest) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    return render(
        request, "desk/public/mine.html", {"tickets": selectors.tickets_of_user(request.user)}
    )


def mine_detail(request: HttpRequest, number: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    ticket = _my_ticket(request, number)
    return _detail(request, ticket, ReasonForm())


def _detail(
    request: HttpRequest, ticket: Ticket, reopen_form: ReasonForm, status: int = 200
) -> HttpResponse:
    from onestop.ratings.selectors import rating_of_ticket

    return render(
        request,
        "desk/public/detail.html",
        {
            "ticket": ticket,
            "events": selectors.ticket_timeline(ticket, staff=False),
            "can_respond": ticket.state == TicketState.REPLIED,
            "reopen_form": reopen_form,
            "rating": rating_of_ticket(ticket),
            "can_rate": ticket.state == TicketState.CLOSED,
        },
        status=status,
    )


@require_POST
def accept(request: HttpRequest, number: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    ticket = _my_ticket(request, number)
    try:
        services.ticket_accept(actor=request.user, ticket=ticket)
    except DeskError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已认可答复，工单办结。欢迎对本次服务作出评价。"))
    return redirect("desk:mine-detail", number=number)


@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    if (response := _login_required(request)) is not None:
        return response
    ticket = _my_ticket(request, number)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reopen(
                actor=request.user, ticket=ticket, reason=form.cleaned_data["reason"]
            )
        except DeskError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已退回重新办理。"))
            return redirect("desk:mine-detail", number=number)
    return _detail(request, ticket, form, status=400)


def liaisons(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilter(request.GET or None)
    level = police_type = ""
    if form.is_valid():
        level = form.cleaned_data["level"]
        police_type = form.cleaned_data["police_type"]
    return render(
        request,
        "desk/public/liaisons.html",
        {
            "form": form,
            "liaisons": selectors.liaison_directory(level=level, police_type=police_type),
        },
    )
