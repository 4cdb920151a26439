"""Reads of 好差评: the public statistics and the officer's rectification tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from onestop.accounts.models import User
from onestop.accounts.selectors import scope_queryset
from onestop.cases.models import Case
from onestop.desk.models import Ticket

from .choices import Level, RectificationState
from .models import Rating, Rectification


@dataclass(frozen=True)
class RatingStats:
    key: Any
    label: str
    total: int
    by_level: dict[int, int]
    bad: int
    rectified: int
    real_name_bad: int
    called: int

    @property
    def satisfied(self) -> int:
        return self.total - self.bad

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.total if self.total else None

    @property
    def rectification_rate(self) -> float | None:
        return self.rectified / self.bad if self.bad else None

    @property
    def return_call_rate(self) -> float | None:
        return self.called / self.real_name_bad if self.real_name_bad else None


_LEVEL_KEYS = {level: f"level_{level}" for level in Level.values}


def _aggregates() -> dict[str, Any]:
    bad = Q(level__lte=Level.DISSATISFIED)
    return {
        "total": Count("pk"),
        **{key: Count("pk", filter=Q(level=level)) for level, key in _LEVEL_KEYS.items()},
        "bad": Count("pk", filter=bad),
        "rectified": Count("pk", filter=bad & Q(rectification__state=RectificationState.CLOSED)),
        "real_name_bad": Count("pk", filter=bad & Q(real_name=True)),
        "called": Count(
            "pk", filter=bad & Q(real_name=True, rectification__return_call_at__isnull=False)
        ),
    }


def _stats(key: Any, label: str, row: dict[str, Any]) -> RatingStats:
    return RatingStats(
        key=key,
        label=label,
        total=row["total"],
        by_level={level: row[k] for level, k in _LEVEL_KEYS.items()},
        bad=row["bad"],
        rectified=row["rectified"],
        real_name_bad=row["real_name_bad"],
        called=row["called"],
    )


def counted_ratings() -> QuerySet[Rating]:
    """Ratings that count: all but those an upheld appeal found mistaken or malicious."""
    return Rating.objects.filter(excluded=False)


def rating_totals() -> RatingStats:
    return _stats(None, "", counted_ratings().aggregate(**_aggregates()))


def rating_stats_by_unit() -> list[RatingStats]:
    rows = counted_ratings().values("unit", "unit__name").annotate(**_aggregates())
    return sorted(
        (_stats(r["unit"], r["unit__name"], r) for r in rows), key=lambda s: (-s.total, s.label)
    )


def rating_stats_by_item() -> list[RatingStats]:
    rows = (
        counted_ratings()
        .filter(item__isnull=False)
        .values("item", "item__current__name")
        .annotate(**_aggregates())
    )
    return sorted(
        (_stats(r["item"], r["item__current__name"] or "", r) for r in rows),
        key=lambda s: (-s.total, s.label),
    )


def published_outcomes(limit: int = 20) -> QuerySet[Rectification]:
    """Closed rectifications, newest first: what was done about bad reviews (公开)."""
    return (
        Rectification.objects.filter(state=RectificationState.CLOSED)
        .select_related("unit", "rating")
        .order_by("-closed_at")[:limit]
    )


def rectifications_for_officer(user: User) -> QuerySet[Rectification]:
    return scope_queryset(
        Rectification.objects.select_related("unit", "rating", "rating__case", "rating__ticket"),
        user,
    ).order_by("state", "due_at", "pk")


def rating_of_case(case: Case) -> Rating | None:
    return Rating.objects.filter(case=case).first()


def rating_of_ticket(ticket: Ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket).first()
