"""Sending short messages through a swappable provider.

``settings.ONESTOP_PROVIDERS["sms"]`` picks the provider by registry key. The "demo" provider
needs no gateway: it writes a :class:`DemoSmsMessage` row (shown on the demo outbox page) and
logs the message on the ``onestop.sms`` logger. Real vendor adapters register beside it.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from onestop.core.pii import lookup_hash, mask_mobile
from onestop.core.registry import Registry

logger = logging.getLogger("onestop.sms")


class SmsProvider:
    """Base class of SMS providers. ``send`` must not raise for a single undeliverable message."""

    registry_key: str = ""

    def send(self, *, mobile: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


sms_providers: Registry[SmsProvider] = Registry("sms", SmsProvider)


@sms_providers.register("demo")
class DemoSmsProvider(SmsProvider):
    """Writes to the demo outbox and the console instead of a gateway."""

    def send(self, *, mobile: str, body: str) -> None:
        from .models import DemoSmsMessage

        DemoSmsMessage.objects.create(
            mobile_masked=mask_mobile(mobile),
            mobile_hash=lookup_hash(mobile, kind="mobile"),
            body=body[:500],
        )
        logger.info("demo SMS to %s: %s", mask_mobile(mobile), body)


def sms_send(*, mobile: str, body: str) -> None:
    """Send ``body`` to ``mobile`` with the configured provider once the transaction commits."""
    provider = sms_providers.configured()
    transaction.on_commit(partial(provider.send, mobile=mobile, body=body))
