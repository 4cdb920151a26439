"""Identity numbers: parse, normalise and explain what is wrong.

* Resident ID numbers (公民身份号码, GB 11643) and unified social credit codes (统一社会信用代码,
  GB 32100) are checked with python-stdnum (``stdnum.cn.ric``, ``stdnum.cn.uscc``); the birth date,
  sex and region are derived from the resident ID number.
* Mainland mobile numbers are checked with ``phonenumbers`` and normalised to 11 digits.
* Passports, foreigners' permanent-residence ID cards and the mainland travel permits of Hong Kong,
  Macao and Taiwan residents are typed documents (:func:`parse_document`).

Input is normalised before it is judged: surrounding spaces are stripped, full-width characters
(``１２０１…``, ``Ｘ``) become ASCII (NFKC), letters are upper-cased, and spaces or hyphens inside a
number are removed. Every failure is a ``django.core.exceptions.ValidationError`` with a specific
``code`` (see :data:`ERROR_CODES`) and a translatable message; nothing else is ever raised for bad
input, whatever the text.

The parse functions return typed results; the ``*_normalise`` helpers, the Django form fields and
the DRF serializer fields return the normalised string that is stored (encrypted) and hashed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class DocumentKind(models.TextChoices):
    """Identity document kinds. The values equal ``accounts.choices.IdDocumentType``."""

    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PERMANENT_RESIDENT = "foreign_pr", _("外国人永久居留身份证")
    HK_MACAO_PERMIT = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan", _("台湾居民来往大陆通行证")


# --- error messages (code → translatable message) -------------------------------------------
MESSAGES: dict[str, Any] = {
    "ric_length": _("公民身份号码应为 18 位，您输入了 %(length)d 位。"),
    "ric_format": _("公民身份号码前 17 位应为数字，最后一位为数字或字母 X。"),
    "ric_birth_date": _("公民身份号码中的出生日期“%(value)s”不是有效日期。"),
    "ric_birth_date_future": _("公民身份号码中的出生日期“%(value)s”晚于今天。"),
    "ric_region": _("公民身份号码前 6 位“%(value)s”不是有效的行政区划代码。"),
    "ric_checksum": _("公民身份号码校验位不正确，请核对是否输错。"),
    "uscc_length": _("统一社会信用代码应为 18 位，您输入了 %(length)d 位。"),
    "uscc_format": _(
        "统一社会信用代码只能由数字和大写字母组成（不含 I、O、Z、S、V），第 3 至 8 位应为数字。"
    ),
    "uscc_checksum": _("统一社会信用代码校验位不正确，请核对是否输错。"),
    "mobile_format": _("手机号码格式不正确，请填写 11 位中国大陆手机号码。"),
    "mobile_not_mainland": _("请填写中国大陆手机号码（+86）。"),
    "mobile_not_mobile": _("该号码不是手机号码，请填写 11 位中国大陆手机号码。"),
    "passport_format": _("护照号码应为 5 至 17 位字母或数字。"),
    "passport_cn_format": _(
        "中国护照号码格式不正确：普通护照为 E 或 G 加 8 位数字、或 E 加 1 位字母和 7 位数字。"
    ),
    "fpr_length": _(
        "外国人永久居留身份证号码应为 15 位（2017 年版）或 18 位（2023 年版），"
        "您输入了 %(length)d 位。"
    ),
    "fpr_format": _(
        "外国人永久居留身份证号码格式不正确：2017 年版为 3 位字母加 12 位数字，"
        "2023 年版为以 9 开头的 17 位数字加 1 位校验位。"
    ),
    "fpr_birth_date": _("外国人永久居留身份证号码中的出生日期“%(value)s”不是有效日期。"),
    "fpr_birth_date_future": _("外国人永久居留身份证号码中的出生日期“%(value)s”晚于今天。"),
    "fpr_checksum": _("外国人永久居留身份证号码校验位不正确，请核对是否输错。"),
    "hk_macao_format": _("港澳居民来往内地通行证号码格式不正确：应为 H 或 M 加 8 位或 10 位数字。"),
    "taiwan_format": _("台湾居民来往大陆通行证号码格式不正确：应为 8 位数字。"),
    "document_kind": _("不支持的证件类型“%(value)s”。"),
}

#: Every error code this module raises.
ERROR_CODES = frozenset(MESSAGES)


def _error(code: str, **params: Any) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


# --- normalisation --------------------------------------------------------------------------
_INNER_SEPARATORS = re.compile(r"[\s\-‐-―−]+")


def normalise_text(value: object) -> str:
    """NFKC (full-width → ASCII), strip, drop inner spaces and hyphens, upper-case."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFKC", text)
    return _INNER_SEPARATORS.sub("", text).upper()


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _parse_date(text: str) -> datetime.date | None:
    try:
        return datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _today() -> datetime.date:
    return timezone.localdate()


