import pytest
from conftest import login_verified
from django.test import Client

from onestop.accounts.tests.factories import staff_user


@pytest.mark.django_db
def test_inbox_requires_login(client: Client) -> None:
    response = client.get("/work/")
    assert response.status_code == 302
    assert "/work/login/" in response["Location"]


@pytest.mark.django_db
def test_inbox_shows_officer_unit(officer_client: Client) -> None:
    response = officer_client.get("/work/")
    assert response.status_code == 200
    assert "劝业场派出所" in response.content.decode()


@pytest.mark.django_db
def test_portal_home_in_chinese_by_default(client: Client, unit_tree: dict) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "天津市公安局" in html


@pytest.mark.django_db
def test_inbox_counts_come_from_the_data(client: Client, unit_tree: dict) -> None:
    login_verified(client, staff_user(unit=unit_tree["heping"], roles=["reviewer"]))
    stats = client.get("/work/").context["stats"]
    assert stats["subunits"] == 2  # the two police stations under 和平分局
    assert stats["items"] == 0 and stats["measures_overdue"] == 0
    html = client.get("/work/").content.decode()
    assert "审核员" in html  # the role's label, not its code
