from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.accounts.choices import Role
from onestop.accounts.models import Person, Unit, User
from onestop.accounts.tests.factories import staff_user
from onestop.cases import services as case_services
from onestop.cases.choices import Actor, CaseAction, CaseState
from onestop.cases.models import Case
from onestop.cases.tests.factories import case_in_state, item_version, person


@dataclass
class ShipWorld:
    units: dict[str, Unit]
    applicant: Person
    stranger: Person
    case: Case
    clerk: User


@pytest.fixture
def ship_world(unit_tree: dict[str, Unit]) -> ShipWorld:
    station = unit_tree["station1"]
    version = item_version(unit=station, name="普通护照签发")
    applicant = person("张三")
    return ShipWorld(
        units=unit_tree,
        applicant=applicant,
        stranger=person("李四"),
        case=case_in_state(
            version=version, applicant=applicant, state=CaseState.RESULT_ISSUED, delivery="courier"
        ),
        clerk=staff_user(unit=station, roles=[Role.WINDOW_CLERK], username="ship-clerk"),
    )


@pytest.fixture
def system_may_deliver(monkeypatch: pytest.MonkeyPatch) -> None:
    """The change to the cases TRANSITIONS table this app asks for: the system actor may
    deliver (a signed courier receipt) and close a delivered case. A no-op once applied."""
    t = case_services.TRANSITIONS
    S, A = CaseState, CaseAction
    for key in ((S.RESULT_ISSUED, A.DELIVER), (S.DELIVERED, A.CLOSE)):
        old = t[key]
        monkeypatch.setitem(
            t, key, case_services.Transition(old.actors | {Actor.SYSTEM}, old.to_state)
        )
