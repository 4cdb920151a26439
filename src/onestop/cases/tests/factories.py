"""Test data for cases: published item versions, real-name persons, cases in any state."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from onestop.accounts.models import Person, Unit
from onestop.accounts.services import person_register
from onestop.cases.choices import CaseState, Decision
from onestop.cases.models import Case
from onestop.catalogue.choices import ItemType, Level, LimitUnit, VersionStatus
from onestop.catalogue.models import Material, ServiceItem, ServiceItemVersion

_seq = itertools.count(1)
_CONDITIONAL = {
    CaseState.ACCEPTED,
    CaseState.IN_REVIEW,
    CaseState.SUPPLEMENT_REQUESTED,
    CaseState.SUSPENDED,
}
_APPROVED = {
    CaseState.APPROVED,
    CaseState.RESULT_ISSUED,
    CaseState.DELIVERED,
    CaseState.COLLECTED,
    CaseState.CLOSED,
    CaseState.REVOKED,
}


def item_version(
    *,
    unit: Unit,
    code: str | None = None,
    statutory: Decimal | int | str = 20,
    promised: Decimal | int | str = 5,
    limit_unit: str = LimitUnit.WORKING_DAYS,
    **overrides: Any,
) -> ServiceItemVersion:
    """A published version of a licence item implemented by ``unit`` with three materials: a
    key one (身份证), a waivable non-key one (租赁合同) and a non-waivable non-key one (照片)."""
    n = next(_seq)
    item = ServiceItem.objects.create(code=code or f"L{n % 1000:03d}-01", implementing_unit=unit)
    fields: dict[str, Any] = {
        "name": f"测试事项{n}",
        "item_type": ItemType.LICENCE,
        "level": Level.CITY,
        "legal_basis": "《测试条例》第一条",
        "statutory_limit": Decimal(str(statutory)),
        "statutory_limit_unit": limit_unit,
        "promised_limit": Decimal(str(promised)),
        "promised_limit_unit": limit_unit,
        "delivery_window": True,
        "delivery_courier": True,
        "channel_online": True,
        "conditional_acceptance": True,
        "conditional_supply_days": 5,
        "conditional_consequence": "逾期未补正的，终止办理",
    }
    fields.update(overrides)
    version = ServiceItemVersion.objects.create(
        item=item, number=1, status=VersionStatus.PUBLISHED, published_at=timezone.now(), **fields
    )
    Material.objects.create(version=version, position=1, name="身份证", is_key=True)
    Material.objects.create(
        version=version, position=2, name="租赁合同", is_key=False, waivable=True
    )
    Material.objects.create(version=version, position=3, name="照片", is_key=False, waivable=False)
    item.current = version
    item.save(update_fields=["current"])
    return version


def material(version: ServiceItemVersion, name: str) -> Material:
    return version.materials.get(name=name)


def person(name: str = "张三") -> Person:
    """A registered public person with a valid, unique ID number and mobile."""
    n = next(_seq)
    base = f"12010119850312{n % 1000:03d}"
    return person_register(
        name=name,
        id_number=base + ric.calc_check_digit(base + "0"),
        mobile=f"138{n % 100_000_000:08d}",
        password="correct-horse-battery-9",
    )


def case_in_state(
    *, version: ServiceItemVersion, applicant: Person, state: CaseState, **overrides: Any
) -> Case:
    """A case row placed directly in ``state`` with the fields that state implies (test setup
    only: real cases only move through the services)."""
    now = timezone.now()
    unit = version.item.implementing_unit
    fields: dict[str, Any] = {
        "item_version": version,
        "receiving_unit": unit,
        "handling_unit": unit,
        "applicant": applicant,
        "state": state,
    }
    if state != CaseState.DRAFT:
        fields.update(number=f"TEST{next(_seq):010d}", submitted_at=now - timedelta(days=1))
    if state not in (CaseState.DRAFT, CaseState.SUBMITTED, CaseState.REFUSED):
        fields.update(
            accepted_at=now - timedelta(days=1),
            statutory_due_at=now + timedelta(days=20),
            promised_due_at=now + timedelta(days=7),
        )
    if state in _CONDITIONAL:
        # accepted conditionally, promise not yet kept (so that every action has a case to act on)
        fields.update(conditional=True, conditional_supply_by=now.date() + timedelta(days=7))
    if state in _APPROVED:
        # approved under commitment and sampled for the post-check (so that it can be acted on)
        fields.update(
            decision=Decision.APPROVED,
            decided_at=now,
            commitment=True,
            commitment_signed_at=now,
            post_check_required=True,
        )
    if state == CaseState.DENIED:
        fields.update(decision=Decision.DENIED, decided_at=now)
    if state in (CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED):
        fields["paused_at"] = now - timedelta(hours=1)
    fields.update(overrides)
    return Case.objects.create(**fields)
