"""Declarative, safe and explained eligibility rules (资格规则).

A rule set is a JSON list stored with a catalogue item version (``eligibility_rules``, YAML key
``eligibility:``). Each rule is a mapping::

    {"id": "commitment-200m",                  # unique within the set; [a-z0-9-]
     "title": "以承诺代审核",                     # shown to the applicant (Chinese)
     "citation": "tianjin-2021#13",            # the measure that grants it
     "outcome": "commitment_in_lieu_of_review", # see OUTCOMES
     "when": <condition>}

A condition is one of::

    {"all": [<condition>, …]}      every one holds
    {"any": [<condition>, …]}      at least one holds
    {"not": <condition>}           it does not hold
    {"field": "length_m", "op": "<", "value": 200, "label": "施工长度（米）"}   a leaf comparison

Leaf operators: ``== != < <= > >= in not_in between exists is_true``. Values are typed: number,
string, boolean or date (an ISO ``YYYY-MM-DD`` string with ``"type": "date"``); ``in``/``not_in``
take a list, ``between`` takes ``[low, high]`` (both inclusive), ``exists`` and ``is_true`` take no
value. Units belong in the label (``施工长度（米）``).

Nothing is ever evaluated as code: the language has no expressions, no attribute or item access
(``field`` is a flat key of the facts dict, ``[a-z][a-z0-9_]*``), a bounded depth
(:data:`MAX_DEPTH`) and a bounded size (:data:`MAX_NODES` per rule set, :data:`MAX_RULES`,
:data:`MAX_LIST`). :func:`validate_rule_set` rejects unknown keys, unknown operators and values of
the wrong type with a Chinese message and a path (``[1].when.any[2].op``).

:func:`evaluate` takes the facts (the applicant's form data plus derived facts, see
:func:`derive_facts`) and returns an :class:`Explanation`: the overall result (``pass``, ``fail``
or ``unknown`` when a needed fact is missing), each rule's result and, for each leaf, its label,
the operator in words, the expected value, the value seen and pass/fail/missing, with the rule's
citation. Logic is three-valued (Kleene): ``all`` fails as soon as one part fails, ``any`` passes
as soon as one part passes; otherwise a missing fact makes the result unknown. A rule set holds
when every rule holds; alternatives are written with ``any`` inside one rule.

Evaluation never raises for any facts (values of the wrong type count as ``invalid`` and make the
leaf unknown); only an invalid rule set raises :class:`RuleSetError`.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_DEPTH = 8  # nesting of all/any/not; the leaf counts as one level
MAX_NODES = 200  # conditions (groups and leaves) in one rule set
MAX_RULES = 50
MAX_LIST = 100  # elements of an in/not_in list and of an all/any group
MAX_TEXT = 200  # characters of an id, title, label or string value
MAX_NUMBER = 10**15  # largest magnitude of a number in a rule

Truth = Literal["pass", "fail", "unknown"]
LeafStatus = Literal["pass", "fail", "missing", "invalid"]
ValueType = Literal["number", "string", "boolean", "date"]

OPERATORS: dict[str, Promise] = {
    "==": gettext_lazy("等于"),
    "!=": gettext_lazy("不等于"),
    "<": gettext_lazy("小于"),
    "<=": gettext_lazy("不超过"),
    ">": gettext_lazy("大于"),
    ">=": gettext_lazy("不少于"),
    "in": gettext_lazy("属于"),
    "not_in": gettext_lazy("不属于"),
    "between": gettext_lazy("介于"),
    "exists": gettext_lazy("已填写"),
    "is_true": gettext_lazy("为“是”"),
}

#: Which operators apply to which value type.
TYPE_OPERATORS: dict[str, frozenset[str]] = {
    "number": frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not_in", "between"}),
    "string": frozenset({"==", "!=", "in", "not_in"}),
    "boolean": frozenset({"==", "!="}),
    "date": frozenset({"==", "!=", "<", "<=", ">", ">=", "between"}),
}
VALUELESS_OPERATORS = frozenset({"exists", "is_true"})

OUTCOMES: dict[str, Promise] = {
    "eligible": gettext_lazy("符合申请条件"),
    "commitment_in_lieu_of_review": gettext_lazy("以承诺代审核"),
    "commitment_in_lieu_of_proof": gettext_lazy("以承诺代替证明"),
    "exempt": gettext_lazy("无需办理审批"),
    "no_waiting_period": gettext_lazy("不受居住登记满半年限制"),
    "no_penalty": gettext_lazy("首次轻微违法免予处罚"),
}

RULE_KEYS = frozenset({"id", "title", "citation", "outcome", "when"})
LEAF_KEYS = frozenset({"field", "op", "value", "label", "type"})
GROUP_KEYS = frozenset({"all", "any", "not"})

_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CITATION_RE = re.compile(r"^(tianjin-2021|guangxi-2018)#[1-9][0-9]{0,2}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the parsed rule set -------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    label: str
    value_type: ValueType | None  # None for exists / is_true
    value: Any  # JSON value as written (number, string, bool, list)
    path: str


@dataclass(frozen=True)
class Group:
    kind: Literal["all", "any", "not"]
    parts: tuple[Condition, ...]
    path: str


Condition = Leaf | Group


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    citation: str
    outcome: str
    when: Condition


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    @property
    def citations(self) -> list[str]:
        return sorted({rule.citation for rule in self.rules})

    @property
    def fields(self) -> list[str]:
        found: set[str] = set()
        for rule in self.rules:
            found.update(leaf.field for leaf in _leaves(rule.when))
        return sorted(found)


def _leaves(condition: Condition) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    return [leaf for part in condition.parts for leaf in _leaves(part)]


@dataclass(frozen=True)
class RuleError:
    path: str  # "[1].when.all[2].op" (rules numbered from 1); "" for the whole set
    message: str

    def __str__(self) -> str:
        return f"{self.path or '[]'}: {self.message}"


class RuleSetError(ValidationError):
    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__([str(e) for e in errors], code="invalid_rules")
        self.rule_errors = errors


# --- validation ----------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A short, safe representation of a value written by a rule author, for messages."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        text = "…"
    return text if len(text) <= 60 else text[:60] + "…"


def _type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


class _Validator:
    def __init__(self) -> None:
        self.errors: list[RuleError] = []
        self.nodes = 0

    def error(self, path: str, message: str) -> None:
        self.errors.append(RuleError(path, message))

    def text(self, raw: Mapping[str, Any], key: str, path: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.error(f"{path}.{key}", _("必须填写文字"))
            return ""
        if len(value) > MAX_TEXT:
            self.error(f"{path}.{key}", _("不能超过 %(n)d 个字符") % {"n": MAX_TEXT})
        return value.strip()

    def rule_set(self, data: object) -> RuleSet | None:
        if not isinstance(data, list):
            self.error("", _("应为规则列表"))
            return None
        if len(data) > MAX_RULES:
            self.error("", _("规则不能超过 %(n)d 条") % {"n": MAX_RULES})
            return None
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, raw in enumerate(data, start=1):
            rule = self.rule(raw, f"[{index}]")
            if rule is None:
                continue
            if rule.id in seen:
                self.error(f"[{index}].id", _("规则编号 %(id)s 重复") % {"id": rule.id})
            seen.add(rule.id)
            rules.append(rule)
        if self.nodes > MAX_NODES:
            self.error("", _("条件总数不能超过 %(n)d 个") % {"n": MAX_NODES})
        return None if self.errors else RuleSet(tuple(rules))

    def rule(self, raw: object, path: str) -> Rule | None:
        if not isinstance(raw, dict):
            self.error(path, _("规则应为键值映射"))
            return None
        unknown = set(raw) - RULE_KEYS
        if unknown:
            self.error(
                path,
                _("未知的键：%(keys)s；规则只允许 %(allowed)s")
                % {
                    "keys": ", ".join(sorted(map(str, unknown))),
                    "allowed": ", ".join(sorted(RULE_KEYS)),
                },
            )
        rule_id = self.text(raw, "id", path)
        if rule_id and not _ID_RE.match(rule_id):
            self.error(f"{path}.id", _("规则编号只能使用小写字母、数字和连字符"))
        title = self.text(raw, "title", path)
        citation = self.text(raw, "citation", path)
        if citation and not _CITATION_RE.match(citation):
            self.error(
                f"{path}.citation",
                _("引用 %(value)s 格式无效，应为 tianjin-2021#N 或 guangxi-2018#N")
                % {"value": _shown(citation)},
            )
        outcome = raw.get("outcome")
        if not isinstance(outcome, str) or outcome not in OUTCOMES:
            self.error(
                f"{path}.outcome",
                _("结果 %(value)s 无效，可选：%(allowed)s")
                % {"value": _shown(outcome), "allowed": ", ".join(OUTCOMES)},
            )
        if "when" not in raw:
            self.error(f"{path}.when", _("必须给出条件"))
            return None
        when = self.condition(raw["when"], f"{path}.when", depth=1)
        if when is None or not isinstance(outcome, str):
            return None
        return Rule(id=rule_id, title=title, citation=citation, outcome=outcome, when=when)

    def condition(self, raw: object, path: str, *, depth: int) -> Condition | None:
        self.nodes += 1
        if depth > MAX_DEPTH:
            self.error(path, _("条件嵌套不能超过 %(n)d 层") % {"n": MAX_DEPTH})
            return None
        if self.nodes > MAX_NODES:
            return None
        if not isinstance(raw, dict):
            self.error(path, _("条件应为键值映射"))
            return None
        groups = GROUP_KEYS & set(raw)
        if groups:
            if len(raw) != 1:
                self.error(
                    path,
                    _("组合条件只能有一个键（all、any 或 not），实际为：%(keys)s")
                    % {"keys": ", ".join(sorted(map(str, raw)))},
                )
                return None
            kind = next(iter(groups))
            inner = raw[kind]
            if kind == "not":
                part = self.condition(inner, f"{path}.not", depth=depth + 1)
                return None if part is None else Group("not", (part,), path)
            if not isinstance(inner, list) or not inner:
                self.error(f"{path}.{kind}", _("应为非空的条件列表"))
                return None
            if len(inner) > MAX_LIST:
                self.error(f"{path}.{kind}", _("列表不能超过 %(n)d 项") % {"n": MAX_LIST})
                return None
            parts = [
                self.condition(item, f"{path}.{kind}[{i}]", depth=depth + 1)
                for i, item in enumerate(inner)
            ]
            if any(p is None for p in parts):
                return None
            return Group(kind, tuple(p for p in parts if p is not None), path)  # type: ignore[arg-type]
        return self.leaf(raw, path)

    def leaf(self, raw: Mapping[str, Any], path: str) -> Leaf | None:
        unknown = set(raw) - LEAF_KEYS
        if unknown:
            self.error(
                path,
                _("未知的键：%(keys)s；条件只允许 all、any、not 或 %(allowed)s")
                % {
                    "keys": ", ".join(sorted(map(str, unknown))),
                    "allowed": ", ".join(sorted(LEAF_KEYS)),
                },
            )
            return None
        name = raw.get("field")
        if not isinstance(name, str) or not _FIELD_RE.match(name):
            self.error(
                f"{path}.field",
                _("字段名 %(value)s 无效：只能使用小写字母、数字和下划线，以字母开头")
                % {"value": _shown(name)},
            )
            return None
        label = self.text(raw, "label", path)
        op = raw.get("op")
        if not isinstance(op, str) or op not in OPERATORS:
            self.error(
                f"{path}.op",
                _("运算符 %(value)s 无效，可选：%(allowed)s")
                % {"value": _shown(op), "allowed": " ".join(OPERATORS)},
            )
            return None
        if op in VALUELESS_OPERATORS:
            if "value" in raw or "type" in raw:
                self.error(f"{path}.value", _("运算符 %(op)s 不需要取值") % {"op": op})
                return None
            return Leaf(name, op, label, None, None, path) if label else None
        if "value" not in raw:
            self.error(f"{path}.value", _("运算符 %(op)s 需要取值") % {"op": op})
            return None
        value = raw["value"]
        declared = raw.get("type")
        if declared is not None and (
            not isinstance(declared, str) or declared not in TYPE_OPERATORS
        ):
            self.error(
                f"{path}.type",
                _("类型 %(value)s 无效，可选：%(allowed)s")
                % {"value": _shown(declared), "allowed": ", ".join(TYPE_OPERATORS)},
            )
            return None
        if op in ("in", "not_in", "between"):
            if not isinstance(value, list) or not value:
                self.error(f"{path}.value", _("运算符 %(op)s 的取值应为非空列表") % {"op": op})
                return None
            if op == "between" and len(value) != 2:
                self.error(f"{path}.value", _("between 的取值应为 [下限, 上限]"))
                return None
            if len(value) > MAX_LIST:
                self.error(f"{path}.value", _("列表不能超过 %(n)d 项") % {"n": MAX_LIST})
                return None
            elements = value
        else:
            elements = [value]
        types = set()
        for element in elements:
            kind = self.value_type(element, declared, f"{path}.value")
            if kind is None:
                return None
            types.add(kind)
        if len(types) != 1:
            self.error(f"{path}.value", _("列表中的取值类型应一致"))
            return None
        value_type: ValueType = types.pop()
        if op not in TYPE_OPERATORS[value_type]:
            self.error(
                f"{path}.op",
                _("运算符 %(op)s 不适用于%(type)s类型的取值")
                % {"op": op, "type": TYPE_NAMES[value_type]},
            )
            return None
        if op == "between" and _compare_key(elements[0], value_type) > _compare_key(
            elements[1], value_type
        ):
            self.error(f"{path}.value", _("between 的下限不能大于上限"))
            return None
        return Leaf(name, op, label, value_type, value, path) if label else None

    def value_type(self, value: Any, declared: Any, path: str) -> ValueType | None:
        if isinstance(value, datetime.date):
            self.error(path, _('日期应写成带引号的字符串，例如 "2026-01-01"，并注明 type: date'))
            return None
        kind = _type_of(value)
        if kind is None:
            self.error(
                path,
                _("取值 %(value)s 类型无效：应为数字、文字、true/false 或日期")
                % {"value": _shown(value)},
            )
            return None
        if declared == "date":
            if not isinstance(value, str) or _parse_date(value) is None:
                self.error(
                    path, _("日期 %(value)s 无效，应为 YYYY-MM-DD") % {"value": _shown(value)}
                )
                return None
            return "date"
        if declared is not None and declared != kind:
            self.error(
                path,
                _("取值 %(value)s 不是%(type)s类型")
                % {"value": _shown(value), "type": TYPE_NAMES[str(declared)]},
            )
            return None
        if kind == "number" and abs(value) > MAX_NUMBER:
            self.error(path, _("数值 %(value)s 超出范围") % {"value": _display(value)})
            return None
        if kind == "string" and len(value) > MAX_TEXT:
            self.error(path, _("不能超过 %(n)d 个字符") % {"n": MAX_TEXT})
            return None
        return kind  # type: ignore[return-value]


TYPE_NAMES: dict[str, Promise] = {
    "number": gettext_lazy("数字"),
    "string": gettext_lazy("文字"),
    "boolean": gettext_lazy("是/否"),
    "date": gettext_lazy("日期"),
}


def validate_rule_set(data: object) -> list[RuleError]:
    """Every problem of a rule set as it would be stored; empty when it is valid."""
    validator = _Validator()
    validator.rule_set(data)
    return validator.errors


def parse_rule_set(data: object) -> RuleSet:
    """The typed rule set; raises :class:`RuleSetError` listing every problem."""
    validator = _Validator()
    result = validator.rule_set(data)
    if result is None:
        raise RuleSetError(validator.errors or [RuleError("", _("应为规则列表"))])
    return result


# --- evaluation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One leaf condition as the applicant and the officer see it."""

    rule_id: str
    citation: str
    path: str
    field: str
    label: str
    op: str
    op_text: str
    expected: Any
    expected_text: str
    seen: Any  # the fact as given (None when missing)
    seen_text: str
    status: LeafStatus

    @property
    def truth(self) -> Truth:
        return _leaf_truth(self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "citation": self.citation,
            "path": self.path,
            "field": self.field,
            "label": self.label,
            "op": self.op,
            "op_text": self.op_text,
            "expected": self.expected,
            "expected_text": self.expected_text,
            "seen": _jsonable(self.seen),
            "seen_text": self.seen_text,
            "status": self.status,
        }


