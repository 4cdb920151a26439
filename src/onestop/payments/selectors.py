"""Reads of the payments app."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.accounts.models import User
from onestop.accounts.selectors import scope_queryset

from .choices import OPEN_STATES, OrderState, Purpose
from .models import Fine, PaymentOrder
from .services import fine_code_hash


def case_payment_state(case_id: int) -> str:
    """ "none" (no fee order), "unpaid" (ordered, not paid), "paid", or "refunded" (fully)."""
    orders = list(
        PaymentOrder.objects.filter(purpose=Purpose.CASE_FEE, reference=str(case_id))
        .order_by("-created_at", "-pk")
        .values_list("state", flat=True)
    )
    if not orders:
        return "none"
    if OrderState.PAID in orders or OrderState.PARTLY_REFUNDED in orders:
        return "paid"
    if OrderState.REFUNDED in orders and not any(s in OPEN_STATES for s in orders):
        return "refunded"
    return "unpaid"


def orders_of_user(user: User) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(payer=user).order_by("-created_at")


def orders_for_officer(user: User) -> QuerySet[PaymentOrder]:
    return scope_queryset(PaymentOrder.objects.select_related("unit"), user)


def fine_lookup(*, decision_number: str, code: str) -> Fine | None:
    fine = Fine.objects.filter(decision_number=decision_number.strip()).first()
    if fine is None or fine.verification_code_hash != fine_code_hash(decision_number, code):
        return None
    return fine


def fine_order(fine: Fine) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.filter(purpose=Purpose.FINE, reference=fine.decision_number)
        .order_by("-created_at")
        .first()
    )


def case_payment_order(case_id: int) -> PaymentOrder | None:
    """The case's latest fee order (open, paid or refunded), for the applicant's pages."""
    return (
        PaymentOrder.objects.filter(purpose=Purpose.CASE_FEE, reference=str(case_id))
        .order_by("-created_at", "-pk")
        .first()
    )


def order_purpose_reference(order_id: int) -> tuple[str, str] | None:
    """(purpose, reference) of an order: how a paid handler finds the thing that was paid for."""
    row = PaymentOrder.objects.filter(pk=order_id).values_list("purpose", "reference").first()
    return (row[0], row[1]) if row else None


def service_payment_order(reference: str) -> PaymentOrder | None:
    """The latest order of a service (e.g. a seal order, reference ``seal:<id>``)."""
    return (
        PaymentOrder.objects.filter(purpose=Purpose.SERVICE, reference=reference)
        .order_by("-created_at", "-pk")
        .first()
    )