# --- resident ID number (GB 11643) ----------------------------------------------------------
@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    sex: Sex
    region_code: str
    region_name: str

    @property
    def masked(self) -> str:
        from onestop.core.pii import mask_id_number

        return mask_id_number(self.number)


def _region_entries(code: str) -> tuple[str, list[tuple[int | None, int | None, str]]]:
    """The province name and the (start year, end year, name) entries stdnum knows for a code."""
    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    entries: list[tuple[int | None, int | None, str]] = []
    for county in filter(None, info.get("county", "").split(",")):
        if county.startswith("["):
            span, name = county[1:].split("]", 1)
            start, end = span.split("-")
            entries.append((int(start) if start else None, int(end) if end else None, name))
        else:
            entries.append((None, None, county))
    return info.get("province", ""), entries


def region_name(code: str, *, year: int | None = None) -> str | None:
    """The full name of an administrative-division code (GB/T 2260), e.g. ``天津市和平区``.

    A code abolished before ``year`` is unknown. The start year is not checked: a number is
    assigned where a person is first registered, which can be after their birth year.
    """
    if len(code) != 6 or not _is_ascii_digits(code):
        return None
    province, entries = _region_entries(code)
    current = [e for e in entries if year is None or e[1] is None or e[1] >= year]
    if not province or not current:
        return None
    county = current[-1][2]
    parts = [province]
    if code[2:] != "0000":
        if code[4:] != "00":
            prefecture = _prefecture_name(code[:4] + "00")
            if prefecture:
                parts.append(prefecture)
        if county not in parts:
            parts.append(county)
    return "".join(parts)


def _prefecture_name(code: str) -> str | None:
    _province, entries = _region_entries(code)
    names = [name for _start, end, name in entries if end is None]
    # "市辖区"/"县" are placeholders of the municipalities, not names.
    if not names or names[-1] in {"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位"}:
        return None
    return names[-1]


def parse_resident_id(value: object) -> ResidentId:
    number = normalise_text(value)
    if len(number) != 18:
        raise _error("ric_length", length=len(number))
    if not _is_ascii_digits(number[:17]) or not (_is_ascii_digits(number[17]) or number[17] == "X"):
        raise _error("ric_format")
    birth = _parse_date(number[6:14])
    if birth is None or birth.year < 1900:
        raise _error("ric_birth_date", value=number[6:14])
    if birth > _today():
        raise _error("ric_birth_date_future", value=birth.isoformat())
    name = region_name(number[:6], year=birth.year)
    if name is None:
        raise _error("ric_region", value=number[:6])
    if stdnum_ric.calc_check_digit(number) != number[17]:
        raise _error("ric_checksum")
    return ResidentId(
        number=number,
        birth_date=birth,
        sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE,
        region_code=number[:6],
        region_name=name,
    )


def resident_id_normalise(value: object) -> str:
    return parse_resident_id(value).number


# --- unified social credit code (GB 32100) --------------------------------------------------
_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


@dataclass(frozen=True)
class CreditCode:
    number: str
    registration_authority: str  # 1st character: 9 = market regulation, 5 = civil affairs …
    entity_type: str  # 2nd character: e.g. 1 = enterprise, 2 = individual business
    region_code: str  # 3rd–8th characters: where it was registered (GB/T 2260)


