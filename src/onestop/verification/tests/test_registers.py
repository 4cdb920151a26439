"""Register imports, the synthetic generator and the demo data."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st

from onestop.core.identity import parse_resident_id
from onestop.core.pii import lookup_hash
from onestop.verification.checks import validate_id_number
from onestop.verification.choices import RegisterStatus
from onestop.verification.models import (
    EnterpriseRiskEntry,
    PersonRiskEntry,
    PopulationRecord,
    WantedPerson,
)
from onestop.verification.registers import (
    ImportRefused,
    register_import,
    synthetic_id_number,
    synthetic_person,
)

pytestmark = pytest.mark.django_db


@given(st.integers(min_value=0, max_value=300_000_000))
def test_synthetic_numbers_are_valid(i: int) -> None:
    number = synthetic_id_number(i)
    assert parse_resident_id(number).number == number


@given(st.text(max_size=25))
def test_fast_validation_agrees_with_core(text: str) -> None:
    from django.core.exceptions import ValidationError

    number, reason = validate_id_number(text, today=dt.date.today())
    try:
        expected = parse_resident_id(text).number
    except ValidationError:
        expected = ""
    assert number == expected and bool(reason) == (not expected)


# Codes in use, abolished in a given year (110103: 2010; 110221: in use 1982–1999), prefecture
# and province codes, and codes that never existed.
_CODES = ["110101", "110103", "110104", "110221", "110100", "110000", "120116", "450102", "999999"]


@settings(deadline=None)  # the first region look-ups load stdnum's table
@given(
    st.sampled_from(_CODES),
    st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2040, 12, 31)),
    st.integers(min_value=0, max_value=999),
    st.one_of(st.none(), st.sampled_from("0123456789X")),
)
@example("110103", dt.date(2010, 12, 31), 1, None)  # born in the code's last year: valid
@example("110103", dt.date(2011, 1, 1), 1, None)  # born after it was abolished: invalid
@example("110221", dt.date(1981, 5, 1), 1, None)  # before its start year: still valid
def test_fast_validation_agrees_with_core_on_well_formed_numbers(
    code: str, birth: dt.date, order: int, last: str | None
) -> None:
    """Same verdict and the same message as ``parse_resident_id`` (region per birth year, dates,
    check digit); ``last`` None means the correct check character."""
    from django.core.exceptions import ValidationError
    from stdnum.cn import ric

    first17 = f"{code}{birth:%Y%m%d}{order:03d}"
    number = first17 + (ric.calc_check_digit(first17 + "0") if last is None else last)
    got, reason = validate_id_number(number, today=dt.date.today())
    try:
        expected, message = parse_resident_id(number).number, ""
    except ValidationError as exc:
        expected, message = "", exc.messages[0]
    assert (got, reason) == (expected, message)


def test_synthetic_numbers_are_unique() -> None:
    numbers = {synthetic_id_number(i) for i in range(0, 2_000_000, 7)}
    assert len(numbers) == len(range(0, 2_000_000, 7))


def test_population_import_and_update(tmp_path) -> None:  # type: ignore[no-untyped-def]
    name, number = synthetic_person(1)
    data = f"姓名,身份证号码,状态\n{name},{number},正常\n".encode()
    assert register_import(actor=None, register="population", file=io.BytesIO(data)) == 1
    data = f"姓名,身份证号码,状态\n{name},{number.lower()},已死亡\n".encode("gbk")
    register_import(actor=None, register="population", file=io.BytesIO(data))
    record = PopulationRecord.objects.get()
    assert record.status == RegisterStatus.DECEASED and record.name == name
    assert record.id_number_hash == lookup_hash(number, kind="resident_id")


def test_bad_import_changes_nothing(unit_tree) -> None:  # type: ignore[no-untyped-def]
    name, number = synthetic_person(1)
    data = f"姓名,身份证号码,状态\n{name},{number},正常\n张三,123,正常\n李四,{number},失踪\n"
    with pytest.raises(ImportRefused) as info:
        register_import(actor=None, register="population", file=io.BytesIO(data.encode()))
    assert any("第 3 行" in p and "18 位" in p for p in info.value.problems)
    assert any("第 4 行" in p and "状态" in p for p in info.value.problems)
    assert PopulationRecord.objects.count() == 0
    with pytest.raises(ImportRefused, match="缺少列"):
        register_import(actor=None, register="wanted", file=io.BytesIO(b"a,b\n1,2\n"))


def test_list_imports(unit_tree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name, number = synthetic_person(2)
    path = tmp_path / "wanted.csv"
    path.write_text(f"姓名,身份证号码,法律文书编号,主办单位代码\n{name},{number},W-1,TJ-HP-1\n")
    call_command("verification_import", "wanted", str(path), stdout=io.StringIO())
    assert WantedPerson.objects.get().unit == unit_tree["station1"]
    risk = tmp_path / "risk.csv"
    risk.write_text(
        "姓名,身份证号码,类别,法律依据,列入单位代码,有效期至\n"
        f"{name},{number},涉嫌诈骗,《反电信网络诈骗法》第三十一条,TJ-HP,2030-01-01\n"
    )
    call_command("verification_import", "person_risk", str(risk), stdout=io.StringIO())
    assert PersonRiskEntry.objects.get().valid_until.year == 2030
    ent = tmp_path / "ent.csv"
    ent.write_text(
        "统一社会信用代码,企业名称,名单,法律依据,列入单位代码\n"
        "91120104MA05P0000K,某公司,黑名单,刑法第一百九十二条,TJ\n"
    )
    call_command("verification_import", "enterprise_risk", str(ent), stdout=io.StringIO())
    assert EnterpriseRiskEntry.objects.get().list_kind == "black"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "统一社会信用代码,企业名称,名单,法律依据,列入单位代码\n91120104MA05P0000X,某,黑名单,x,TJ\n"
    )
    with pytest.raises(CommandError, match="校验位"):
        call_command("verification_import", "enterprise_risk", str(bad), stdout=io.StringIO())


def test_generate_command() -> None:
    call_command("verification_generate", "--persons", "30", stdout=io.StringIO())
    call_command("verification_generate", "--persons", "5", stdout=io.StringIO())
    assert PopulationRecord.objects.count() == 35
    name, number = synthetic_person(34)
    record = PopulationRecord.objects.get(id_number_hash=lookup_hash(number, kind="resident_id"))
    assert record.name == name and record.id_number == number


def test_load_demo_is_idempotent() -> None:
    from onestop.verification import demo
    from onestop.verification.selectors import active_authorisation

    call_command("demo_load", quiet_accounts=True, verbosity=0)
    demo.load_demo()
    demo.load_demo()
    assert PopulationRecord.objects.count() == demo.DEMO_PEOPLE
    assert WantedPerson.objects.count() == 1 and PersonRiskEntry.objects.count() == 1
    assert EnterpriseRiskEntry.objects.count() == 2
    from onestop.accounts.models import Enterprise

    enterprise = Enterprise.objects.get(credit_code=demo.DEMO_ENTERPRISE)
    assert active_authorisation(enterprise) is not None
