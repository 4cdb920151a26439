"""Staff case pages: scope, inbox ordering and query count, action buttons, errors."""

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
from .factories import case_in_state, item_version, material

# Until config/urls.py mounts the staff case pages, these tests mount them the same way.
_MOUNTED = any(getattr(p, "namespace", None) == "cases-staff" for p in root_urls.urlpatterns)
urlpatterns = list(root_urls.urlpatterns)
if not _MOUNTED:
    urlpatterns.insert(0, path("work/cases/", include("onestop.cases.urls_staff")))

S = CaseState


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def officers(world: World) -> dict[str, User]:
    """One verified officer per role at station 1 (the world's handling unit), plus officers
    with every role at station 2 (a sibling) and at the sub-bureau above station 1."""
    units = world.units
    people = {
        role.value: staff_user(unit=units["station1"], roles=[role], username=f"v-{role.value}")
        for role in (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR)
    }
    every = [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR]
    people["station2"] = staff_user(unit=units["station2"], roles=every, username="v-s2")
    people["heping"] = staff_user(unit=units["heping"], roles=every, username="v-hp")
    return people


def _as(client: Client, user: User) -> Client:
    return login_verified(client, user)


def _case(world: World, state: CaseState, **overrides: Any) -> Case:
    return case_in_state(version=world.version, applicant=world.applicant, state=state, **overrides)


def _url(case: Case, action: str = "") -> str:
    return f"/work/cases/{case.number}/" + (f"{action}/" if action else "")


# --- scope ---------------------------------------------------------------------------------


