"""Case API: idempotent filing, the applicant's own cases, staff scope and actions with typed
refusals mapped to HTTP codes (nothing changes on refusal)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import login_verified
from django.urls import include, path
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts import services as account_services
from onestop.accounts.choices import Role
from onestop.accounts.models import Person, User
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState, WarningLevel
from onestop.cases.models import Case, CaseEvent
from onestop.config import urls as root_urls

from .conftest import World
from .factories import case_in_state, material

# Until config/urls.py mounts the case API, these tests mount it at the same place.
urlpatterns = [
    path("api/v1/cases/", include("onestop.cases.api.urls")),
    path("api/v1/staff/cases/", include("onestop.cases.api.urls_staff")),
    *root_urls.urlpatterns,
]
pytestmark = pytest.mark.urls(__name__)

S = CaseState
SCHEMA = {
    "type": "object",
    "properties": {
        "address": {"type": "string", "title": "拟落户地址", "maxLength": 50},
        "floors": {"type": "integer", "title": "层数", "minimum": 1, "maximum": 4},
    },
    "required": ["address", "floors"],
}
FORM = {"address": "和平路1号", "floors": 3}
MINE = "/api/v1/cases/"
STAFF = "/api/v1/staff/cases/"


def _client(user: User) -> APIClient:
    person = Person.objects.filter(user=user).first()
    if person is not None and person.verified_at is None:
        account_services.person_mark_verified(actor=None, person=person, method="test")
    client = APIClient()
    login_verified(client, user)
    return client


@pytest.fixture(autouse=True)
def _schema(world: World) -> None:
    world.version.form_schema = SCHEMA
    world.version.save(update_fields=["form_schema"])


def _body(world: World, **overrides: Any) -> dict[str, Any]:
    return {"item_id": world.version.item_id, "form_data": FORM, **overrides}


def _create(client: APIClient, body: dict[str, Any], key: str | None = "k-1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(MINE, body, format="json", **headers)


def _case(world: World, state: CaseState, **overrides: Any) -> Case:
    return case_in_state(version=world.version, applicant=world.applicant, state=state, **overrides)


@pytest.fixture
def officers(world: World) -> dict[str, User]:
    """Verified officers (with a TOTP device) at station 1, plus one at station 2."""
    units = world.units
    people = {
        role.value: staff_user(unit=units["station1"], roles=[role], username=f"api-{role.value}")
        for role in (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER)
    }
    every = [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR]
    people["station2"] = staff_user(unit=units["station2"], roles=every, username="api-s2")
    people["heping"] = staff_user(unit=units["heping"], roles=every, username="api-hp")
    return people


# --- applicants -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_is_idempotent_per_key(world: World) -> None:
    client = _client(world.applicant.user)
    first = _create(client, _body(world))
    assert first.status_code == 201, first.content
    assert first.json()["state"] == S.DRAFT
    again = _create(client, _body(world))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.filter(applicant=world.applicant).count() == 1


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_409(world: World) -> None:
    client = _client(world.applicant.user)
    assert _create(client, _body(world)).status_code == 201
    response = _create(client, _body(world, form_data={**FORM, "address": "别处"}))
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert "幂等键" in response.json()["detail"]
    assert Case.objects.get(applicant=world.applicant).form_data == FORM


@pytest.mark.django_db
def test_create_without_key_is_400_and_creates_nothing(world: World) -> None:
    client = _client(world.applicant.user)
    response = _create(client, _body(world), key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_same_key_of_another_applicant_is_their_own_case(world: World) -> None:
    assert _create(_client(world.applicant.user), _body(world)).status_code == 201
    assert _create(_client(world.stranger.user), _body(world)).status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_create_and_submit_then_submit_draft(world: World) -> None:
    client = _client(world.applicant.user)
    draft = _create(client, _body(world)).json()
    assert draft["number"] == ""
    response = client.post(f"{MINE}{draft['id']}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == S.SUBMITTED
    assert data["number"]
    assert len(data["verification_code"]) == 6
    assert [e["action"] for e in data["timeline"]] == ["create", "submit"]
    # the draft id no longer addresses it; its number does, and submitting again is 409
    assert client.get(f"{MINE}{draft['id']}/").status_code == 404
    detail = client.get(f"{MINE}{data['number']}/").json()
    assert detail["verification_code"] is None
    again = client.post(f"{MINE}{data['number']}/submit/", {}, format="json")
    assert again.status_code == 409
    assert Case.objects.get().state == S.SUBMITTED


@pytest.mark.django_db
def test_form_data_is_checked_against_the_item_schema(world: World) -> None:
    client = _client(world.applicant.user)
    bad = _create(client, _body(world, form_data={"address": "x", "floors": 9}), key="bad")
    assert bad.status_code == 400
    assert "floors" in bad.json()["form_data"]
    incomplete = _create(client, _body(world, form_data={"address": "x"}, submit=True), key="i")
    assert incomplete.status_code == 400
    assert not Case.objects.exists()
    # an incomplete draft is fine, but cannot be submitted
    draft = _create(client, _body(world, form_data={"address": "x"}), key="d").json()
    response = client.post(f"{MINE}{draft['id']}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "floors" in response.json()["form_data"]
    assert Case.objects.get().state == S.DRAFT


@pytest.mark.django_db
def test_create_with_submit_in_one_call(world: World) -> None:
    client = _client(world.applicant.user)
    response = _create(client, _body(world, submit=True), key="one-shot")
    assert response.status_code == 201
    assert response.json()["state"] == S.SUBMITTED
    replay = _create(client, _body(world, submit=True), key="one-shot")
    assert replay.status_code == 200
    assert replay.json()["number"] == response.json()["number"]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_my_cases_lists_only_mine_and_others_are_404(world: World) -> None:
    mine = _case(world, S.SUBMITTED)
    theirs = case_in_state(version=world.version, applicant=world.stranger, state=S.SUBMITTED)
    client = _client(world.applicant.user)
    listed = client.get(MINE).json()
    assert [c["number"] for c in listed["results"]] == [mine.number]
    assert client.get(f"{MINE}{theirs.number}/").status_code == 404
    assert client.post(f"{MINE}{theirs.number}/withdraw/", {}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == S.SUBMITTED


@pytest.mark.django_db
def test_withdraw(world: World) -> None:
    case = _case(world, S.SUBMITTED)
    client = _client(world.applicant.user)
    response = client.post(f"{MINE}{case.number}/withdraw/", {"reason": "不办了"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == S.WITHDRAWN
    again = client.post(f"{MINE}{case.number}/withdraw/", {}, format="json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_unverified_person_is_403(world: World) -> None:
    client = APIClient()
    client.force_login(world.applicant.user, backend="django.contrib.auth.backends.ModelBackend")
    assert _create(client, _body(world)).status_code == 403
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_use_the_applicant_api(world: World, officers: dict[str, User]) -> None:
    assert _client(officers["window_clerk"]).get(MINE).status_code == 403
    assert APIClient().get(MINE).status_code == 403


# --- staff ------------------------------------------------------------------------------------


def _act(client: APIClient, case: Case, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{STAFF}{case.number}/actions/{action}/", body or {}, format="json")


@pytest.mark.django_db
def test_staff_list_is_scoped_and_filtered(world: World, officers: dict[str, User]) -> None:
    red = _case(world, S.ACCEPTED, warning_level=WarningLevel.RED)
    plain = _case(world, S.SUBMITTED)
    _case(world, S.CLOSED)
    _case(world, S.DRAFT)
    response = _client(officers["window_clerk"]).get(STAFF)
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["results"]] == [red.number, plain.number]
    by_warning = _client(officers["heping"]).get(STAFF, {"warning": "red"}).json()
    assert [c["number"] for c in by_warning["results"]] == [red.number]
    by_state = _client(officers["heping"]).get(STAFF, {"state": "submitted"}).json()
    assert [c["number"] for c in by_state["results"]] == [plain.number]
    assert _client(officers["station2"]).get(STAFF).json()["results"] == []


@pytest.mark.django_db
def test_staff_detail_has_allowed_actions_and_404_outside(
    world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.SUBMITTED)
    data = _client(officers["window_clerk"]).get(f"{STAFF}{case.number}/").json()
    assert {"accept", "refuse"} <= set(data["allowed_actions"])
    assert _client(officers["station2"]).get(f"{STAFF}{case.number}/").status_code == 404


@pytest.mark.django_db
def test_legal_action_changes_state(world: World, officers: dict[str, User]) -> None:
    case = _case(world, S.SUBMITTED)
    response = _act(_client(officers["window_clerk"]), case, "accept", {"note": "齐全"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == S.ACCEPTED
    case.refresh_from_db()
    assert case.state == S.ACCEPTED
    assert case.events.filter(action="accept", actor=officers["window_clerk"]).exists()


def _unchanged(case: Case, events: int) -> None:
    state = case.state
    case.refresh_from_db()
    assert case.state == state
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.mark.django_db
def test_illegal_action_is_409_and_unchanged(world: World, officers: dict[str, User]) -> None:
    case = _case(world, S.SUBMITTED)
    events = case.events.count()
    response = _act(_client(officers["approver"]), case, "approve")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    _unchanged(case, events)


@pytest.mark.django_db
def test_wrong_role_is_403_and_unchanged(world: World, officers: dict[str, User]) -> None:
    case = _case(world, S.SUBMITTED)
    events = case.events.count()
    response = _act(_client(officers["reviewer"]), case, "accept")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    _unchanged(case, events)


@pytest.mark.django_db
def test_invalid_input_is_400_and_unchanged(world: World, officers: dict[str, User]) -> None:
    case = _case(world, S.SUBMITTED)
    events = case.events.count()
    response = _act(_client(officers["window_clerk"]), case, "refuse", {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()
    _unchanged(case, events)


@pytest.mark.django_db
def test_other_station_is_404_and_unchanged(world: World, officers: dict[str, User]) -> None:
    case = _case(world, S.SUBMITTED)
    events = case.events.count()
    assert _act(_client(officers["station2"]), case, "accept").status_code == 404
    _unchanged(case, events)


@pytest.mark.django_db
def test_unverified_staff_session_is_403(world: World) -> None:
    case = _case(world, S.SUBMITTED)
    events = case.events.count()
    clerk = world.staff["window_clerk"]  # no TOTP device: the session is not verified
    client = _client(clerk)
    assert client.get(STAFF).status_code == 403
    assert _act(client, case, "accept").status_code == 403
    _unchanged(case, events)


@pytest.mark.django_db
def test_action_inputs_as_json(world: World, officers: dict[str, User]) -> None:
    case = _case(world, S.SUBMITTED)
    waivable = material(world.version, "租赁合同")
    clerk = _client(officers["window_clerk"])
    missing_date = _act(clerk, case, "accept", {"missing_materials": [waivable.pk]})
    assert missing_date.status_code == 400
    assert "supply_by" in missing_date.json()
    supply_by = timezone.localdate() + timedelta(days=1)
    while supply_by.weekday() >= 5:
        supply_by += timedelta(days=1)
    body = {"missing_materials": [waivable.pk], "supply_by": supply_by.isoformat()}
    response = _act(clerk, case, "accept", body)
    assert response.status_code == 200, response.content
    assert response.json()["conditional"] is True
    assert response.json()["conditional_materials"] == [waivable.pk]


@pytest.mark.django_db
def test_request_supplement_reaches_the_applicant_timeline(
    world: World, officers: dict[str, User]
) -> None:
    case = _case(world, S.IN_REVIEW)
    body = {"materials": ["租赁合同"], "reason": "须原件"}
    response = _act(_client(officers["reviewer"]), case, "request_supplement", body)
    assert response.status_code == 200, response.content
    detail = _client(world.applicant.user).get(f"{MINE}{case.number}/").json()
    assert detail["state"] == S.SUPPLEMENT_REQUESTED
    assert "须原件" in detail["timeline"][-1]["note"]
    assert "租赁合同" in detail["timeline"][-1]["note"]


@pytest.mark.django_db
def test_commitment_on_an_item_without_it_is_400(world: World) -> None:
    client = _client(world.applicant.user)
    draft = _create(client, _body(world)).json()
    response = client.post(
        f"{MINE}{draft['id']}/submit/", {"commitment_signed": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "commitment_not_offered"
    assert Case.objects.get().state == S.DRAFT


# --- eligibility on submission ------------------------------------------------------------------

FLOORS_RULE = [
    {
        "id": "floors",
        "title": "民宿消防审批豁免",
        "citation": "guangxi-2018#9",
        "outcome": "exempt",
        "when": {"field": "floors", "op": "<=", "value": 2, "label": "楼层数"},
    }
]


@pytest.mark.django_db
def test_submit_through_the_api_is_refused_when_the_rules_fail(world: World) -> None:
    world.version.eligibility_rules = FLOORS_RULE
    world.version.save(update_fields=["eligibility_rules"])
    client = _client(world.applicant.user)
    response = _create(client, _body(world, form_data={**FORM, "floors": 3}, submit=True))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "not_eligible" and body["detail"]
    assert body["eligibility"]["result"] == "fail"
    check = body["eligibility"]["rules"][0]["checks"][0]
    assert (check["status"], check["seen"], check["citation"]) == ("fail", 3, "guangxi-2018#9")
    assert not Case.objects.exists()  # create and submit are one transaction

    # a draft with the same facts cannot be submitted either, and stays a draft
    draft = _create(client, _body(world, form_data={**FORM, "floors": 3}), key="d-1").json()
    refused = client.post(f"{MINE}{draft['id']}/submit/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_eligible"
    assert Case.objects.get().state == S.DRAFT


@pytest.mark.django_db
def test_eligibility_is_stored_and_shown_to_the_officer(
    world: World, officers: dict[str, User]
) -> None:
    world.version.eligibility_rules = FLOORS_RULE
    world.version.save(update_fields=["eligibility_rules"])
    client = _client(world.applicant.user)
    response = _create(client, _body(world, form_data={**FORM, "floors": 2}, submit=True))
    assert response.status_code == 201, response.content
    assert response.json()["eligibility"]["result"] == "pass"
    case = Case.objects.get()
    assert case.eligibility["rules"][0]["checks"][0]["seen"] == 2
    officer = _client(officers["window_clerk"])
    detail = officer.get(f"{STAFF}{case.number}/").json()
    assert detail["eligibility"]["result"] == "pass"
    page = officer.get(f"/work/cases/{case.number}/").content.decode()
    assert "申请条件核验" in page and "guangxi-2018#9" in page and "填写值" in page


def test_event_action_label_agrees_with_the_label_table() -> None:
    from onestop.cases import selectors

    table = selectors.event_action_labels()
    for key, label in table.items():
        assert selectors.event_action_label(key) == label
    assert selectors.event_action_label("no-such-action") == "no-such-action"
