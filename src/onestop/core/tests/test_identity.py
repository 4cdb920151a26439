"""Identity numbers: valid numbers parse, bad ones say what is wrong, nothing else escapes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from stdnum.cn import ric, uscc

from onestop.core import identity
from onestop.core.identity import (
    CreditCodeField,
    CreditCodeSerializerField,
    DocumentKind,
    MobileField,
    MobileSerializerField,
    ResidentIdField,
    ResidentIdSerializerField,
    Sex,
)

FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZx",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺｘ",
)


def make_ric(body17: str) -> str:
    """A resident ID number with a correct check digit (computed by stdnum)."""
    assert len(body17) == 17
    return body17 + ric.calc_check_digit(body17 + "0")


def with_wrong_check(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def make_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def assert_error(func, value, code: str, chinese: str) -> None:  # type: ignore[no-untyped-def]
    """The error has ``code`` and the Chinese message contains ``chinese``; in English the code
    is the same (the English text comes from the .po catalogue)."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        func(value)
    assert info.value.code == code
    assert chinese in info.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as info:
        func(value)
    assert info.value.code == code
    assert info.value.messages[0].strip()


# --- resident ID numbers --------------------------------------------------------------------
def test_valid_resident_id_gives_birth_date_sex_and_region() -> None:
    number = make_ric("12010119900307123")
    result = identity.parse_resident_id(number)
    assert result.number == number
    assert result.birth_date == dt.date(1990, 3, 7)
    assert result.sex == Sex.MALE
    assert result.region_code == "120101"
    assert result.region_name == "天津市和平区"


def test_female_and_prefecture_in_region_name() -> None:
    # sequence 008 is even → female
    number = make_ric("36042619910101008")
    result = identity.parse_resident_id(number)
    assert result.sex == Sex.FEMALE
    assert result.region_name == "江西省九江市德安县"


def test_check_digit_x_accepted_in_lowercase() -> None:
    number = make_ric("11011219800101001")
    assert number.endswith("X")
    assert identity.resident_id_normalise(number.lower()) == number


def test_full_width_and_spaces_are_normalised() -> None:
    number = make_ric("11011219800101001")  # ends with X
    typed = "\u3000 " + number.translate(FULL_WIDTH).replace("Ｘ", "ｘ") + "  "
    assert typed != number
    assert identity.resident_id_normalise(typed) == number
    spaced = f" {number[:6]} {number[6:14]} {number[14:]} "
    assert identity.resident_id_normalise(spaced) == number


def test_region_created_after_birth_is_accepted() -> None:
    # 110112 (通州区) exists since 1997; a person born in 1980 can be registered there later.
    assert identity.parse_resident_id(make_ric("11011219800101001")).region_name == "北京市通州区"


def test_resident_id_length_error() -> None:
    assert_error(identity.parse_resident_id, "12010119900307123", "ric_length", "18 位")
    assert_error(identity.parse_resident_id, "", "ric_length", "18 位")


def test_resident_id_format_error() -> None:
    assert_error(identity.parse_resident_id, "1201011990030A1235", "ric_format", "数字")
    assert_error(identity.parse_resident_id, "12010119900307123Y", "ric_format", "X")


def test_resident_id_checksum_error() -> None:
    number = with_wrong_check(make_ric("12010119900307123"))
    assert_error(identity.parse_resident_id, number, "ric_checksum", "校验位")


def test_resident_id_impossible_date() -> None:
    assert_error(
        identity.parse_resident_id, make_ric("12010119900230123"), "ric_birth_date", "19900230"
    )
    assert_error(
        identity.parse_resident_id, make_ric("12010118991231123"), "ric_birth_date", "18991231"
    )


def test_resident_id_future_birth_date() -> None:
    future = dt.date.today() + dt.timedelta(days=400)
    number = make_ric(f"120101{future:%Y%m%d}123")
    assert_error(identity.parse_resident_id, number, "ric_birth_date_future", "晚于今天")


def test_resident_id_unknown_region() -> None:
    assert_error(identity.parse_resident_id, make_ric("99010119900307123"), "ric_region", "990101")
    # 110103 (崇文区) was abolished in 2010: nobody born in 2015 gets that code.
    assert_error(identity.parse_resident_id, make_ric("11010320150101001"), "ric_region", "110103")


