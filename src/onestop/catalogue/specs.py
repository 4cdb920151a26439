"""Parsing and validating catalogue YAML into version field values.

One YAML file holds ``items:`` (and optionally ``proofs:``, ``no_penalty:``, ``inspections:``).
Every problem is reported with the file, the item and the field, and the import stops before
writing anything (see ``services.catalogue_import``). The format is documented in
docs/catalogue.md; ``services.catalogue_export`` writes the same format back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from onestop.core.rules import validate_rule_set

from .choices import (
    Channel,
    CrossRegionScope,
    Delivery,
    ItemType,
    Level,
    LimitUnit,
    MaterialSource,
    MaxVisits,
    ResultType,
    TrustLevel,
)
from .models import WORKING_DAY_HOURS, item_code_validator

CITATION_DOCUMENTS = ("tianjin-2021", "guangxi-2018")


class CatalogueError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class MaterialSpec:
    name: str
    source: str = MaterialSource.APPLICANT
    originals: int = 0
    copies: int = 0
    is_key: bool = True
    waivable: bool = False
    ecert_replaceable: bool = False
    trust_level: str = TrustLevel.C
    note: str = ""


@dataclass
class ItemSpec:
    code: str
    unit_code: str
    fields: dict[str, Any]
    materials: list[MaterialSpec]
    measures: list[str]
    commitments: list[str]
    origin: str  # "file.yaml: L001-01 @ TJ-ZAZD" for messages

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.unit_code)


@dataclass
class ListEntrySpec:
    kind: str  # proofs | no_penalty | inspections
    data: dict[str, Any]
    origin: str
    item_refs: list[tuple[str, str]] = field(default_factory=list)


class _Item:
    """Reads one item mapping, collecting errors instead of raising at the first."""

    def __init__(self, raw: dict[str, Any], where: str, errors: list[str]) -> None:
        self.raw = raw
        self.where = where
        self.errors = errors

    def error(self, field_name: str, message: str) -> None:
        self.errors.append(f"{self.where}, {field_name}: {message}")

    def text(self, name: str, *, required: bool = False, default: str = "") -> str:
        value = self.raw.get(name, default)
        if value is None:
            value = default
        if not isinstance(value, str | int | float):
            self.error(name, _("应为文本"))
            return default
        value = str(value).strip()
        if required and not value:
            self.error(name, _("不能为空"))
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            self.error(name, _("应为 true 或 false"))
            return default
        return value

    def choice(self, name: str, choices: Any, *, default: Any = None, value: Any = None) -> Any:
        value = self.raw.get(name, default) if value is None else value
        allowed = [c.value for c in choices]
        if value not in allowed:
            self.error(
                name,
                _("取值 %(value)r 无效，可选：%(allowed)s")
                % {"value": value, "allowed": ", ".join(map(str, allowed))},
            )
            return default
        return value

    def choice_list(self, name: str, choices: Any) -> list[str]:
        value = self.raw.get(name, [])
        if not isinstance(value, list):
            self.error(name, _("应为列表"))
            return []
        allowed = {c.value for c in choices}
        bad = [v for v in value if v not in allowed]
        if bad:
            self.error(
                name,
                _("取值 %(value)s 无效，可选：%(allowed)s")
                % {"value": ", ".join(map(str, bad)), "allowed": ", ".join(sorted(allowed))},
            )
        return [v for v in value if v in allowed]

    def decimal(self, name: str, value: Any) -> Decimal | None:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.error(name, _("应为数字，实际为 %(value)r") % {"value": value})
            return None
        if not number.is_finite() or number <= 0:
            self.error(name, _("应为正数，实际为 %(value)s") % {"value": value})
            return None
        if number != number.quantize(Decimal("0.01")):
            self.error(name, _("最多保留两位小数"))
            return None
        return number

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(name, _("应为键值映射"))
            return None
        return value


def _citations(item: _Item, name: str) -> list[str]:
    value = item.raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        item.error(name, _("应为引用列表，例如 [tianjin-2021#4]"))
        return []
    good = []
    for citation in value:
        document, sep, number = citation.partition("#")
        if not sep or document not in CITATION_DOCUMENTS or not number.isdigit():
            item.error(
                name,
                _("引用 %(value)r 格式无效，应为 tianjin-2021#N 或 guangxi-2018#N")
                % {"value": citation},
            )
        else:
            good.append(citation)
    return good


def _materials(item: _Item) -> list[MaterialSpec]:
    raw_list = item.raw.get("materials", [])
    if not isinstance(raw_list, list):
        item.error("materials", _("应为列表"))
        return []
    materials = []
    for index, raw in enumerate(raw_list, start=1):
        where = f"materials[{index}]"
        if not isinstance(raw, dict):
            item.error(where, _("应为键值映射"))
            continue
        sub = _Item(raw, f"{item.where}, {where}", item.errors)
        spec = MaterialSpec(
            name=sub.text("name", required=True),
            source=sub.choice("source", MaterialSource, default=MaterialSource.APPLICANT),
            originals=int(raw.get("originals", 0) or 0),
            copies=int(raw.get("copies", 0) or 0),
            is_key=sub.flag("key", True),
            waivable=sub.flag("waivable", False),
            ecert_replaceable=sub.flag("ecert", False),
            trust_level=sub.choice("trust", TrustLevel, default=TrustLevel.C),
            note=sub.text("note"),
        )
        if spec.is_key and spec.waivable:
            sub.error("waivable", _("关键材料不能容缺；只有非关键材料可以容缺受理"))
        materials.append(spec)
    return materials


def parse_item(raw: Any, *, where: str, errors: list[str]) -> ItemSpec | None:
    if not isinstance(raw, dict):
        errors.append(f"{where}: " + _("事项应为键值映射"))
        return None
    code = str(raw.get("code", "")).strip()
    unit_code = str(raw.get("unit", "")).strip()
    item = _Item(raw, f"{where} {code or '?'} @ {unit_code or '?'}", errors)
    try:
        item_code_validator(code)
    except Exception:
        item.error("code", _("事项编码 %(value)r 格式无效，例如 L012-01") % {"value": code})
    if not unit_code:
        item.error("unit", _("不能为空"))

    f: dict[str, Any] = {
        "name": item.text("name", required=True),
        "short_name": item.text("short_name"),
        "summary": item.text("summary"),
        "item_type": item.choice("item_type", ItemType),
        "category": item.text("category"),
        "keywords": (
            " ".join(str(k) for k in raw["keywords"]).strip()
            if isinstance(raw.get("keywords"), list)
            else item.text("keywords")
        ),
        "level": item.choice("level", Level),
        "legal_basis": item.text("legal_basis", required=True),
        "conditions": item.text("conditions"),
        "max_visits": item.choice("max_visits", MaxVisits, default=MaxVisits.ONE),
        "cross_region_scope": item.choice(
            "cross_region", CrossRegionScope, default=CrossRegionScope.NONE
        ),
        "on_the_spot": item.flag("on_the_spot"),
        "appointment_needed": item.flag("appointment"),
        "weekend_service": item.flag("weekend"),
        "citations": "",
    }

    limits = item.mapping("limits")
    if limits is None:
        item.error("limits", _("必须给出 statutory 与 promised 时限"))
    else:
        default_unit = limits.get("unit", LimitUnit.WORKING_DAYS)
        stat_unit = item.choice(
            "limits.statutory_unit", LimitUnit, value=limits.get("statutory_unit", default_unit)
        )
        prom_unit = item.choice(
            "limits.promised_unit", LimitUnit, value=limits.get("promised_unit", default_unit)
        )
        statutory = item.decimal("limits.statutory", limits.get("statutory"))
        promised = item.decimal("limits.promised", limits.get("promised"))
        if statutory and promised and stat_unit and prom_unit:
            s_hours = statutory * (WORKING_DAY_HOURS if stat_unit == LimitUnit.WORKING_DAYS else 1)
            p_hours = promised * (WORKING_DAY_HOURS if prom_unit == LimitUnit.WORKING_DAYS else 1)
            if p_hours > s_hours:
                item.error(
                    "limits.promised",
                    _("承诺时限（%(p)s）不能超过法定时限（%(s)s）")
                    % {"p": promised, "s": statutory},
                )
        f.update(
            statutory_limit=statutory,
            statutory_limit_unit=stat_unit,
            promised_limit=promised,
            promised_limit_unit=prom_unit,
            limit_note=str(limits.get("note", "") or ""),
        )

    fee = item.mapping("fee") or {}
    fen = fee.get("fen", 0)
    if not isinstance(fen, int) or fen < 0:
        item.error("fee.fen", _("收费以分为单位，应为非负整数"))
        fen = 0
    f.update(fee_fen=fen, fee_basis=str(fee.get("basis", "") or ""))
    if fen > 0 and not f["fee_basis"]:
        item.error("fee.basis", _("收费事项必须写明收费依据"))

    channels = item.choice_list("channels", Channel)
    for channel in Channel:
        f[f"channel_{channel.value}"] = channel.value in channels
    if not channels:
        item.error("channels", _("至少需要一个办理渠道"))
    deliveries = item.choice_list("delivery", Delivery)
    for delivery in Delivery:
        f[f"delivery_{delivery.value}"] = delivery.value in deliveries

    if f["max_visits"] == MaxVisits.ZERO:
        if Channel.ONLINE not in channels and Channel.MOBILE not in channels:
            item.error("max_visits", _("“一次不用跑”的事项必须提供网上或掌上办理渠道"))
        if not ({Delivery.COURIER, Delivery.ELECTRONIC} & set(deliveries)):
            item.error("max_visits", _("“一次不用跑”的事项必须提供邮寄或电子送达结果"))

    conditional = item.mapping("conditional_acceptance")
    f["conditional_acceptance"] = conditional is not None
    f["conditional_supply_days"] = None
    f["conditional_consequence"] = ""
    if conditional is not None:
        days = conditional.get("supply_days")
        if not isinstance(days, int) or days <= 0:
            item.error("conditional_acceptance.supply_days", _("应为正整数（工作日）"))
        else:
            f["conditional_supply_days"] = days
        f["conditional_consequence"] = str(conditional.get("consequence", "") or "")
        if not f["conditional_consequence"]:
            item.error("conditional_acceptance.consequence", _("必须写明逾期未补正的后果"))

    commitment = item.mapping("commitment_approval")
    f["commitment_approval"] = commitment is not None
    f["commitment_text"] = ""
    f["post_check_rate"] = None
    if commitment is not None:
        f["commitment_text"] = str(commitment.get("text", "") or "").strip()
        if not f["commitment_text"]:
            item.error("commitment_approval.text", _("告知承诺制事项必须提供承诺书内容"))
        rate = commitment.get("post_check_rate")
        if rate is not None:
            try:
                rate_value = Decimal(str(rate))
                if not (0 <= rate_value <= 100):
                    raise InvalidOperation
                f["post_check_rate"] = rate_value
            except (InvalidOperation, ValueError):
                item.error("commitment_approval.post_check_rate", _("应为 0 到 100 之间的百分比"))

    result = item.mapping("result") or {}
    f["result_type"] = item.choice(
        "result.type", ResultType, value=result.get("type", ResultType.APPROVAL)
    )
    f["result_name"] = str(result.get("name", "") or "")

    form_schema = raw.get("form_schema", {}) or {}
    if not isinstance(form_schema, dict) or (form_schema and form_schema.get("type") != "object"):
        item.error("form_schema", _("应为 JSON Schema 对象（type: object）"))
        form_schema = {}
    f["form_schema"] = form_schema
    eligibility = raw.get("eligibility", []) or []
    rule_errors = validate_rule_set(eligibility)
    for rule_error in rule_errors:
        item.error(f"eligibility{rule_error.path}", rule_error.message)
    f["eligibility_rules"] = eligibility if not rule_errors else []

    materials = _materials(item)
    if f["conditional_acceptance"] and not any(m.waivable for m in materials):
        item.error("conditional_acceptance", _("容缺受理事项至少要有一项可容缺的非关键材料"))
    measures = _citations(item, "measures")
    if not measures:
        item.error("measures", _("每个事项必须引用至少一条措施"))
    f["citations"] = " ".join(measures)
    commitments = raw.get("commitments", []) or []
    if not isinstance(commitments, list):
        item.error("commitments", _("应为承诺编码列表"))
        commitments = []
    return ItemSpec(
        code=code,
        unit_code=unit_code,
        fields=f,
        materials=materials,
        measures=measures,
        commitments=[str(c) for c in commitments],
        origin=item.where,
    )


def load_documents(paths: list[Path]) -> tuple[list[ItemSpec], list[ListEntrySpec], list[str]]:
    """Parse every file; return specs and the list of errors (empty when all is well)."""
    errors: list[str] = []
    items: list[ItemSpec] = []
    entries: list[ListEntrySpec] = []
    seen: dict[tuple[str, str], str] = {}
    for path in paths:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            errors.append(f"{path.name}: " + _("无法读取 YAML：%(error)s") % {"error": exc})
            continue
        if not isinstance(document, dict):
            errors.append(f"{path.name}: " + _("顶层应为键值映射（items: …）"))
            continue
        unknown = set(document) - {"items", "proofs", "no_penalty", "inspections"}
        if unknown:
            errors.append(
                f"{path.name}: "
                + _("未知的顶层键：%(keys)s") % {"keys": ", ".join(sorted(unknown))}
            )
        for index, raw in enumerate(document.get("items") or [], start=1):
            spec = parse_item(raw, where=f"{path.name} #{index}", errors=errors)
            if spec is None:
                continue
            if spec.key in seen:
                errors.append(
                    f"{spec.origin}: " + _("与 %(other)s 重复") % {"other": seen[spec.key]}
                )
            seen[spec.key] = spec.origin
            items.append(spec)
        for kind in ("proofs", "no_penalty", "inspections"):
            for index, raw in enumerate(document.get(kind) or [], start=1):
                where = f"{path.name} {kind}#{index}"
                if not isinstance(raw, dict):
                    errors.append(f"{where}: " + _("应为键值映射"))
                    continue
                entries.append(ListEntrySpec(kind=kind, data=raw, origin=where))
    return items, entries, errors
