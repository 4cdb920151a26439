"""Demo persons and enterprises, with valid ID numbers (GB 11643) and credit codes (GB 32100).
All numbers are fictitious: the check digits are computed, the people do not exist."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from onestop.accounts import services as account_services
from onestop.accounts.models import Enterprise, Person
from onestop.core.pii import lookup_hash
from onestop.demo.staff import DEMO_PASSWORD


class PersonSpec(NamedTuple):
    name: str
    id_number: str
    mobile: str
    note: str

    @property
    def username(self) -> str:
        return self.mobile


class EnterpriseSpec(NamedTuple):
    credit_code: str
    name: str
    legal_rep_id: str  # must be one of PEOPLE
    region_code: str
    address: str


PEOPLE = [
    PersonSpec("张伟", "120101198503121230", "13800138001", "天津和平区居民；津海科技法定代表人"),
    PersonSpec("李娜", "120103199007152342", "13800138002", "津海科技授权经办人"),
    PersonSpec("黄海", "45010219880101345X", "13900139003", "南宁居民；邕江物流法定代表人"),
    PersonSpec("陆小梅", "450302199205204562", "13900139004", "桂林居民"),
    PersonSpec("刘强", "120116197508085670", "13700137005", "滨海新区居民；滨海印务法定代表人"),
]

ENTERPRISES = [
    EnterpriseSpec(
        "91120101MA05X1234Q",
        "天津津海科技有限公司",
        "120101198503121230",
        "120101",
        "天津市和平区南京路 100 号",
    ),
    EnterpriseSpec(
        "91120116MA06Y5678Y",
        "天津滨海印务有限公司",
        "120116197508085670",
        "120116",
        "天津市滨海新区第三大街 8 号",
    ),
    EnterpriseSpec(
        "91450100MA5K123456",
        "广西邕江物流有限公司",
        "45010219880101345X",
        "450100",
        "南宁市青秀区民族大道 88 号",
    ),
]


def load_people() -> int:
    """Create the demo persons (real-name verified) and enterprises; idempotent."""
    created = 0
    persons: dict[str, Person] = {}
    for spec in PEOPLE:
        person = Person.objects.filter(
            id_number_hash=lookup_hash(spec.id_number, kind="resident_id")
        ).first()
        if person is None:
            person = account_services.person_register(
                name=spec.name,
                id_number=spec.id_number,
                mobile=spec.mobile,
                password=DEMO_PASSWORD,
            )
            person = account_services.person_mark_verified(actor=None, person=person, method="demo")
            created += 1
        persons[spec.id_number] = person
    for enterprise_spec in ENTERPRISES:
        if Enterprise.objects.filter(credit_code=enterprise_spec.credit_code).exists():
            continue
        legal_rep = persons[enterprise_spec.legal_rep_id]
        account_services.enterprise_create(
            actor=None,
            credit_code=enterprise_spec.credit_code,
            name=enterprise_spec.name,
            legal_representative_name=legal_rep.name,
            legal_representative_id=enterprise_spec.legal_rep_id,
            region_code=enterprise_spec.region_code,
            address=enterprise_spec.address,
        )
        account_services.enterprise_bind_legal_rep(
            person=legal_rep, credit_code=enterprise_spec.credit_code, name=enterprise_spec.name
        )
        created += 1
    agent = persons["120103199007152342"]
    tianjin_tech = Enterprise.objects.get(credit_code="91120101MA05X1234Q")
    if not tianjin_tech.memberships.filter(person=agent).exists():
        account_services.enterprise_authorise_agent(
            legal_rep=persons["120101198503121230"],
            enterprise=tianjin_tech,
            agent_id_number=agent.id_number,
            agent_name=agent.name,
            until=dt.date.today() + dt.timedelta(days=365),
        )
    return created
