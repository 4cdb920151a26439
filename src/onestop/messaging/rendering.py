"""Rendering templates: ``{placeholder}`` fields filled from a dict of parameters.

Only bare names are allowed (no attribute access, indexing or format specs), so an admin editing
a template cannot reach into Python objects. Unknown fields render as empty text when sending and
are rejected when a template is saved (``template_check``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_formatter = string.Formatter()


def placeholders(text: str) -> list[str]:
    """The field names of ``text`` in order; ``ValidationError`` for malformed ones."""
    names: list[str] = []
    try:
        parsed = list(_formatter.parse(text))
    except ValueError as exc:
        raise ValidationError(
            _("模板格式错误：%(error)s（花括号需成对出现）") % {"error": exc}
        ) from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValidationError(
                _("占位符 {%(field)s} 无效：只能是参数名，例如 {number}") % {"field": field}
            )
        names.append(field)
    return names


def render(text: str, params: Mapping[str, Any]) -> str:
    out: list[str] = []
    for literal, field, _spec, _conversion in _formatter.parse(text):
        out.append(literal)
        if field is not None:
            value = params.get(field, "")
            out.append("" if value is None else str(value))
    return "".join(out)


def template_check(text: str, *, allowed: set[str]) -> None:
    unknown = [name for name in placeholders(text) if name not in allowed]
    if unknown:
        raise ValidationError(
            _("未知的占位符：%(names)s。可用：%(allowed)s")
            % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "allowed": ", ".join(f"{{{n}}}" for n in sorted(allowed)),
            }
        )
