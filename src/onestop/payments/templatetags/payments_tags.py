from __future__ import annotations

from django import template

from onestop.payments.models import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Fen as yuan with two decimals: ``1234|yuan`` → ``12.34``."""
    return "" if fen is None else _yuan(int(fen))
