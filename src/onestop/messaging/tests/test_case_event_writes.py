"""How ``message_case_event`` writes: the templates of both channels in one read, the caller's
timeline row used as is, both rows in one insert, and a repeated notice adding only what is
missing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.cases.choices import CaseState
from onestop.cases.models import CaseEvent
from onestop.cases.tests.conftest import World
from onestop.cases.tests.factories import case_in_state
from onestop.core.models import AuditEvent
from onestop.messaging.models import Message
from onestop.messaging.services import message_case_event

pytestmark = pytest.mark.usefixtures("templates")


def _statements(ctx: CaptureQueriesContext, fragment: str) -> int:
    return sum(fragment in q["sql"] for q in ctx.captured_queries)


def test_one_template_read_and_one_insert(world: World) -> None:
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.ACCEPTED)
    event = CaseEvent.objects.create(case=case, at=timezone.now(), action="accept", note="已受理")
    with CaptureQueriesContext(connection) as ctx:
        in_app, sms = message_case_event(case=case, action="accept", case_event=event)
    assert _statements(ctx, 'FROM "messaging_messagetemplate"') == 1
    assert _statements(ctx, 'FROM "cases_caseevent"') == 0
    assert _statements(ctx, 'INSERT INTO "messaging_message"') == 1
    assert _statements(ctx, 'FROM "messaging_message"') == 0
    assert in_app.idempotency_key == f"case:{case.pk}:ev{event.pk}:in_app"
    assert sms.idempotency_key == f"case:{case.pk}:ev{event.pk}:sms"
    assert in_app.subject == "办件已受理" and sms.body.startswith("【公安政务服务】")
    assert Message.objects.filter(pk__in=[in_app.pk, sms.pk]).count() == 2


def test_again_adds_only_the_missing_row(world: World) -> None:
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.ACCEPTED)
    event = CaseEvent.objects.create(case=case, at=timezone.now(), action="accept")
    in_app, sms = message_case_event(case=case, action="accept", case_event=event)
    Message.objects.filter(pk=sms.pk).delete()
    again = message_case_event(case=case, action="accept", case_event=event)
    assert again[0].pk == in_app.pk
    assert again[1].pk != sms.pk and again[1].channel == "sms"
    assert Message.objects.filter(object_ref=f"cases.case:{case.pk}").count() == 2
    assert AuditEvent.objects.filter(action="message.case_event").count() == 2
    # the same event a third time: nothing new
    third = message_case_event(case=case, action="accept")
    assert [m.pk for m in third] == [m.pk for m in again]
    assert Message.objects.count() == 2
