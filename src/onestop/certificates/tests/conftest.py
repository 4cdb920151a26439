"""Fixtures of the certificates tests: a unit, a person, an issued certificate."""

from __future__ import annotations

import pytest

from onestop.accounts.models import Person, Unit
from onestop.accounts.tests.factories import UnitFactory
from onestop.cases.tests.factories import person as make_person
from onestop.certificates import services
from onestop.certificates.models import Certificate


@pytest.fixture
def unit(db: None) -> Unit:
    return UnitFactory(code="TJ", name="天津市公安局", kind="bureau", region_code="120000")


@pytest.fixture
def holder(db: None) -> Person:
    return make_person("王小明")


@pytest.fixture
def certificate(unit: Unit, holder: Person) -> Certificate:
    return services.certificate_issue_from_register(
        actor=None,
        person=holder,
        cert_type="driving_licence",
        unit=unit,
        data={"准驾车型": "C1", "住址": "天津市和平区南京路 100 号"},
    )
