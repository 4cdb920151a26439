"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts.choices import UnitKind
from onestop.accounts.models import Unit, User
from onestop.accounts.tests.factories import UnitFactory, staff_user

# The service gate (skip locally / fail in CI when PostgreSQL, Redis or Chromium is missing)
# applies to marked tests anywhere, also when only src/ is collected.
pytest_plugins = ["tests.service_gate"]


@pytest.fixture
def unit_tree(db: None) -> dict[str, Unit]:
    """bureau → sub-bureau → two stations, plus a second sub-bureau with one station."""
    bureau = UnitFactory(code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000")
    heping = UnitFactory(
        code="TJ-HP", name="和平分局", kind=UnitKind.SUB_BUREAU, region_code="120101", parent=bureau
    )
    s1 = UnitFactory(code="TJ-HP-1", name="劝业场派出所", parent=heping)
    s2 = UnitFactory(code="TJ-HP-2", name="小白楼派出所", parent=heping)
    hexi = UnitFactory(
        code="TJ-HX", name="河西分局", kind=UnitKind.SUB_BUREAU, region_code="120103", parent=bureau
    )
    s3 = UnitFactory(code="TJ-HX-1", name="友谊路派出所", region_code="120103", parent=hexi)
    return {
        "bureau": bureau,
        "heping": heping,
        "station1": s1,
        "station2": s2,
        "hexi": hexi,
        "station3": s3,
    }


def login_verified(client: Client, user: User) -> Client:
    """Log ``user`` in with their TOTP device already verified (what the two-step login does)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def officer_client(unit_tree: dict[str, Unit], client: Client) -> Client:
    return login_verified(client, staff_user(unit=unit_tree["station1"]))


@pytest.fixture(autouse=True)
def _fresh_workday_calendar() -> None:
    """Tests that write calendar rows directly must not see another test's cached calendar."""
    from onestop.core.workdays import calendar_invalidate

    calendar_invalidate()


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """Each test starts in the source language: a request through LocaleMiddleware (e.g. with
    Accept-Language: en) leaves its language active in the thread after the test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