@dataclass(frozen=True)
class RuleResult:
    id: str
    title: str
    citation: str
    outcome: str
    outcome_text: str
    result: Truth
    checks: tuple[Check, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "citation": self.citation,
            "outcome": self.outcome,
            "outcome_text": self.outcome_text,
            "result": self.result,
            "checks": [c.as_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class Explanation:
    result: Truth
    rules: tuple[RuleResult, ...] = field(default=())

    @property
    def checks(self) -> list[Check]:
        return [check for rule in self.rules for check in rule.checks]

    @property
    def missing_fields(self) -> list[str]:
        """Facts that were absent or unusable, in the order the rules name them."""
        seen: dict[str, None] = {}
        for check in self.checks:
            if check.status in ("missing", "invalid"):
                seen.setdefault(check.field)
        return list(seen)

    @property
    def outcomes(self) -> list[str]:
        """Outcomes of the rules that hold."""
        return [rule.outcome for rule in self.rules if rule.result == "pass"]

    def as_dict(self) -> dict[str, Any]:
        """JSON for storing with a case and for the API."""
        return {
            "result": self.result,
            "missing_fields": self.missing_fields,
            "rules": [rule.as_dict() for rule in self.rules],
        }


def _leaf_truth(status: LeafStatus) -> Truth:
    if status == "pass":
        return "pass"
    if status == "fail":
        return "fail"
    return "unknown"


def _parse_date(value: str) -> datetime.date | None:
    if not _DATE_RE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _compare_key(value: Any, value_type: str) -> Any:
    """Rule values (already validated) as comparable Python values."""
    if value_type == "number":
        return Decimal(str(value))
    if value_type == "date":
        return _parse_date(value)
    return value


class _Invalid(Exception):
    pass


def _fact(value: Any, value_type: str) -> Any:
    """A fact coerced to the leaf's type, or _Invalid. Numeric text is accepted for numbers."""
    if value_type == "number":
        if isinstance(value, bool):
            raise _Invalid
        if isinstance(value, int) and value.bit_length() > 128:
            raise _Invalid
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int | float):
            number = Decimal(str(value))
        elif isinstance(value, str) and len(value) <= 40:
            try:
                number = Decimal(value.strip())
            except (InvalidOperation, ValueError):
                raise _Invalid from None
        else:
            raise _Invalid
        if not number.is_finite():
            raise _Invalid
        return number
    if value_type == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            parsed = _parse_date(value.strip()[:10]) if len(value) <= 40 else None
            if parsed is not None:
                return parsed
        raise _Invalid
    if value_type == "boolean":
        if isinstance(value, bool):
            return value
        raise _Invalid
    if isinstance(value, str):
        return value
    raise _Invalid


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, int) and value.bit_length() > 128:
        return "…"
    if isinstance(value, Decimal | float | int):
        return format(Decimal(str(value)).normalize(), "f") if _finite(value) else str(value)
    if isinstance(value, list | tuple):
        return "、".join(_display(v) for v in value[:MAX_LIST])
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _finite(value: Any) -> bool:
    try:
        return Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _display(value)


