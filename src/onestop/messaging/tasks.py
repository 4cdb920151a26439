"""Celery tasks of the messaging app: take ids (or nothing), call a service, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab

from onestop.core.jobs import periodic_job


@shared_task(name="onestop.messaging.tasks.messaging_outbox_send")
def messaging_outbox_send(*, message_ids: list[int]) -> dict[str, int]:
    """Right after commit: send these messages (those still due; others are left alone)."""
    from .services import outbox_process

    result = outbox_process(ids=message_ids, limit=len(message_ids) or 1)
    return {"claimed": result.claimed, "deferred": result.deferred, **result.statuses}


@shared_task(name="onestop.messaging.tasks.messaging_outbox_sweep")
def messaging_outbox_sweep() -> dict[str, int]:
    """Every minute: send whatever is due (retries, rows of dead workers, missed dispatches)."""
    from .services import outbox_drain

    result = outbox_drain()
    return {"claimed": result.claimed, "deferred": result.deferred, **result.statuses}


periodic_job(
    "messaging.outbox_sweep",
    "onestop.messaging.tasks.messaging_outbox_sweep",
    every=timedelta(minutes=1),
)


@shared_task(name="onestop.messaging.tasks.messaging_reminders_sweep")
def messaging_reminders_sweep() -> dict[str, int]:
    """Daily at 09:00: enqueue the expiry reminders due today (sent from 08:00 on)."""
    from .reminders import reminders_sweep

    result = reminders_sweep()
    return {"scanned": result.scanned, "enqueued": result.enqueued, "skipped": result.skipped}


periodic_job(
    "messaging.reminders_sweep",
    "onestop.messaging.tasks.messaging_reminders_sweep",
    cron=crontab(hour=9, minute=0),
)
