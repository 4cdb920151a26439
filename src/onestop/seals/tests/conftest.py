"""Fixtures of the seals tests: a Tianjin unit, a new enterprise and its legal representative,
an engraving shop with an operator."""

from __future__ import annotations

import pytest
from stdnum.cn import ric, uscc

from onestop.accounts import services as account_services
from onestop.accounts.models import Enterprise, Person, Unit, User
from onestop.accounts.tests.factories import UnitFactory
from onestop.seals.models import EngravingShop

PASSWORD = "correct-horse-battery-9"


def make_person(name: str, n: int) -> Person:
    base = f"12010119900101{n:03d}"
    person = account_services.person_register(
        name=name,
        id_number=base + ric.calc_check_digit(base + "0"),
        mobile=f"1390000{n:04d}",
        password=PASSWORD,
    )
    return account_services.person_mark_verified(actor=None, person=person, method="test")


@pytest.fixture
def unit(db: None) -> Unit:
    return UnitFactory(code="TJ", name="天津市公安局", kind="bureau", region_code="120000")


@pytest.fixture
def legal_rep(unit: Unit) -> Person:
    return make_person("陈新", 11)


@pytest.fixture
def enterprise(legal_rep: Person) -> Enterprise:
    body = "91120101MA07A1234"
    code = body + uscc.calc_check_digit(body)
    account_services.enterprise_create(
        actor=None,
        credit_code=code,
        name="天津新创科技有限公司",
        legal_representative_name=legal_rep.name,
        legal_representative_id=legal_rep.id_number,
        region_code="120101",
    )
    account_services.enterprise_bind_legal_rep(
        person=legal_rep, credit_code=code, name="天津新创科技有限公司"
    )
    return Enterprise.objects.get(credit_code=code)


@pytest.fixture
def shop_operator(unit: Unit) -> User:
    return make_person("刻章店员", 21).user


@pytest.fixture
def shop(shop_operator: User) -> EngravingShop:
    shop = EngravingShop.objects.create(
        name="和平印章刻制中心",
        licence_no="津公特刻字 0001 号",
        region_code="120101",
        address="天津市和平区滨江道 1 号",
        prices={
            "official": 8000,
            "finance": 6000,
            "contract": 6000,
            "invoice": 6000,
            "legal_rep": 3000,
        },
        rating="4.8",
    )
    shop.operators.add(shop_operator)
    return shop
