"""Two (and more) concurrent copies of the same notification credit once (PostgreSQL row
locks and the ledger's unique provider transaction id)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from onestop.accounts.choices import UnitKind
from onestop.accounts.tests.factories import UnitFactory
from onestop.payments import services
from onestop.payments.choices import NoticeVerdict, OrderState
from onestop.payments.contrib import demo
from onestop.payments.models import LedgerEntry, PaymentNotice, PaymentOrder

THREADS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_notifications_credit_once() -> None:
    unit = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    orders = [
        services.payment_order_create(
            purpose="service",
            reference=f"S{i}",
            payer=None,
            amount_fen=1000 + i,
            description="刻章",
            unit=unit,
        )
        for i in range(3)
    ]
    deliveries = []
    for order in orders:
        payload = {
            "kind": "payment",
            "merchant_id": demo.MERCHANT_ID,
            "order_number": order.number,
            "txn_id": f"T-{order.number}",
            "amount_fen": order.amount_fen,
            "currency": "CNY",
            "at": timezone.now().isoformat(),
        }
        deliveries.extend([demo.signed_notice(payload) for _ in range(THREADS)])
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    statuses: list[int] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for headers, body in deliveries[index::THREADS]:
                reply = services.payment_notice_receive(
                    provider_key="demo", headers=headers, body=body
                )
                statuses.append(reply.status)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert statuses == [200] * len(deliveries)
    assert LedgerEntry.objects.count() == 3
    assert sum(LedgerEntry.objects.values_list("amount_fen", flat=True)) == 3003
    assert PaymentNotice.objects.filter(verdict=NoticeVerdict.CREDITED).count() == 3
    assert PaymentNotice.objects.filter(verdict=NoticeVerdict.DUPLICATE).count() == 3 * THREADS - 3
    assert set(PaymentOrder.objects.values_list("state", flat=True)) == {OrderState.PAID}
