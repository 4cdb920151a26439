"""The service the cases app calls inside its transaction: outbox rows for the applicant (in-app
and SMS), nothing sent before commit, one set per case event, officer deadline warnings."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onestop.accounts.choices import Role
from onestop.accounts.models import DemoSmsMessage
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState
from onestop.cases.models import CaseEvent
from onestop.cases.tests.conftest import World
from onestop.cases.tests.factories import case_in_state
from onestop.core.models import AuditEvent
from onestop.messaging.choices import MessageStatus
from onestop.messaging.models import Message, MessageTemplate
from onestop.messaging.services import CASE_ACTIONS, message_case_event, message_officer_warning

pytestmark = pytest.mark.usefixtures("templates")


def test_each_case_action_writes_in_app_and_sms_after_commit(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.ACCEPTED)
    for action in CASE_ACTIONS:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            messages = message_case_event(case=case, action=action)
        assert [m.channel for m in messages] == ["in_app", "sms"], action
        # Written in the transaction, not sent before it commits.
        assert all(m.status == MessageStatus.CREATED for m in messages)
        assert len(callbacks) == 1
        callbacks[0]()
        for m in messages:
            m.refresh_from_db()
            assert m.status == MessageStatus.DELIVERED, action
    inbox = Message.objects.filter(recipient=world.applicant.user, channel="in_app")
    assert inbox.count() == len(CASE_ACTIONS)
    accept = inbox.get(event="case.accept")
    assert accept.subject == "办件已受理"
    assert case.number in accept.body and world.version.name in accept.body
    assert accept.link == f"/cases/mine/{case.number}/"
    assert DemoSmsMessage.objects.count() == len(CASE_ACTIONS)
    assert DemoSmsMessage.objects.first().mobile_masked == world.applicant.mobile_masked
    assert AuditEvent.objects.filter(action="message.case_event").count() == len(CASE_ACTIONS)


def test_reason_of_the_event_is_in_the_message(world: World) -> None:
    case = case_in_state(
        version=world.version, applicant=world.applicant, state=CaseState.SUPPLEMENT_REQUESTED
    )
    CaseEvent.objects.create(
        case=case, at=timezone.now(), action="request_supplement", note="租赁合同缺少签字页"
    )
    in_app, sms = message_case_event(case=case, action="request_supplement")
    assert "租赁合同缺少签字页" in in_app.body
    assert sms.body.startswith("【公安政务服务】")
    assert "租赁合同缺少签字页" in sms.body
    # The same case event again adds nothing (the caller may retry).
    again = message_case_event(case=case, action="request_supplement")
    assert [m.pk for m in again] == [in_app.pk, sms.pk]
    assert Message.objects.count() == 2


def test_actions_without_a_notice_write_nothing(world: World) -> None:
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.ACCEPTED)
    assert message_case_event(case=case, action="start_review") == []
    assert not Message.objects.exists()


def test_english_template_is_used_when_asked_and_edits_take_effect(world: World) -> None:
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.ACCEPTED)
    MessageTemplate.objects.filter(
        event="case.accept", channel="in_app", language="zh-hans"
    ).update(body="已受理：{number}")
    in_app, _sms = message_case_event(case=case, action="accept")
    assert in_app.body == f"已受理：{case.number}"
    from onestop.messaging.services import message_send

    english = message_send(
        event="case.accept",
        channel="in_app",
        params={"number": case.number, "item": "X"},
        recipient=world.applicant.user,
        language="en",
    )
    assert english is not None
    assert english.body == f"Your case {case.number} (X) has been accepted."


def test_officer_warnings(world: World) -> None:
    case = case_in_state(
        version=world.version, applicant=world.applicant, state=CaseState.IN_REVIEW
    )
    officer = world.staff[Role.REVIEWER]
    officer.mobile = "13912345678"
    officer.save()
    other_unit = staff_user(unit=world.units["station2"], roles=[Role.REVIEWER], with_totp=False)
    yellow = message_officer_warning(case=case, level="yellow")
    recipients = {m.recipient_id for m in yellow}
    assert officer.pk in recipients and other_unit.pk not in recipients
    assert world.staff[Role.SUPERVISOR].pk not in recipients
    assert all(m.channel == "in_app" for m in yellow)
    assert "黄色预警" in yellow[0].body and case.number in yellow[0].body
    red = message_officer_warning(case=case, level="red")
    assert world.staff[Role.SUPERVISOR].pk in {m.recipient_id for m in red}
    sms = [m for m in red if m.channel == "sms"]
    assert [m.recipient_id for m in sms] == [officer.pk]
    assert sms[0].address_masked == "139****5678"
    # The same warning on the same day is not repeated.
    assert len(message_officer_warning(case=case, level="red")) == len(red)
    assert Message.objects.filter(event="case.warning").count() == len(yellow) + len(red)
    assert message_officer_warning(case=case, level="none") == []
