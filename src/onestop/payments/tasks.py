"""Periodic jobs of payments: mop-up (query the provider about orders whose notification never
came, expire unpaid orders), the demo gateway's delivery loop, and the daily reconciliation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.schedules import crontab

from onestop.core.jobs import periodic_job

periodic_job("payments.mop_up", "onestop.payments.tasks.mop_up", every=timedelta(minutes=5))
periodic_job(
    "payments.demo_deliver", "onestop.payments.tasks.demo_deliver", every=timedelta(seconds=30)
)
periodic_job(
    "payments.reconcile_daily",
    "onestop.payments.tasks.reconcile_daily",
    cron=crontab(hour=6, minute=30),
)


@shared_task(name="onestop.payments.tasks.mop_up")
def mop_up() -> dict[str, Any]:
    from .services import payment_mop_up

    result = payment_mop_up()
    return {"queried": result.queried, "credited": result.credited, "expired": result.expired}


@shared_task(name="onestop.payments.tasks.demo_deliver")
def demo_deliver() -> int:
    from .contrib.demo import deliver

    return deliver()


@shared_task(name="onestop.payments.tasks.reconcile_daily")
def reconcile_daily() -> int:
    from .services import reconciliation_daily

    return len(reconciliation_daily())
