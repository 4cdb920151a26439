"""Settings of the desk: ``settings.ONESTOP_DESK`` overrides the defaults below.

``limits`` maps a ticket kind to its reply limit: ``{"days": n}`` (closing time of the n-th
working day after submission) or ``{"hours": h}`` (h working hours of office time). Complaints are
answered within 7 working days (Guangxi 2018 measure 49), consultations within 1 working day;
green-channel requests get the shortest limit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "limits": {
        "consultation": {"days": 1},
        "policy": {"days": 3},
        "complaint": {"days": 7},
        "tip": {"days": 15},
        "green_channel": {"hours": 4},
        "police_enterprise": {"days": 3},
        "feedback": {"days": 5},
    },
    # working hours before the due time at which the handler is reminded
    "remind_hours": 4,
    # working days a complaint's rectification may take when the reply does not say
    "rectification_days": 15,
    # the role (Django group) that may reveal an anonymous reporter's identity
    "reveal_role": "desk_identity_custodian",
    # the unit tickets go to when no assignment rule matches (its code); empty: first root unit
    "default_unit": "",
}


def desk_setting(name: str) -> Any:
    configured = getattr(settings, "ONESTOP_DESK", {}) or {}
    if name == "limits":
        return {**DEFAULTS["limits"], **configured.get("limits", {})}
    return configured.get(name, DEFAULTS[name])
