from __future__ import annotations

import pytest
from django.core.management import call_command

from onestop.accounts.models import Enterprise, User
from onestop.desk import demo, services
from onestop.desk.models import DeskAssignment, Liaison, Supervisor

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_routes_the_demo_enterprise() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    demo.load_demo()
    counts = (DeskAssignment.objects.count(), Liaison.objects.count(), Supervisor.objects.count())
    demo.load_demo()
    assert counts == (
        DeskAssignment.objects.count(),
        Liaison.objects.count(),
        Supervisor.objects.count(),
    )
    assert counts[1] >= 8 and counts[2] == 1
    assert Supervisor.objects.get().user is not None
    enterprise = Enterprise.objects.get(credit_code="91120101MA05X1234Q")
    unit, officer = services.ticket_route(kind="complaint", enterprise=enterprise)
    assert unit.code == "TJ-HP-QYC" and officer == User.objects.get(username="tj_clerk")
    assert User.objects.get(username="tj_unitadmin").has_role("desk_identity_custodian")
