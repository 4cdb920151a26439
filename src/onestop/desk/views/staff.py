"""Staff desk pages: the inbox (green channel first), the ticket page with one form per action
the officer may take, and entering a call from 12389 / 110. An anonymous reporter's identity is
shown only after a reveal by the identity custodian (audited)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import User
from onestop.core.pii import mask_mobile
from onestop.workbench.permissions import staff_required

from .. import selectors, services
from ..choices import TicketKind, TicketState
from ..errors import DeskError
from ..forms import CommentForm, NoteForm, RecordForm, ReplyForm, RevealForm
from ..models import Ticket


def _officer(request: HttpRequest) -> User:
    return cast(User, request.user)


def _ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = selectors.tickets_for_officer(_officer(request)).filter(number=number).first()
    if ticket is None:
        raise Http404
    return Ticket.objects.select_related("unit", "officer", "enterprise", "subject_unit").get(
        pk=ticket.pk
    )


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    show = request.GET.get("show", "open")
    tickets = selectors.tickets_for_officer(officer)
    if show != "all":
        tickets = tickets.exclude(state=TicketState.CLOSED)
    return render(
        request,
        "desk/staff/inbox.html",
        {"tickets": tickets[:200], "show": show},
    )


def _context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    officer = _officer(request)
    handles = services.staff_may_handle(officer, ticket)
    return {
        "ticket": ticket,
        "events": selectors.ticket_timeline(ticket, staff=True),
        "reporter_mobile": mask_mobile(ticket.contact_mobile or "") if not ticket.anonymous else "",
        "can_reply": handles and ticket.awaiting_reply,
        "can_escalate": officer.has_role(services.SUPERVISOR_ROLE) and ticket.is_open,
        "can_rectify": handles and ticket.rectification_required and ticket.rectified_at is None,
        "can_reveal": services.may_reveal(officer, ticket),
        "is_complaint": ticket.kind == TicketKind.COMPLAINT,
        "reply_form": forms.get("reply_form") or ReplyForm(prefix="reply"),
        "escalate_form": forms.get("escalate_form") or CommentForm(prefix="escalate"),
        "rectify_form": forms.get("rectify_form") or NoteForm(prefix="rectify"),
        "reveal_form": forms.get("reveal_form") or RevealForm(prefix="reveal"),
        "identity": forms.get("identity"),
    }


@staff_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    return render(request, "desk/staff/ticket.html", _context(request, ticket))


def _act(
    request: HttpRequest, number: str, name: str, form_class: type, perform: Any
) -> HttpResponse:
    ticket = _ticket(request, number)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            perform(ticket, form.cleaned_data)
        except DeskError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("desk-staff:ticket", number=number)
    context = _context(request, ticket, **{f"{name}_form": form})
    return render(request, "desk/staff/ticket.html", context, status=400)


@staff_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    officer = _officer(request)
    return _act(
        request,
        number,
        "reply",
        ReplyForm,
        lambda t, d: services.ticket_reply(
            actor=officer, ticket=t, reply=d["reply"], rectification_days=d["rectification_days"]
        ),
    )


@staff_required
@require_POST
def escalate(request: HttpRequest, number: str) -> HttpResponse:
    officer = _officer(request)
    return _act(
        request,
        number,
        "escalate",
        CommentForm,
        lambda t, d: services.ticket_escalate(actor=officer, ticket=t, comment=d["comment"]),
    )


@staff_required
@require_POST
def rectify(request: HttpRequest, number: str) -> HttpResponse:
    officer = _officer(request)
    return _act(
        request,
        number,
        "rectify",
        NoteForm,
        lambda t, d: services.ticket_rectify(actor=officer, ticket=t, note=d["note"]),
    )


@staff_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """Show the sealed identity once, on this response only (never stored in the session)."""
    ticket = _ticket(request, number)
    form = RevealForm(request.POST, prefix="reveal")
    identity = None
    if form.is_valid():
        try:
            identity = services.ticket_reporter_reveal(
                actor=_officer(request), ticket=ticket, purpose=form.cleaned_data["purpose"]
            )
        except (DeskError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    labels = {
        "name": _("姓名"),
        "mobile": _("手机号码"),
        "contact": _("联系电话"),
        "username": _("账号"),
        "user_id": _("用户编号"),
    }
    shown = [(labels.get(k, k), v) for k, v in (identity or {}).items() if v]
    response = render(
        request,
        "desk/staff/ticket.html",
        _context(
            request, ticket, reveal_form=form, identity=shown if identity is not None else None
        ),
        status=200 if identity is not None else 400,
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def record(request: HttpRequest) -> HttpResponse:
    """Enter a complaint or request received by the 12389 hotline, the 110 desk or a window."""
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_record(
                actor=_officer(request),
                source=data["source"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                caller_name=data["caller_name"],
                caller_mobile=data["caller_mobile"],
                anonymous=data["anonymous"],
                subject_unit=data["subject_unit"],
                complaint_reason=data["complaint_reason"] or "",
            )
        except DeskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("已登记，工单编号 %(number)s。") % {"number": ticket.number}
            )
            if services.staff_may_handle(_officer(request), ticket):
                return redirect("desk-staff:ticket", number=ticket.number)
            return redirect("desk-staff:inbox")
    return render(request, "desk/staff/record.html", {"form": form})
