"""Demo data for the verification services; builds on ``manage.py demo_load`` (units, people,
enterprises). Idempotent.

* 2,000 synthetic people in the population register (indexes 0 … 1999, see
  ``registers.synthetic_person``); index 1,500 is wanted by 小白楼派出所, index 1,501 is on the
  person risk list; ``DEMO_UNREGISTERED`` (index 5,000) is not registered;
* two fictitious enterprises on the economic-crime lists (one black, one grey);
* 天津津海科技有限公司's legal representative (张伟) authorises verification for a year, so its
  agent 李娜 (13800138002) can upload worker lists right away.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onestop.accounts.models import Enterprise, Unit
from onestop.core.pii import lookup_hash

from . import selectors, services
from .choices import EnterpriseListKind, PersonRiskCategory
from .models import EnterpriseRiskEntry, PersonRiskEntry, PopulationRecord, WantedPerson
from .registers import population_generate, synthetic_person

DEMO_PEOPLE = 2_000
DEMO_WANTED = 1_500
DEMO_FLAGGED = 1_501
DEMO_UNREGISTERED = 5_000
DEMO_ENTERPRISE = "91120101MA05X1234Q"
BLACK_LISTED = ("91120104MA05P0000K", "天津某某投资咨询有限公司")
GREY_LISTED = ("91450103MA5L00001C", "南宁某某贸易有限公司")


def _unit(*codes: str) -> Unit | None:
    for code in codes:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
    return Unit.objects.order_by("path").first()


def load_demo() -> None:
    existing = PopulationRecord.objects.count()
    if existing < DEMO_PEOPLE:
        population_generate(count=DEMO_PEOPLE - existing, start=existing)
    station = _unit("TJ-HP-XBL", "TJ-HP", "TJ")
    if station is None:
        return  # demo_load has not created units yet
    name, number = synthetic_person(DEMO_WANTED)
    if not WantedPerson.objects.filter(id_number_hash=lookup_hash(number, kind="resident_id")):
        WantedPerson.objects.create(
            id_number=number,
            id_number_hash=lookup_hash(number, kind="resident_id"),
            name=name,
            unit=station,
            warrant_reference="津公和（刑）网逃字〔2026〕0001号",
            valid_from=timezone.localdate(),
        )
    name, number = synthetic_person(DEMO_FLAGGED)
    if not PersonRiskEntry.objects.filter(id_number_hash=lookup_hash(number, kind="resident_id")):
        PersonRiskEntry.objects.create(
            id_number=number,
            id_number_hash=lookup_hash(number, kind="resident_id"),
            name=name,
            category=PersonRiskCategory.FRAUD,
            legal_basis="《中华人民共和国反电信网络诈骗法》第三十一条",
            unit=station,
        )
    for (code, enterprise_name), kind, basis in (
        (
            BLACK_LISTED,
            EnterpriseListKind.BLACK,
            "《中华人民共和国刑法》第一百九十二条（集资诈骗罪）立案侦查",
        ),
        (GREY_LISTED, EnterpriseListKind.GREY, "《防范和处置非法集资条例》第十二条（风险监测）"),
    ):
        if not EnterpriseRiskEntry.objects.filter(credit_code=code).exists():
            EnterpriseRiskEntry.objects.create(
                credit_code=code,
                name=enterprise_name,
                list_kind=kind,
                legal_basis=basis,
                reason="演示数据",
                unit=_unit("TJ") or station,
                valid_from=timezone.localdate(),
            )
    enterprise = Enterprise.objects.filter(credit_code=DEMO_ENTERPRISE).first()
    if enterprise is None or selectors.active_authorisation(enterprise) is not None:
        return
    membership = selectors.legal_rep_membership(enterprise)
    if membership is not None:
        services.authorisation_grant(
            legal_rep=membership.person,
            enterprise=enterprise,
            valid_until=timezone.localdate() + dt.timedelta(days=365),
        )
