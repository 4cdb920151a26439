"""Demo data of payments: two traffic fines payable online without logging in.

* ``120101202611000001`` / code ``580231`` — decided today, within the 15 days: no surcharge;
* ``120101202610000002`` / code ``613904`` — decided 25 days ago: 10 days late, 30% surcharge.

Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from onestop.accounts.models import Unit
from onestop.core import workdays

from .models import Fine
from .services import fine_create

FINES = [
    ("120101202611000001", "580231", "机动车违反禁止标线指示", 20000, 0),
    ("120101202610000002", "613904", "机动车违反规定停放", 15000, 25),
]


def _unit() -> Unit | None:
    return (
        Unit.objects.filter(code="TJ-JJZD").first()
        or Unit.objects.filter(code="TJ").first()
        or Unit.objects.order_by("path").first()
    )


def load_demo() -> None:
    unit = _unit()
    if unit is None:
        return
    today = timezone.localtime(timezone.now(), workdays.SHANGHAI).date()
    for number, code, facts, fen, days_ago in FINES:
        if Fine.objects.filter(decision_number=number).exists():
            continue
        fine_create(
            actor=None,
            decision_number=number,
            verification_code=code,
            kind="traffic",
            party_name="张伟",
            facts=facts,
            amount_fen=fen,
            decided_on=today - timedelta(days=days_ago),
            unit=unit,
        )
