"""Reads of the seals app."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, QuerySet

from onestop.accounts.models import Person, User
from onestop.accounts.selectors import enterprises_person_can_act_for

from .choices import ESealStatus
from .models import EngravingShop, ESeal, SealOrder


def orders_of_person(person: Person) -> QuerySet[SealOrder]:
    enterprises = [e.pk for e in enterprises_person_can_act_for(person)]
    return SealOrder.objects.filter(enterprise__in=enterprises).select_related("shop", "enterprise")


def eseals_of_person(person: Person) -> QuerySet[ESeal]:
    enterprises = [e.pk for e in enterprises_person_can_act_for(person)]
    return ESeal.objects.filter(
        seal__enterprise__in=enterprises, status=ESealStatus.ACTIVE
    ).select_related("seal__enterprise")


def shops_with_stats() -> list[EngravingShop]:
    """Active shops, each with ``avg_working`` (mean working time of its finished orders)."""
    shops = list(EngravingShop.objects.filter(is_active=True))
    averages = dict(
        SealOrder.objects.filter(elapsed_working__isnull=False)
        .values("shop")
        .annotate(avg=Avg("elapsed_working"))
        .values_list("shop", "avg")
    )
    for shop in shops:
        avg = averages.get(shop.pk)
        shop.avg_working = avg if isinstance(avg, timedelta) else None  # type: ignore[attr-defined]
    return shops


def orders_of_shop_operator(user: User) -> QuerySet[SealOrder]:
    return SealOrder.objects.filter(shop__operators=user).select_related("shop", "enterprise")
