"""A seal order with a fee opens a service payment order; a confirmed payment marks the seal
order paid (paid handler after commit, so the test is transactional)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onestop.accounts.models import Enterprise, Person
from onestop.payments import services as payments
from onestop.payments.contrib import demo
from onestop.payments.selectors import service_payment_order
from onestop.seals import services
from onestop.seals.models import EngravingShop, SealOrder

pytestmark = pytest.mark.django_db(transaction=True)


def test_seal_fee_is_paid_online(
    legal_rep: Person, enterprise: Enterprise, shop: EngravingShop
) -> None:
    order = services.seal_order_submit(
        actor=legal_rep.user,
        person=legal_rep,
        enterprise=enterprise,
        shop=shop,
        kinds=["official", "legal_rep"],
    )
    assert order.fee_fen == 11000 and order.payment_state == "unpaid"
    payment = service_payment_order(f"seal:{order.pk}")
    assert payment is not None and payment.amount_fen == 11000
    payments.payment_start(
        order=payment, actor=None, provider_key="demo", notify_url="", return_url=""
    )
    headers, body = demo.signed_notice(
        {
            "kind": "payment",
            "merchant_id": demo.MERCHANT_ID,
            "order_number": payment.number,
            "txn_id": "DPSEAL0001",
            "amount_fen": payment.amount_fen,
            "currency": "CNY",
            "at": timezone.now().isoformat(),
        }
    )
    assert (
        payments.payment_notice_receive(provider_key="demo", headers=headers, body=body).status
        == 200
    )
    assert SealOrder.objects.get(pk=order.pk).payment_state == "paid"
