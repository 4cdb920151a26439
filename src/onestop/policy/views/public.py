"""Public pages: the measures of the policy documents and their commitments."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policy/public/index.html",
        {
            "documents": selectors.documents_with_sections(),
        },
    )


def measure_detail(request: HttpRequest, document: str, number: int) -> HttpResponse:
    measure = selectors.measure_get(document=document, number=number)
    return render(
        request,
        "policy/public/measure_detail.html",
        {
            "measure": measure,
            "parts": measure.parts.all(),
            "reports": selectors.measure_progress(measure),
            "commitments": selectors.commitments_for_measure(measure),
        },
    )


def commitment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policy/public/commitments.html",
        {
            "commitments": selectors.commitment_list(),
        },
    )