def _expected_text(leaf: Leaf) -> str:
    if leaf.op in VALUELESS_OPERATORS:
        return ""
    if leaf.op == "between":
        return _("%(low)s 至 %(high)s") % {
            "low": _display(leaf.value[0]),
            "high": _display(leaf.value[1]),
        }
    return _display(leaf.value)


def _compare(leaf: Leaf, fact: Any) -> bool:
    assert leaf.value_type is not None
    kind = leaf.value_type
    op = leaf.op
    if op in ("in", "not_in"):
        found = fact in [_compare_key(v, kind) for v in leaf.value]
        return found if op == "in" else not found
    if op == "between":
        low, high = (_compare_key(v, kind) for v in leaf.value)
        return bool(low <= fact <= high)
    expected = _compare_key(leaf.value, kind)
    if op == "==":
        return bool(fact == expected)
    if op == "!=":
        return bool(fact != expected)
    if op == "<":
        return bool(fact < expected)
    if op == "<=":
        return bool(fact <= expected)
    if op == ">":
        return bool(fact > expected)
    return bool(fact >= expected)


def _check_leaf(leaf: Leaf, facts: Mapping[str, Any]) -> tuple[LeafStatus, Any]:
    raw = facts.get(leaf.field)
    if leaf.op == "exists":
        return ("pass" if _present(raw) else "missing"), raw
    if not _present(raw):
        return "missing", None
    if leaf.op == "is_true":
        if isinstance(raw, bool):
            return ("pass" if raw else "fail"), raw
        return "invalid", raw
    assert leaf.value_type is not None
    try:
        fact = _fact(raw, leaf.value_type)
    except _Invalid:
        return "invalid", raw
    return ("pass" if _compare(leaf, fact) else "fail"), raw


