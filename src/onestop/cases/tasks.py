"""Celery tasks of the cases app: take ids (or nothing), call a service, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from onestop.core.jobs import periodic_job


@shared_task(name="onestop.cases.tasks.cases_sweep_warnings")
def cases_sweep_warnings() -> dict[str, int]:
    """Every 5 minutes: recompute warning levels (yellow / red) of cases whose clock runs."""
    from onestop.cases.services import case_warnings_sweep

    result = case_warnings_sweep()
    return {"checked": result.checked, "changed": result.changed}


periodic_job(
    "cases.sweep_warnings",
    "onestop.cases.tasks.cases_sweep_warnings",
    every=timedelta(minutes=5),
)


@shared_task(name="onestop.cases.tasks.cases_sweep_conditional")
def cases_sweep_conditional() -> dict[str, int]:
    """Hourly: remind applicants of promised supply dates; apply the consequence when missed."""
    from onestop.cases.services import case_conditional_sweep

    result = case_conditional_sweep()
    return {"reminded": result.reminded, "enforced": result.enforced}


periodic_job(
    "cases.sweep_conditional",
    "onestop.cases.tasks.cases_sweep_conditional",
    every=timedelta(hours=1),
)
