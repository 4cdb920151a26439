"""Desk notices reach the right people's message centre after commit; an anonymous reporter is
never messaged and no notice names them (transactional: on-commit hooks run)."""

from __future__ import annotations

import pytest

from onestop.desk import services
from onestop.desk.choices import TicketKind
from onestop.messaging.models import Message

from .conftest import DeskWorld

pytestmark = pytest.mark.django_db(transaction=True)


def _notices(event: str) -> list[Message]:
    return list(Message.objects.filter(event=event).order_by("pk"))


def test_ticket_notices_go_to_the_officer_then_to_the_asker(dw: DeskWorld) -> None:
    ticket = services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.CONSULTATION,
        title="消防检查预约",
        body="请问如何预约？",
        enterprise=dw.enterprise,
    )
    submitted = _notices("desk.submitted")
    assert submitted and {m.recipient_id for m in submitted} <= {
        dw.officer.pk,
        dw.colleague.pk,
    }
    assert all(ticket.number in m.body and m.channel == "in_app" for m in submitted)
    services.ticket_reply(actor=dw.officer, ticket=ticket, reply="可在直通车提交预约。")
    replied = _notices("desk.replied")
    assert [m.recipient_id for m in replied] == [dw.boss.user.pk]
    assert "消防检查预约" in replied[0].body


def test_anonymous_tip_reporter_gets_no_message(dw: DeskWorld) -> None:
    ticket = services.ticket_submit(
        actor=dw.other.user,
        kind=TicketKind.TIP,
        title="线索",
        body="某处有违法经营。",
        anonymous=True,
        unit=dw.units["station1"],
    )
    services.ticket_reply(actor=dw.officer, ticket=ticket, reply="已核查。")
    assert _notices("desk.replied") == []
    assert not Message.objects.filter(recipient=dw.other.user).exists()
    assert not any(dw.other.name in m.body for m in Message.objects.all())
