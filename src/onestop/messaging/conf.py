"""Settings of the messaging app: ``settings.ONESTOP_MESSAGING`` (a dict) over these defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Retry: the n-th temporary failure waits BACKOFF_BASE_SECONDS * 2**(n-1), at most
    # BACKOFF_MAX_SECONDS; after MAX_ATTEMPTS attempts the message fails permanently.
    "BACKOFF_BASE_SECONDS": 15,
    "BACKOFF_MAX_SECONDS": 3600,
    "MAX_ATTEMPTS": 12,
    # A worker owns the rows it claimed for this long; after that another worker takes them.
    "LEASE_SECONDS": 300,
    "BATCH_SIZE": 200,
    # Non-urgent SMS and e-mails per recipient address per hour.
    "RATE_LIMIT_PER_HOUR": 10,
    # No reminders in these local hours (start, end) unless urgent.
    "QUIET_HOURS": (21, 8),
    "TIME_ZONE": "Asia/Shanghai",
    # Reminder lead times in days per document type; each threshold is sent once.
    "LEAD_DAYS": {
        "id_card": (90, 30, 7),
        "driving_licence": (90, 30, 7),
        "vehicle_licence": (90, 30, 7),
        "annual_inspection": (90, 30, 7),
        "residence_permit": (30, 7),
        "exit_entry": (180, 90, 30),
    },
    # Document types whose reminders cannot be opted out of.
    "MANDATORY_REMINDERS": (),
    "REMINDER_BATCH_SIZE": 10000,
    # The cloud SMS gateway (provider "aliyun"); see contrib/aliyun.py.
    "SMS_GATEWAY": {
        "ENDPOINT": "https://dysmsapi.aliyuncs.com/",
        "ACCESS_KEY_ID": "",
        "ACCESS_KEY_SECRET": "",
        "SIGN_NAME": "公安政务服务",
        "TIMEOUT": 5,
    },
    # Shared secret that delivery-receipt callbacks are signed with (HMAC-SHA256 of the body).
    "RECEIPT_SECRET": "",
}


def conf(name: str) -> Any:
    return getattr(settings, "ONESTOP_MESSAGING", {}).get(name, DEFAULTS[name])


def gateway_conf() -> dict[str, Any]:
    return {**DEFAULTS["SMS_GATEWAY"], **conf("SMS_GATEWAY")}
