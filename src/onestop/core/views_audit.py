"""The staff audit-log search page (/work/audit/)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from onestop.accounts.selectors import officer_scope_paths
from onestop.core.models import AuditEvent
from onestop.workbench.permissions import staff_required

PAGE_SIZE = 50
SEARCH_PERMISSION = "core.search_auditevent"


class AuditSearchForm(forms.Form):
    action = forms.CharField(
        label=_("动作"),
        required=False,
        max_length=80,
        help_text=_("可填写前缀，例如 pii. 查找全部个人信息查看记录"),
    )
    actor = forms.CharField(label=_("操作人用户名"), required=False, max_length=150)
    object_type = forms.CharField(
        label=_("对象类型"), required=False, max_length=80, help_text=_("例如 accounts.person")
    )
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"), code="date_range")
        return data

    def filter(self, qs: Any) -> Any:
        data = self.cleaned_data
        if data.get("action"):
            qs = qs.filter(action__startswith=data["action"].strip())
        if data.get("actor"):
            qs = qs.filter(actor_label__iexact=data["actor"].strip())
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"].strip().lower())
        if data.get("object_id"):
            qs = qs.filter(object_id=data["object_id"].strip())
        # Dates are Beijing dates (the current time zone).
        if data.get("date_from"):
            qs = qs.filter(occurred_at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(occurred_at__date__lte=data["date_to"])
        return qs


def visible_events(user: Any) -> Any:
    """Events the officer may search: their unit subtree; platform admins see every event."""
    if user.is_superuser or user.has_role("platform_admin"):
        return AuditEvent.objects.all()
    return AuditEvent.objects.within_unit_paths(officer_scope_paths(user))


@staff_required
def audit_search(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm(SEARCH_PERMISSION):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    events = visible_events(user)
    if form.is_bound:
        events = form.filter(events) if form.is_valid() else events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.summary_text = json.dumps(event.summary, ensure_ascii=False, sort_keys=True)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/staff/audit_search.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