# --- unified social credit codes ------------------------------------------------------------
def test_valid_credit_code() -> None:
    code = identity.parse_credit_code(" 91110000600037341l ")
    assert code.number == "91110000600037341L"
    assert code.registration_authority == "9"
    assert code.entity_type == "1"
    assert code.region_code == "110000"


def test_credit_code_with_letter_authority_and_full_width() -> None:
    # GB 32100 (2019 amendment): N = agriculture authority (rural collective organisations).
    number = make_uscc("N2120101MA0000001")
    assert identity.credit_code_normalise(number.translate(FULL_WIDTH)) == number


def test_credit_code_errors() -> None:
    assert_error(identity.parse_credit_code, "9111000060003734", "uscc_length", "18 位")
    assert_error(identity.parse_credit_code, "9111000060003734IL", "uscc_format", "I、O")
    assert_error(identity.parse_credit_code, "91110000600037341A", "uscc_checksum", "校验位")


# --- mobile numbers -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "+86 138 0013 8000",
        "138-0013-8000",
        "008613800138000",
        "１３８００１３８０００",
        " +8613800138000 ",
    ],
)
def test_mobile_normalised_to_eleven_digits(typed: str) -> None:
    assert identity.mobile_normalise(typed) == "13800138000"


def test_mobile_errors() -> None:
    assert_error(identity.mobile_normalise, "1380013", "mobile_format", "11 位")
    assert_error(identity.mobile_normalise, "hello", "mobile_format", "11 位")
    assert_error(identity.mobile_normalise, "+852 9123 4567", "mobile_not_mainland", "+86")
    assert_error(identity.mobile_normalise, "022-2345 6789", "mobile_not_mobile", "不是手机号码")


# --- typed documents ------------------------------------------------------------------------
def test_chinese_and_foreign_passports() -> None:
    assert identity.parse_passport("e12345678", country="CHN").number == "E12345678"
    assert identity.parse_passport("EA1234567", country="CHN").number == "EA1234567"
    assert identity.parse_passport("X1234567", country="DEU").number == "X1234567"
    assert_error(
        lambda v: identity.parse_passport(v, country="CHN"),
        "E1234",
        "passport_cn_format",
        "中国护照",
    )
    assert_error(identity.parse_passport, "AB#12", "passport_format", "5 至 17 位")


def test_permanent_residence_card_2017_format() -> None:
    doc = identity.parse_foreign_permanent_resident("usa310085052301")
    assert (doc.number, doc.nationality, doc.version) == ("USA310085052301", "USA", "2017")
    assert_error(
        identity.parse_foreign_permanent_resident, "US1310085052301", "fpr_format", "3 位字母"
    )


def test_permanent_residence_card_2023_format() -> None:
    # 9 · 11 (Beijing office) · 840 (USA) · 1985-06-15 · 002 (female) · check
    number = make_ric("91184019850615002")
    doc = identity.parse_foreign_permanent_resident(number.translate(FULL_WIDTH))
    assert doc.number == number
    assert doc.birth_date == dt.date(1985, 6, 15)
    assert doc.sex == Sex.FEMALE
    assert doc.nationality == "840"
    assert doc.version == "2023"
    assert_error(
        identity.parse_foreign_permanent_resident,
        with_wrong_check(number),
        "fpr_checksum",
        "校验位",
    )
    assert_error(
        identity.parse_foreign_permanent_resident,
        make_ric("91184019850230002"),
        "fpr_birth_date",
        "19850230",
    )
    assert_error(
        identity.parse_foreign_permanent_resident,
        make_ric("81184019850615002"),
        "fpr_format",
        "以 9 开头",
    )
    assert_error(identity.parse_foreign_permanent_resident, "9118401985", "fpr_length", "15 位")


def test_parse_document_dispatches_on_kind() -> None:
    number = make_ric("12010119900307124")
    doc = identity.parse_document(DocumentKind.RESIDENT_ID, number)
    assert (doc.kind, doc.birth_date, doc.sex) == (
        DocumentKind.RESIDENT_ID,
        dt.date(1990, 3, 7),
        Sex.FEMALE,
    )
    assert identity.parse_document("hk_macao", "h12345678").number == "H12345678"
    assert identity.parse_document("taiwan", "12345678").number == "12345678"
    assert_error(
        lambda v: identity.parse_document("hk_macao", v), "X12345678", "hk_macao_format", "H 或 M"
    )
    assert_error(lambda v: identity.parse_document("taiwan", v), "1234", "taiwan_format", "8 位")
    assert_error(
        lambda v: identity.parse_document("driving_licence", v),
        "1",
        "document_kind",
        "driving_licence",
    )


