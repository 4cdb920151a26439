from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.accounts.choices import Role
from onestop.workbench.permissions import staff_required


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "workbench/staff/inbox.html",
        {
            "officer": user,
            "unit": user.unit,  # type: ignore[union-attr]
            "roles": [
                Role(code).label
                for code in sorted(user.role_codes())  # type: ignore[union-attr]
                if code in Role.values
            ],
        },
    )
