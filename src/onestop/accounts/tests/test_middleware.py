"""Idle timeout: staff and public sessions end after their idle minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from onestop.accounts.models import Unit
from onestop.accounts.tests.conftest import login_verified
from onestop.accounts.tests.factories import staff_user

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_staff_session_ends_after_idle_minutes(client: Client, unit_tree: dict[str, Unit]) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_verified(client, staff_user(unit=unit_tree["station1"]))
        assert client.get("/work/").status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/work/").status_code == 200  # activity resets the clock
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get("/work/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/work/")
        assert response.status_code == 302
        assert response["Location"].startswith("/work/login/")
        page = client.get(response["Location"])
        assert "长时间未操作" in page.content.decode()
        # The notice is shown once.
        assert "长时间未操作" not in client.get("/work/login/").content.decode()


@override_settings(PUBLIC_IDLE_TIMEOUT_MINUTES=120, STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_public_session_uses_public_idle_minutes(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        person = register_person(7)
        client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
        assert client.get("/account/").status_code == 200
        traveller.shift(dt.timedelta(minutes=90))
        assert client.get("/account/").status_code == 200
        traveller.shift(dt.timedelta(minutes=121))
        response = client.get("/account/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
        assert "长时间未操作" in client.get(response["Location"]).content.decode()


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=0)
def test_zero_disables_idle_timeout(client: Client, unit_tree: dict[str, Unit]) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_verified(client, staff_user(unit=unit_tree["station1"]))
        assert client.get("/work/").status_code == 200
        traveller.shift(dt.timedelta(hours=5))
        assert client.get("/work/").status_code == 200
