"""Reading and validating the shipped policy data (documents, measures, commitments) from YAML.

Everything is parsed and checked before anything is written, so a bad file loads nothing.
Every error names the file, the measure (or commitment) and the field.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from .choices import Comparator, MeasureStatus, Metric, TargetUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
DOCUMENT_KEY_RE = re.compile(r"^[a-z0-9-]+$")
CITATION_RE = re.compile(r"^(?P<key>[a-z0-9-]+)#(?P<number>\d+)$")
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MONTH_RE = re.compile(r"^(?P<year>\d{4})年(?P<month>\d{1,2})月(?:底|底前|前)?$")
YEAR_RE = re.compile(r"^(?P<year>\d{4})年(?:底|底前|内)?$")
#: deadlines "as written" that mean the measure has no end date and is kept up for good
ONGOING_DEADLINES = {"长期坚持"}


class PolicyDataError(Exception):
    """The data files are invalid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def deadline_date(text: str) -> datetime.date | None:
    """The last day of the period a deadline names: "2021年3月" → 2021-03-31, "2018年底前" →
    2018-12-31; ``None`` for texts naming no date ("长期坚持", "按照国务院办公厅部署推进", "").
    Raises ``ValueError`` for a text that looks like a date but is not one."""
    text = text.strip()
    if m := MONTH_RE.match(text):
        year, month = int(m["year"]), int(m["month"])
        if not 1 <= month <= 12:
            raise ValueError(text)
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    if m := YEAR_RE.match(text):
        return datetime.date(int(m["year"]), 12, 31)
    if re.search(r"\d", text):
        raise ValueError(text)
    return None


@dataclass
class DocumentData:
    key: str
    issuer: str
    title: str
    date: datetime.date
    region_code: str
    source_file: str = ""
    disclosure: str = ""


@dataclass
class PartData:
    number: int
    summary: str
    deadline_text: str
    deadline_date: datetime.date | None
    lead_units: list[str]
    responsible_units: list[str]


@dataclass
class MeasureData:
    document: str
    number: int
    section: str
    title: str
    summary: str
    deadline_text: str
    deadline_date: datetime.date | None
    lead_units: list[str]
    responsible_units: list[str]
    initial_status: str
    parts: list[PartData] = field(default_factory=list)

    @property
    def citation(self) -> str:
        return f"{self.document}#{self.number}"


@dataclass
class CommitmentData:
    code: str
    measure: str
    also_measures: list[str]
    metric: str
    comparator: str
    value: Decimal
    value_max: Decimal | None
    unit: str
    baseline_value: Decimal | None
    due_date: datetime.date | None
    scope: dict[str, Any]
    description: str
    source_quote: str
    measured_by: str


@dataclass
class PolicyData:
    documents: list[DocumentData]
    measures: list[MeasureData]
    commitments: list[CommitmentData]


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, where: str, field_name: str, message: str) -> None:
        self.items.append(
            _("%(file)s：%(where)s：字段 %(field)s：%(message)s")
            % {"file": file, "where": where, "field": field_name, "message": message}
        )


def _load_yaml(path: Path, errors: _Errors) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        errors.add(path.name, _("文件"), "-", _("无法读取：%(error)s") % {"error": exc})
        return None


def _text(raw: dict[str, Any], key: str, *, required: bool = True) -> tuple[str, str | None]:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", (_("必填") if required else None)
    if not isinstance(value, str | int | float):
        return "", _("应为文本")
    return str(value).strip(), None


def _units(raw: dict[str, Any], key: str) -> tuple[list[str], str | None]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return [], _("应为单位名称列表")
    return [v.strip() for v in value], None


def _decimal(raw: dict[str, Any], key: str, *, required: bool) -> tuple[Decimal | None, str | None]:
    value = raw.get(key)
    if value is None or value == "":
        return None, (_("必填") if required else None)
    if isinstance(value, bool):
        return None, _("应为数值")
    try:
        return Decimal(str(value)), None
    except InvalidOperation:
        return None, _("应为数值")


def _parse_documents(path: Path, errors: _Errors) -> list[DocumentData]:
    raw = _load_yaml(path, errors)
    if raw is None:
        return []
    items = raw.get("documents") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        errors.add(path.name, _("文件"), "documents", _("应为文件列表"))
        return []
    docs: list[DocumentData] = []
    for i, item in enumerate(items, 1):
        where = _("第 %(n)s 个文件") % {"n": i}
        if not isinstance(item, dict):
            errors.add(path.name, where, "-", _("应为映射"))
            continue
        key, err = _text(item, "key")
        if not err and not DOCUMENT_KEY_RE.match(key):
            err = _("只能包含小写字母、数字和 -")
        if err:
            errors.add(path.name, where, "key", err)
            continue
        where = _("文件 %(key)s") % {"key": key}
        values: dict[str, Any] = {"key": key}
        for name in ("issuer", "title", "region_code"):
            values[name], err = _text(item, name)
            if err:
                errors.add(path.name, where, name, err)
        if values["region_code"] and not re.fullmatch(r"\d{6}", values["region_code"]):
            errors.add(path.name, where, "region_code", _("应为 6 位行政区划代码"))
        date = item.get("date")
        if not isinstance(date, datetime.date):
            errors.add(path.name, where, "date", _("应为日期（YYYY-MM-DD）"))
        values["date"] = date
        values["source_file"], _err = _text(item, "source_file", required=False)
        values["disclosure"], _err = _text(item, "disclosure", required=False)
        docs.append(DocumentData(**values))
    return docs


