from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from onestop.accounts.choices import Role, UnitKind
from onestop.accounts.models import Person, Unit, User
from onestop.accounts.tests.factories import UnitFactory, staff_user
from onestop.catalogue.models import ServiceItemVersion

from .factories import item_version, person


@dataclass
class World:
    units: dict[str, Unit]
    version: ServiceItemVersion
    applicant: Person
    stranger: Person
    staff: dict[str, User]

    def actor(self, role: str) -> User:
        if role == "applicant":
            return self.applicant.user
        if role == "stranger":
            return self.stranger.user
        return self.staff[role]


def build_world(units: dict[str, Unit]) -> World:
    """An item handled by station 1, its applicant, a stranger and one officer per role there."""
    station = units["station1"]
    staff = {
        role.value: staff_user(
            unit=station, roles=[role], username=f"s1-{role.value}", with_totp=False
        )
        for role in (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR)
    }
    return World(
        units=units,
        version=item_version(unit=station),
        applicant=person("张三"),
        stranger=person("李四"),
        staff=staff,
    )


@pytest.fixture
def world(unit_tree: dict[str, Unit]) -> World:
    return build_world(unit_tree)


def _units() -> dict[str, Unit]:
    """The same tree as the ``unit_tree`` fixture of /work/main/conftest.py."""
    bureau = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    heping = UnitFactory(
        code="TJ-HP", name="和平分局", kind=UnitKind.SUB_BUREAU, region_code="120101", parent=bureau
    )
    hexi = UnitFactory(
        code="TJ-HX", name="河西分局", kind=UnitKind.SUB_BUREAU, region_code="120103", parent=bureau
    )
    return {
        "bureau": bureau,
        "heping": heping,
        "station1": UnitFactory(code="TJ-HP-1", name="劝业场派出所", parent=heping),
        "station2": UnitFactory(code="TJ-HP-2", name="小白楼派出所", parent=heping),
        "hexi": hexi,
        "station3": UnitFactory(code="TJ-HX-1", name="友谊路派出所", parent=hexi),
    }


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """``world`` built once per test module inside a transaction rolled back at the end (like
    Django's ``setUpTestData``); each test still runs in its own rolled-back savepoint. Use it
    with the ``db`` fixture, only in tests that do not change the world's rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world(_units())
        all_roles = [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR]
        for key in ("station2", "station3", "heping", "hexi"):
            world.staff[key] = staff_user(
                unit=world.units[key], roles=all_roles, username=f"all-{key}", with_totp=False
            )
        yield world
        transaction.set_rollback(True)
