"""The officer's message centre in the work portal (deadline warnings and other notices)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from onestop.workbench.permissions import staff_required

from .public import _centre


@staff_required
def message_centre(request: HttpRequest) -> HttpResponse:
    return _centre(request, "messaging/staff/centre.html")
