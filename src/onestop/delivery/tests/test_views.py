"""Applicant address and tracking pages; staff shipments with the demo courier."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import login_verified
from django.test import Client
from django.urls import reverse

from onestop.delivery.models import Shipment

from .conftest import ShipWorld

pytestmark = pytest.mark.django_db


def test_applicant_gives_address_and_follows_tracking(
    ship_world: ShipWorld,
    client: Client,
    system_may_deliver: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("delivery:address", args=[ship_world.case.number])
    assert client.get(url).status_code == 302
    client.force_login(ship_world.stranger.user)
    assert client.get(url).status_code == 404
    client.force_login(ship_world.applicant.user)
    bad = client.post(
        url,
        {
            "recipient": "张三",
            "mobile": "123",
            "region_code": "12010",
            "address": "南京路 100 号 3-201",
        },
    )
    assert bad.status_code == 200 and "手机" in bad.content.decode()
    ok = client.post(
        url,
        {
            "recipient": "张三",
            "mobile": "13912345678",
            "region_code": "120101",
            "address": "天津市和平区南京路 100 号 3-201",
        },
    )
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "寄递地址已保存" in page and "13912345678" in page  # the owner sees their own form

    staff = login_verified(Client(), ship_world.clerk)
    response = staff.post(
        reverse("delivery-staff:shipments"), {"case_number": ship_world.case.number}
    )
    shipment = Shipment.objects.get()
    assert response["Location"] == reverse("delivery-staff:shipment", args=[shipment.number])
    page = staff.get(response["Location"]).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    advance = reverse("delivery-staff:demo-advance", args=[shipment.number])
    for _ in range(3):
        staff.post(advance)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(advance)
    track = client.get(reverse("delivery:track", args=[shipment.number])).content.decode()
    assert "已签收" in track and "已揽收" in track and "派送中" in track
    ship_world.case.refresh_from_db()
    assert ship_world.case.state == "closed"
    other = Client()
    other.force_login(ship_world.stranger.user)
    assert other.get(reverse("delivery:track", args=[shipment.number])).status_code == 404


def test_staff_cannot_ship_cases_outside_their_scope(ship_world: ShipWorld) -> None:
    from onestop.accounts.tests.factories import staff_user

    outsider = staff_user(unit=ship_world.units["station3"], username="ship-out")
    staff = login_verified(Client(), outsider)
    response = staff.post(
        reverse("delivery-staff:shipments"), {"case_number": ship_world.case.number}
    )
    assert response.status_code == 200 and "本单位范围内没有该办件" in response.content.decode()
    assert not Shipment.objects.exists()


def test_push_endpoint_unknown_courier(client: Client) -> None:
    response = client.post(
        reverse("delivery:push", args=["nope"]), data=b"", content_type="text/plain"
    )
    assert response.status_code == 404
