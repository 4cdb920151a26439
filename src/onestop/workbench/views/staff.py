from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.accounts import selectors as account_selectors
from onestop.accounts.choices import Role
from onestop.accounts.models import Unit, User
from onestop.catalogue import selectors as catalogue_selectors
from onestop.policy import selectors as policy_selectors
from onestop.workbench.permissions import staff_required


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    # The staff_user_has_unit constraint guarantees every officer a unit.
    unit = cast(Unit, user.unit)
    stats = {
        "subunits": account_selectors.unit_subtree(unit).count() - 1,
        "items": catalogue_selectors.items_in_subtree(unit).count(),
        "measures_overdue": policy_selectors.measures_overdue().count(),
    }
    return render(
        request,
        "workbench/staff/inbox.html",
        {
            "officer": user,
            "unit": unit,
            "stats": stats,
            "roles": [
                Role(code).label for code in sorted(user.role_codes()) if code in Role.values
            ],
        },
    )
