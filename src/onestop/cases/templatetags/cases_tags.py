"""Small case badges for staff pages, rendered in Python: the inbox shows up to 200 rows, and
an ``{% include %}`` per cell cost more than the rest of the row."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..choices import WarningLevel

register = template.Library()

_BADGE_CLASS = {WarningLevel.RED.value: "danger", WarningLevel.YELLOW.value: "warn"}


@register.simple_tag
def case_time(moment: datetime | None, provisional: bool = False) -> SafeString:
    """A moment as ``<time>`` in local time (minutes), "—" when unset; a "临时" (provisional)
    badge when the deadline's year has no published holiday calendar yet."""
    if moment is None:
        return mark_safe("—")
    local = timezone.localtime(moment)
    html = format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        local.strftime("%Y-%m-%d %H:%M"),
    )
    if provisional:
        html += format_html(
            ' <span class="badge warn" title="{}">{}</span>',
            gettext("所涉年份的节假日安排尚未公布，时限为暂定"),
            gettext("临时"),
        )
    return html


@register.simple_tag
def warning_badge(level: str, label: str) -> SafeString:
    """The red or yellow warning as a badge; nothing for no warning."""
    css = _BADGE_CLASS.get(level)
    if css is None:
        return mark_safe("")
    return format_html('<span class="badge {}">{}</span>', css, label)