def _parse_deadline(
    item: dict[str, Any], file: str, where: str, errors: _Errors
) -> tuple[str, datetime.date | None]:
    text, err = _text(item, "deadline", required=False)
    if err:
        errors.add(file, where, "deadline", err)
        return "", None
    try:
        return text, deadline_date(text)
    except ValueError:
        errors.add(file, where, "deadline", _("无法识别的完成时限“%(text)s”") % {"text": text})
        return text, None


def _parse_measures(path: Path, doc_keys: set[str], errors: _Errors) -> list[MeasureData]:
    raw = _load_yaml(path, errors)
    if raw is None:
        return []
    if not isinstance(raw, dict):
        errors.add(path.name, _("文件"), "-", _("应为映射"))
        return []
    document = raw.get("document")
    if document not in doc_keys:
        errors.add(
            path.name, _("文件"), "document", _("未知的政策文件“%(key)s”") % {"key": document}
        )
        return []
    items = raw.get("measures")
    if not isinstance(items, list):
        errors.add(path.name, _("文件"), "measures", _("应为措施列表"))
        return []
    measures: list[MeasureData] = []
    seen: set[int] = set()
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.add(path.name, _("第 %(n)s 项") % {"n": i}, "-", _("应为映射"))
            continue
        number = item.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            errors.add(path.name, _("第 %(n)s 项") % {"n": i}, "number", _("应为正整数"))
            continue
        where = _("措施 %(citation)s") % {"citation": f"{document}#{number}"}
        if number in seen:
            errors.add(path.name, where, "number", _("序号重复"))
            continue
        seen.add(number)
        values: dict[str, Any] = {}
        for name in ("section", "title", "summary"):
            values[name], err = _text(item, name)
            if err:
                errors.add(path.name, where, name, err)
        parts: list[PartData] = []
        raw_parts = item.get("parts") or []
        if not isinstance(raw_parts, list):
            errors.add(path.name, where, "parts", _("应为分项列表"))
            raw_parts = []
        for j, part in enumerate(raw_parts, 1):
            pwhere = f"{where}.{j}"
            if not isinstance(part, dict):
                errors.add(path.name, pwhere, "-", _("应为映射"))
                continue
            psummary, err = _text(part, "summary")
            if err:
                errors.add(path.name, pwhere, "summary", err)
            ptext, pdate = _parse_deadline(part, path.name, pwhere, errors)
            plead, err = _units(part, "lead_units")
            if err:
                errors.add(path.name, pwhere, "lead_units", err)
            presp, err = _units(part, "responsible_units")
            if err:
                errors.add(path.name, pwhere, "responsible_units", err)
            parts.append(PartData(j, psummary, ptext, pdate, plead, presp))
        if "deadline" in item or not parts:
            deadline_text, deadline = _parse_deadline(item, path.name, where, errors)
        else:
            # The measure ends when its last part does.
            dated = [p for p in parts if p.deadline_date is not None]
            last = max(dated, key=lambda p: p.deadline_date) if dated else None  # type: ignore[arg-type, return-value]
            deadline_text = last.deadline_text if last else ""
            deadline = last.deadline_date if last else None
        lead, err = _units(item, "lead_units")
        if err:
            errors.add(path.name, where, "lead_units", err)
        resp, err = _units(item, "responsible_units")
        if err:
            errors.add(path.name, where, "responsible_units", err)
        if parts and "lead_units" not in item and "responsible_units" not in item:
            lead = _union(p.lead_units for p in parts)
            resp = _union(p.responsible_units for p in parts)
        status = item.get("status") or (
            MeasureStatus.ONGOING
            if deadline_text in ONGOING_DEADLINES
            else MeasureStatus.NOT_STARTED
        )
        if status not in MeasureStatus.values:
            errors.add(path.name, where, "status", _("未知的状态“%(value)s”") % {"value": status})
        measures.append(
            MeasureData(
                document=document,
                number=number,
                deadline_text=deadline_text,
                deadline_date=deadline,
                lead_units=lead,
                responsible_units=resp,
                initial_status=str(status),
                parts=parts,
                **values,
            )
        )
    return measures


