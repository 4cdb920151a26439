"""Object-level access scoped to the officer's unit subtree: staff unit page and API."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client

from onestop.accounts.choices import Role
from onestop.accounts.models import Unit, User
from onestop.accounts.selectors import get_scoped_object_or_404
from onestop.accounts.tests.conftest import login_verified
from onestop.accounts.tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("onestop.accounts.tests.urls")]


def page(client: Client, unit: Unit):  # type: ignore[no-untyped-def]
    return client.get(f"/work/units/{unit.pk}/")


def api(client: Client, unit: Unit):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/staff/units/{unit.pk}/")


def test_station_officer_sees_own_unit_not_another_station(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["station1"], username="wang")
    staff_user(unit=unit_tree["station1"], username="colleague")
    login_verified(client, officer)
    response = page(client, unit_tree["station1"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "劝业场派出所" in html and "colleague" in html
    assert page(client, unit_tree["station2"]).status_code == 404
    assert page(client, unit_tree["heping"]).status_code == 404

    response = api(client, unit_tree["station1"])
    assert response.status_code == 200
    assert response.json()["code"] == "TJ-HP-1"
    assert {m["username"] for m in response.json()["staff"]} == {"wang", "colleague"}
    assert api(client, unit_tree["station2"]).status_code == 404
    assert api(client, unit_tree["station3"]).status_code == 404


def test_sub_bureau_officer_sees_its_stations_only(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    login_verified(client, staff_user(unit=unit_tree["heping"], roles=[Role.SUPERVISOR]))
    html = page(client, unit_tree["heping"]).content.decode()
    assert "劝业场派出所" in html and "小白楼派出所" in html and "友谊路派出所" not in html
    for key in ("heping", "station1", "station2"):
        assert page(client, unit_tree[key]).status_code == 200
        assert api(client, unit_tree[key]).status_code == 200
    for key in ("bureau", "hexi", "station3"):
        assert page(client, unit_tree[key]).status_code == 404
        assert api(client, unit_tree[key]).status_code == 404


def test_platform_admin_sees_all(client: Client, unit_tree: dict[str, Unit]) -> None:
    login_verified(client, staff_user(unit=unit_tree["station3"], roles=[Role.PLATFORM_ADMIN]))
    for unit in unit_tree.values():
        assert page(client, unit).status_code == 200
        assert api(client, unit).status_code == 200


def test_unverified_or_public_users_are_refused(
    client: Client,
    unit_tree: dict[str, Unit],
    register_person,  # type: ignore[no-untyped-def]
) -> None:
    officer = staff_user(unit=unit_tree["station1"])
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")  # no TOTP
    assert page(client, unit_tree["station1"]).status_code == 302
    assert api(client, unit_tree["station1"]).status_code == 403
    public = Client()
    public.force_login(
        register_person(30).user, backend="django.contrib.auth.backends.ModelBackend"
    )
    assert api(public, unit_tree["station1"]).status_code == 403
    assert Client().get(f"/api/v1/staff/units/{unit_tree['station1'].pk}/").status_code == 403


def test_missing_unit_is_404(officer_client: Client) -> None:
    assert officer_client.get("/work/units/999999/").status_code == 404


def test_get_scoped_object_or_404_on_objects_with_a_unit(unit_tree: dict[str, Unit]) -> None:
    officer = staff_user(unit=unit_tree["heping"])
    in_station = staff_user(unit=unit_tree["station2"])
    elsewhere = staff_user(unit=unit_tree["station3"])
    assert get_scoped_object_or_404(User.objects.all(), officer, in_station.pk) == in_station
    with pytest.raises(Http404):
        get_scoped_object_or_404(User.objects.all(), officer, elsewhere.pk)
    with pytest.raises(Http404):
        get_scoped_object_or_404(User.objects.all(), officer, "not-a-number")
