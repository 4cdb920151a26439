"""Channels (in-app, SMS, e-mail) and SMS providers, each through a ``Registry``.

A channel gets an :class:`Outgoing` and returns a :class:`SendResult`; it never raises for a
single undeliverable message. Sends are idempotent by ``Outgoing.key`` (the message's
idempotency key): the SMS gateway deduplicates on it (``OutId``), e-mail carries it as the
Message-ID, in-app messages are the outbox row itself.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMessage

from onestop.core.registry import Registry

from .choices import MessageStatus

logger = logging.getLogger("onestop.messaging")


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    key: str
    address: str
    subject: str
    body: str
    params: dict[str, Any] = field(default_factory=dict)
    template_code: str = ""


@dataclass(frozen=True)
class SendResult:
    #: delivered; sending (accepted by a gateway, waiting for its receipt); temporary_failure;
    #: permanent_failure; undetermined (we do not know whether the gateway took it).
    status: str
    provider_message_id: str = ""
    error: str = ""


class MessageChannel:
    registry_key: str = ""

    def send(self, out: Outgoing) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError

    def provider_name(self) -> str:
        return self.registry_key


channels: Registry[MessageChannel] = Registry("message_channel", MessageChannel)


class SmsProvider:
    """Base class of SMS providers (``settings.ONESTOP_PROVIDERS["sms"]``)."""

    registry_key: str = ""
    #: The gateway whose receipts name this provider's messages (default: the registry key).
    gateway: str = ""

    def send(self, out: Outgoing) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError


sms_providers: Registry[SmsProvider] = Registry("sms", SmsProvider)


@channels.register("in_app")
class InAppChannel(MessageChannel):
    """The outbox row is the inbox entry: sending it only marks it delivered."""

    def send(self, out: Outgoing) -> SendResult:
        return SendResult(MessageStatus.DELIVERED)


@channels.register("sms")
class SmsChannel(MessageChannel):
    def __init__(self) -> None:
        self.provider = sms_providers.configured()

    def provider_name(self) -> str:
        return f"sms:{self.provider.gateway or self.provider.registry_key}"

    def send(self, out: Outgoing) -> SendResult:
        return self.provider.send(out)


@channels.register("email")
class EmailChannel(MessageChannel):
    """Django's mail backend (SMTP in production, a local sink in the tests)."""

    def send(self, out: Outgoing) -> SendResult:
        email = EmailMessage(
            subject=out.subject,
            body=out.body,
            to=[out.address],
            headers={"Message-ID": f"<{out.key}@onestop.messaging>"},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            return SendResult(MessageStatus.PERMANENT_FAILURE, error=f"refused: {exc}"[:200])
        except smtplib.SMTPResponseException as exc:
            status = (
                MessageStatus.PERMANENT_FAILURE
                if 500 <= exc.smtp_code < 600
                else MessageStatus.TEMPORARY_FAILURE
            )
            return SendResult(status, error=f"SMTP {exc.smtp_code}"[:200])
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(MessageStatus.TEMPORARY_FAILURE, error=str(exc)[:200])
        return SendResult(MessageStatus.DELIVERED)


@sms_providers.register("demo")
class DemoSmsProvider(SmsProvider):
    """No gateway: writes to the demo outbox page and logs on the console (masked)."""

    def send(self, out: Outgoing) -> SendResult:
        from onestop.accounts.sms import demo_outbox_write

        demo_outbox_write(mobile=out.address, body=out.body)
        return SendResult(MessageStatus.DELIVERED, provider_message_id=f"demo-{out.message_id}")


# Vendor adapters register themselves on import.
from .contrib import aliyun  # noqa: E402,F401