# --- form and serializer fields -------------------------------------------------------------
def test_form_fields_return_normalised_values_and_coded_errors() -> None:
    number = make_ric("11011219800101001")
    assert ResidentIdField().clean(number.lower().translate(FULL_WIDTH)) == number
    assert CreditCodeField().clean("91110000600037341l") == "91110000600037341L"
    assert MobileField().clean("+86 138 0013 8000") == "13800138000"
    assert MobileField(required=False).clean("") == ""
    with pytest.raises(ValidationError) as info:
        ResidentIdField().clean(with_wrong_check(number))
    assert info.value.error_list[0].code == "ric_checksum"
    with pytest.raises(ValidationError) as info:
        ResidentIdField().clean("")
    assert info.value.error_list[0].code == "required"


class _Applicant(serializers.Serializer):
    id_number = ResidentIdSerializerField()
    credit_code = CreditCodeSerializerField(required=False)
    mobile = MobileSerializerField()


def test_serializer_fields_return_normalised_values_and_coded_errors() -> None:
    number = make_ric("12010119900307123")
    ok = _Applicant(
        data={
            "id_number": f" {number} ",
            "mobile": "+86 13800138000",
            "credit_code": "91110000600037341l",
        }
    )
    assert ok.is_valid(), ok.errors
    assert ok.validated_data == {
        "id_number": number,
        "mobile": "13800138000",
        "credit_code": "91110000600037341L",
    }
    bad = _Applicant(data={"id_number": make_ric("12010119900230123"), "mobile": "02223456789"})
    assert not bad.is_valid()
    assert bad.errors["id_number"][0].code == "ric_birth_date"
    assert "19900230" in str(bad.errors["id_number"][0])
    assert bad.errors["mobile"][0].code == "mobile_not_mobile"


# --- properties -----------------------------------------------------------------------------
PARSERS = [
    identity.parse_resident_id,
    identity.parse_credit_code,
    identity.mobile_normalise,
    identity.parse_passport,
    identity.parse_foreign_permanent_resident,
    lambda v: identity.parse_passport(v, country="CHN"),
    lambda v: identity.parse_document("hk_macao", v),
    lambda v: identity.parse_document("taiwan", v),
    ResidentIdField().clean,
    CreditCodeField().clean,
    MobileField().clean,
]

_id_like = st.text(alphabet="0123456789Xx０１２３４５６７８９ｘ -\u3000", min_size=0, max_size=24)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.one_of(st.text(max_size=40), _id_like), parser=st.sampled_from(PARSERS))
def test_arbitrary_text_raises_only_validation_error(text: str, parser) -> None:  # type: ignore[no-untyped-def]
    try:
        parser(text)
    except ValidationError as exc:
        assert exc.code in identity.ERROR_CODES | {"required", "max_length"}


REGIONS = ["110101", "120101", "310115", "440305", "450103", "510107", "650102"]


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_every_well_formed_number_parses_back(region: str, birth: dt.date, sequence: int) -> None:
    number = make_ric(f"{region}{birth:%Y%m%d}{sequence:03d}")
    result = identity.parse_resident_id(number.lower())
    assert result.number == number
    assert result.birth_date == birth
    assert result.sex == (Sex.MALE if sequence % 2 else Sex.FEMALE)
    assert result.region_code == region
    with pytest.raises(ValidationError):
        identity.parse_resident_id(with_wrong_check(number))


# --- English messages (from locale/en) ------------------------------------------------------
FPR_2023 = "91184019850615002"  # 9 · 11 · 840 · 1985-06-15 · 002


