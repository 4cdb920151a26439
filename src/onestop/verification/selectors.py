"""Reads of the verification app: eligibility, quotas, jobs and alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.choices import EnterpriseRole
from onestop.accounts.models import Enterprise, EnterpriseMembership, Person, User
from onestop.accounts.selectors import membership_is_valid, officer_scope_paths, scope_queryset

from .choices import JobState
from .conf import conf
from .errors import NotEligible
from .models import (
    BatchJob,
    EnterpriseQuota,
    PartnerCheck,
    VerificationAuthorisation,
    WantedHitAlert,
)


@dataclass(frozen=True)
class Quota:
    daily_rows: int
    jobs_per_hour: int
    daily_partner_checks: int
    partner_checks_per_minute: int


def quota_for(enterprise: Enterprise) -> Quota:
    row = EnterpriseQuota.objects.filter(enterprise=enterprise).first()
    return Quota(
        daily_rows=row.daily_rows if row else conf("daily_rows"),
        jobs_per_hour=row.jobs_per_hour if row else conf("jobs_per_hour"),
        daily_partner_checks=row.daily_partner_checks if row else conf("daily_partner_checks"),
        partner_checks_per_minute=conf("partner_checks_per_minute"),
    )


def _start_of_today() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def rows_used_today(enterprise: Enterprise) -> int:
    total = (
        BatchJob.objects.filter(enterprise=enterprise, created_at__gte=_start_of_today())
        .exclude(state=JobState.FAILED)
        .aggregate(total=Sum("total_rows"))["total"]
    )
    return int(total or 0)


def jobs_last_hour(enterprise: Enterprise) -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    return BatchJob.objects.filter(enterprise=enterprise, created_at__gte=since).count()


def partner_checks_since(enterprise: Enterprise, since: dt.datetime) -> int:
    return PartnerCheck.objects.filter(enterprise=enterprise, created_at__gte=since).count()


def partner_checks_today(enterprise: Enterprise) -> int:
    return partner_checks_since(enterprise, _start_of_today())


def legal_rep_membership(enterprise: Enterprise) -> EnterpriseMembership | None:
    """The enterprise's bound, valid legal representative (its real-name verification)."""
    for membership in EnterpriseMembership.objects.filter(
        enterprise=enterprise, role=EnterpriseRole.LEGAL_REPRESENTATIVE, revoked_at__isnull=True
    ).select_related("person", "enterprise"):
        if membership.person.verified_at is not None and membership_is_valid(membership):
            return membership
    return None


def active_authorisation(enterprise: Enterprise) -> VerificationAuthorisation | None:
    """The legal representative's current authorisation; one given by a former legal
    representative no longer counts."""
    today = timezone.localdate()
    return (
        VerificationAuthorisation.objects.filter(
            enterprise=enterprise,
            revoked_at__isnull=True,
            valid_until__gte=today,
            granted_by__id_number_hash=enterprise.legal_representative_id_hash,
        )
        .select_related("granted_by")
        .first()
    )


def eligibility_problem(*, person: Person | None, enterprise: Enterprise) -> NotEligible | None:
    """Why ``person`` may not run checks for ``enterprise`` now, or None."""
    if person is None or person.verified_at is None:
        return NotEligible(_("请先完成实名认证。"), code="person_not_verified")
    membership = (
        EnterpriseMembership.objects.filter(enterprise=enterprise, person=person)
        .select_related("enterprise", "person")
        .first()
    )
    if membership is None or not membership_is_valid(membership):
        return NotEligible(_("您无权代表该企业办理核查业务。"), code="not_member")
    if legal_rep_membership(enterprise) is None:
        return NotEligible(
            _("该企业尚未完成实名认证（法定代表人未绑定企业）。"), code="enterprise_not_verified"
        )
    if active_authorisation(enterprise) is None:
        return NotEligible(
            _("该企业的法定代表人尚未授权使用核查服务，或授权已过期。"), code="not_authorised"
        )
    return None


def enterprise_eligibility_problem(enterprise: Enterprise) -> NotEligible | None:
    """For API keys (no person acts): the enterprise itself must be verified and authorised."""
    if legal_rep_membership(enterprise) is None:
        return NotEligible(
            _("该企业尚未完成实名认证（法定代表人未绑定企业）。"), code="enterprise_not_verified"
        )
    if active_authorisation(enterprise) is None:
        return NotEligible(
            _("该企业的法定代表人尚未授权使用核查服务，或授权已过期。"), code="not_authorised"
        )
    return None


def jobs_of(enterprise: Enterprise) -> QuerySet[BatchJob]:
    return BatchJob.objects.filter(enterprise=enterprise).select_related("submitted_by")


def alerts_for(officer: User) -> QuerySet[WantedHitAlert]:
    return scope_queryset(
        WantedHitAlert.objects.select_related("unit", "wanted", "enterprise"), officer
    )


def may_search_audit(officer: User) -> bool:
    return bool(officer_scope_paths(officer)) and (
        officer.is_superuser or officer.has_role("platform_admin", "unit_admin", "supervisor")
    )
