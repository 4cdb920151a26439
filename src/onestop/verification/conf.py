"""Settings of the verification app: ``settings.ONESTOP_VERIFICATION`` over these defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "max_rows": 100_000,  # data rows per file
    "max_upload_bytes": 30 * 1024 * 1024,
    "result_days": 7,  # days a result file stays downloadable
    "chunk_rows": 5_000,  # rows checked per register query (and per progress update)
    # PostgreSQL connections looking chunks up side by side while the job reads on (0: inline)
    "lookup_connections": 2,
    "daily_rows": 300_000,  # per enterprise, unless an EnterpriseQuota row says otherwise
    "jobs_per_hour": 20,
    "daily_partner_checks": 200,
    "partner_checks_per_minute": 10,
    "api_daily_quota": 1_000,  # default calls per API key and day
    # With no Celery broker (the embedded demo), run the job in a background thread so the
    # progress bar moves; False runs it inline (tests).
    "eager_in_thread": True,
}


def conf(key: str) -> Any:
    return getattr(settings, "ONESTOP_VERIFICATION", {}).get(key, DEFAULTS[key])
