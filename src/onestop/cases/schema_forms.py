"""Build a Django form from an item version's JSON Schema (``ServiceItemVersion.form_schema``).

Supported, per property of a ``type: object`` schema:

* ``type``: ``string`` (``format: date`` → date field; ``enum`` → choice), ``number``,
  ``integer``, ``boolean`` (``const: true`` → a commitment checkbox that must be ticked);
* ``title`` → label, ``description`` → help text, top-level ``required``;
* ``minimum`` / ``maximum`` / ``exclusiveMinimum`` / ``exclusiveMaximum`` for numbers,
  ``minLength`` / ``maxLength`` for strings.

Other property types (arrays, nested objects) are not asked for online; they are listed in
``SchemaForm.unsupported`` so the page can tell the applicant to bring them to the window.
Every message is Chinese and names the field. ``SchemaForm.json_data()`` is the JSON stored on
the case (dates as ISO text, integral numbers as ``int``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_STRING = 2000  # characters, when the schema gives no maxLength


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _field(name: str, spec: dict[str, Any], required: bool) -> forms.Field | None:
    title = str(spec.get("title") or name)
    help_text = str(spec.get("description") or "")
    kind = spec.get("type")
    fmt = spec.get("format")
    messages = {
        "required": _("请填写“%(title)s”。") % {"title": title},
        "invalid": _("“%(title)s”格式不正确。") % {"title": title},
    }
    field: forms.Field
    if kind == "boolean":
        if spec.get("const") is True:
            messages["required"] = _("请勾选“%(title)s”。") % {"title": title}
            field = forms.BooleanField(required=True, error_messages=messages)
            field.widget.attrs["data-commitment"] = "1"
        else:
            field = forms.BooleanField(required=False)
    elif kind == "string" and isinstance(spec.get("enum"), list):
        values = [str(v) for v in spec["enum"]]
        names = spec.get("enumNames")
        labels = [str(n) for n in names] if isinstance(names, list) else values
        messages["invalid_choice"] = _("请为“%(title)s”选择列表中的一项。") % {"title": title}
        field = forms.ChoiceField(
            choices=[("", "—"), *zip(values, labels, strict=False)],
            required=required,
            error_messages=messages,
        )
    elif kind == "string" and fmt == "date":
        messages["invalid"] = _("“%(title)s”应为日期（年-月-日）。") % {"title": title}
        field = forms.DateField(
            required=required,
            error_messages=messages,
            widget=forms.DateInput(attrs={"type": "date"}),
        )
    elif kind == "string":
        max_length = spec.get("maxLength")
        max_length = max_length if isinstance(max_length, int) and max_length > 0 else MAX_STRING
        min_length = spec.get("minLength")
        min_length = min_length if isinstance(min_length, int) and min_length > 0 else None
        messages["max_length"] = _("“%(title)s”不能超过 %(n)s 个字符。") % {
            "title": title,
            "n": max_length,
        }
        if min_length:
            messages["min_length"] = _("“%(title)s”至少需要 %(n)s 个字符。") % {
                "title": title,
                "n": min_length,
            }
        widget = forms.Textarea(attrs={"rows": 3}) if max_length > 200 else None
        field = forms.CharField(
            required=required,
            max_length=max_length,
            min_length=min_length,
            error_messages=messages,
            widget=widget,
        )
    elif kind in ("number", "integer"):
        if kind == "integer":
            messages["invalid"] = _("“%(title)s”应为整数。") % {"title": title}
            field = forms.IntegerField(required=required, error_messages=messages)
        else:
            messages["invalid"] = _("“%(title)s”应为数字。") % {"title": title}
            field = forms.DecimalField(required=required, error_messages=messages)
        field.validators.append(_NumberBounds(title, spec))
    else:
        return None
    field.label = title
    field.help_text = help_text
    return field


class _NumberBounds:
    """minimum / maximum / exclusiveMinimum / exclusiveMaximum with a message naming the field."""

    def __init__(self, title: str, spec: dict[str, Any]) -> None:
        self.title = title
        self.minimum = _number(spec.get("minimum"))
        self.maximum = _number(spec.get("maximum"))
        self.exclusive_minimum = _number(spec.get("exclusiveMinimum"))
        self.exclusive_maximum = _number(spec.get("exclusiveMaximum"))

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        value = Decimal(str(value))
        params = {"title": self.title}
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(
                _("“%(title)s”不能小于 %(n)s。") % {**params, "n": _shown(self.minimum)},
                code="min_value",
            )
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            raise ValidationError(
                _("“%(title)s”必须大于 %(n)s。") % {**params, "n": _shown(self.exclusive_minimum)},
                code="min_value",
            )
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(
                _("“%(title)s”不能大于 %(n)s。") % {**params, "n": _shown(self.maximum)},
                code="max_value",
            )
        if self.exclusive_maximum is not None and value >= self.exclusive_maximum:
            raise ValidationError(
                _("“%(title)s”必须小于 %(n)s。") % {**params, "n": _shown(self.exclusive_maximum)},
                code="max_value",
            )


class SchemaForm(forms.Form):
    """A form whose fields come from ``schema``; ``draft=True`` makes every field optional (a
    draft may be incomplete) while still checking types and bounds of what was entered."""

    def __init__(
        self,
        schema: dict[str, Any] | None,
        *args: Any,
        draft: bool = False,
        json_initial: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if json_initial and "initial" not in kwargs:
            kwargs["initial"] = dict(json_initial)
        super().__init__(*args, **kwargs)
        self.schema = schema if isinstance(schema, dict) else {}
        self.unsupported: list[str] = []
        properties = self.schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = self.schema.get("required")
        required_names = set(required) if isinstance(required, list) else set()
        for name, spec in properties.items():
            if not isinstance(spec, dict):
                continue
            field = _field(str(name), spec, str(name) in required_names)
            if field is None:
                self.unsupported.append(str(spec.get("title") or name))
                continue
            if draft:
                field.required = False
            self.fields[str(name)] = field

    def json_data(self) -> dict[str, Any]:
        """The cleaned data as JSON for ``Case.form_data`` (empty values left out)."""
        data: dict[str, Any] = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = int(value) if value == value.to_integral() else float(value)
            data[name] = value
        return data