def test_case_page_is_404_outside_the_subtree_and_200_above(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    assert _as(client, officers["station2"]).get(_url(case)).status_code == 404
    assert _as(client, officers["heping"]).get(_url(case)).status_code == 200
    assert _as(client, officers["window_clerk"]).get(_url(case)).status_code == 200


def test_other_station_neither_lists_nor_acts(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    _as(client, officers["station2"])
    assert case.number not in client.get("/work/cases/").content.decode()
    response = client.post(_url(case, "accept"), {"accept-note": ""})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == S.SUBMITTED


def test_pages_require_a_verified_officer(client: Client, world: World) -> None:
    case = _case(world, S.SUBMITTED)
    client.force_login(world.applicant.user)
    assert client.get("/work/cases/").status_code in (302, 403)
    assert client.get(_url(case)).status_code in (302, 403)


# --- inbox ---------------------------------------------------------------------------------


def test_inbox_sorts_red_then_yellow_then_promised_due(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    now = timezone.now()
    no_due = _case(world, S.SUBMITTED)
    later = _case(world, S.IN_REVIEW, promised_due_at=now + timedelta(days=3))
    sooner = _case(world, S.IN_REVIEW, promised_due_at=now + timedelta(days=1))
    yellow = _case(
        world, S.IN_REVIEW, promised_due_at=now + timedelta(days=5), warning_level="yellow"
    )
    red = _case(world, S.IN_REVIEW, promised_due_at=now - timedelta(hours=1), warning_level="red")
    closed = _case(world, S.CLOSED)
    page = _as(client, officers["reviewer"]).get("/work/cases/").content.decode()
    positions = [page.index(c.number) for c in (red, yellow, sooner, later, no_due)]
    assert positions == sorted(positions)
    assert closed.number not in page  # the default view shows open cases only
    assert 'class="badge danger"' in page and 'class="badge warn"' in page
    assert "红色预警（已超期）" in page and "黄色预警" in page


def test_inbox_filters(client: Client, world: World, officers: dict[str, User]) -> None:
    submitted = _case(world, S.SUBMITTED)
    red = _case(world, S.IN_REVIEW, warning_level=WarningLevel.RED)
    closed = _case(world, S.CLOSED)
    other_item = item_version(unit=world.units["station1"])
    other = case_in_state(version=other_item, applicant=world.applicant, state=S.SUBMITTED)
    _as(client, officers["window_clerk"])

    def numbers(query: str) -> set[str]:
        page = client.get("/work/cases/" + query).content.decode()
        return {c.number for c in (submitted, red, closed, other) if c.number in page}

    assert numbers("?state=submitted") == {submitted.number, other.number}
    assert numbers("?state=all") == {submitted.number, red.number, closed.number, other.number}
    assert numbers("?warning=red") == {red.number}
    # approved under commitment, sampled and not yet checked (the factory's approved cases)
    to_check = _case(world, S.CLOSED, decision="approved")
    checked = _case(world, S.APPROVED, post_checked_at=timezone.now(), post_check_result="passed")
    page = client.get("/work/cases/?state=post_check").content.decode()
    assert to_check.number in page and checked.number not in page
    assert submitted.number not in page
    assert numbers(f"?item={other_item.item_id}") == {other.number}
    # "mine": only the cases this officer has acted on
    assert numbers("?scope=mine") == set()
    client.post(_url(submitted, "accept"), {"accept-note": ""})
    assert numbers("?scope=mine") == {submitted.number}


def test_inbox_history_views_list_newest_first(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    now = timezone.now()
    old = _case(world, S.CLOSED, submitted_at=now - timedelta(days=300))
    red = _case(world, S.IN_REVIEW, submitted_at=now - timedelta(days=20), warning_level="red")
    new = _case(world, S.CLOSED, submitted_at=now - timedelta(hours=2))
    _as(client, officers["reviewer"])
    page = client.get("/work/cases/?state=all").content.decode()
    assert page.index(new.number) < page.index(red.number) < page.index(old.number)
    assert "按提交时间由近及远排列" in page
    closed = client.get("/work/cases/?state=closed").content.decode()
    assert closed.index(new.number) < closed.index(old.number)
    assert red.number not in closed
    # the open view keeps the urgency order and says so
    assert "红色预警在前" in client.get("/work/cases/").content.decode()


def test_inbox_unit_filter_takes_the_subtree_and_only_units_in_scope(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    here = _case(world, S.SUBMITTED)
    station1, station2 = world.units["station1"], world.units["station2"]
    there_version = item_version(unit=station2)
    there = case_in_state(version=there_version, applicant=world.applicant, state=S.SUBMITTED)
    _as(client, officers["heping"])

    def numbers(query: str) -> set[str]:
        page = client.get("/work/cases/" + query).content.decode()
        return {c.number for c in (here, there) if c.number in page}

    assert numbers("") == {here.number, there.number}
    assert numbers(f"?unit={station1.code}") == {here.number}
    assert numbers(f"?unit={station2.code}") == {there.number}
    assert numbers(f"?unit={world.units['heping'].code}") == {here.number, there.number}
    # a station officer cannot pick a unit outside the subtree: the filter is refused
    _as(client, officers["window_clerk"])
    response = client.get(f"/work/cases/?unit={station2.code}")
    assert response.status_code == 200
    assert there.number not in response.content.decode()
    assert here.number in response.content.decode()  # the invalid filter is ignored, not obeyed


def test_inbox_shows_masked_applicant_state_and_provisional_due(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.IN_REVIEW, due_provisional=True)
    page = _as(client, officers["reviewer"]).get("/work/cases/").content.decode()
    assert world.version.name in page
    assert "张*" in page and "张三" not in page
    assert "审核中" in page
    assert "临时" in page
    local = timezone.localtime(case.promised_due_at, timezone.get_fixed_timezone(8 * 60))
    assert local.strftime("%Y-%m-%d %H:%M") in page  # shown in Beijing time
    assert f'<time datetime="{local.isoformat()}">' in page
    assert f'href="/work/cases/{case.number}/"' in page


def _inbox_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/work/cases/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_inbox_query_count_does_not_grow_with_rows(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    first_ten = [_case(world, S.IN_REVIEW) for _ in range(10)]
    _as(client, officers["reviewer"])
    _inbox_queries(client)  # warm the session and the workday calendar
    ten = _inbox_queries(client)
    for _ in range(40):
        case_in_state(version=world.version, applicant=world.stranger, state=S.SUBMITTED)
    fifty = _inbox_queries(client)
    assert fifty == ten
    page = client.get("/work/cases/").content.decode()
    assert all(c.number in page for c in first_ten)
    assert page.count('class="case-row"') == 50


def test_inbox_paginates_by_fifty(client: Client, world: World, officers: dict[str, User]) -> None:
    for _ in range(51):
        _case(world, S.SUBMITTED)
    _as(client, officers["window_clerk"])
    first = client.get("/work/cases/").content.decode()
    second = client.get("/work/cases/?page=2").content.decode()
    assert first.count('class="case-row"') == 50
    assert second.count('class="case-row"') == 1
    assert "第 2 / 2 页" in second


# --- the case page -------------------------------------------------------------------------


def test_case_page_shows_form_labels_materials_and_timeline(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    version = item_version(
        unit=world.units["station1"],
        form_schema={
            "type": "object",
            "properties": {
                "employer": {"type": "string", "title": "工作单位"},
                "with_family": {"type": "boolean", "title": "是否同时办理配偶、未成年子女随迁"},
            },
        },
    )
    case = case_in_state(
        version=version,
        applicant=world.applicant,
        state=S.SUBMITTED,
        form_data={"employer": "天津某科技有限公司", "with_family": True},
    )
    _as(client, officers["window_clerk"])
    client.post(_url(case, "refuse"), {"refuse-reason": "材料不齐全且不予补正"})
    page = client.get(_url(case)).content.decode()
    assert "工作单位" in page and "天津某科技有限公司" in page
    assert "是否同时办理配偶、未成年子女随迁" in page and "<td>是</td>" in page
    assert "身份证" in page and "租赁合同" in page
    assert "不予受理" in page and "材料不齐全且不予补正" in page  # timeline
    assert "已提交 → 不予受理" in page
    assert "张*" in page and "张三" not in page
    # Actors in words: the officer by name, never an opaque public username.
    clerk = officers["window_clerk"]
    assert (clerk.get_full_name() or clerk.get_username()) in page
    assert world.applicant.user.get_username() not in page


def test_case_page_shows_exactly_the_allowed_buttons(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    clerk_page = _as(client, officers["window_clerk"]).get(_url(case)).content.decode()
    assert _url(case, "accept") in clerk_page and _url(case, "refuse") in clerk_page
    assert _url(case, "transfer") in clerk_page
    assert _url(case, "start_review") not in clerk_page
    approver_page = _as(client, officers["approver"]).get(_url(case)).content.decode()
    assert "/accept/" not in approver_page and "/refuse/" not in approver_page


# (state, action, right role, wrong role, form data, expected state)
ACTION_CASES = [
    (S.SUBMITTED, "accept", "window_clerk", "reviewer", {}, S.ACCEPTED),
    (S.SUBMITTED, "refuse", "window_clerk", "approver", {"reason": "不属于本机关职权"}, S.REFUSED),
    (S.ACCEPTED, "start_review", "reviewer", "window_clerk", {}, S.IN_REVIEW),
    (
        S.IN_REVIEW,
        "request_supplement",
        "reviewer",
        "approver",
        {"materials": ["租赁合同"], "reason": "租赁合同须加盖出租方印章"},
        S.SUPPLEMENT_REQUESTED,
    ),
    (S.IN_REVIEW, "suspend", "reviewer", "window_clerk", {"reason": "需要鉴定"}, S.SUSPENDED),
    (S.SUSPENDED, "resume", "approver", "window_clerk", {}, S.IN_REVIEW),
    (S.IN_REVIEW, "approve", "approver", "reviewer", {}, S.APPROVED),
    (S.IN_REVIEW, "deny", "approver", "reviewer", {"reason": "不符合法定条件"}, S.DENIED),
    (S.APPROVED, "issue_result", "window_clerk", "reviewer", {}, S.RESULT_ISSUED),
    (S.RESULT_ISSUED, "deliver", "window_clerk", "approver", {}, S.DELIVERED),
    (S.RESULT_ISSUED, "collect", "window_clerk", "reviewer", {}, S.COLLECTED),
    (S.DELIVERED, "close", "window_clerk", "supervisor", {}, S.CLOSED),
    (S.APPROVED, "revoke", "approver", "window_clerk", {"reason": "承诺不实"}, S.REVOKED),
    (
        S.RESULT_ISSUED,
        "post_check",
        "reviewer",
        "window_clerk",
        {"result": "failed", "findings": "经营场所与承诺不符"},
        S.REVOKED,
    ),
]


def _post(client: Client, case: Case, action: str, data: dict[str, Any]) -> Any:
    return client.post(
        _url(case, action), {f"{action}-{k}": v for k, v in data.items()}, follow=True
    )


@pytest.mark.parametrize(("state", "action", "right", "wrong", "data", "to_state"), ACTION_CASES)
def test_action_button_changes_state_for_the_right_role_only(
    client: Client,
    world: World,
    officers: dict[str, User],
    state: CaseState,
    action: str,
    right: str,
    wrong: str,
    data: dict[str, Any],
    to_state: CaseState,
) -> None:
    case = _case(world, state)

    _as(client, officers[wrong])
    assert _url(case, action) not in client.get(_url(case)).content.decode()
    refused = _post(client, case, action, data)
    assert refused.status_code == 200
    assert 'class="message error"' in refused.content.decode()
    case.refresh_from_db()
    assert case.state == state
    assert not case.events.exists()

    _as(client, officers[right])
    assert _url(case, action) in client.get(_url(case)).content.decode()
    done = _post(client, case, action, data)
    assert done.redirect_chain[-1][0] == _url(case)
    assert "已办理" in done.content.decode()
    case.refresh_from_db()
    assert case.state == to_state
    assert case.events.filter(action=action, actor=officers[right]).exists()


def test_request_supplement_tells_the_materials_and_the_requirement(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.IN_REVIEW)
    _as(client, officers["reviewer"])
    _post(
        client, case, "request_supplement", {"materials": ["租赁合同", "照片"], "reason": "须原件"}
    )
    event = case.events.get(action="request_supplement")
    assert "租赁合同、照片" in event.note and "须原件" in event.note


def test_conditional_acceptance_and_fulfilment(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    waivable = material(world.version, "租赁合同")
    _as(client, officers["window_clerk"])
    # missing materials without a promised date: a form error, nothing changes
    page = _post(client, case, "accept", {"missing_materials": [waivable.pk]}).content.decode()
    assert "容缺受理须由申请人承诺补齐日期。" in page
    case.refresh_from_db()
    assert case.state == S.SUBMITTED
    supply_by = timezone.localdate() + timedelta(days=1)
    while supply_by.weekday() >= 5:
        supply_by += timedelta(days=1)
    _post(
        client,
        case,
        "accept",
        {"missing_materials": [waivable.pk], "supply_by": supply_by.isoformat()},
    )
    case.refresh_from_db()
    assert case.state == S.ACCEPTED and case.conditional
    assert "容缺待补" in client.get(_url(case)).content.decode()
    _post(client, case, "fulfil_conditional", {})
    case.refresh_from_db()
    assert case.conditional_fulfilled_at is not None


def test_transfer_moves_the_case_out_of_the_officers_scope(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.IN_REVIEW)
    _as(client, officers["reviewer"])
    response = client.post(
        _url(case, "transfer"),
        {"transfer-to_unit": world.units["station2"].pk, "transfer-reason": "属地管辖"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.handling_unit == world.units["station2"] and case.state == S.IN_REVIEW
    assert client.get(_url(case)).status_code == 404
    assert _as(client, officers["station2"]).get(_url(case)).status_code == 200


def test_supervision_is_recorded_and_shown(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.IN_REVIEW)
    _as(client, officers["supervisor"])
    page = _post(
        client, case, "supervise", {"comment": "请加快办理", "escalated": "on"}
    ).content.decode()
    supervision = CaseSupervision.objects.get(case=case)
    assert supervision.comment == "请加快办理" and supervision.escalated
    assert "请加快办理" in page and "升级督办" in page


def test_typed_service_errors_become_messages(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.IN_REVIEW)
    _as(client, officers["supervisor"])
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = _post(client, case, "supervise", {"comment": "请加快", "deadline": past})
    assert page.status_code == 200
    assert "督办期限须晚于当前时间。" in page.content.decode()
    assert not CaseSupervision.objects.filter(case=case).exists()
    # an action that is not legal from the state: a message, never a server error
    _as(client, officers["window_clerk"])
    page = _post(client, case, "accept", {})
    assert "不能执行" in page.content.decode()
    case.refresh_from_db()
    assert case.state == S.IN_REVIEW


def test_refusal_without_reason_shows_the_form_error(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    _as(client, officers["window_clerk"])
    response = client.post(_url(case, "refuse"), {"refuse-reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请按提示修改后再提交。" in page
    assert 'class="errorlist' in page and "请说明理由及法律依据。" in page
    assert '<details class="case-action danger" open>' in page
    case.refresh_from_db()
    assert case.state == S.SUBMITTED


def test_unknown_action_is_404_and_get_is_refused(
    client: Client, world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    _as(client, officers["window_clerk"])
    assert client.post(_url(case, "submit")).status_code == 404
    assert client.post(_url(case, "explode")).status_code == 404
    assert client.get(_url(case, "accept")).status_code == 405


def test_inbox_count_is_capped_and_says_so(
    client: Client, world: World, officers: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from onestop.cases.views import staff as staff_views

    monkeypatch.setattr(staff_views, "COUNT_CAP", 2)
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 1)
    for _ in range(3):
        _case(world, S.SUBMITTED)
    _as(client, officers["window_clerk"])
    page = client.get("/work/cases/").content.decode()
    assert "超过 2 件" in page


def test_item_filter_lists_only_items_with_cases_in_scope(
    world: World, officers: dict[str, User]
) -> None:
    from onestop.cases import selectors

    other_item = item_version(unit=world.units["station2"])
    case_in_state(version=other_item, applicant=world.applicant, state=S.SUBMITTED)
    _case(world, S.SUBMITTED)
    mine = {i.pk for i in selectors.items_in_officer_scope(officers["window_clerk"])}
    assert mine == {world.version.item_id}
