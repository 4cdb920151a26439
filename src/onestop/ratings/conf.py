"""Settings of 好差评: ``settings.ONESTOP_RATINGS`` overrides the defaults below.

``rectification_days``: working days a bad review's rectification may take (regions differ: 5 in
some, 15 in others). ``indicators``: the options a rater may tick, per level (GB/T 39734-2020
annex: positive indicators for the three upper levels, problem indicators for the two lower).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

_GOOD = {
    "fast": _("办理时间短"),
    "simple": _("流程简便"),
    "few_materials": _("材料精简"),
    "clear_guide": _("办事指南清晰"),
    "friendly": _("服务态度好"),
    "online": _("网上可办"),
}
_BAD = {
    "slow": _("超时办理"),
    "many_visits": _("多次跑动"),
    "extra_materials": _("要求额外材料"),
    "unclear_guide": _("办事指南不清晰"),
    "attitude": _("服务态度差"),
    "fees": _("乱收费"),
    "system": _("系统不好用"),
}

DEFAULTS: dict[str, Any] = {
    "rectification_days": 5,
    "indicators": {5: _GOOD, 4: _GOOD, 3: _GOOD, 2: _BAD, 1: _BAD},
}


def ratings_setting(name: str) -> Any:
    configured = getattr(settings, "ONESTOP_RATINGS", {}) or {}
    return configured.get(name, DEFAULTS[name])


def indicator_options(level: int) -> dict[str, Any]:
    options = ratings_setting("indicators")
    return dict(options.get(level) or options.get(str(level)) or {})
