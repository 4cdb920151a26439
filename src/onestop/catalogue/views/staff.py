"""Staff pages: the items of the officer's unit subtree, their version history, drafts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.selectors import get_scoped_object_or_404, scope_queryset
from onestop.catalogue import services
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.forms import DraftForm
from onestop.catalogue.models import ServiceItem
from onestop.core.models import AuditEvent
from onestop.workbench.permissions import staff_required

EDITOR_ROLES = ("unit_admin", "platform_admin")


def _items_in_scope(request: HttpRequest):  # type: ignore[no-untyped-def]
    return scope_queryset(
        ServiceItem.objects.select_related("implementing_unit", "current"),
        request.user,  # type: ignore[arg-type]
        unit_field="implementing_unit",
    )


def _require_editor(request: HttpRequest) -> None:
    if not request.user.has_role(*EDITOR_ROLES):  # type: ignore[union-attr]
        raise PermissionDenied(_("只有单位管理员可以修改事项"))


@staff_required
def item_list(request: HttpRequest) -> HttpResponse:
    items = _items_in_scope(request).order_by("implementing_unit__path", "code")
    return render(
        request,
        "catalogue/staff/item_list.html",
        {
            "items": items,
            "can_edit": request.user.has_role(*EDITOR_ROLES),  # type: ignore[union-attr]
        },
    )


@staff_required
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_object_or_404(
        _items_in_scope(request),
        request.user,
        pk,  # type: ignore[arg-type]
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
            "can_edit": request.user.has_role(*EDITOR_ROLES),  # type: ignore[union-attr]
        },
    )


@staff_required
@require_POST
def item_draft(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = get_scoped_object_or_404(
        _items_in_scope(request),
        request.user,
        pk,  # type: ignore[arg-type]
        unit_field="implementing_unit",
    )
    try:
        services.version_create_draft(actor=request.user, item=item)  # type: ignore[arg-type]
        messages.success(request, _("已创建草稿，可以修改后发布。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("catalogue-staff:item", pk=item.pk)


@staff_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    item = get_scoped_object_or_404(
        _items_in_scope(request),
        request.user,
        pk,  # type: ignore[arg-type]
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
                    services.version_publish(actor=request.user, version=draft)  # type: ignore[arg-type]
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
