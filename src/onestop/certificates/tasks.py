"""Celery tasks of the certificates app: safe to run twice."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from onestop.core.jobs import periodic_job


@shared_task(name="onestop.certificates.tasks.certificates_expire")
def certificates_expire() -> dict[str, int]:
    """Daily after midnight (Beijing time): mark certificates past their end date expired."""
    from onestop.certificates.services import certificates_expire_due

    return {"expired": certificates_expire_due()}


periodic_job(
    "certificates.expire",
    "onestop.certificates.tasks.certificates_expire",
    cron=crontab(minute=5, hour=0),
)
