"""Fixtures of the verification tests: a verified, authorised enterprise and a small register."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from onestop.accounts import services as account_services
from onestop.accounts.models import Enterprise, Person, Unit
from onestop.verification import services
from onestop.verification.choices import PersonRiskCategory, RegisterStatus
from onestop.verification.models import PersonRiskEntry, PopulationRecord, WantedPerson
from onestop.verification.registers import synthetic_person

LEGAL_REP_ID = "120101198503121230"
AGENT_ID = "120103199007152342"
CREDIT_CODE = "91120101MA05X1234Q"

# Register people by synthetic index: 0..19 normal, 20 cancelled, 21 deceased, 22 wanted,
# 23 on the person risk list; 900 is never registered.
MATCH, CANCELLED, DECEASED, WANTED, FLAGGED, UNKNOWN = 0, 20, 21, 22, 23, 900


@pytest.fixture(autouse=True)
def _inline_jobs(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ONESTOP_VERIFICATION = {"eager_in_thread": False}


def make_person(name: str, id_number: str, mobile: str) -> Person:
    person = account_services.person_register(
        name=name, id_number=id_number, mobile=mobile, password="correct-horse-battery-9"
    )
    return account_services.person_mark_verified(actor=None, person=person, method="test")


@dataclass
class Org:
    enterprise: Enterprise
    legal_rep: Person
    agent: Person


@pytest.fixture
def org(db: None) -> Org:
    legal_rep = make_person("张伟", LEGAL_REP_ID, "13800138001")
    agent = make_person("李娜", AGENT_ID, "13800138002")
    enterprise = account_services.enterprise_create(
        actor=None,
        credit_code=CREDIT_CODE,
        name="天津津海科技有限公司",
        legal_representative_name="张伟",
        legal_representative_id=LEGAL_REP_ID,
    )
    account_services.enterprise_bind_legal_rep(
        person=legal_rep, credit_code=CREDIT_CODE, name=enterprise.name
    )
    account_services.enterprise_authorise_agent(
        legal_rep=legal_rep,
        enterprise=enterprise,
        agent_id_number=AGENT_ID,
        agent_name="李娜",
        until=timezone.localdate() + dt.timedelta(days=30),
    )
    services.authorisation_grant(
        legal_rep=legal_rep,
        enterprise=enterprise,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    return Org(enterprise=enterprise, legal_rep=legal_rep, agent=agent)


@pytest.fixture
def register(unit_tree: dict[str, Unit]) -> dict[str, Unit]:
    def status(i: int) -> str:
        return {CANCELLED: RegisterStatus.CANCELLED, DECEASED: RegisterStatus.DECEASED}.get(
            i, RegisterStatus.NORMAL
        )

    from onestop.verification.registers import population_generate

    population_generate(count=24, status_of=status)
    name, number = synthetic_person(WANTED)
    from onestop.core.pii import lookup_hash

    WantedPerson.objects.create(
        id_number=number,
        id_number_hash=lookup_hash(number, kind="resident_id"),
        name=name,
        unit=unit_tree["station2"],
        warrant_reference="津公（和）网逃字〔2026〕1号",
    )
    name, number = synthetic_person(FLAGGED)
    PersonRiskEntry.objects.create(
        id_number=number,
        id_number_hash=lookup_hash(number, kind="resident_id"),
        name=name,
        category=PersonRiskCategory.FRAUD,
        legal_basis="《反电信网络诈骗法》第三十一条",
        unit=unit_tree["station1"],
    )
    assert PopulationRecord.objects.count() == 24
    return unit_tree


def agent_client(client: Client, org: Org) -> Client:
    client.force_login(org.agent.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def csv_bytes(rows: list[tuple[object, object]], *, encoding: str = "utf-8-sig") -> bytes:
    lines = ["姓名,身份证号码"] + [f"{a},{b}" for a, b in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(
    rows: list[tuple[object, object]], *, header: tuple[str, str] = ("姓名", "身份证号码")
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
