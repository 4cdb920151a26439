from __future__ import annotations

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """Whole minutes in a timedelta, rounded up (for "try again in N minutes")."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
