from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.accounts.choices import Role
from onestop.accounts.models import Person, Unit, User
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState
from onestop.cases.models import Case
from onestop.cases.tests.factories import case_in_state, item_version, person


@dataclass
class PayWorld:
    units: dict[str, Unit]
    payer: Person
    case: Case
    approver: User
    clerk: User
    outsider: User


@pytest.fixture
def pay_world(unit_tree: dict[str, Unit]) -> PayWorld:
    station = unit_tree["station1"]
    version = item_version(unit=station, fee_fen=2000, fee_basis="测试收费依据")
    payer = person("王五")
    case = case_in_state(version=version, applicant=payer, state=CaseState.SUBMITTED)
    return PayWorld(
        units=unit_tree,
        payer=payer,
        case=case,
        approver=staff_user(unit=station, roles=[Role.APPROVER], username="pay-approver"),
        clerk=staff_user(unit=station, roles=[Role.WINDOW_CLERK], username="pay-clerk"),
        outsider=staff_user(
            unit=unit_tree["station3"], roles=[Role.APPROVER], username="pay-outsider"
        ),
    )
