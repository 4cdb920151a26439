from __future__ import annotations

import pytest

from onestop.accounts.choices import UnitKind
from onestop.accounts.tests.factories import UnitFactory
from onestop.payments import selectors, services
from onestop.payments.demo import load_demo
from onestop.payments.models import Fine

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_fines_are_payable() -> None:
    UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    load_demo()
    load_demo()
    assert Fine.objects.count() == 2
    late = selectors.fine_lookup(decision_number="120101202610000002", code="613904")
    assert late is not None
    order = services.fine_order_create(fine=late)
    assert order.amount_fen == 15000 + 4500  # ten days late: 30%