def _evaluate(
    condition: Condition, facts: Mapping[str, Any], rule: Rule, out: list[Check]
) -> Truth:
    if isinstance(condition, Leaf):
        status, seen = _check_leaf(condition, facts)
        out.append(
            Check(
                rule_id=rule.id,
                citation=rule.citation,
                path=condition.path,
                field=condition.field,
                label=condition.label,
                op=condition.op,
                op_text=str(OPERATORS[condition.op]),
                expected=condition.value,
                expected_text=_expected_text(condition),
                seen=seen,
                seen_text=_display(seen),
                status=status,
            )
        )
        return _leaf_truth(status)
    # Every part is evaluated (no short cut) so that the checklist is complete.
    results = [_evaluate(part, facts, rule, out) for part in condition.parts]
    if condition.kind == "not":
        return _NEGATION[results[0]]
    if condition.kind == "all":
        if "fail" in results:
            return "fail"
        return "unknown" if "unknown" in results else "pass"
    if "pass" in results:
        return "pass"
    return "unknown" if "unknown" in results else "fail"


_NEGATION: dict[Truth, Truth] = {"pass": "fail", "fail": "pass", "unknown": "unknown"}


def evaluate(rule_set: RuleSet | Sequence[Any], facts: Mapping[str, Any]) -> Explanation:
    """Explain whether ``facts`` satisfy every rule of the set.

    ``rule_set`` may be the stored JSON (validated here; :class:`RuleSetError` if it is invalid).
    An empty rule set passes: the item has no conditions beyond its form.
    """
    parsed = rule_set if isinstance(rule_set, RuleSet) else parse_rule_set(list(rule_set))
    results: list[RuleResult] = []
    for rule in parsed.rules:
        checks: list[Check] = []
        truth = _evaluate(rule.when, facts, rule, checks)
        results.append(
            RuleResult(
                id=rule.id,
                title=rule.title,
                citation=rule.citation,
                outcome=rule.outcome,
                outcome_text=str(OUTCOMES[rule.outcome]),
                result=truth,
                checks=tuple(checks),
            )
        )
    truths = [r.result for r in results]
    overall: Truth = "fail" if "fail" in truths else "unknown" if "unknown" in truths else "pass"
    return Explanation(result=overall, rules=tuple(results))


