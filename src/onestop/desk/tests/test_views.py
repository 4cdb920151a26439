"""Desk pages and API: filing, accept / reopen, staff actions, and anonymity — an anonymous
reporter appears in no page and no API response except for the identity custodian's reveal."""

from __future__ import annotations

import json

import pytest
from conftest import login_verified
from django.test import Client

from onestop.core.models import AuditEvent
from onestop.desk import services
from onestop.desk.choices import LiaisonLevel, PoliceType, TicketState
from onestop.desk.models import Ticket

from .conftest import DeskWorld

pytestmark = pytest.mark.django_db


def _public(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _everything(client: Client, ticket: Ticket) -> str:
    """Every staff page and API answer about the ticket, concatenated."""
    parts = []
    for url in (
        "/work/desk/",
        "/work/desk/?show=all",
        f"/work/desk/{ticket.number}/",
        "/api/v1/desk/staff/tickets/",
        f"/api/v1/desk/staff/tickets/{ticket.number}/",
        "/work/audit/",
    ):
        response = client.get(url)
        parts.append(response.content.decode())
    return "\n".join(parts)


def test_file_a_complaint_and_accept_the_reply_through_the_pages(dw: DeskWorld) -> None:
    client = _public(dw.boss.user)
    response = client.post(
        "/desk/new/",
        {
            "kind": "complaint",
            "enterprise": dw.enterprise.pk,
            "title": "办证拖延",
            "body": "材料齐全十天未办",
            "complaint_reason": "slow",
            "subject_unit": dw.units["station2"].pk,
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/desk/mine/{ticket.number}/"
    page = client.get(response.url).content.decode()
    assert "办证拖延" in page and "劝业场派出所" in page
    officer = login_verified(Client(), dw.officer)
    staff_page = officer.get(f"/work/desk/{ticket.number}/").content.decode()
    assert "张伟" in staff_page and dw.boss.mobile not in staff_page  # masked
    response = officer.post(f"/work/desk/{ticket.number}/reply/", {"reply-reply": "已督促"})
    assert response.status_code == 302
    assert "认可答复并办结" in client.get(f"/desk/mine/{ticket.number}/").content.decode()
    response = client.post(f"/desk/mine/{ticket.number}/reopen/", {"reason": ""})
    assert response.status_code == 400
    client.post(f"/desk/mine/{ticket.number}/reopen/", {"reason": "仍未办"})
    assert Ticket.objects.get().state == TicketState.REOPENED
    officer.post(f"/work/desk/{ticket.number}/reply/", {"reply-reply": "已办结"})
    client.post(f"/desk/mine/{ticket.number}/accept/")
    assert Ticket.objects.get().state == TicketState.CLOSED
    assert "评价本次服务" in client.get(f"/desk/mine/{ticket.number}/").content.decode()


def test_another_person_cannot_see_or_act_on_my_ticket(dw: DeskWorld) -> None:
    ticket = services.ticket_submit(actor=dw.boss.user, kind="consultation", title="t", body="b")
    other = _public(dw.other.user)
    assert other.get(f"/desk/mine/{ticket.number}/").status_code == 404
    assert other.post(f"/desk/mine/{ticket.number}/accept/").status_code == 404
    assert other.get(f"/api/v1/desk/tickets/{ticket.number}/").status_code == 404
    outsider = login_verified(Client(), dw.outsider)
    assert outsider.get(f"/work/desk/{ticket.number}/").status_code == 404


def test_visitor_files_only_an_anonymous_tip(dw: DeskWorld) -> None:
    client = Client()
    page = client.get("/desk/new/").content.decode()
    assert 'value="tip"' in page and 'value="complaint"' not in page
    response = client.post(
        "/desk/new/", {"kind": "tip", "title": "线索", "body": "某处", "contact_mobile": ""}
    )
    assert response.status_code == 200 and "已收到您的线索" in response.content.decode()
    assert Ticket.objects.get().anonymous


def test_anonymous_reporter_appears_only_for_the_custodian_after_an_audited_reveal(
    dw: DeskWorld,
) -> None:
    client = _public(dw.boss.user)
    response = client.post(
        "/api/v1/desk/tickets/",
        data=json.dumps(
            {
                "kind": "tip",
                "title": "倒卖线索",
                "body": "有人倒卖身份证",
                "anonymous": True,
                "unit": dw.units["station1"].pk,
                "contact_mobile": "13700001111",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.unit == dw.units["station1"]
    secrets = ["张伟", dw.boss.mobile, "13700001111", dw.boss.user.username, dw.boss.id_number]
    created = response.content.decode()  # the API answer repeats no identity either
    assert not any(secret in created for secret in secrets)
    services.ticket_reply(actor=dw.officer, ticket=ticket, reply="已查处")
    services.ticket_escalate(actor=dw.supervisor, ticket=ticket, comment="督办")
    for staff in (dw.officer, dw.colleague, dw.supervisor, dw.custodian):
        text = _everything(login_verified(Client(), staff), ticket)
        assert ticket.number in text
        for secret in secrets:
            assert secret not in text, (staff.username, secret)
    # the officer cannot reveal; the custodian can, once per stated purpose, audited
    officer = login_verified(Client(), dw.officer)
    response = officer.post(f"/work/desk/{ticket.number}/reveal/", {"reveal-purpose": "核实"})
    assert response.status_code == 400 and "张伟" not in response.content.decode()
    custodian = login_verified(Client(), dw.custodian)
    page = custodian.get(f"/work/desk/{ticket.number}/").content.decode()
    assert "查看举报人身份" in page and "张伟" not in page
    response = custodian.post(
        f"/work/desk/{ticket.number}/reveal/", {"reveal-purpose": "需联系举报人补充线索"}
    )
    revealed = response.content.decode()
    assert response.status_code == 200 and "张伟" in revealed and "13700001111" in revealed
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="pii.reveal", object_id=str(ticket.pk))
    assert event.actor == dw.custodian and event.purpose == "需联系举报人补充线索"
    # nothing was kept: the next page view is sealed again
    assert "张伟" not in custodian.get(f"/work/desk/{ticket.number}/").content.decode()
    # and the audit trail of the reporter's own steps names nobody
    assert not AuditEvent.objects.filter(
        object_id=str(ticket.pk), object_type="desk.ticket", actor=dw.boss.user
    ).exists()


def test_staff_record_a_110_complaint_page(dw: DeskWorld) -> None:
    officer = login_verified(Client(), dw.officer)
    response = officer.post(
        "/work/desk/record/",
        {
            "source": "alarm_110",
            "kind": "complaint",
            "caller_name": "王五",
            "caller_mobile": "13912345678",
            "title": "出警慢",
            "body": "110 转来",
            "complaint_reason": "slow",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.source == "alarm_110" and ticket.reporter_name == "王五"


def test_api_refusals_map_to_status_codes(dw: DeskWorld) -> None:
    client = _public(dw.boss.user)
    response = client.post(
        "/api/v1/desk/tickets/",
        data=json.dumps({"kind": "complaint", "title": "t", "body": "b", "anonymous": True}),
        content_type="application/json",
    )
    assert response.status_code == 400
    ticket = services.ticket_submit(
        actor=dw.boss.user, kind="consultation", title="t", body="b", enterprise=dw.enterprise
    )
    assert client.post(f"/api/v1/desk/tickets/{ticket.number}/accept/").status_code == 409
    officer = login_verified(Client(), dw.officer)
    assert (
        officer.post(
            f"/api/v1/desk/staff/tickets/{ticket.number}/escalate/",
            data={"comment": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    response = officer.post(
        f"/api/v1/desk/staff/tickets/{ticket.number}/reply/",
        data={"reply": "答复"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "replied"
    assert response.json()["reporter"] == "张伟"


def test_liaison_directory_is_public_and_filtered(dw: DeskWorld) -> None:
    services.liaison_create(
        actor=None,
        name="赵联络",
        unit=dw.units["heping"],
        level=LiaisonLevel.COUNTY,
        police_type=PoliceType.PUBLIC_ORDER,
        phone="022-12345678",
    )
    services.liaison_create(
        actor=None,
        name="钱联络",
        unit=dw.units["bureau"],
        level=LiaisonLevel.CITY,
        police_type=PoliceType.EXIT_ENTRY,
        phone="022-87654321",
    )
    client = Client()
    page = client.get("/desk/liaisons/?level=county").content.decode()
    assert "赵联络" in page and "钱联络" not in page
    data = client.get("/api/v1/desk/liaisons/?police_type=exit_entry").json()
    assert [row["name"] for row in data["results"]] == ["钱联络"]
