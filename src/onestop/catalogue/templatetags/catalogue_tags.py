from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from onestop.catalogue.selectors import Share

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
