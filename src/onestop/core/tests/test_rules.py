"""The eligibility-rules engine: the checklist an applicant sees, the errors a rule author sees.

The shipped rule sets of catalogue items are tested at their boundaries in
``onestop/catalogue/tests/test_rules_data.py``; this file tests the language itself and the
named rule set that belongs to no item (首违不罚, tianjin-2021#10).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from onestop.core.rules import (
    FIRST_VIOLATION_NO_PENALTY,
    MAX_DEPTH,
    NAMED_RULE_SETS,
    RuleSetError,
    derive_facts,
    evaluate,
    parse_rule_set,
    validate_rule_set,
)


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    """Messages and operator words are asserted in the source language, whatever ran before."""
    with translation.override("zh-hans"):
        yield


def rule(when: Any, **overrides: Any) -> list[dict[str, Any]]:
    data = {
        "id": "r",
        "title": "测试规则",
        "citation": "tianjin-2021#13",
        "outcome": "eligible",
        "when": when,
    }
    data.update(overrides)
    return [data]


def leaf(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"field": field, "op": op, "label": f"{field}标签"}
    if value is not None:
        data["value"] = value
    data.update(extra)
    return data


def nested(depth: int) -> dict[str, Any]:
    """A condition of exactly ``depth`` levels (the leaf is one level)."""
    condition: dict[str, Any] = leaf("x", "exists")
    for _ in range(depth - 1):
        condition = {"not": condition}
    return condition


# --- operators -----------------------------------------------------------------------------

OPERATOR_TABLE = [
    # (op, rule value, fact, expected leaf status)
    ("<", 200, 199.9, "pass"),
    ("<", 200, 200, "fail"),
    ("<=", 35, 35, "pass"),
    ("<=", 35, 35.1, "fail"),
    (">", 0, 0.001, "pass"),
    (">", 0, 0, "fail"),
    (">=", 6, 6, "pass"),
    (">=", 6, 5, "fail"),
    ("==", 3, 3.0, "pass"),
    ("==", "村", "村", "pass"),
    ("==", "村", "乡", "fail"),
    ("!=", "村", "乡", "pass"),
    ("==", True, True, "pass"),
    ("==", True, False, "fail"),
    ("in", ["低压", "中压"], "中压", "pass"),
    ("in", ["低压", "中压"], "次高压", "fail"),
    ("not_in", ["城关镇或城区"], "乡", "pass"),
    ("not_in", ["城关镇或城区"], "城关镇或城区", "fail"),
    ("in", [1, 2], 2, "pass"),
    ("between", [10, 20], 10, "pass"),
    ("between", [10, 20], 20, "pass"),
    ("between", [10, 20], 20.01, "fail"),
    ("<", 200, "199.9", "pass"),  # numeric text from a form field counts as a number
    ("<", 200, "二百", "invalid"),
    ("<", 200, True, "invalid"),
    ("==", "村", 3, "invalid"),
    ("==", True, "true", "invalid"),
    ("<", 200, None, "missing"),
    ("<", 200, "", "missing"),
]


@pytest.mark.parametrize(("op", "value", "fact", "status"), OPERATOR_TABLE)
def test_operator_table(op: str, value: Any, fact: Any, status: str) -> None:
    explanation = evaluate(rule(leaf("x", op, value)), {"x": fact})
    (check,) = explanation.checks
    assert check.status == status
    assert explanation.result == {"pass": "pass", "fail": "fail"}.get(status, "unknown")


@pytest.mark.parametrize(
    ("op", "value", "fact", "status"),
    [
        ("<", "2026-10-01", "2026-09-30", "pass"),
        ("<", "2026-10-01", "2026-10-01", "fail"),
        (">=", "2026-10-01", datetime.date(2026, 10, 1), "pass"),
        ("between", ["2026-10-01", "2026-10-08"], "2026-10-08", "pass"),
        ("between", ["2026-10-01", "2026-10-08"], "2026-10-09", "fail"),
        ("<", "2026-10-01", "2026-02-30", "invalid"),
    ],
)
def test_dates_compare_as_dates(op: str, value: Any, fact: Any, status: str) -> None:
    explanation = evaluate(rule(leaf("d", op, value, type="date")), {"d": fact})
    assert explanation.checks[0].status == status


@pytest.mark.parametrize(
    ("op", "fact", "status"),
    [
        ("exists", "110101", "pass"),
        ("exists", "", "missing"),
        ("exists", [], "missing"),
        ("is_true", True, "pass"),
        ("is_true", False, "fail"),
        ("is_true", "yes", "invalid"),
        ("is_true", None, "missing"),
    ],
)
def test_valueless_operators(op: str, fact: Any, status: str) -> None:
    assert evaluate(rule(leaf("x", op)), {"x": fact}).checks[0].status == status


# --- three-valued logic and the checklist --------------------------------------------------

LOGIC_TABLE = [
    # (condition over a, b; facts; overall result)
    ({"all": [leaf("a", "is_true"), leaf("b", "is_true")]}, {"a": True, "b": True}, "pass"),
    ({"all": [leaf("a", "is_true"), leaf("b", "is_true")]}, {"a": False}, "fail"),
    ({"all": [leaf("a", "is_true"), leaf("b", "is_true")]}, {"a": True}, "unknown"),
    ({"any": [leaf("a", "is_true"), leaf("b", "is_true")]}, {"b": True}, "pass"),
    ({"any": [leaf("a", "is_true"), leaf("b", "is_true")]}, {"a": False}, "unknown"),
    ({"any": [leaf("a", "is_true"), leaf("b", "is_true")]}, {"a": False, "b": False}, "fail"),
    ({"not": leaf("a", "is_true")}, {"a": False}, "pass"),
    ({"not": leaf("a", "is_true")}, {"a": True}, "fail"),
    ({"not": leaf("a", "is_true")}, {}, "unknown"),
]


@pytest.mark.parametrize(("when", "facts", "result"), LOGIC_TABLE)
def test_three_valued_logic(when: dict[str, Any], facts: dict[str, Any], result: str) -> None:
    assert evaluate(rule(when), facts).result == result


def test_the_checklist_lists_every_leaf_with_label_words_values_and_citation() -> None:
    rules = rule(
        {
            "all": [
                {"field": "length_m", "op": "<", "value": 200, "label": "施工长度（米）"},
                {"field": "kind", "op": "in", "value": ["低压", "中压"], "label": "压力级别"},
                {"field": "voltage_kv", "op": "<=", "value": 35, "label": "电压等级（千伏）"},
            ]
        },
        id="road",
        title="以承诺代审核",
        outcome="commitment_in_lieu_of_review",
    )
    explanation = evaluate(rules, {"length_m": 250, "kind": "中压"})
    assert explanation.result == "fail"  # one failure decides, although voltage_kv is missing
    assert explanation.outcomes == []
    length, kind, voltage = explanation.checks
    assert (length.label, length.op_text, length.expected_text, length.seen_text) == (
        "施工长度（米）",
        "小于",
        "200",
        "250",
    )
    assert (length.status, length.citation, length.rule_id) == ("fail", "tianjin-2021#13", "road")
    assert (kind.op_text, kind.expected_text, kind.status) == ("属于", "低压、中压", "pass")
    assert (voltage.status, voltage.seen_text) == ("missing", "—")
    assert explanation.missing_fields == ["voltage_kv"]
    stored = explanation.as_dict()
    assert stored["rules"][0]["outcome_text"] == "以承诺代审核"
    assert stored["rules"][0]["checks"][0]["seen"] == 250
    assert stored["missing_fields"] == ["voltage_kv"]


def test_a_rule_set_holds_only_when_every_rule_holds() -> None:
    rules = rule(leaf("a", "is_true"), id="one") + rule(
        leaf("b", "is_true"), id="two", outcome="exempt"
    )
    assert evaluate(rules, {"a": True, "b": True}).outcomes == ["eligible", "exempt"]
    partial = evaluate(rules, {"a": True, "b": False})
    assert partial.result == "fail"
    assert partial.outcomes == ["eligible"]
    assert evaluate([], {}).result == "pass"


# --- the named rule set: first minor violation without penalty (tianjin-2021#10) ----------

ALL_MET = {
    "first_violation": True,
    "no_malice": True,
    "no_harm": True,
    "rectifiable": True,
    "rectified_promptly": True,
}


@pytest.mark.parametrize(
    ("changed", "result"),
    [
        ({}, "pass"),
        ({"first_violation": False}, "fail"),  # a second violation is punished
        ({"no_malice": False}, "fail"),
        ({"no_harm": False}, "fail"),
        ({"rectifiable": False}, "fail"),
        ({"rectified_promptly": False}, "fail"),
    ],
)
def test_first_violation_no_penalty(changed: dict[str, Any], result: str) -> None:
    explanation = evaluate(FIRST_VIOLATION_NO_PENALTY, {**ALL_MET, **changed})
    assert explanation.result == result
    assert {c.citation for c in explanation.checks} == {"tianjin-2021#10"}
    assert (explanation.outcomes == ["no_penalty"]) == (result == "pass")


def test_first_violation_unknown_until_rectification_is_known() -> None:
    facts = {k: v for k, v in ALL_MET.items() if k != "rectified_promptly"}
    explanation = evaluate(NAMED_RULE_SETS["no-penalty-first-violation"], facts)
    assert explanation.result == "unknown"
    assert explanation.missing_fields == ["rectified_promptly"]


# --- malformed rule sets are refused with a path and a Chinese message --------------------

MALFORMED = [
    ("not a list", {"id": "r"}, "", "应为规则列表"),
    ("unknown rule key", [{**rule(leaf("x", "exists"))[0], "eval": "1"}], "[1]", "未知的键"),
    ("unknown operator", rule(leaf("x", "=~", "a")), "[1].when.op", "运算符 '=~' 无效"),
    ("python expression", rule(leaf("x", "__import__", "os")), "[1].when.op", "无效"),
    ("dotted field", rule(leaf("x.__class__", "exists")), "[1].when.field", "字段名"),
    ("unknown leaf key", rule({**leaf("x", "exists"), "expr": "1"}), "[1].when", "未知的键"),
    ("two group keys", rule({"all": [], "any": []}), "[1].when", "只能有一个键"),
    ("empty all", rule({"all": []}), "[1].when.all", "非空"),
    ("wrong value type", rule(leaf("x", "<", {"a": 1})), "[1].when.value", "类型无效"),
    ("text with <", rule(leaf("x", "<", "二百")), "[1].when.op", "不适用于文字"),
    ("mixed list", rule(leaf("x", "in", [1, "a"])), "[1].when.value", "类型应一致"),
    ("between of three", rule(leaf("x", "between", [1, 2, 3])), "[1].when.value", "下限, 上限"),
    ("between reversed", rule(leaf("x", "between", [9, 1])), "[1].when.value", "下限不能大于"),
    ("bad date", rule(leaf("d", "<", "2026-13-01", type="date")), "[1].when.value", "日期"),
    (
        "unquoted YAML date",
        rule(leaf("d", "<", datetime.date(2026, 1, 1))),
        "[1].when.value",
        "日期",
    ),
    (
        "declared type differs",
        rule(leaf("x", "==", 3, type="string")),
        "[1].when.value",
        "不是文字",
    ),
    ("value on exists", rule(leaf("x", "exists", 1)), "[1].when.value", "不需要取值"),
    ("no value", rule(leaf("x", "<")), "[1].when.value", "需要取值"),
    ("no label", rule({"field": "x", "op": "exists"}), "[1].when.label", "必须填写"),
    ("unknown outcome", rule(leaf("x", "exists"), outcome="maybe"), "[1].outcome", "无效"),
    ("bad citation", rule(leaf("x", "exists"), citation="beijing#1"), "[1].citation", "格式无效"),
    ("too deep", rule(nested(MAX_DEPTH + 1)), "[1].when", "不能超过 8 层"),
    ("duplicate id", rule(leaf("x", "exists")) * 2, "[2].id", "重复"),
    ("nan value", rule(leaf("x", "<", float("nan"))), "[1].when.value", "类型无效"),
    ("huge number", rule(leaf("x", "<", 10**5000)), "[1].when.value", "超出范围"),
    (
        "too many conditions",
        rule({"all": [{"all": [leaf("x", "exists")] * 100}] * 3}),
        "",
        "条件总数不能超过",
    ),
]


@pytest.mark.parametrize(
    ("data", "path", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_rule_sets_are_refused(data: Any, path: str, message: str) -> None:
    errors = validate_rule_set(data)
    assert any(e.path.startswith(path) and message in e.message for e in errors), errors
    with pytest.raises(RuleSetError):
        evaluate(data, {})


def test_the_deepest_allowed_condition_is_accepted() -> None:
    assert validate_rule_set(rule(nested(MAX_DEPTH))) == []


def test_a_missing_group_inside_a_group_names_the_exact_place() -> None:
    data = rule({"all": [leaf("a", "exists"), {"any": [leaf("b", "exists"), leaf("c", "~")]}]})
    (error,) = validate_rule_set(data)
    assert error.path == "[1].when.all[1].any[1].op"


def test_validation_does_not_change_the_stored_rules() -> None:
    data = rule({"all": [leaf("a", "<", 3), leaf("b", "in", ["x"])]})
    before = copy.deepcopy(data)
    parsed = parse_rule_set(data)
    assert data == before
    assert parsed.fields == ["a", "b"]
    assert parsed.citations == ["tianjin-2021#13"]


# --- derived facts -------------------------------------------------------------------------


def resident_id(birth: str) -> str:
    body = f"110101{birth.replace('-', '')}001"
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(
    ("birth", "age"),
    [("2008-11-23", 18), ("2008-11-24", 17), ("1990-01-01", 36)],
)
def test_age_is_derived_from_the_id_number_in_full_years(birth: str, age: int) -> None:
    facts = derive_facts({"id_number": resident_id(birth)}, today=datetime.date(2026, 11, 23))
    assert facts["age"] == age
    assert facts["birth_date"] == birth


@pytest.mark.parametrize(
    ("since", "months"),
    [("2026-05-23", 6), ("2026-05-24", 5), ("2025-11-30", 11), ("2026-11-23", 0)],
)
def test_residence_months_are_full_months(since: str, months: int) -> None:
    facts = derive_facts({"since": since}, today=datetime.date(2026, 11, 23))
    assert facts["residence_months"] == months


@pytest.mark.parametrize(
    "data",
    [
        {"id_number": "110101200811230010"},  # bad check digit
        {"since": "2027-01-01"},  # in the future
        {"since": "not a date"},
        {},
    ],
)
def test_no_derived_fact_from_a_bad_source(data: dict[str, Any]) -> None:
    facts = derive_facts(data, today=datetime.date(2026, 11, 23))
    assert "age" not in facts
    assert "residence_months" not in facts


def test_given_facts_are_not_overwritten() -> None:
    facts = derive_facts(
        {"since": "2020-01-01", "residence_months": 2}, today=datetime.date(2026, 1, 1)
    )
    assert facts["residence_months"] == 2


# --- property: any facts, never an exception ----------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.dates()
    | st.decimals(allow_nan=True, allow_infinity=True)
)
fact_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
EVERY_OPERATOR = rule(
    {
        "any": [
            leaf("a", "<", 200),
            leaf("a", "between", [1.5, 3]),
            leaf("a", "in", [1, 2]),
            leaf("b", "==", "村"),
            leaf("b", "not_in", ["乡"]),
            leaf("c", "is_true"),
            leaf("c", "==", False),
            leaf("d", ">=", "2026-01-01", type="date"),
            {"not": leaf("e", "exists")},
        ]
    }
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e", "z"]), fact_values))
def test_random_facts_never_raise(facts: dict[str, Any]) -> None:
    explanation = evaluate(EVERY_OPERATOR, facts)
    assert explanation.result in ("pass", "fail", "unknown")
    assert len(explanation.checks) == 9
    explanation.as_dict()
    derive_facts(
        {"id_number": facts.get("a"), "since": facts.get("d")}, today=datetime.date(2026, 1, 1)
    )


@settings(max_examples=200, deadline=None)
@given(fact_values)
def test_random_rule_sets_are_validated_without_raising(data: Any) -> None:
    errors = validate_rule_set(data)
    assert isinstance(errors, list)
    assert errors or data == []


# Rule-shaped data: mostly the right keys, any operator and value, some nesting.
leaf_like = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["a", "b", "A", "a.b", "__class__", ""]),
        "op": st.sampled_from(
            ["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "between", "exists"]
        )
        | fact_values,
        "label": st.sampled_from(["标签", "", None]) | fact_values,
    },
    optional={
        "value": fact_values,
        "type": st.sampled_from(["number", "date", "string", "x"]) | fact_values,
    },
)
condition_like = st.recursive(
    leaf_like,
    lambda children: st.dictionaries(
        st.sampled_from(["all", "any", "not"]),
        st.lists(children, max_size=3) | children,
        max_size=2,
    ),
    max_leaves=12,
)
rule_like = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["r", "r-2", "R!"]),
        "title": st.just("标题"),
        "citation": st.sampled_from(["tianjin-2021#13", "guangxi-2018#0", "x"]) | fact_values,
        "outcome": st.sampled_from(["eligible", "exempt", "nope"]) | fact_values,
        "when": condition_like,
    }
)


@settings(max_examples=300, deadline=None)
@given(st.lists(rule_like, max_size=3), st.dictionaries(st.sampled_from(["a", "b"]), fact_values))
def test_rule_shaped_data_is_either_refused_or_evaluated(
    data: list[Any], facts: dict[str, Any]
) -> None:
    errors = validate_rule_set(data)
    if errors:
        assert all(e.message for e in errors)
        with pytest.raises(RuleSetError):
            evaluate(data, facts)
    else:
        assert evaluate(data, facts).result in ("pass", "fail", "unknown")