# --- derived facts -------------------------------------------------------------------------


def _full_months(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def _full_years(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def derive_facts(
    data: Mapping[str, Any],
    *,
    today: datetime.date,
    id_field: str = "id_number",
    since_field: str = "since",
) -> dict[str, Any]:
    """The form data plus facts derived from it, for :func:`evaluate`.

    * ``age`` (full years on ``today``) and ``birth_date`` from a valid resident ID number;
    * ``residence_months`` (full months from ``since`` to ``today``) from a residence start date.

    A derived fact is left out when its source is absent or invalid, so rules that need it
    come out ``unknown`` with the fact listed as missing. Given facts are never overwritten.
    """
    from onestop.core.identity import parse_resident_id

    facts = dict(data)
    number = data.get(id_field)
    if isinstance(number, str) and number:
        try:
            resident = parse_resident_id(number)
        except ValidationError:
            resident = None
        if resident is not None and resident.birth_date <= today:
            facts.setdefault("birth_date", resident.birth_date.isoformat())
            facts.setdefault("age", _full_years(resident.birth_date, today))
    since = data.get(since_field)
    start: datetime.date | None = None
    if isinstance(since, datetime.date):
        start = since if not isinstance(since, datetime.datetime) else since.date()
    elif isinstance(since, str):
        start = _parse_date(since.strip())
    if start is not None and start <= today:
        facts.setdefault("residence_months", _full_months(start, today))
    return facts


# --- shipped rule sets that belong to no catalogue item ------------------------------------

#: 首违不罚 (tianjin-2021#10): a first minor violation is not punished when all conditions hold.
#: The no-penalty list entries (catalogue ``no_penalty:``) are not service items and have no
#: rules column yet, so the rule set lives here under a name (see docs/adr/0004).
FIRST_VIOLATION_NO_PENALTY: list[dict[str, Any]] = [
    {
        "id": "first-violation-no-penalty",
        "title": "首次轻微违法免予处罚",
        "citation": "tianjin-2021#10",
        "outcome": "no_penalty",
        "when": {
            "all": [
                {"field": "first_violation", "op": "is_true", "label": "首次违法"},
                {"field": "no_malice", "op": "is_true", "label": "主观上没有恶意"},
                {"field": "no_harm", "op": "is_true", "label": "未造成人身、财产损害等危害后果"},
                {"field": "rectifiable", "op": "is_true", "label": "具备整改条件"},
                {
                    "field": "rectified_promptly",
                    "op": "is_true",
                    "label": "经公安机关提醒后及时整改",
                },
            ]
        },
    }
]

#: Named rule sets shipped with the code, by name.
NAMED_RULE_SETS: dict[str, list[dict[str, Any]]] = {
    "no-penalty-first-violation": FIRST_VIOLATION_NO_PENALTY,
}
