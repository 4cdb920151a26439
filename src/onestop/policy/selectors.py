"""Reads of the policy app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from .models import Commitment, Measure, MeasureQuerySet, PolicyDocument, ProgressReport, today


def measures_qs() -> MeasureQuerySet:
    return Measure.objects.select_related("document").prefetch_related("parts")


def measure_list(
    *, document: str | None = None, overdue_only: bool = False, on: datetime.date | None = None
) -> QuerySet[Measure]:
    qs = measures_qs()
    if document:
        qs = qs.filter(document__key=document)
    if overdue_only:
        qs = qs.overdue(on)
    return qs.order_by("document__date", "number")


def measures_overdue(*, on: datetime.date | None = None) -> QuerySet[Measure]:
    """Measures past their deadline that are neither done nor ongoing."""
    return measure_list(overdue_only=True, on=on)


def measure_get(*, document: str, number: int) -> Measure:
    try:
        return measures_qs().get(document__key=document, number=number)
    except Measure.DoesNotExist as exc:
        raise Http404 from exc


def measure_by_citation(citation: str) -> Measure:
    """``"tianjin-2021#4"`` → the measure."""
    key, _, number = citation.partition("#")
    if not number.isdigit():
        raise Http404
    return measure_get(document=key, number=int(number))


@dataclass
class Section:
    title: str
    measures: list[Measure] = field(default_factory=list)


@dataclass
class DocumentMeasures:
    document: PolicyDocument
    sections: list[Section]
    overdue_count: int


def documents_with_sections(*, on: datetime.date | None = None) -> list[DocumentMeasures]:
    """Each document with its measures grouped by section, in the document's order."""
    on = on or today()
    measures = Prefetch("measures", queryset=Measure.objects.order_by("number"))
    out: list[DocumentMeasures] = []
    for doc in PolicyDocument.objects.order_by("-date").prefetch_related(measures):
        sections: list[Section] = []
        overdue = 0
        for m in doc.measures.all():
            m.overdue_now = m.is_overdue(on)  # type: ignore[attr-defined]
            overdue += m.overdue_now  # type: ignore[attr-defined]
            if not sections or sections[-1].title != m.section:
                sections.append(Section(m.section))
            sections[-1].measures.append(m)
        out.append(DocumentMeasures(doc, sections, overdue))
    return out


def measure_progress(measure: Measure) -> QuerySet[ProgressReport]:
    return measure.progress_reports.select_related("author", "unit").order_by("-reported_at", "-pk")


def commitments_for_measure(measure: Measure) -> QuerySet[Commitment]:
    return (
        (
            Commitment.objects.filter(measure=measure)
            | Commitment.objects.filter(also_measures=measure)
        )
        .distinct()
        .select_related("measure__document")
    )


def commitment_list(*, metric: str | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related("measure__document").prefetch_related(
        "also_measures__document"
    )
    if metric:
        qs = qs.filter(metric=metric)
    return qs.order_by("measure__document__date", "measure__number", "code")


def commitment_get(*, code: str) -> Commitment:
    try:
        return commitment_list().get(code=code)
    except Commitment.DoesNotExist as exc:
        raise Http404 from exc
