"""The demo loaders build on demo_load and can run twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from onestop.certificates import demo as certificate_demo
from onestop.certificates.models import Certificate
from onestop.seals import demo as seal_demo
from onestop.seals.models import EngravingShop


@pytest.mark.django_db
def test_demo_loaders_are_idempotent() -> None:
    call_command("demo_load", quiet_accounts=True, verbosity=0)
    for _ in range(2):
        certificate_demo.load_demo()
        seal_demo.load_demo()
    assert Certificate.objects.count() == len(certificate_demo.DEMO_CERTIFICATES)
    assert EngravingShop.objects.count() == len(seal_demo.SHOPS)
    assert EngravingShop.objects.get(licence_no="津公特刻字 0001 号").operators.count() == 1
    zhang = Certificate.objects.filter(holder_name="张伟")
    assert {c.cert_type for c in zhang} == {"resident_id", "driving_licence", "vehicle_licence"}