def _union(lists: Any) -> list[str]:
    out: list[str] = []
    for names in lists:
        for name in names:
            if name not in out:
                out.append(name)
    return out


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _parse_commitments(
    path: Path, measures: dict[str, MeasureData], errors: _Errors
) -> list[CommitmentData]:
    raw = _load_yaml(path, errors)
    if raw is None:
        return []
    items = raw.get("commitments") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        errors.add(path.name, _("文件"), "commitments", _("应为承诺列表"))
        return []
    out: list[CommitmentData] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors.add(path.name, _("第 %(n)s 项") % {"n": i}, "-", _("应为映射"))
            continue
        code, err = _text(item, "code")
        if not err and not CODE_RE.match(code):
            err = _("只能包含小写字母、数字和 -")
        if not err and code in seen:
            err = _("编码重复")
        citation = str(item.get("measure") or "")
        where = _("承诺 %(code)s（措施 %(citation)s）") % {
            "code": code or i,
            "citation": citation or "?",
        }
        if err:
            errors.add(path.name, where, "code", err)
            continue
        seen.add(code)
        measure = measures.get(citation)
        if measure is None:
            errors.add(
                path.name,
                where,
                "measure",
                _("引用的措施“%(citation)s”不存在") % {"citation": citation},
            )
        also = item.get("also_measures") or []
        if not isinstance(also, list):
            errors.add(path.name, where, "also_measures", _("应为措施引用列表"))
            also = []
        for other in also:
            if str(other) not in measures:
                errors.add(
                    path.name,
                    where,
                    "also_measures",
                    _("引用的措施“%(citation)s”不存在") % {"citation": other},
                )
        values: dict[str, Any] = {}
        for name in ("description", "source_quote", "measured_by"):
            values[name], err = _text(item, name)
            if err:
                errors.add(path.name, where, name, err)
        if (
            measure is not None
            and values["source_quote"]
            and _normalise(values["source_quote"]) not in _normalise(measure.summary)
        ):
            errors.add(path.name, where, "source_quote", _("原文中找不到这段引文"))
        choices = (
            ("metric", Metric.values),
            ("comparator", Comparator.values),
            ("unit", TargetUnit.values),
        )
        for name, allowed in choices:
            values[name] = str(item.get(name) or "")
            if values[name] not in allowed:
                errors.add(
                    path.name, where, name, _("未知的取值“%(value)s”") % {"value": values[name]}
                )
        value, err = _decimal(item, "value", required=True)
        if err:
            errors.add(path.name, where, "value", err)
        value_max, err = _decimal(item, "value_max", required=values["comparator"] == "between")
        if err:
            errors.add(path.name, where, "value_max", err)
        elif value is not None and value_max is not None and value_max < value:
            errors.add(path.name, where, "value_max", _("上限不能小于目标值"))
        baseline, err = _decimal(item, "baseline_value", required=False)
        if err:
            errors.add(path.name, where, "baseline_value", err)
        due = item.get("due_date")
        if due is not None and not isinstance(due, datetime.date):
            errors.add(path.name, where, "due_date", _("应为日期（YYYY-MM-DD）"))
            due = None
        scope = item.get("scope") or {}
        if not isinstance(scope, dict):
            errors.add(path.name, where, "scope", _("应为映射"))
            scope = {}
        out.append(
            CommitmentData(
                code=code,
                measure=citation,
                also_measures=[str(a) for a in also],
                value=value or Decimal(0),
                value_max=value_max,
                baseline_value=baseline,
                due_date=due,
                scope=_jsonable(scope),
                **values,
            )
        )
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def read_policy_data(data_dir: Path = DATA_DIR) -> PolicyData:
    """Parse and validate ``documents.yaml``, ``measures/*.yaml`` and ``commitments.yaml``.
    Raises ``PolicyDataError`` listing every problem."""
    errors = _Errors()
    documents = _parse_documents(data_dir / "documents.yaml", errors)
    doc_keys = {d.key for d in documents}
    measures: list[MeasureData] = []
    for path in sorted((data_dir / "measures").glob("*.yaml")):
        measures.extend(_parse_measures(path, doc_keys, errors))
    by_citation: dict[str, MeasureData] = {}
    for m in measures:
        if m.citation in by_citation:
            errors.add(
                "measures/",
                _("措施 %(citation)s") % {"citation": m.citation},
                "number",
                _("在多个文件中重复"),
            )
        by_citation[m.citation] = m
    commitments_path = data_dir / "commitments.yaml"
    commitments = (
        _parse_commitments(commitments_path, by_citation, errors)
        if commitments_path.exists()
        else []
    )
    if errors.items:
        raise PolicyDataError(errors.items)
    return PolicyData(documents=documents, measures=measures, commitments=commitments)
