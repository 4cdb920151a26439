"""The outbox: the cloud SMS gateway adapter against a local fake, retries with backoff,
permanent failures, verified delivery receipts, rate limits, quiet hours, and the fault test
(a five-minute gateway outage plus a worker killed mid-batch: every message exactly once)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from onestop.messaging.channels import Outgoing, SendResult, sms_providers
from onestop.messaging.choices import MessageKind, MessageStatus
from onestop.messaging.contrib.aliyun import AliyunSmsProvider, sign
from onestop.messaging.models import Message
from onestop.messaging.services import (
    message_send,
    outbox_process,
    receipt_signature,
)

from .fake_gateway import FakeGateway

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def sms(i: int, **kwargs: object) -> Message:
    message = message_send(
        event="case.accept",
        channel="sms",
        params={"number": f"TJ{i:06d}", "item": "居民身份证换领"},
        address=f"1390000{i:04d}",
        **kwargs,  # type: ignore[arg-type]
    )
    assert message is not None
    return message


def post_receipts(client: Client, receipts: list[dict[str, object]], *, sign_it: bool = True):  # type: ignore[no-untyped-def]
    body = json.dumps(receipts).encode()
    headers = {"X-Onestop-Signature": receipt_signature(body) if sign_it else "0" * 64}
    return client.post(
        "/api/v1/messaging/receipts/aliyun/",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_signature_matches_the_documented_example() -> None:
    """The example of Alibaba Cloud's "HTTP signature" documentation for SendSms."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert sign(params, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_gateway_send_then_receipt_marks_delivered(gateway: FakeGateway, client: Client) -> None:
    message = sms(1)
    result = outbox_process()
    assert result.statuses == {MessageStatus.SENDING: 1}
    message.refresh_from_db()
    # Accepted by the gateway: waiting for the handset's receipt.
    assert message.status == MessageStatus.SENDING
    assert message.provider_message_id == "biz000001"
    assert gateway.handset == [("13900000001", message.idempotency_key)]
    assert gateway.last_params["TemplateCode"] == "SMS_100001"
    assert json.loads(gateway.last_params["TemplateParam"])["number"] == "TJ000001"

    receipt = {"biz_id": "biz000001", "out_id": message.idempotency_key, "success": True}
    assert post_receipts(client, [receipt], sign_it=False).status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING
    # A receipt naming the gateway id with another key matches nothing.
    forged = post_receipts(client, [{**receipt, "out_id": "someone-else"}])
    assert forged.json()["applied"] == 0
    response = post_receipts(client, [receipt])
    assert response.status_code == 200
    assert response.json()["code"] == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None


