"""The message centre pages, the e-mail channel against a local SMTP sink, the template admin
with its preview, and the demo data."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from conftest import login_verified
from django.test import Client, override_settings

from onestop.accounts.tests.factories import staff_user
from onestop.cases.tests.factories import person
from onestop.messaging.choices import MessageStatus
from onestop.messaging.models import Message, MessageTemplate, OptOut, RegisterDocument
from onestop.messaging.services import message_send, outbox_process

pytestmark = pytest.mark.usefixtures("templates")


@pytest.fixture
def admin_client(unit_tree) -> Client:  # type: ignore[no-untyped-def]
    from onestop.accounts.choices import Role

    admin = staff_user(unit=unit_tree["bureau"], roles=[Role.PLATFORM_ADMIN], username="root")
    return login_verified(Client(), admin)


def inbox_message(user, subject: str = "办件已受理", link: str = "") -> Message:  # type: ignore[no-untyped-def]
    message = message_send(
        event="case.accept",
        channel="in_app",
        params={"number": "TJ1", "item": subject},
        recipient=user,
        link=link,
    )
    assert message is not None
    return message


def test_message_centre_lists_own_messages_and_marks_read(client: Client) -> None:
    applicant = person("张三")
    stranger = person("李四")
    mine = inbox_message(applicant.user, "居民身份证换领", link="/cases/mine/TJ1/")
    other = inbox_message(stranger.user, "别人的事项")
    assert client.get("/messaging/").status_code == 302  # sign in first
    client.force_login(applicant.user)
    page = client.get("/messaging/").content.decode()
    assert "居民身份证换领" in page and "别人的事项" not in page
    assert "1 条未读" in page
    # Someone else's message cannot be marked or opened.
    assert client.post(f"/messaging/{other.pk}/read/").status_code == 404
    assert client.post(f"/messaging/{other.pk}/open/").status_code == 404
    response = client.post(f"/messaging/{mine.pk}/open/")
    assert response["Location"] == "/cases/mine/TJ1/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    page = client.get("/messaging/?filter=unread").content.decode()
    assert "没有未读消息" in page
    inbox_message(applicant.user, "第二条")
    inbox_message(applicant.user, "第三条")
    client.post("/messaging/read-all/")
    assert not Message.objects.filter(recipient=applicant.user, read_at__isnull=True).exists()
    assert Message.objects.filter(recipient=stranger.user, read_at__isnull=True).count() == 1


def test_reminder_opt_out_from_the_centre(client: Client) -> None:
    applicant = person("张三")
    client.force_login(applicant.user)
    assert "退订到期提醒" in client.get("/messaging/").content.decode()
    page = client.post("/messaging/reminders/", {"reminders": "off"}, follow=True).content.decode()
    assert "已退订证件到期提醒短信" in page and "重新开启到期提醒" in page
    assert OptOut.objects.get().mobile_masked == applicant.mobile_masked
    client.post("/messaging/reminders/", {"reminders": "on"})
    assert not OptOut.objects.exists()


def test_staff_message_centre(unit_tree, client: Client) -> None:  # type: ignore[no-untyped-def]
    officer = staff_user(unit=unit_tree["station1"])
    inbox_message(officer, "预警事项")
    assert client.get("/work/messaging/").status_code == 302
    login_verified(client, officer)
    page = client.get("/work/messaging/").content.decode()
    assert "预警事项" in page and "退订到期提醒" not in page


class Sink:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[list[str], str]] = []
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
                if address.startswith("nobody@"):
                    return "550 no such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                sink.received.append(
                    (envelope.rcpt_tos, envelope.content.decode("utf-8", "replace"))
                )
                return "250 Message accepted"

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    sink = Sink()
    sink.controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield sink
    finally:
        sink.controller.stop()


def test_email_channel_through_smtp(smtp_sink: Sink) -> None:
    good = message_send(
        event="case.approve",
        channel="email",
        params={"number": "TJ9", "item": "户口迁移", "link": "/cases/mine/TJ9/"},
        address="wang@example.cn",
    )
    bad = message_send(
        event="case.approve", channel="email", params={"number": "TJ9"}, address="nobody@example.cn"
    )
    assert good is not None and bad is not None
    outbox_process()
    for _ in range(20):
        if smtp_sink.received:
            break
        time.sleep(0.05)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == MessageStatus.DELIVERED
    assert good.address_masked == "w***@example.cn"
    assert bad.status == MessageStatus.PERMANENT_FAILURE
    [(rcpt, content)] = smtp_sink.received
    assert rcpt == ["wang@example.cn"]
    assert f"<{good.idempotency_key}@onestop.messaging>" in content


def test_template_admin_validates_placeholders_and_previews(admin_client: Client) -> None:
    template = MessageTemplate.objects.get(
        event="case.refuse", channel="in_app", language="zh-hans"
    )
    url = f"/admin/messaging/messagetemplate/{template.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "身份证复印件不清晰" in page  # the preview with sample parameters
    data = {
        "event": "case.refuse",
        "language": "zh-hans",
        "channel": "in_app",
        "subject": "不予受理",
        "body": "办件 {number} 不予受理：{secret.__class__}",
        "provider_template_code": "",
        "is_active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "占位符" in response.content.decode()
    data["body"] = "办件 {number} 不予受理：{reason}（{unknown}）"
    assert "未知的占位符" in admin_client.post(url, data).content.decode()
    data["body"] = "办件 {number} 不予受理：{reason}"
    assert admin_client.post(url, data).status_code == 302
    template.refresh_from_db()
    assert template.body == "办件 {number} 不予受理：{reason}"


def test_outbox_admin_is_read_only(admin_client: Client) -> None:
    assert admin_client.get("/admin/messaging/message/").status_code == 200
    assert admin_client.get("/admin/messaging/message/add/").status_code == 403


def test_demo_load_is_idempotent(db: None) -> None:
    from onestop.demo.people import load_people
    from onestop.messaging.demo import load_demo

    load_people()
    load_demo()
    load_demo()
    assert RegisterDocument.objects.filter(source="demo").count() == 5
    assert RegisterDocument.objects.filter(source="synthetic").count() == 2000
    assert Message.objects.filter(event="demo.welcome").count() == 5
