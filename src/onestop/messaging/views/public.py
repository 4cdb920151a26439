"""The message centre (消息中心) of the signed-in user: in-app messages, read/unread, and the
reminder opt-out switch."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.core.pii import mask_mobile

from .. import selectors, services
from ..choices import Channel
from ..models import Message

PAGE_SIZE = 20


def _centre(request: HttpRequest, template: str) -> HttpResponse:
    user = request.user
    only_unread = request.GET.get("filter") == "unread"
    qs = selectors.inbox(user)  # type: ignore[arg-type]
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    mobile = selectors.user_mobile(user)  # type: ignore[arg-type]
    return render(
        request,
        template,
        {
            "page": page,
            "only_unread": only_unread,
            "unread": selectors.unread_count(user),  # type: ignore[arg-type]
            "mobile": mobile,
            "mobile_masked": mask_mobile(mobile) if mobile else "",
            "opted_out": bool(mobile) and services.reminder_opted_out(mobile=mobile),
        },
    )


@login_required
def message_centre(request: HttpRequest) -> HttpResponse:
    return _centre(request, "messaging/public/centre.html")


@login_required
@require_POST
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a message read and follow its link (a local path only)."""
    message = get_object_or_404(Message, pk=pk, recipient=request.user, channel=Channel.IN_APP)
    services.message_mark_read(user=request.user, message_id=message.pk)  # type: ignore[arg-type]
    if message.link and url_has_allowed_host_and_scheme(
        message.link, allowed_hosts={request.get_host()}
    ):
        return redirect(message.link)
    return redirect(request.POST.get("next") or "messaging:centre")


@login_required
@require_POST
def message_read(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Message, pk=pk, recipient=request.user, channel=Channel.IN_APP)
    services.message_mark_read(user=request.user, message_id=pk)  # type: ignore[arg-type]
    return redirect(_back(request))


@login_required
@require_POST
def message_read_all(request: HttpRequest) -> HttpResponse:
    count = services.message_mark_all_read(user=request.user)  # type: ignore[arg-type]
    flash.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect(_back(request))


@login_required
@require_POST
def reminder_preference(request: HttpRequest) -> HttpResponse:
    mobile = selectors.user_mobile(request.user)  # type: ignore[arg-type]
    if not mobile:
        flash.error(request, _("您的账号没有登记手机号码，无法设置短信提醒。"))
    elif request.POST.get("reminders") == "off":
        services.reminder_opt_out(mobile=mobile, actor=request.user)  # type: ignore[arg-type]
        flash.success(request, _("已退订证件到期提醒短信。必达通知不受影响。"))
    else:
        services.reminder_opt_in(mobile=mobile, actor=request.user)  # type: ignore[arg-type]
        flash.success(request, _("已开启证件到期提醒短信。"))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "messaging:centre"
