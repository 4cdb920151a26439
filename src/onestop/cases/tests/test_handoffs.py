"""Hand-offs between the case engine and the other modules, after commit (transactional tests).

Fees: an order is opened at submission, acceptance waits for the confirmed payment, and a signed
commitment case is approved on the spot once the payment's after-commit handler runs.
Results: an approval issues the item's signed e-certificate. Messages: each applicant-facing
transition leaves outbox rows that the worker delivers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onestop.cases import services
from onestop.cases.choices import CaseAction, CaseState
from onestop.cases.errors import InvalidRequest
from onestop.payments import services as payments
from onestop.payments.choices import OrderState
from onestop.payments.contrib import demo
from onestop.payments.models import PaymentOrder
from onestop.payments.selectors import case_payment_order, case_payment_state

from .conftest import World
from .factories import item_version

pytestmark = pytest.mark.django_db(transaction=True)


def _fee_world(world: World, *, commitment: bool = False) -> World:
    world.version = item_version(
        unit=world.units["station1"], fee_fen=16000, commitment_approval=commitment
    )
    return world


def _submit(world: World, **kw: bool) -> object:
    case = services.case_create(actor=world.applicant.user, item_version=world.version)
    return services.case_submit(actor=world.applicant.user, case=case, **kw)


def _pay(order: PaymentOrder, txn: str = "DPFEE0001") -> None:
    payments.payment_start(
        order=order, actor=None, provider_key="demo", notify_url="", return_url=""
    )
    headers, body = demo.signed_notice(
        {
            "kind": "payment",
            "merchant_id": demo.MERCHANT_ID,
            "order_number": order.number,
            "txn_id": txn,
            "amount_fen": order.amount_fen,
            "currency": "CNY",
            "at": timezone.now().isoformat(),
        }
    )
    reply = payments.payment_notice_receive(provider_key="demo", headers=headers, body=body)
    assert reply.status == 200


def test_acceptance_waits_for_the_confirmed_payment(world: World) -> None:
    case = _submit(_fee_world(world))
    order = case_payment_order(case.pk)
    assert order is not None and order.amount_fen == 16000 and order.state == OrderState.CREATED
    assert order.payer == world.applicant.user and order.unit == case.handling_unit
    clerk = world.staff["window_clerk"]
    assert CaseAction.ACCEPT not in services.allowed_actions(case, clerk)
    with pytest.raises(InvalidRequest) as info:
        services.case_accept(actor=clerk, case=case)
    assert info.value.code == "fee_unpaid"
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.accepted_at is None

    _pay(order)
    assert case_payment_state(case.pk) == "paid"
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED  # an ordinary case waits for the clerk
    assert CaseAction.ACCEPT in services.allowed_actions(case, clerk)
    assert services.case_accept(actor=clerk, case=case).state == CaseState.ACCEPTED


def test_commitment_case_is_approved_once_its_fee_is_paid(world: World) -> None:
    case = _submit(_fee_world(world, commitment=True), commitment_signed=True)
    assert case.state == CaseState.SUBMITTED and case.commitment
    order = case_payment_order(case.pk)
    assert order is not None
    _pay(order)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert list(case.events.order_by("pk").values_list("action", flat=True))[-2:] == [
        "accept",
        "approve",
    ]
    # the handler is idempotent: running it again changes nothing
    services.case_fee_paid(case_id=case.pk)
    assert case.events.filter(action="approve").count() == 1


def test_free_items_open_no_order(world: World) -> None:
    case = _submit(world)
    assert case_payment_state(case.pk) == "none"
    assert CaseAction.ACCEPT in services.allowed_actions(case, world.staff["window_clerk"])


def test_approval_issues_the_e_certificate_once(world: World) -> None:
    from onestop.certificates.models import Certificate

    world.version = item_version(
        unit=world.units["station1"],
        commitment_approval=True,
        result_type="certificate",
        result_name="测试许可证",
    )
    case = _submit(world, commitment_signed=True)
    assert case.state == CaseState.APPROVED
    certificate = Certificate.objects.get(case_id=case.pk)
    assert certificate.title == "测试许可证" and certificate.status == "valid"
    assert certificate.identifier.startswith("1.2.156.3005.2.")
    services.case_issue_result(actor=world.staff["window_clerk"], case=case)
    assert Certificate.objects.filter(case_id=case.pk).count() == 1


def test_transition_messages_are_delivered_after_commit(world: World) -> None:
    from onestop.messaging.models import Message, MessageTemplate

    # a transactional test starts without the migrations' data: the shipped defaults apply
    assert not MessageTemplate.objects.exists()
    case = _submit(world)
    services.case_accept(actor=world.staff["window_clerk"], case=case)
    notices = Message.objects.filter(object_ref=f"cases.case:{case.pk}")
    assert {(m.event, m.channel) for m in notices} >= {
        ("case.submit", "in_app"),
        ("case.accept", "in_app"),
        ("case.accept", "sms"),
    }
    assert {m.status for m in notices} == {"delivered"}
