"""Staff supervision view (督办) and bulk acceptance (批量受理) of on-the-spot items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import login_verified
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone

from onestop.accounts.choices import Role
from onestop.accounts.models import User
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState, WarningLevel
from onestop.cases.models import Case, CaseSupervision
from onestop.config import urls as root_urls

from .conftest import World
from .factories import case_in_state, item_version

# Until config/urls.py mounts the staff case pages, these tests mount them the same way.
_MOUNTED = any(getattr(p, "namespace", None) == "cases-staff" for p in root_urls.urlpatterns)
urlpatterns = list(root_urls.urlpatterns)
if not _MOUNTED:
    urlpatterns.insert(0, path("work/cases/", include("onestop.cases.urls_staff")))

S = CaseState
SUPERVISION = "/work/cases/supervision/"
INBOX = "/work/cases/"
BULK = "/work/cases/bulk-accept/"


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def officers(world: World) -> dict[str, User]:
    units = world.units
    people = {
        role.value: staff_user(unit=units["station1"], roles=[role], username=f"sv-{role.value}")
        for role in (Role.WINDOW_CLERK, Role.REVIEWER, Role.SUPERVISOR)
    }
    people["admin"] = staff_user(
        unit=units["bureau"], roles=[Role.PLATFORM_ADMIN], username="sv-admin"
    )
    people["s2-supervisor"] = staff_user(
        unit=units["station2"], roles=[Role.SUPERVISOR], username="sv-s2"
    )
    people["s2-clerk"] = staff_user(
        unit=units["station2"], roles=[Role.WINDOW_CLERK], username="sv-s2c"
    )
    return people


def _case(world: World, state: CaseState, **overrides: Any) -> Case:
    return case_in_state(version=world.version, applicant=world.applicant, state=state, **overrides)


# --- supervision view ----------------------------------------------------------------------


def test_supervision_view_is_for_supervisors_and_platform_admins_only(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    assert login_verified(client, officers["reviewer"]).get(SUPERVISION).status_code == 403
    assert login_verified(client, officers["window_clerk"]).get(SUPERVISION).status_code == 403
    assert login_verified(client, officers["supervisor"]).get(SUPERVISION).status_code == 200
    assert login_verified(client, officers["admin"]).get(SUPERVISION).status_code == 200


def test_supervision_view_lists_red_yellow_and_supervised_cases_grouped_by_unit(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    now = timezone.now()
    red = _case(world, S.IN_REVIEW, warning_level=WarningLevel.RED)
    yellow = _case(world, S.IN_REVIEW, warning_level=WarningLevel.YELLOW)
    green = _case(world, S.IN_REVIEW)
    supervised = _case(world, S.IN_REVIEW)
    closed_red = _case(world, S.CLOSED, warning_level=WarningLevel.RED)
    CaseSupervision.objects.create(
        case=supervised, supervisor=officers["supervisor"], comment="旧意见"
    )
    CaseSupervision.objects.create(
        case=supervised,
        supervisor=officers["supervisor"],
        comment="请于本周内办结",
        deadline=now + timedelta(days=2),
        escalated=True,
    )
    CaseSupervision.objects.filter(comment="旧意见").update(created_at=now - timedelta(days=3))
    other_version = item_version(unit=world.units["station2"])
    other = case_in_state(
        version=other_version,
        applicant=world.applicant,
        state=S.IN_REVIEW,
        warning_level=WarningLevel.RED,
    )

    page = login_verified(client, officers["admin"]).get(SUPERVISION).content.decode()
    for case in (red, yellow, supervised, other):
        assert f'href="/work/cases/{case.number}/"' in page
    assert green.number not in page and closed_red.number not in page
    assert page.index(red.number) < page.index(yellow.number) < page.index(supervised.number)
    assert "劝业场派出所" in page and "小白楼派出所" in page
    assert "已超期 1 件" in page and "即将到期 1 件" in page and "督办中 1 件" in page
    assert "请于本周内办结" in page and "旧意见" not in page
    assert "升级督办" in page

    # a supervisor of the sibling station sees only its own unit's case
    page = login_verified(client, officers["s2-supervisor"]).get(SUPERVISION).content.decode()
    assert other.number in page and red.number not in page and "劝业场派出所" not in page


def test_supervision_view_query_count_is_constant(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    login_verified(client, officers["supervisor"])

    def make(n: int) -> None:
        for i in range(n):
            case = _case(world, S.IN_REVIEW, warning_level=WarningLevel.RED if i % 2 else "")
            if not i % 2:
                CaseSupervision.objects.create(
                    case=case, supervisor=officers["supervisor"], comment=f"意见{i}"
                )

    make(5)
    client.get(SUPERVISION)  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(SUPERVISION).status_code == 200
    make(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(SUPERVISION)
    assert response.content.decode().count('class="case-row"') == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_inbox_links_to_supervision_for_supervisors_only(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    link = 'href="/work/cases/supervision/"'
    assert link in login_verified(client, officers["supervisor"]).get(INBOX).content.decode()
    assert link not in login_verified(client, officers["reviewer"]).get(INBOX).content.decode()


# --- bulk acceptance -----------------------------------------------------------------------


@pytest.fixture
def spot(world: World) -> Any:
    return item_version(unit=world.units["station1"], on_the_spot=True)


def test_inbox_offers_checkboxes_only_on_submitted_on_the_spot_cases(
    client: Client, world: World, officers: dict[str, User], spot: Any
) -> None:
    ok = case_in_state(version=spot, applicant=world.applicant, state=S.SUBMITTED)
    accepted = case_in_state(version=spot, applicant=world.applicant, state=S.ACCEPTED)
    ordinary = _case(world, S.SUBMITTED)
    page = login_verified(client, officers["window_clerk"]).get(INBOX).content.decode()
    assert f'name="cases" value="{ok.number}"' in page
    assert f'value="{accepted.number}"' not in page
    assert f'value="{ordinary.number}"' not in page
    assert "批量受理" in page
    # a reviewer cannot accept, so gets no bulk form
    page = login_verified(client, officers["reviewer"]).get(INBOX).content.decode()
    assert "批量受理" not in page and ok.number in page


def test_bulk_accept_accepts_each_eligible_case_and_refuses_the_rest(
    client: Client, world: World, officers: dict[str, User], spot: Any
) -> None:
    first = case_in_state(version=spot, applicant=world.applicant, state=S.SUBMITTED)
    second = case_in_state(version=spot, applicant=world.applicant, state=S.SUBMITTED)
    not_spot = _case(world, S.SUBMITTED)
    other_station = case_in_state(
        version=item_version(unit=world.units["station2"], on_the_spot=True),
        applicant=world.applicant,
        state=S.SUBMITTED,
    )
    login_verified(client, officers["window_clerk"])
    numbers = [first.number, not_spot.number, second.number, other_station.number]
    response = client.post(BULK, {"cases": numbers}, follow=True)
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert f"{first.number}：已受理。" in texts and f"{second.number}：已受理。" in texts
    refused = [t for t in texts if "不可批量受理" in t]
    assert len(refused) == 2
    assert any(not_spot.number in t for t in refused)
    assert any(other_station.number in t for t in refused)
    for case, state in (
        (first, S.ACCEPTED),
        (second, S.ACCEPTED),
        (not_spot, S.SUBMITTED),
        (other_station, S.SUBMITTED),
    ):
        case.refresh_from_db()
        assert case.state == state
    assert first.accepted_at is not None and first.promised_due_at is not None


def test_bulk_accept_by_a_reviewer_changes_nothing(
    client: Client, world: World, officers: dict[str, User], spot: Any
) -> None:
    case = case_in_state(version=spot, applicant=world.applicant, state=S.SUBMITTED)
    login_verified(client, officers["reviewer"])
    response = client.post(BULK, {"cases": [case.number]}, follow=True)
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1 and case.number in texts[0] and "已受理" not in texts[0]
    case.refresh_from_db()
    assert case.state == S.SUBMITTED


def test_bulk_accept_requires_post_and_a_selection(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    login_verified(client, officers["window_clerk"])
    assert client.get(BULK).status_code == 405
    response = client.post(BULK, {}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["请先勾选要受理的办件。"]
