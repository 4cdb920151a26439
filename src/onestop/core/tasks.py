"""Celery tasks of the core kernel. Each takes ids (or nothing), calls a service, is idempotent."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from onestop.core.jobs import periodic_job


@shared_task(name="onestop.core.tasks.audit_purge_expired")
def audit_purge_expired() -> int:
    """Daily: delete audit events past the retention period; returns how many went."""
    from onestop.core.services import audit_purge_expired as purge

    return purge(actor=None).deleted


# 03:30 Beijing time, when the bureaus' systems are quiet.
periodic_job(
    "core.audit_purge_expired",
    "onestop.core.tasks.audit_purge_expired",
    cron=crontab(hour=3, minute=30),
)
