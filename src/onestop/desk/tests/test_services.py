"""Desk services: routing, time limits in working days, reply / accept / reopen, escalation,
the sweep, complaints with rectification, anonymity and the audited reveal."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from onestop.core.models import AuditEvent
from onestop.desk import services
from onestop.desk.choices import TicketKind, TicketSource, TicketState
from onestop.desk.errors import InvalidRequest, InvalidState, NotAllowed
from onestop.desk.models import Ticket, TicketEvent

from .conftest import DeskWorld

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def _complaint(dw: DeskWorld, at: dt.datetime, **kw: object) -> Ticket:
    return services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.COMPLAINT,
        title="办证拖延",
        body="材料齐全但十天未办结。",
        enterprise=dw.enterprise,
        subject_unit=dw.units["station2"],
        complaint_reason="slow",
        now=at,
        **kw,
    )


def test_complaint_before_national_day_is_due_seven_working_days_later(dw: DeskWorld) -> None:
    # 17:55 on Wednesday 30 September 2026, the last working day before the holiday (1–7 Oct);
    # Saturday 10 October is a make-up working day.
    ticket = _complaint(dw, dt.datetime(2026, 9, 30, 17, 55, tzinfo=SH))
    assert ticket.due_at.astimezone(SH) == dt.datetime(2026, 10, 15, 17, 30, tzinfo=SH)
    assert ticket.number.startswith("ZTC20260930")
    assert ticket.unit == dw.units["station1"] and ticket.officer == dw.officer
    assert ticket.reporter == dw.boss.user and ticket.reporter_name == "张伟"


def test_consultation_is_due_next_working_day_and_limits_are_configurable(dw: DeskWorld) -> None:
    friday = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    ticket = services.ticket_submit(
        actor=dw.boss.user, kind=TicketKind.CONSULTATION, title="问", body="如何办理", now=friday
    )
    assert ticket.due_at.astimezone(SH) == dt.datetime(2026, 11, 23, 17, 30, tzinfo=SH)
    with override_settings(ONESTOP_DESK={"limits": {"consultation": {"days": 2}}}):
        later = services.ticket_submit(
            actor=dw.boss.user, kind=TicketKind.CONSULTATION, title="问", body="再问", now=friday
        )
    assert later.due_at.astimezone(SH) == dt.datetime(2026, 11, 24, 17, 30, tzinfo=SH)


def test_green_channel_gets_a_shorter_limit_and_comes_first(dw: DeskWorld) -> None:
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    normal = services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.POLICE_ENTERPRISE,
        title="走访",
        body="请来",
        enterprise=dw.enterprise,
        now=at,
    )
    green = services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.GREEN_CHANNEL,
        title="急",
        body="急办",
        enterprise=dw.enterprise,
        now=at,
    )
    assert green.green and green.due_at < normal.due_at
    assert green.due_at.astimezone(SH) == dt.datetime(2026, 11, 23, 14, 30, tzinfo=SH)
    from onestop.desk.selectors import tickets_for_officer

    assert tickets_for_officer(dw.officer).first() == green


def test_routing_prefers_the_enterprise_rule(dw: DeskWorld) -> None:
    station2 = dw.units["station2"]
    from onestop.accounts.tests.factories import staff_user

    special = staff_user(unit=station2, username="special")
    services.assignment_set(actor=None, unit=station2, officer=special, enterprise=dw.enterprise)
    ticket = services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.POLICY,
        title="政策",
        body="?",
        enterprise=dw.enterprise,
    )
    assert (ticket.unit, ticket.officer) == (station2, special)
    # a person without the enterprise goes by region (none given) → the fallback root unit
    plain = services.ticket_submit(actor=dw.other.user, kind=TicketKind.POLICY, title="t", body="b")
    assert plain.unit == dw.units["bureau"] and plain.officer is None


def test_reply_accept_and_reopen(dw: DeskWorld) -> None:
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    ticket = _complaint(dw, at)
    with pytest.raises(NotAllowed):
        services.ticket_reply(actor=dw.outsider, ticket=ticket, reply="x", now=at)
    with pytest.raises(NotAllowed):  # the asker cannot accept before a reply: not theirs to do
        services.ticket_accept(actor=dw.other.user, ticket=ticket)
    with pytest.raises(InvalidState):
        services.ticket_accept(actor=dw.boss.user, ticket=ticket)
    ticket = services.ticket_reply(
        actor=dw.officer, ticket=ticket, reply="已督促办理。", now=at + dt.timedelta(hours=1)
    )
    assert ticket.state == TicketState.REPLIED and ticket.first_reply_on_time is True
    reopen_at = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH)
    ticket = services.ticket_reopen(
        actor=dw.boss.user, ticket=ticket, reason="仍未办结", now=reopen_at
    )
    assert ticket.state == TicketState.REOPENED and ticket.reopen_count == 1
    assert ticket.due_at.astimezone(SH) == dt.datetime(2026, 12, 4, 17, 30, tzinfo=SH)
    with pytest.raises(InvalidRequest):
        services.ticket_reply(actor=dw.officer, ticket=ticket, reply="  ")
    ticket = services.ticket_reply(actor=dw.colleague, ticket=ticket, reply="已办结。")
    ticket = services.ticket_accept(actor=dw.boss.user, ticket=ticket)
    assert ticket.state == TicketState.CLOSED and ticket.closed_at is not None
    actions = list(ticket.events.order_by("id").values_list("action", flat=True))
    assert actions == ["submit", "reply", "reopen", "reply", "accept"]


def test_escalation_needs_the_supervisor_role(dw: DeskWorld) -> None:
    ticket = _complaint(dw, dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    with pytest.raises(NotAllowed):
        services.ticket_escalate(actor=dw.officer, ticket=ticket, comment="快办")
    ticket = services.ticket_escalate(actor=dw.supervisor, ticket=ticket, comment="限期答复")
    assert ticket.escalation_level == 1
    assert AuditEvent.objects.filter(action="desk.ticket_escalate", actor=dw.supervisor).exists()


def test_sweep_reminds_then_escalates_once(dw: DeskWorld) -> None:
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    ticket = services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.CONSULTATION,
        title="t",
        body="b",
        enterprise=dw.enterprise,
        now=at,
    )  # due Tuesday 24 November 17:30
    assert services.ticket_sweep(now=at) == services.SweepResult(reminded=0, escalated=0)
    near = dt.datetime(2026, 11, 24, 14, 0, tzinfo=SH)
    assert services.ticket_sweep(now=near).reminded == 1
    assert services.ticket_sweep(now=near).reminded == 0
    late = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SH)
    assert services.ticket_sweep(now=late).escalated == 1
    assert services.ticket_sweep(now=late).escalated == 0
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1 and ticket.reminded_at is not None
    assert ticket.events.filter(action="overdue").count() == 1
    # a late reply is counted as late
    ticket = services.ticket_reply(actor=dw.officer, ticket=ticket, reply="晚了", now=late)
    assert ticket.first_reply_on_time is False


def test_complaint_rectification_must_be_done_before_closing(dw: DeskWorld) -> None:
    at = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    ticket = _complaint(dw, at)
    ticket = services.ticket_reply(
        actor=dw.officer, ticket=ticket, reply="投诉属实。", rectification_days=5, now=at
    )
    assert ticket.rectification_due_at.astimezone(SH) == dt.datetime(
        2026, 11, 30, 17, 30, tzinfo=SH
    )
    with pytest.raises(InvalidRequest):
        services.ticket_accept(actor=dw.boss.user, ticket=ticket)
    overdue = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    assert services.ticket_sweep(now=overdue).escalated == 1
    services.ticket_rectify(actor=dw.officer, ticket=ticket, note="已约谈并整改。")
    ticket = services.ticket_accept(actor=dw.boss.user, ticket=ticket)
    assert ticket.state == TicketState.CLOSED


def test_staff_record_a_hotline_complaint(dw: DeskWorld) -> None:
    ticket = services.ticket_record(
        actor=dw.officer,
        source=TicketSource.HOTLINE_12389,
        kind=TicketKind.COMPLAINT,
        title="窗口推诿",
        body="来电反映",
        caller_name="王五",
        caller_mobile="13912345678",
        complaint_reason="absent",
    )
    assert ticket.source == "hotline_12389" and ticket.reporter is None
    assert ticket.reporter_name == "王五"
    with pytest.raises(NotAllowed):
        services.ticket_record(
            actor=dw.boss.user, source="alarm_110", kind="complaint", title="t", body="b"
        )
    with pytest.raises(InvalidRequest):
        services.ticket_record(
            actor=dw.officer, source="portal", kind="complaint", title="t", body="b"
        )


def test_only_tips_may_be_anonymous_and_visitors_only_file_tips(dw: DeskWorld) -> None:
    with pytest.raises(InvalidRequest):
        services.ticket_submit(
            actor=dw.boss.user, kind=TicketKind.COMPLAINT, title="t", body="b", anonymous=True
        )
    with pytest.raises(NotAllowed):
        services.ticket_submit(actor=AnonymousUser(), kind="consultation", title="t", body="b")
    tip = services.ticket_submit(actor=AnonymousUser(), kind="tip", title="线索", body="某处")
    assert tip.anonymous and tip.owner_hash == ""


def test_anonymous_tip_seals_the_identity_and_every_reveal_is_audited(dw: DeskWorld) -> None:
    tip = services.ticket_submit(
        actor=dw.boss.user,
        kind=TicketKind.TIP,
        title="线索",
        body="有人倒卖",
        anonymous=True,
        region_code="120101",
    )
    assert tip.unit == dw.units["station1"]
    tip = Ticket.objects.get(pk=tip.pk)
    assert tip.reporter is None and tip.reporter_name == "" and tip.contact_mobile == ""
    assert tip.enterprise is None
    assert json.loads(tip.sealed_identity)["name"] == "张伟"
    # the reporter still finds it among their own tickets and may accept a reply
    from onestop.desk.selectors import tickets_of_user

    assert list(tickets_of_user(dw.boss.user)) == [tip]
    assert list(tickets_of_user(dw.other.user)) == []
    # the audit log does not name the reporter either
    submitted = AuditEvent.objects.get(action="desk.ticket_submit", object_id=str(tip.pk))
    assert submitted.actor is None and submitted.summary["by"] == "reporter"
    assert TicketEvent.objects.get(ticket=tip, action="submit").actor is None
    for actor in (dw.officer, dw.supervisor, dw.outsider):
        with pytest.raises(NotAllowed):
            services.ticket_reporter_reveal(actor=actor, ticket=tip, purpose="核实")
    with pytest.raises(Exception):  # noqa: B017 - a purpose is required (ValidationError)
        services.ticket_reporter_reveal(actor=dw.custodian, ticket=tip, purpose=" ")
    identity = services.ticket_reporter_reveal(
        actor=dw.custodian, ticket=tip, purpose="线索核实需联系举报人"
    )
    assert identity["name"] == "张伟" and identity["mobile"] == dw.boss.mobile
    reveals = AuditEvent.objects.filter(action="pii.reveal", object_id=str(tip.pk))
    assert reveals.count() == 1 and reveals[0].actor == dw.custodian
    assert reveals[0].purpose == "线索核实需联系举报人"
    assert "张伟" not in json.dumps(reveals[0].summary, ensure_ascii=False)
    assert AuditEvent.objects.filter(action="desk.ticket_reveal", actor=dw.custodian).count() == 1
    # the reporter's own steps stay anonymous
    services.ticket_reply(actor=dw.officer, ticket=tip, reply="已查处")
    services.ticket_accept(actor=dw.boss.user, ticket=tip)
    accepted = AuditEvent.objects.get(action="desk.ticket_accept", object_id=str(tip.pk))
    assert accepted.actor is None