def test_failed_receipt_is_a_permanent_failure(gateway: FakeGateway, client: Client) -> None:
    message = sms(2)
    outbox_process()
    message.refresh_from_db()
    post_receipts(
        client,
        [
            {
                "biz_id": message.provider_message_id,
                "out_id": message.idempotency_key,
                "success": False,
                "err_code": "MK:0001",
            }
        ],
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert message.last_error == "MK:0001"


def test_temporary_failures_back_off_exponentially(gateway: FakeGateway) -> None:
    gateway.down = True
    message = sms(3)
    now = timezone.now()
    waits = []
    for _ in range(4):
        outbox_process(now=now)
        message.refresh_from_db()
        assert message.status == MessageStatus.TEMPORARY_FAILURE
        assert message.last_error == "HTTP 503"
        waits.append((message.next_attempt_at - now).total_seconds())
        # Not due before its time: nothing is claimed a second earlier.
        assert outbox_process(now=message.next_attempt_at - timedelta(seconds=1)).claimed == 0
        now = message.next_attempt_at
    assert waits == [15, 30, 60, 120]
    assert message.attempts == 4


def test_permanent_gateway_errors_are_recorded_and_not_retried(gateway: FakeGateway) -> None:
    gateway.code = "isv.MOBILE_NUMBER_ILLEGAL"
    message = sms(4)
    outbox_process()
    message.refresh_from_db()
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert "MOBILE_NUMBER_ILLEGAL" in message.last_error
    assert outbox_process(now=timezone.now() + timedelta(days=1)).claimed == 0


def test_gives_up_after_max_attempts(gateway: FakeGateway) -> None:
    gateway.down = True
    message = sms(5)
    now = timezone.now()
    with override_settings(ONESTOP_MESSAGING={**_gateway_settings(gateway), "MAX_ATTEMPTS": 3}):
        for _ in range(3):
            outbox_process(now=now)
            now += timedelta(hours=2)
    message.refresh_from_db()
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert message.last_error.startswith("gave up after 3 attempts")


def _gateway_settings(gateway: FakeGateway) -> dict[str, object]:
    return {
        "SMS_GATEWAY": {
            "ENDPOINT": gateway.url,
            "ACCESS_KEY_ID": "test-id",
            "ACCESS_KEY_SECRET": "test-secret",
            "TIMEOUT": 2,
        },
        "RECEIPT_SECRET": "receipt-secret",
    }


def test_wrong_secret_is_refused_by_the_gateway(gateway: FakeGateway) -> None:
    settings = _gateway_settings(gateway)
    settings["SMS_GATEWAY"] = {**settings["SMS_GATEWAY"], "ACCESS_KEY_SECRET": "wrong"}  # type: ignore[dict-item]
    message = sms(6)
    with override_settings(ONESTOP_MESSAGING=settings):
        outbox_process()
    message.refresh_from_db()
    assert gateway.rejected_signatures == 1
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert gateway.handset == []


@override_settings(ONESTOP_MESSAGING={"RATE_LIMIT_PER_HOUR": 5})
def test_rate_limit_per_recipient_defers_but_urgent_passes(templates: None) -> None:
    for _ in range(7):
        sms(7)
    now = timezone.now()
    result = outbox_process(now=now)
    assert result.statuses == {MessageStatus.DELIVERED: 5}
    assert result.deferred == 2
    deferred = Message.objects.filter(status=MessageStatus.CREATED)
    assert deferred.count() == 2
    assert all(m.last_error == "rate_limited" and m.attempts == 0 for m in deferred)
    urgent = sms(7, urgent=True)
    outbox_process(now=timezone.now())
    urgent.refresh_from_db()
    assert urgent.status == MessageStatus.DELIVERED
    # An hour later the deferred ones go.
    assert outbox_process(now=now + timedelta(hours=1, seconds=1)).statuses == {
        MessageStatus.DELIVERED: 2
    }


def test_quiet_hours_hold_reminders_until_eight_unless_urgent(
    templates: None, time_machine
) -> None:  # type: ignore[no-untyped-def]
    late = datetime(2026, 11, 23, 22, 30, tzinfo=SHANGHAI)
    time_machine.move_to(late, tick=False)
    reminder = sms(8, kind=MessageKind.REMINDER)
    urgent = sms(9, kind=MessageKind.REMINDER, urgent=True)
    notice = sms(10)
    assert reminder.next_attempt_at == datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    outbox_process(now=late)
    for m in (reminder, urgent, notice):
        m.refresh_from_db()
    assert reminder.status == MessageStatus.CREATED
    assert urgent.status == MessageStatus.DELIVERED
    assert notice.status == MessageStatus.DELIVERED
    # A reminder that was due before 21:00 but is only claimed in quiet hours waits too.
    Message.objects.filter(pk=reminder.pk).update(next_attempt_at=late - timedelta(hours=2))
    assert outbox_process(now=late).deferred == 1
    reminder.refresh_from_db()
    assert reminder.next_attempt_at == datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    outbox_process(now=datetime(2026, 11, 24, 8, 0, 1, tzinfo=SHANGHAI))
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.DELIVERED


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the worker catches it."""


@sms_providers.register("dying")
class DyingAfterGateway(AliyunSmsProvider):
    """Dies after the gateway accepted the N-th message, before the worker records it: the
    worst moment (the SMS is out, the outbox row still says "sending")."""

    remaining = 0

    def send(self, out: Outgoing) -> SendResult:
        result = super().send(out)
        DyingAfterGateway.remaining -= 1
        if DyingAfterGateway.remaining <= 0:
            raise WorkerKilled
        return result


def test_outage_and_killed_worker_deliver_every_message_exactly_once(
    gateway: FakeGateway, client: Client
) -> None:
    messages = [sms(100 + i) for i in range(40)]
    t0 = timezone.now()
    # Five minutes of outage: workers run every 10 seconds and every attempt fails.
    gateway.down = True
    t = t0
    while t < t0 + timedelta(minutes=5):
        outbox_process(now=t, limit=25)
        t += timedelta(seconds=10)
    assert gateway.handset == []
    assert Message.objects.filter(status=MessageStatus.TEMPORARY_FAILURE).count() == 40
    # The gateway recovers; the first worker dies after its 7th message left.
    gateway.down = False
    DyingAfterGateway.remaining = 7
    settings = {"sms": "dying"}
    with override_settings(ONESTOP_PROVIDERS=settings), pytest.raises(WorkerKilled):
        while True:
            outbox_process(now=t, limit=25)
            t += timedelta(seconds=10)
    stuck = Message.objects.filter(status=MessageStatus.SENDING, provider_message_id="")
    assert stuck.exists()  # the dead worker's claimed rows, one of them already on a phone
    # Other workers carry on, every 10 seconds for an hour; the dead worker's lease runs out.
    end = t + timedelta(hours=1)
    while t < end:
        outbox_process(now=t, limit=25)
        t += timedelta(seconds=10)
    # Every message reached its handset exactly once.
    keys = sorted(m.idempotency_key for m in messages)
    assert sorted(out_id for _mobile, out_id in gateway.handset) == keys
    assert gateway.requests > 80  # the retries did happen
    # Receipts come in: all delivered.
    receipts = [
        {"biz_id": m.provider_message_id, "out_id": m.idempotency_key, "success": True}
        for m in Message.objects.all()
    ]
    assert post_receipts(client, receipts).json()["applied"] == 40
    assert Message.objects.filter(status=MessageStatus.DELIVERED).count() == 40


def test_one_time_code_is_urgent_and_not_kept_after_sending(
    templates: None, django_capture_on_commit_callbacks, time_machine
) -> None:  # type: ignore[no-untyped-def]
    from onestop.accounts.models import DemoSmsMessage
    from onestop.accounts.sms import sms_send
    from onestop.messaging.services import CODE_REDACTED

    time_machine.move_to(datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        sms_send(mobile="13900009999", body="您的验证码为 654321")
    message = Message.objects.get()
    assert message.urgent and message.status == MessageStatus.DELIVERED
    assert DemoSmsMessage.objects.get().body == "您的验证码为 654321"
    assert "654321" not in message.body and message.body == CODE_REDACTED
    assert message.params == {}
