from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.workbench.permissions import staff_required


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "workbench/staff/inbox.html",
        {"officer": user, "unit": user.unit, "roles": user.groups.all()},  # type: ignore[union-attr]
    )
