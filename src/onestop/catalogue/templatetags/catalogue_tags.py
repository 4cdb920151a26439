from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from onestop.catalogue.selectors import Share, format_limit

register = template.Library()


@register.simple_tag
def share_cell(share: Share, slug: str) -> SafeString:
    """A table cell with count, percentage and, where the list has a target, whether it is met."""
    value = share.share(slug)
    met = share.meets_target(slug)
    css = "" if met is None else ("ok" if met else "danger")
    return format_html(
        '<td><span class="badge {}">{}%</span> <span class="helptext">{}/{}</span></td>',
        css,
        f"{value * 100:.1f}",
        share.counts[slug],
        share.total,
    )


@register.filter
def time_limit(value: Decimal, unit: str) -> str:
    """``0.5 working days`` / ``1 working day`` / ``0.5 个工作日`` for a limit and its unit."""
    return format_limit(value, unit)
