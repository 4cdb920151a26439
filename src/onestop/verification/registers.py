"""Filling the registers: importing CSV extracts and generating synthetic people.

Imports take a CSV (UTF-8 or GBK) whose header names the columns:

* ``population``: 姓名, 身份证号码, 状态 (正常 / 已注销 / 已死亡, or normal / cancelled / deceased);
  existing numbers are updated (name, status);
* ``wanted``: 姓名, 身份证号码, 法律文书编号, 主办单位代码, [有效期至];
* ``person_risk``: 姓名, 身份证号码, 类别, 法律依据, 列入单位代码, [生效日期], [有效期至];
* ``enterprise_risk``: 统一社会信用代码, 企业名称, 名单 (黑名单 / 灰名单 / 白名单), 法律依据,
  列入单位代码, [事由], [生效日期], [有效期至].

Every row is validated (ID numbers and credit codes with their check digits); a file with any bad
row is refused as a whole, listing the first problems, and nothing is written.

The synthetic generator derives person ``i`` deterministically (``synthetic_person``), so the demo
and the benchmark can build upload files of people who are — or are not — in the register.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Unit
from onestop.core import pii
from onestop.core.audit import audit_log
from onestop.core.identity import parse_credit_code

from .checks import ID_KIND, NAME_KIND, Hasher, check_digit, normalise_name, validate_id_number
from .choices import EnterpriseListKind, PersonRiskCategory, RegisterStatus
from .models import EnterpriseRiskEntry, PersonRiskEntry, PopulationRecord, WantedPerson

REGISTERS = ("population", "wanted", "person_risk", "enterprise_risk")

# --- synthetic people -----------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
    "婷建国志文斌宇浩凯健俊帆帅旭宁龙林欣佳雪晨阳"
)
REGIONS = [
    "120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111",
    "120112", "120113", "120114", "120115", "120116", "450102", "450103", "450105",
    "450107", "450108", "450302", "450303", "450304", "450305", "450311", "450312",
]  # fmt: skip
_FIRST_DAY = dt.date(1960, 1, 1).toordinal()
_DAYS = 40 * 365  # birth dates 1960 … 1999


def synthetic_id_number(i: int) -> str:
    """A valid, unique resident ID number for every ``i`` < 24 × 14,600 × 1,000."""
    region = REGIONS[i % len(REGIONS)]
    rest = i // len(REGIONS)
    birth = dt.date.fromordinal(_FIRST_DAY + rest % _DAYS)
    order = (rest // _DAYS) % 1000
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


def synthetic_name(i: int) -> str:
    h = (i * 2654435761) & 0xFFFFFFFF
    name = SURNAMES[h % len(SURNAMES)] + GIVEN[(h >> 8) % len(GIVEN)]
    if (h >> 16) % 3:
        name += GIVEN[(h >> 20) % len(GIVEN)]
    return name


def synthetic_person(i: int) -> tuple[str, str]:
    return synthetic_name(i), synthetic_id_number(i)


class _FastSealer:
    """``EncryptedTextField.encrypt_value`` with the cipher object built once (same tokens)."""

    def __init__(self, model: type[Any], field: str) -> None:
        ring = pii.keyring()
        self._key_id = ring.current_id
        self._aead = AESGCM(ring.keys[ring.current_id])
        self._ad = model._meta.get_field(field).associated_data

    def __call__(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), self._ad)
        return f"{self._key_id}${base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def _population_rows(
    start: int, count: int, status_of: Callable[[int], str]
) -> Iterator[tuple[str, str, str, str, str]]:
    hasher = Hasher()
    seal_id = _FastSealer(PopulationRecord, "id_number")
    seal_name = _FastSealer(PopulationRecord, "name")
    for i in range(start, start + count):
        name, number = synthetic_person(i)
        yield (
            seal_id(number),
            hasher(number, kind=ID_KIND),
            seal_name(name),
            hasher(name, kind=NAME_KIND),
            status_of(i),
        )


def default_status(i: int) -> str:
    """About 1 in 200 synthetic people is cancelled, 1 in 100 deceased."""
    if i % 200 == 7:
        return RegisterStatus.CANCELLED
    if i % 100 == 3:
        return RegisterStatus.DECEASED
    return RegisterStatus.NORMAL


def population_generate(
    *,
    count: int,
    start: int = 0,
    batch: int = 50_000,
    status_of: Callable[[int], str] = default_status,
) -> int:
    """Add synthetic people ``start … start+count-1`` (COPY on PostgreSQL, bulk insert else)."""
    written = 0
    table = PopulationRecord._meta.db_table
    now = dt.datetime.now(dt.UTC)
    for offset in range(start, start + count, batch):
        size = min(batch, start + count - offset)
        rows = _population_rows(offset, size, status_of)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    raw = cursor.cursor
                    with raw.copy(
                        f"COPY {table} (id_number, id_number_hash, name, name_hash, status, "
                        "updated_at) FROM STDIN"
                    ) as copy:
                        for row in rows:
                            copy.write_row((*row, now))
            else:
                PopulationRecord.objects.bulk_create(
                    list(_population_objects(offset, size, status_of)), batch_size=2_000
                )
        written += size
    return written


def _population_objects(
    start: int, count: int, status_of: Callable[[int], str]
) -> Iterator[PopulationRecord]:
    hasher = Hasher()
    for i in range(start, start + count):
        name, number = synthetic_person(i)
        yield PopulationRecord(
            id_number=number,
            id_number_hash=hasher(number, kind=ID_KIND),
            name=name,
            name_hash=hasher(name, kind=NAME_KIND),
            status=status_of(i),
        )


# --- imports --------------------------------------------------------------------------------


class ImportRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


_STATUS = {
    "正常": RegisterStatus.NORMAL,
    "normal": RegisterStatus.NORMAL,
    "已注销": RegisterStatus.CANCELLED,
    "注销": RegisterStatus.CANCELLED,
    "cancelled": RegisterStatus.CANCELLED,
    "已死亡": RegisterStatus.DECEASED,
    "死亡": RegisterStatus.DECEASED,
    "deceased": RegisterStatus.DECEASED,
}
_LIST_KINDS = {str(label): value for value, label in EnterpriseListKind.choices} | {
    value: value for value in EnterpriseListKind.values
}
_CATEGORIES = {str(label): value for value, label in PersonRiskCategory.choices} | {
    value: value for value in PersonRiskCategory.values
}
COLUMNS = {
    "population": (["姓名", "身份证号码"], ["状态"]),
    "wanted": (["姓名", "身份证号码", "法律文书编号", "主办单位代码"], ["有效期至"]),
    "person_risk": (
        ["姓名", "身份证号码", "类别", "法律依据", "列入单位代码"],
        ["生效日期", "有效期至"],
    ),
    "enterprise_risk": (
        ["统一社会信用代码", "企业名称", "名单", "法律依据", "列入单位代码"],
        ["事由", "生效日期", "有效期至"],
    ),
}
MAX_PROBLEMS = 20


def _decode(file: IO[bytes]) -> io.StringIO:
    data = file.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return io.StringIO(data.decode(encoding), newline="")
        except UnicodeDecodeError:
            continue
    raise ImportRefused([_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV。")])


def _date(value: str, line: int, problems: list[str]) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(
            _("第 %(line)d 行：日期“%(value)s”应为 YYYY-MM-DD。") % {"line": line, "value": value}
        )
        return None


def _parse(register: str, file: IO[bytes]) -> list[dict[str, Any]]:
    required, optional = COLUMNS[register]
    reader = csv.DictReader(_decode(file))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRefused([_("缺少列：%(cols)s") % {"cols": "、".join(missing)}])
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    today = dt.date.today()
    units = {u.code: u for u in Unit.objects.all()}
    for record in reader:
        line = reader.line_num
        values = {k: (record.get(k) or "").strip() for k in required + optional}
        if not any(values.values()):
            continue
        row: dict[str, Any] = {"line": line}
        if "身份证号码" in values:
            number, reason = validate_id_number(values["身份证号码"], today=today)
            if reason:
                problems.append(_("第 %(line)d 行：%(reason)s") % {"line": line, "reason": reason})
            row["id_number"] = number
            row["name"] = normalise_name(values["姓名"])
            if not row["name"]:
                problems.append(_("第 %(line)d 行：姓名为空。") % {"line": line})
        if register == "population":
            status = _STATUS.get(values.get("状态") or "正常")
            if status is None:
                problems.append(
                    _("第 %(line)d 行：状态应为 正常、已注销 或 已死亡。") % {"line": line}
                )
            row["status"] = status
        for column in ("主办单位代码", "列入单位代码"):
            if column in values:
                row["unit"] = units.get(values[column])
                if row["unit"] is None:
                    problems.append(
                        _("第 %(line)d 行：未找到单位代码“%(code)s”。")
                        % {"line": line, "code": values[column]}
                    )
        if register == "wanted":
            row["warrant_reference"] = values["法律文书编号"]
        if register in ("person_risk", "enterprise_risk"):
            row["legal_basis"] = values["法律依据"]
            if not row["legal_basis"]:
                problems.append(_("第 %(line)d 行：法律依据不能为空。") % {"line": line})
            row["valid_from"] = _date(values.get("生效日期", ""), line, problems)
        if register == "person_risk":
            row["category"] = _CATEGORIES.get(values["类别"])
            if row["category"] is None:
                problems.append(
                    _("第 %(line)d 行：类别“%(value)s”无效。")
                    % {"line": line, "value": values["类别"]}
                )
        if register == "enterprise_risk":
            try:
                row["credit_code"] = parse_credit_code(values["统一社会信用代码"]).number
            except ValidationError as exc:
                problems.append(
                    _("第 %(line)d 行：%(reason)s") % {"line": line, "reason": exc.messages[0]}
                )
            row["enterprise_name"] = values["企业名称"]
            row["list_kind"] = _LIST_KINDS.get(values["名单"])
            if row["list_kind"] is None:
                problems.append(
                    _("第 %(line)d 行：名单应为 黑名单、灰名单 或 白名单。") % {"line": line}
                )
            row["reason"] = values.get("事由", "")
        row["valid_until"] = _date(values.get("有效期至", ""), line, problems)
        rows.append(row)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS])
    if not rows:
        raise ImportRefused([_("文件中没有数据行。")])
    return rows


@transaction.atomic
def register_import(*, actor: Any, register: str, file: IO[bytes]) -> int:
    """Import one register extract (see the module docstring); all or nothing."""
    if register not in REGISTERS:
        raise ImportRefused([_("未知的名单类型。")])
    rows = _parse(register, file)
    hasher = Hasher()
    for row in rows:
        if "id_number" in row:
            row["id_number_hash"] = hasher(row["id_number"], kind=ID_KIND)
        if register == "population":
            PopulationRecord.objects.update_or_create(
                id_number_hash=row["id_number_hash"],
                defaults={
                    "id_number": row["id_number"],
                    "name": row["name"],
                    "name_hash": hasher(row["name"], kind=NAME_KIND),
                    "status": row["status"],
                },
            )
        elif register == "wanted":
            WantedPerson.objects.create(
                id_number=row["id_number"],
                id_number_hash=row["id_number_hash"],
                name=row["name"],
                unit=row["unit"],
                warrant_reference=row["warrant_reference"],
                valid_from=dt.date.today(),
                valid_until=row["valid_until"],
            )
        elif register == "person_risk":
            PersonRiskEntry.objects.create(
                id_number=row["id_number"],
                id_number_hash=row["id_number_hash"],
                name=row["name"],
                category=row["category"],
                legal_basis=row["legal_basis"],
                unit=row["unit"],
                valid_from=row["valid_from"],
                valid_until=row["valid_until"],
            )
        else:
            EnterpriseRiskEntry.objects.create(
                credit_code=row["credit_code"],
                name=row["enterprise_name"],
                list_kind=row["list_kind"],
                legal_basis=row["legal_basis"],
                reason=row["reason"],
                unit=row["unit"],
                valid_from=row["valid_from"],
                valid_until=row["valid_until"],
            )
    audit_log(
        actor=actor,
        action="verification.register_import",
        summary={"register": register, "rows": len(rows)},
    )
    return len(rows)