def parse_credit_code(value: object) -> CreditCode:
    number = normalise_text(value)
    if len(number) != 18:
        raise _error("uscc_length", length=len(number))
    # stdnum insists on digits in the first two places, but GB 32100 (amended 2019) also issues
    # letters there (A, N, Y registration authorities), so the charset is checked here.
    if any(c not in _USCC_ALPHABET for c in number) or not _is_ascii_digits(number[2:8]):
        raise _error("uscc_format")
    if stdnum_uscc.calc_check_digit(number[:17]) != number[17]:
        raise _error("uscc_checksum")
    return CreditCode(
        number=number,
        registration_authority=number[0],
        entity_type=number[1],
        region_code=number[2:8],
    )


def credit_code_normalise(value: object) -> str:
    return parse_credit_code(value).number


# --- mainland mobile numbers ----------------------------------------------------------------
def mobile_normalise(value: object) -> str:
    """A valid mainland mobile number as 11 digits (``+86 138-0013-8000`` → ``13800138000``)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()
    if not text or len(text) > 32:
        raise _error("mobile_format")
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise _error("mobile_format") from exc
    if not phonenumbers.is_valid_number(number):
        raise _error("mobile_format")
    if phonenumbers.region_code_for_number(number) != "CN":
        raise _error("mobile_not_mainland")
    if phonenumbers.number_type(number) not in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }:
        raise _error("mobile_not_mobile")
    national = str(number.national_number)
    if len(national) != 11 or not national.startswith("1"):
        raise _error("mobile_not_mobile")
    return national


# --- other identity documents ---------------------------------------------------------------
@dataclass(frozen=True)
class IdentityDocument:
    kind: DocumentKind
    number: str
    birth_date: datetime.date | None = None
    sex: Sex | None = None
    nationality: str = ""  # ISO 3166-1 alpha-3 (2017 card) or numeric-3 (2023 card), if known
    version: str = ""  # e.g. "2017" / "2023" for permanent-residence cards


_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
# Chinese ordinary passports: G + 8 digits (to 2012), E + 8 digits, E + letter + 7 digits (2017–);
# official, service and diplomatic passports: P/S/D + 7 or 8 digits (and older 14/15 + 7 digits).
_PASSPORT_CN = re.compile(r"(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7}|[PSD]\d{7,8}|1[45]\d{7})")
_FPR_2017 = re.compile(r"[A-Z]{3}\d{12}")
_FPR_2023 = re.compile(r"9\d{16}[0-9X]")
_HK_MACAO = re.compile(r"[HM](?:\d{8}|\d{10})")
_TAIWAN = re.compile(r"\d{8}")


def parse_passport(value: object, *, country: str = "") -> IdentityDocument:
    """A passport number. ``country`` (ISO alpha-3) ``CHN`` applies the Chinese formats."""
    number = normalise_text(value)
    if country.upper() == "CHN":
        if not _PASSPORT_CN.fullmatch(number):
            raise _error("passport_cn_format")
    elif not _PASSPORT.fullmatch(number):
        raise _error("passport_format")
    return IdentityDocument(kind=DocumentKind.PASSPORT, number=number, nationality=country.upper())


def parse_foreign_permanent_resident(value: object) -> IdentityDocument:
    """外国人永久居留身份证.

    * 2017 card (and the 2004 card before it): 15 characters — 3 letters (nationality, ISO
      3166-1 alpha-3) and 12 digits; the layout of the digits is not published, so only the
      shape is checked.
    * 2023 card (issued since 1 December 2023, National Immigration Administration notice):
      18 characters like a resident ID number — ``9`` (foreigner mark), 2 digits (province of the
      accepting office), 3 digits (nationality, ISO 3166-1 numeric), 8 digits (birth date),
      3 digits (sequence: odd male, even female) and a MOD 11-2 check character (GB 11643).
    """
    number = normalise_text(value)
    if len(number) not in {15, 18}:
        raise _error("fpr_length", length=len(number))
    if len(number) == 15:
        if not _FPR_2017.fullmatch(number):
            raise _error("fpr_format")
        return IdentityDocument(
            kind=DocumentKind.FOREIGN_PERMANENT_RESIDENT,
            number=number,
            nationality=number[:3],
            version="2017",
        )
    if not _FPR_2023.fullmatch(number):
        raise _error("fpr_format")
    birth = _parse_date(number[6:14])
    if birth is None or birth.year < 1900:
        raise _error("fpr_birth_date", value=number[6:14])
    if birth > _today():
        raise _error("fpr_birth_date_future", value=birth.isoformat())
    if stdnum_ric.calc_check_digit(number) != number[17]:
        raise _error("fpr_checksum")
    return IdentityDocument(
        kind=DocumentKind.FOREIGN_PERMANENT_RESIDENT,
        number=number,
        birth_date=birth,
        sex=Sex.MALE if int(number[16]) % 2 else Sex.FEMALE,
        nationality=number[3:6],
        version="2023",
    )


def parse_document(kind: str, value: object, *, country: str = "") -> IdentityDocument:
    """Parse any supported identity document; a resident ID number becomes an
    ``IdentityDocument`` with its birth date and sex."""
    if kind == DocumentKind.RESIDENT_ID:
        rid = parse_resident_id(value)
        return IdentityDocument(
            kind=DocumentKind.RESIDENT_ID,
            number=rid.number,
            birth_date=rid.birth_date,
            sex=rid.sex,
            nationality="CHN",
        )
    if kind == DocumentKind.PASSPORT:
        return parse_passport(value, country=country)
    if kind == DocumentKind.FOREIGN_PERMANENT_RESIDENT:
        return parse_foreign_permanent_resident(value)
    number = normalise_text(value)
    if kind == DocumentKind.HK_MACAO_PERMIT:
        if not _HK_MACAO.fullmatch(number):
            raise _error("hk_macao_format")
        return IdentityDocument(kind=DocumentKind.HK_MACAO_PERMIT, number=number)
    if kind == DocumentKind.TAIWAN_PERMIT:
        if not _TAIWAN.fullmatch(number):
            raise _error("taiwan_format")
        return IdentityDocument(kind=DocumentKind.TAIWAN_PERMIT, number=number)
    raise _error("document_kind", value=str(kind)[:40])


# --- validators, form fields, serializer fields ---------------------------------------------
def validate_resident_id(value: object) -> None:
    parse_resident_id(value)


def validate_credit_code(value: object) -> None:
    parse_credit_code(value)


def validate_mobile(value: object) -> None:
    mobile_normalise(value)


class _NormalisingFormField(forms.CharField):
    normalise: Any = None

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if text in self.empty_values:
            return ""
        return type(self).normalise(text)


class ResidentIdField(_NormalisingFormField):
    """Form field: a resident ID number, cleaned to 18 upper-case characters."""

    normalise = staticmethod(resident_id_normalise)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("公民身份号码"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class CreditCodeField(_NormalisingFormField):
    normalise = staticmethod(credit_code_normalise)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("统一社会信用代码"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class MobileField(_NormalisingFormField):
    normalise = staticmethod(mobile_normalise)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("label", _("手机号码"))
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "numeric"})


def _as_drf_error(exc: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(list(exc.messages), code=exc.code)


class _NormalisingSerializerField(serializers.CharField):
    normalise: Any = None

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if text == "":
            return text
        try:
            return str(type(self).normalise(text))
        except ValidationError as exc:
            raise _as_drf_error(exc) from exc


class ResidentIdSerializerField(_NormalisingSerializerField):
    normalise = staticmethod(resident_id_normalise)


class CreditCodeSerializerField(_NormalisingSerializerField):
    normalise = staticmethod(credit_code_normalise)


class MobileSerializerField(_NormalisingSerializerField):
    normalise = staticmethod(mobile_normalise)
