from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.accounts import services as account_services
from onestop.accounts.models import Enterprise, Person, Unit, User
from onestop.accounts.tests.factories import staff_user
from onestop.cases.tests.factories import person
from onestop.desk import services


@dataclass
class DeskWorld:
    units: dict[str, Unit]
    boss: Person  # legal representative of the enterprise
    other: Person
    enterprise: Enterprise
    officer: User  # dedicated officer at station 1
    colleague: User  # another officer at station 1
    outsider: User  # officer at station 3 (other sub-bureau)
    supervisor: User  # supervisor role at the heping sub-bureau
    custodian: User  # holds the identity-custodian role at heping


def build_desk_world(units: dict[str, Unit]) -> DeskWorld:
    boss = person("张伟")
    boss = account_services.person_mark_verified(actor=None, person=boss, method="test")
    enterprise = account_services.enterprise_create(
        actor=None,
        credit_code="91120101MA05X1234Q",
        name="天津津海科技有限公司",
        legal_representative_name=boss.name,
        legal_representative_id=boss.id_number,
        region_code="120101",
        address="天津市和平区南京路 100 号",
    )
    account_services.enterprise_bind_legal_rep(
        person=boss, credit_code=enterprise.credit_code, name=enterprise.name
    )
    other = person("李四")
    other = account_services.person_mark_verified(actor=None, person=other, method="test")
    station = units["station1"]
    officer = staff_user(unit=station, roles=["window_clerk"], username="desk-officer")
    world = DeskWorld(
        units=units,
        boss=boss,
        other=other,
        enterprise=enterprise,
        officer=officer,
        colleague=staff_user(unit=station, roles=["reviewer"], username="desk-colleague"),
        outsider=staff_user(unit=units["station3"], roles=["window_clerk"], username="desk-out"),
        supervisor=staff_user(unit=units["heping"], roles=["supervisor"], username="desk-sup"),
        custodian=staff_user(
            unit=units["heping"], roles=["desk_identity_custodian"], username="desk-keeper"
        ),
    )
    services.assignment_set(actor=None, unit=station, officer=officer, region_code="120101")
    return world


@pytest.fixture
def dw(unit_tree: dict[str, Unit]) -> DeskWorld:
    return build_desk_world(unit_tree)