ENGLISH_CASES = [
    (
        identity.parse_resident_id,
        "12010119900307123",
        "ric_length",
        "A resident ID number has 18 characters; you entered 17.",
    ),
    (
        identity.parse_resident_id,
        "1201011990030A1235",
        "ric_format",
        "The first 17 characters of a resident ID number are digits; "
        "the last is a digit or the letter X.",
    ),
    (
        identity.parse_resident_id,
        make_ric("12010119900230123"),
        "ric_birth_date",
        "The birth date “19900230” in the resident ID number is not a valid date.",
    ),
    (
        identity.parse_resident_id,
        make_ric("12010120990101123"),
        "ric_birth_date_future",
        "The birth date “2099-01-01” in the resident ID number is later than today.",
    ),
    (
        identity.parse_resident_id,
        make_ric("99010119900307123"),
        "ric_region",
        "The first 6 digits “990101” of the resident ID number are not a valid "
        "administrative division code.",
    ),
    (
        identity.parse_resident_id,
        with_wrong_check(make_ric("12010119900307123")),
        "ric_checksum",
        "The check digit of the resident ID number is wrong; please check for typing mistakes.",
    ),
    (
        identity.parse_credit_code,
        "9111000060003734",
        "uscc_length",
        "A unified social credit code has 18 characters; you entered 16.",
    ),
    (
        identity.parse_credit_code,
        "9111000060003734IL",
        "uscc_format",
        "A unified social credit code consists of digits and capital letters "
        "(no I, O, Z, S or V), with digits in positions 3 to 8.",
    ),
    (
        identity.parse_credit_code,
        "91110000600037341A",
        "uscc_checksum",
        "The check character of the unified social credit code is wrong; "
        "please check for typing mistakes.",
    ),
    (
        identity.mobile_normalise,
        "1380013",
        "mobile_format",
        "The mobile number is not valid; enter an 11-digit mainland China mobile number.",
    ),
    (
        identity.mobile_normalise,
        "+852 9123 4567",
        "mobile_not_mainland",
        "Enter a mainland China mobile number (+86).",
    ),
    (
        identity.mobile_normalise,
        "022-2345 6789",
        "mobile_not_mobile",
        "This is not a mobile number; enter an 11-digit mainland China mobile number.",
    ),
    (
        identity.parse_passport,
        "AB#12",
        "passport_format",
        "A passport number has 5 to 17 letters or digits.",
    ),
    (
        lambda v: identity.parse_passport(v, country="CHN"),
        "E1234",
        "passport_cn_format",
        "This is not a valid Chinese passport number: an ordinary passport is E or G "
        "followed by 8 digits, or E, one letter and 7 digits.",
    ),
    (
        identity.parse_foreign_permanent_resident,
        "9118401985",
        "fpr_length",
        "A foreign permanent resident ID card number has 15 characters (2017 card) "
        "or 18 characters (2023 card); you entered 10.",
    ),
    (
        identity.parse_foreign_permanent_resident,
        "US1310085052301",
        "fpr_format",
        "The foreign permanent resident ID card number is not valid: the 2017 card has "
        "3 letters followed by 12 digits; the 2023 card has 17 digits starting with 9 "
        "followed by a check character.",
    ),
    (
        identity.parse_foreign_permanent_resident,
        make_ric("91184019850230002"),
        "fpr_birth_date",
        "The birth date “19850230” in the foreign permanent resident ID card number "
        "is not a valid date.",
    ),
    (
        identity.parse_foreign_permanent_resident,
        make_ric("91184020990101002"),
        "fpr_birth_date_future",
        "The birth date “2099-01-01” in the foreign permanent resident ID card number "
        "is later than today.",
    ),
    (
        identity.parse_foreign_permanent_resident,
        with_wrong_check(make_ric(FPR_2023)),
        "fpr_checksum",
        "The check character of the foreign permanent resident ID card number is wrong; "
        "please check for typing mistakes.",
    ),
    (
        lambda v: identity.parse_document("hk_macao", v),
        "X12345678",
        "hk_macao_format",
        "The Mainland Travel Permit for Hong Kong and Macao Residents number is not valid: "
        "it is H or M followed by 8 or 10 digits.",
    ),
    (
        lambda v: identity.parse_document("taiwan", v),
        "1234",
        "taiwan_format",
        "The Mainland Travel Permit for Taiwan Residents number is not valid: it has 8 digits.",
    ),
    (
        lambda v: identity.parse_document("driving_licence", v),
        "1",
        "document_kind",
        "Unsupported ID document type “driving_licence”.",
    ),
]


def test_english_cases_cover_every_error_code() -> None:
    assert {case[2] for case in ENGLISH_CASES} == identity.ERROR_CODES


@pytest.mark.parametrize(
    ("func", "value", "code", "english"), ENGLISH_CASES, ids=[case[2] for case in ENGLISH_CASES]
)
def test_error_messages_in_english(func, value, code: str, english: str) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            func(value)
        # The message is lazy: render it while English is still active.
        messages = info.value.messages
    assert info.value.code == code
    assert messages == [english]
