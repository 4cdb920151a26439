"""A small registry of periodic jobs (sweeps) that later modules add to.

A module declares ``periodic_job("cases.sweep_overdue", "onestop.cases.tasks.sweep_overdue",
every=timedelta(minutes=5))`` at import time of its ``tasks.py``; the Celery app installs them
into its beat schedule. Tasks must be idempotent (safe to run twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery.schedules import crontab


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    every: timedelta | None = None
    cron: crontab | None = None
    kwargs: dict[str, Any] | None = None

    @property
    def schedule(self) -> timedelta | crontab:
        if self.cron is not None:
            return self.cron
        assert self.every is not None
        return self.every


_jobs: dict[str, PeriodicJob] = {}


def periodic_job(
    name: str,
    task: str,
    *,
    every: timedelta | None = None,
    cron: crontab | None = None,
    kwargs: dict[str, Any] | None = None,
) -> PeriodicJob:
    if (every is None) == (cron is None):
        raise ValueError("give exactly one of every= or cron=")
    job = PeriodicJob(name=name, task=task, every=every, cron=cron, kwargs=kwargs)
    _jobs[name] = job
    return job


def registered_jobs() -> list[PeriodicJob]:
    return [_jobs[name] for name in sorted(_jobs)]


def install_beat_schedule(app: Any) -> None:
    schedule = dict(app.conf.beat_schedule or {})
    for job in registered_jobs():
        schedule[job.name] = {
            "task": job.task,
            "schedule": job.schedule,
            "kwargs": job.kwargs or {},
        }
    app.conf.beat_schedule = schedule
