from __future__ import annotations

import pytest
from conftest import login_verified
from django.test import Client

from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import staff_user
from onestop.policy.models import Commitment, Measure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["policydocument", "measure", "measurepart", "progressreport", "supervisionnote", "commitment"],
)
def test_admin_changelists_open(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit], model: str
) -> None:
    login_verified(client, staff_user(unit=unit_tree["bureau"], roles=["platform_admin"]))
    assert client.get(f"/admin/policy/{model}/").status_code == 200


def test_admin_change_pages_open(
    client: Client, policy_loaded: None, unit_tree: dict[str, Unit]
) -> None:
    login_verified(client, staff_user(unit=unit_tree["bureau"], roles=["platform_admin"]))
    measure = Measure.objects.get(document__key="tianjin-2021", number=8)
    page = client.get(f"/admin/policy/measure/{measure.pk}/change/")
    assert page.status_code == 200
    assert "内保总队" in page.content.decode()
    commitment = Commitment.objects.get(code="seal-engraving-half-day")
    assert client.get(f"/admin/policy/commitment/{commitment.pk}/change/").status_code == 200
