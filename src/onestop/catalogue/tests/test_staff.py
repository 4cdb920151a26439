from __future__ import annotations

from pathlib import Path

import pytest
from conftest import login_verified
from django.test import Client

from onestop.accounts.tests.factories import staff_user
from onestop.catalogue import services
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.models import ServiceItem

from .conftest import item, write_yaml


@pytest.fixture
def two_items(tmp_path: Path, catalogue_units: dict, measures: None) -> dict[str, ServiceItem]:
    services.catalogue_import(
        actor=None,
        paths=[
            write_yaml(
                tmp_path,
                "x.yaml",
                {
                    "items": [
                        item(),
                        item(
                            unit="GX-NN",
                            measures=["guangxi-2018#25"],
                            limits={"statutory": 1, "promised": 1},
                        ),
                    ]
                },
            )
        ],
    )
    return {i.implementing_unit.code: i for i in ServiceItem.objects.all()}


def test_officer_sees_only_items_of_their_subtree(
    client: Client, catalogue_units: dict, two_items: dict
) -> None:
    login_verified(client, staff_user(unit=catalogue_units["GX"], roles=["reviewer"]))
    page = client.get("/work/catalogue/").content.decode()
    assert "S001-01-450100-GX-NN" in page and "TJ-ZAZD" not in page
    assert client.get(f"/work/catalogue/{two_items['GX-NN'].pk}/").status_code == 200
    assert client.get(f"/work/catalogue/{two_items['TJ-ZAZD'].pk}/").status_code == 404


def test_only_unit_admins_create_drafts(
    client: Client, catalogue_units: dict, two_items: dict
) -> None:
    login_verified(client, staff_user(unit=catalogue_units["GX-NN"], roles=["window_clerk"]))
    response = client.post(f"/work/catalogue/{two_items['GX-NN'].pk}/draft/")
    assert response.status_code == 403
    assert not two_items["GX-NN"].versions.filter(status=VersionStatus.DRAFT).exists()


def test_unit_admin_edits_a_draft_and_publishes_it(
    client: Client, catalogue_units: dict, two_items: dict
) -> None:
    entity = two_items["GX-NN"]
    login_verified(client, staff_user(unit=catalogue_units["GX-NN"], roles=["unit_admin"]))
    assert client.post(f"/work/catalogue/{entity.pk}/draft/").status_code == 302
    draft = entity.versions.get(status=VersionStatus.DRAFT)
    form = client.get(f"/work/catalogue/{entity.pk}/draft/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    data.update(promised_limit="2", publish="1")  # longer than the statutory 1 day
    response = client.post(f"/work/catalogue/{entity.pk}/draft/edit/", data)
    assert response.status_code == 200
    assert "承诺时限不能超过法定时限" in response.content.decode()
    draft.refresh_from_db()
    assert str(draft.promised_limit) == "1.00"  # nothing saved

    data.update(promised_limit="0.5")
    response = client.post(f"/work/catalogue/{entity.pk}/draft/edit/", data)
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.current.number == 2 and str(entity.current.promised_limit) == "0.50"
    history = client.get(f"/work/catalogue/{entity.pk}/").content.decode()
    assert "catalogue.version.publish" in history
