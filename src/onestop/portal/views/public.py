from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onestop.accounts import selectors as account_selectors
from onestop.catalogue import selectors as catalogue_selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/public/home.html",
        {
            "regions": account_selectors.top_level_units(),
            "categories": catalogue_selectors.category_counts(),
            "lists": catalogue_selectors.ITEM_LISTS,
        },
    )


@require_POST
def toggle_large_text(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    enabled = request.COOKIES.get("onestop_large_text") == "1"
    response.set_cookie(
        "onestop_large_text",
        "0" if enabled else "1",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
    )
    return response
