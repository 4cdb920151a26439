"""Staff pages: the items of the officer's unit subtree, their version history, drafts."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import User
from onestop.accounts.selectors import get_scoped_object_or_404, scope_queryset
from onestop.catalogue import services
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.forms import DraftForm
from onestop.catalogue.models import ServiceItem
from onestop.core.models import AuditEvent
from onestop.workbench.permissions import staff_required

EDITOR_ROLES = ("unit_admin", "platform_admin")


def _officer(request: HttpRequest) -> User:
    """The signed-in officer; only call behind ``staff_required``."""
    return cast(User, request.user)


def _items_in_scope(request: HttpRequest) -> QuerySet[ServiceItem]:
    return scope_queryset(
        ServiceItem.objects.select_related("implementing_unit", "current"),
        _officer(request),
        unit_field="implementing_unit",
    )


def _require_editor(request: HttpRequest) -> None:
    if not _officer(request).has_role(*EDITOR_ROLES):
        raise PermissionDenied(_("只有单位管理员可以修改事项"))


@staff_required
def item_list(request: HttpRequest) -> HttpResponse:
    items = _items_in_scope(request).order_by("implementing_unit__path", "code")
    return render(
        request,
        "catalogue/staff/item_list.html",
        {
            "items": items,
            "can_edit": _officer(request).has_role(*EDITOR_ROLES),
        },
    )


@staff_required
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_object_or_404(
        _items_in_scope(request),
        _officer(request),
        pk,
        unit_field="implementing_unit",
    )
    versions = item.versions.order_by("-number")
    events = AuditEvent.objects.filter(
        object_type="catalogue.serviceitemversion",
        object_id__in=[str(v.pk) for v in versions],
    )[:50]
    return render(
        request,
        "catalogue/staff/item_history.html",
        {
            "item": item,
            "versions": versions,
            "events": events,
            "draft": versions.filter(status=VersionStatus.DRAFT).first(),
            "can_edit": _officer(request).has_role(*EDITOR_ROLES),
        },
    )


@staff_required
@require_POST
def item_draft(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = get_scoped_object_or_404(
        _items_in_scope(request),
        _officer(request),
        pk,
        unit_field="implementing_unit",
    )
    try:
        services.version_create_draft(actor=_officer(request), item=item)
        messages.success(request, _("已创建草稿，可以修改后发布。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("catalogue-staff:item", pk=item.pk)


@staff_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = get_scoped_object_or_404(
        _items_in_scope(request),
        _officer(request),
        pk,
        unit_field="implementing_unit",
    )
    draft = get_object_or_404(item.versions, status=VersionStatus.DRAFT)
    form = DraftForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        if "publish" in request.POST:
            # Validate the edited values before writing them, so nothing is saved half-valid.
            candidate = form.save(commit=False)
            try:
                services.version_validate(candidate)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.save()
                try:
                    services.version_publish(actor=_officer(request), version=draft)
                except ValidationError as exc:
                    messages.error(request, "；".join(exc.messages))
                    return redirect("catalogue-staff:draft", pk=item.pk)
                messages.success(request, _("新版本已发布。"))
                return redirect("catalogue-staff:item", pk=item.pk)
        else:
            form.save()
            messages.success(request, _("草稿已保存。"))
            return redirect("catalogue-staff:item", pk=item.pk)
    return render(
        request, "catalogue/staff/draft_edit.html", {"item": item, "draft": draft, "form": form}
    )
