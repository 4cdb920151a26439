"""Celery tasks of the verification app: take ids, call a service, safe to run twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

from celery import shared_task

from onestop.core.jobs import periodic_job


@shared_task(name="onestop.verification.tasks.verification_batch_process")
def verification_batch_process(job_id: str) -> dict[str, object]:
    from onestop.verification.services import batch_process

    job = batch_process(job_id=uuid.UUID(job_id))
    return {"job": job_id, "state": job.state if job else "skipped"}


@shared_task(name="onestop.verification.tasks.verification_purge")
def verification_purge() -> dict[str, int]:
    """Hourly: delete result files past their retention and uploads of stuck jobs."""
    from onestop.verification.services import batch_purge_expired

    return {"purged": batch_purge_expired()}


periodic_job(
    "verification.purge",
    "onestop.verification.tasks.verification_purge",
    every=timedelta(hours=1),
)
