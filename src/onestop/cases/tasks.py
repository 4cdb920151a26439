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


@shared_task(
    name="onestop.cases.tasks.cases_issue_certificate",
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=5,
)
def cases_issue_certificate(case_id: int) -> str:
    """After an approval commits: issue the item's e-certificate (idempotent)."""
    from onestop.certificates.services import certificate_issue_for_case

    certificate = certificate_issue_for_case(case_id=case_id)
    return certificate.identifier if certificate is not None else ""


def cases_fee_paid(order_id: int) -> None:
    """Paid handler (payments app, after commit): a case whose fee is confirmed moves on."""
    from onestop.cases.services import case_fee_paid
    from onestop.payments.selectors import order_purpose_reference

    found = order_purpose_reference(order_id)
    if found is not None and found[1].isdigit():
        case_fee_paid(case_id=int(found[1]))
