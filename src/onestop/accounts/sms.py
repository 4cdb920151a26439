"""Short messages of the accounts app (one-time codes), sent through the message service.

``sms_send`` writes an urgent outbox row (``onestop.messaging``) in the caller's transaction; the
message leaves after commit through the SMS provider chosen by ``settings.ONESTOP_PROVIDERS
["sms"]`` (retried with backoff, deduplicated by message). The "demo" provider needs no gateway:
it calls ``demo_outbox_write``, which keeps a :class:`DemoSmsMessage` row for the demo outbox page
and logs the message, masked, on the ``onestop.sms`` logger.
"""

from __future__ import annotations

import logging

from onestop.core.pii import lookup_hash, mask_mobile

logger = logging.getLogger("onestop.sms")


def demo_outbox_write(*, mobile: str, body: str) -> None:
    """What the demo SMS provider does instead of calling a gateway."""
    from .models import DemoSmsMessage

    DemoSmsMessage.objects.create(
        mobile_masked=mask_mobile(mobile),
        mobile_hash=lookup_hash(mobile, kind="mobile"),
        body=body[:500],
    )
    logger.info("demo SMS to %s: %s", mask_mobile(mobile), body)


def sms_send(*, mobile: str, body: str) -> None:
    """Send ``body`` to ``mobile`` as an urgent message once the transaction commits."""
    from onestop.messaging.services import message_sms_urgent

    message_sms_urgent(mobile=mobile, body=body, event="account.code")
