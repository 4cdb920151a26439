"""Reads of the delivery app."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.accounts.models import User
from onestop.accounts.selectors import scope_queryset

from .models import DeliveryAddress, Shipment


def shipments_for_case(case_id: int) -> list[Shipment]:
    """The case's shipments with their tracking timelines (for the case pages)."""
    return list(Shipment.objects.filter(case_id=case_id).prefetch_related("events"))


def delivery_address_of(case_id: int) -> DeliveryAddress | None:
    return DeliveryAddress.objects.filter(case_id=case_id).first()


def shipments_for_officer(user: User) -> QuerySet[Shipment]:
    return scope_queryset(Shipment.objects.select_related("unit"), user)
