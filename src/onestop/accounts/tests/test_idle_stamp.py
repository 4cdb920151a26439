"""Idle timeout: the last-activity stamp is kept to the minute, so requests within a minute of
it do not rewrite the session row."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from onestop.accounts.middleware import SESSION_KEY
from onestop.accounts.models import Unit
from onestop.accounts.tests.conftest import login_verified
from onestop.accounts.tests.factories import staff_user

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _row(client: Client) -> tuple[str, float]:
    """The stored session data and its last-activity stamp."""
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    return session.session_data, float(session.get_decoded()[SESSION_KEY])


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_stamp_moves_once_a_minute(client: Client, unit_tree: dict[str, Unit]) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        login_verified(client, staff_user(unit=unit_tree["station1"]))
        assert client.get("/work/").status_code == 200
        data, stamp = _row(client)
        assert stamp == START.timestamp()
        traveller.shift(dt.timedelta(seconds=59))
        assert client.get("/work/").status_code == 200
        assert _row(client) == (data, stamp)  # the row was not written
        traveller.shift(dt.timedelta(seconds=1))
        assert client.get("/work/").status_code == 200
        assert _row(client)[1] == START.timestamp() + 60


@override_settings(STAFF_IDLE_TIMEOUT_MINUTES=30)
def test_timeout_counts_from_the_stamp(client: Client, unit_tree: dict[str, Unit]) -> None:
    """A request within the minute does not move the stamp: the session may end up to a minute
    before the idle minutes have passed since the very last request, never later."""
    with time_machine.travel(START, tick=False) as traveller:
        login_verified(client, staff_user(unit=unit_tree["station1"]))
        assert client.get("/work/").status_code == 200
        traveller.shift(dt.timedelta(seconds=50))
        assert client.get("/work/").status_code == 200
        traveller.shift(dt.timedelta(minutes=29, seconds=20))  # 30:10 after the stamp
        response = client.get("/work/")
        assert response.status_code == 302
        assert response["Location"].startswith("/work/login/")
