"""The books stay right: forged, wrong amount, wrong merchant, stale, replayed, duplicated and
out-of-order notifications through the demo provider; mop-up, expiry, refunds, fines."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from onestop.payments import selectors, services
from onestop.payments.choices import NoticeVerdict, OrderState, RefundState
from onestop.payments.contrib import demo
from onestop.payments.errors import InvalidRequest, NotAllowed
from onestop.payments.models import (
    DemoGatewayDelivery,
    LedgerEntry,
    PaymentNotice,
    PaymentOrder,
)

from .conftest import PayWorld

pytestmark = pytest.mark.django_db


def _order(w: PayWorld, amount: int = 2000) -> PaymentOrder:
    return services.payment_order_for_case(
        case_id=w.case.pk, payer=w.payer.user, amount_fen=amount, description="测试收费"
    )


def _started(w: PayWorld) -> PaymentOrder:
    order = _order(w)
    services.payment_start(
        order=order, actor=w.payer.user, provider_key="demo", notify_url="", return_url=""
    )
    order.refresh_from_db()
    return order


def _payload(order: PaymentOrder, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "payment",
        "merchant_id": demo.MERCHANT_ID,
        "order_number": order.number,
        "txn_id": "DPTEST0001",
        "amount_fen": order.amount_fen,
        "currency": "CNY",
        "at": timezone.now().isoformat(),
    }
    data.update(over)
    return data


def _send(payload: dict[str, object], **kw: object) -> int:
    headers, body = demo.signed_notice(payload, **kw)  # type: ignore[arg-type]
    return services.payment_notice_receive(provider_key="demo", headers=headers, body=body).status


def _credited() -> int:
    return LedgerEntry.objects.aggregate(s=Sum("amount_fen"))["s"] or 0


def test_order_for_case_is_idempotent_and_case_state_follows(pay_world: PayWorld) -> None:
    assert selectors.case_payment_state(pay_world.case.pk) == "none"
    first = _order(pay_world)
    again = _order(pay_world)
    assert first.pk == again.pk
    assert first.unit == pay_world.case.handling_unit
    assert selectors.case_payment_state(pay_world.case.pk) == "unpaid"


def test_valid_notice_credits_once_and_duplicate_is_harmless(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    assert _send(_payload(order)) == 200
    assert _send(_payload(order)) == 200  # duplicate: acknowledged, nothing more
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert order.provider_txn_id == "DPTEST0001"
    assert _credited() == 2000
    assert selectors.case_payment_state(pay_world.case.pk) == "paid"
    verdicts = list(PaymentNotice.objects.order_by("pk").values_list("verdict", flat=True))
    assert verdicts == [NoticeVerdict.CREDITED, NoticeVerdict.DUPLICATE]


def test_forged_signature_changes_nothing(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    status = _send(_payload(order), secret=b"not-the-gateway-key")
    assert status == 400
    order.refresh_from_db()
    assert order.state == OrderState.PAYING
    assert _credited() == 0
    assert PaymentNotice.objects.get().reason == "bad_signature"


def test_tampered_body_is_rejected(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    headers, body = demo.signed_notice(_payload(order))
    body = body.replace(b'"amount_fen": 2000', b'"amount_fen": 1')
    reply = services.payment_notice_receive(provider_key="demo", headers=headers, body=body)
    assert reply.status == 400
    assert _credited() == 0


def test_wrong_amount_wrong_currency_wrong_merchant(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    assert _send(_payload(order, amount_fen=1999)) == 400
    assert _send(_payload(order, currency="USD")) == 400
    assert _send(_payload(order, merchant_id="OTHER-MCH")) == 400
    reasons = set(PaymentNotice.objects.values_list("reason", flat=True))
    assert reasons == {"amount_mismatch", "wrong_currency", "wrong_merchant"}
    order.refresh_from_db()
    assert order.state == OrderState.PAYING
    assert _credited() == 0


def test_stale_timestamp_is_rejected(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    assert _send(_payload(order), at=time.time() - 3600) == 400
    assert PaymentNotice.objects.get().reason == "stale_timestamp"
    assert _credited() == 0


def test_replay_of_a_captured_notice_does_not_credit_twice(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    headers, body = demo.signed_notice(_payload(order))
    for _ in range(3):
        reply = services.payment_notice_receive(provider_key="demo", headers=headers, body=body)
        assert reply.status == 200
    assert LedgerEntry.objects.count() == 1
    assert _credited() == 2000


def test_cashier_pay_with_duplicated_delayed_shuffled_notices(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    demo.gateway_pay(order=order, outcome="pay", copies=4, delay_seconds=60)
    order.refresh_from_db()
    due = DemoGatewayDelivery.objects.filter(delivered_at__isnull=True).count()
    assert due >= 1
    demo.deliver(now=timezone.now() + timedelta(seconds=61))
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert _credited() == 2000
    assert DemoGatewayDelivery.objects.filter(delivered_at__isnull=True).count() == 0


def test_failed_and_cancelled_payments_leave_the_order_payable(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    demo.gateway_pay(order=order, outcome="fail")
    demo.gateway_pay(order=order, outcome="cancel")
    order.refresh_from_db()
    assert order.state == OrderState.PAYING
    assert _credited() == 0


def test_lost_notice_is_settled_by_mop_up(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    demo.gateway_pay(order=order, outcome="pay_lost")
    order.refresh_from_db()
    assert order.state == OrderState.PAYING
    result = services.payment_mop_up(now=timezone.now() + timedelta(minutes=5))
    assert (result.queried, result.credited) == (1, 1)
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    # running it again changes nothing
    assert services.payment_mop_up(now=timezone.now() + timedelta(minutes=6)).credited == 0
    assert _credited() == 2000


def test_unpaid_orders_expire_and_a_new_order_can_be_made(pay_world: PayWorld) -> None:
    order = _order(pay_world)
    later = timezone.now() + timedelta(hours=3)
    assert services.payment_mop_up(now=later).expired == 1
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED
    with pytest.raises(InvalidRequest):
        services.payment_start(
            order=order, actor=None, provider_key="demo", notify_url="", return_url=""
        )
    assert _order(pay_world).pk != order.pk


def test_paying_order_left_at_the_cashier_expires(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    demo.gateway_pay(order=order, outcome="leave")
    result = services.payment_mop_up(now=timezone.now() + timedelta(hours=3))
    assert result.expired == 1
    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED


def test_payment_arriving_after_expiry_is_still_booked(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    services.payment_mop_up(now=timezone.now() + timedelta(hours=3))
    assert _send(_payload(order)) == 200
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert _credited() == 2000


def test_second_different_payment_is_booked_as_conflict(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    _send(_payload(order))
    _send(_payload(order, txn_id="DPTEST0002"))
    order.refresh_from_db()
    assert order.provider_txn_id == "DPTEST0001"
    assert PaymentNotice.objects.filter(verdict=NoticeVerdict.CONFLICT).count() == 1
    assert _credited() == 4000  # both were real money; staff refund the second


def test_refund_needs_role_and_scope_and_is_audited(pay_world: PayWorld) -> None:
    from onestop.core.models import AuditEvent

    order = _started(pay_world)
    _send(_payload(order))
    order.refresh_from_db()
    for actor in (pay_world.clerk, pay_world.outsider, pay_world.payer.user):
        with pytest.raises(NotAllowed):
            services.refund_create(actor=actor, order=order, amount_fen=500, reason="多收")
    with pytest.raises(InvalidRequest):
        services.refund_create(actor=pay_world.approver, order=order, amount_fen=500, reason=" ")
    with pytest.raises(InvalidRequest):
        services.refund_create(
            actor=pay_world.approver, order=order, amount_fen=2001, reason="多收"
        )
    refund = services.refund_create(
        actor=pay_world.approver, order=order, amount_fen=500, reason="多收"
    )
    order.refresh_from_db()
    # the demo gateway's refund notice was delivered after commit... in tests: deliver now
    demo.deliver()
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.state == RefundState.SUCCEEDED
    assert order.state == OrderState.PARTLY_REFUNDED
    assert order.refunded_fen == 500
    assert _credited() == 1500
    assert AuditEvent.objects.filter(
        action="payments.refund_create", actor=pay_world.approver
    ).exists()
    # a pending-or-done refund cannot exceed what is left
    with pytest.raises(InvalidRequest):
        services.refund_create(
            actor=pay_world.approver, order=order, amount_fen=1501, reason="多收"
        )
    services.refund_create(actor=pay_world.approver, order=order, amount_fen=1500, reason="撤回")
    demo.deliver()
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    assert _credited() == 0
    assert selectors.case_payment_state(pay_world.case.pk) == "refunded"


def test_refund_notice_before_the_payment_notice(pay_world: PayWorld) -> None:
    """The payment was settled by the mop-up query, refunded, and only then the delayed payment
    notice arrives; and a refund notice for an order not yet known as paid is deferred."""
    order = _started(pay_world)
    demo.gateway_pay(order=order, outcome="pay", delay_seconds=3600)  # payment notice delayed
    # a refund notice for this order arrives while the payment is unknown: deferred, no change
    stray = _payload(order, kind="refund", txn_id="DRSTRAY", refund_number="RF-UNKNOWN")
    assert _send(stray) == 400
    assert PaymentNotice.objects.get().verdict == NoticeVerdict.DEFERRED
    services.payment_mop_up(now=timezone.now() + timedelta(minutes=5))
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    services.refund_create(actor=pay_world.approver, order=order, amount_fen=2000, reason="撤件")
    demo.deliver()  # the refund notice comes first ...
    demo.deliver(now=timezone.now() + timedelta(hours=2))  # ... then the old payment notice
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    assert order.paid_fen == 2000 and order.refunded_fen == 2000
    assert _credited() == 0
    assert LedgerEntry.objects.count() == 2


def test_fine_surcharge_three_percent_per_day_capped(pay_world: PayWorld) -> None:
    fine = services.fine_create(
        actor=None,
        decision_number="1201011234567890",
        verification_code="834920",
        kind="traffic",
        party_name="赵六",
        amount_fen=20000,
        decided_on=date(2026, 11, 1),
        unit=pay_world.units["station1"],
    )
    assert fine.due_on == date(2026, 11, 16)
    assert services.fine_surcharge_fen(fine, date(2026, 11, 16)) == 0
    assert services.fine_surcharge_fen(fine, date(2026, 11, 17)) == 600
    assert services.fine_surcharge_fen(fine, date(2026, 11, 26)) == 6000
    assert services.fine_surcharge_fen(fine, date(2027, 3, 1)) == 20000  # capped at the fine
    assert selectors.fine_lookup(decision_number="1201011234567890", code="000000") is None
    assert selectors.fine_lookup(decision_number="1201011234567890", code="834920") == fine


def test_fine_order_follows_the_day(pay_world: PayWorld) -> None:
    fine = services.fine_create(
        actor=None,
        decision_number="F-1",
        verification_code="111111",
        kind="administrative",
        party_name="赵六",
        amount_fen=10000,
        decided_on=date(2026, 11, 1),
        unit=pay_world.units["station1"],
    )
    with time_machine.travel("2026-11-18 10:00 +0800", tick=False):
        first = services.fine_order_create(fine=fine)
        assert first.amount_fen == 10600
        assert services.fine_order_create(fine=fine).pk == first.pk
    with time_machine.travel("2026-11-19 10:00 +0800", tick=False):
        second = services.fine_order_create(fine=fine)
    assert second.amount_fen == 10900
    first.refresh_from_db()
    assert first.state == OrderState.CLOSED


def test_paid_handler_runs_after_commit(
    pay_world: PayWorld, django_capture_on_commit_callbacks: object
) -> None:
    seen: list[int] = []
    services.paid_handler_register("case", seen.append)
    try:
        order = _started(pay_world)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            _send(_payload(order))
        assert seen == [order.pk]
    finally:
        services._paid_handlers["case"].remove(seen.append)


def test_unknown_order_notice_is_rejected(pay_world: PayWorld) -> None:
    order = _started(pay_world)
    assert _send(_payload(order, order_number="PO-NOPE")) == 400
    assert (
        json.loads(services.get_provider("demo").reply(ok=False, message="x").body)["code"]
        == "FAIL"
    )
