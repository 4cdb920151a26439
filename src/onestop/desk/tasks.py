"""Celery tasks of the desk: take ids (or nothing), call a service, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from onestop.core.jobs import periodic_job


@shared_task(name="onestop.desk.tasks.desk_sweep")
def desk_sweep() -> dict[str, int]:
    """Every 10 minutes: remind handlers of tickets nearly due, escalate late ones."""
    from onestop.desk.services import ticket_sweep

    result = ticket_sweep()
    return {"reminded": result.reminded, "escalated": result.escalated}


periodic_job("desk.sweep", "onestop.desk.tasks.desk_sweep", every=timedelta(minutes=10))
