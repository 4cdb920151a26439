"""JSON Schema → Django form: every supported type and constraint, Chinese per-field messages."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from onestop.cases.schema_forms import SchemaForm

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "姓名", "maxLength": 4, "minLength": 2},
        "length": {
            "type": "number",
            "title": "施工长度（米）",
            "exclusiveMinimum": 0,
            "maximum": 200,
        },
        "floors": {"type": "integer", "title": "层数", "minimum": 1, "maximum": 4},
        "since": {"type": "string", "format": "date", "title": "居住起始日期"},
        "kind": {
            "type": "string",
            "title": "类型",
            "enum": ["a", "b"],
            "enumNames": ["甲类", "乙类"],
        },
        "with_family": {"type": "boolean", "title": "随迁"},
        "promise": {"type": "boolean", "const": True, "title": "本人承诺所填信息真实"},
        "relatives": {"type": "array", "title": "随迁人员"},
    },
    "required": ["name", "length", "floors", "since", "kind"],
}

VALID = {
    "name": "张三",
    "length": "199.9",
    "floors": "4",
    "since": "2026-01-31",
    "kind": "b",
    "with_family": "on",
    "promise": "on",
}


def form(data: dict[str, Any] | None = None, **kwargs: Any) -> SchemaForm:
    return SchemaForm(SCHEMA, data, **kwargs)


def test_each_type_becomes_a_field_with_its_title_as_label() -> None:
    f = form()
    assert isinstance(f.fields["name"], forms.CharField)
    assert isinstance(f.fields["length"], forms.DecimalField)
    assert isinstance(f.fields["floors"], forms.IntegerField)
    assert isinstance(f.fields["since"], forms.DateField)
    assert isinstance(f.fields["kind"], forms.ChoiceField)
    assert isinstance(f.fields["with_family"], forms.BooleanField)
    assert f.fields["length"].label == "施工长度（米）"
    assert [c for c in f.fields["kind"].choices if c[0]] == [("a", "甲类"), ("b", "乙类")]
    assert f.fields["name"].required and not f.fields["with_family"].required
    # the commitment checkbox must be ticked
    assert f.fields["promise"].required
    # arrays are not asked for online, but named
    assert "relatives" not in f.fields and f.unsupported == ["随迁人员"]


def test_valid_input_becomes_json() -> None:
    f = form(VALID)
    assert f.is_valid(), f.errors
    assert f.json_data() == {
        "name": "张三",
        "length": 199.9,
        "floors": 4,
        "since": "2026-01-31",
        "kind": "b",
        "with_family": True,
        "promise": True,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "请填写“姓名”。"),
        ("name", "张三丰之子", "“姓名”不能超过 4 个字符。"),
        ("name", "张", "“姓名”至少需要 2 个字符。"),
        ("length", "abc", "“施工长度（米）”应为数字。"),
        ("length", "0", "“施工长度（米）”必须大于 0。"),
        ("length", "200.5", "“施工长度（米）”不能大于 200。"),
        ("floors", "2.5", "“层数”应为整数。"),
        ("floors", "0", "“层数”不能小于 1。"),
        ("floors", "5", "“层数”不能大于 4。"),
        ("since", "2026-02-30", "“居住起始日期”应为日期（年-月-日）。"),
        ("kind", "c", "请为“类型”选择列表中的一项。"),
        ("promise", "", "请勾选“本人承诺所填信息真实”。"),
    ],
)
def test_bad_input_gives_a_chinese_message_on_the_field(
    field: str, value: str, message: str
) -> None:
    data = {**VALID, field: value}
    if value == "":
        del data[field]
    f = form(data)
    assert not f.is_valid()
    assert f.errors[field] == [message]
    assert set(f.errors) == {field}


def test_boundaries_are_inclusive_or_exclusive_as_declared() -> None:
    assert form({**VALID, "length": "200", "floors": "1"}).is_valid()
    assert form({**VALID, "length": "0.01"}).is_valid()


def test_a_draft_may_be_incomplete_but_not_wrong() -> None:
    empty = form({}, draft=True)
    assert empty.is_valid(), empty.errors
    assert empty.json_data() == {"with_family": False, "promise": False}
    wrong = form({"floors": "9"}, draft=True)
    assert not wrong.is_valid()
    assert wrong.errors["floors"] == ["“层数”不能大于 4。"]


def test_stored_json_fills_the_form_again() -> None:
    f = form(json_initial={"name": "李四", "floors": 2})
    assert f["name"].value() == "李四"
    assert f["floors"].value() == 2


@pytest.mark.parametrize("schema", [{}, None, {"type": "object", "properties": "x"}])
def test_an_empty_or_broken_schema_gives_an_empty_form(schema: Any) -> None:
    f = SchemaForm(schema, {})
    assert f.is_valid() and f.json_data() == {}
