"""The create-and-submit request (the API's ``submit: true``): insert first, no re-lock of the
row it just inserted, the person read once, and every record still written: number, timeline,
audit, outbox rows, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from onestop.accounts.models import Person
from onestop.cases import services
from onestop.cases.choices import CaseState
from onestop.cases.errors import InvalidRequest
from onestop.cases.models import Case, CaseEvent
from onestop.catalogue.models import ServiceItem
from onestop.config import urls as root_urls
from onestop.core.models import AuditEvent
from onestop.messaging.models import Message

from .conftest import World
from .factories import person
from .test_api import FORM, SCHEMA, _body, _client, _create

urlpatterns = [
    path("api/v1/cases/", include("onestop.cases.api.urls")),
    *root_urls.urlpatterns,
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _schema(world: World) -> None:
    world.version.form_schema = SCHEMA
    world.version.save(update_fields=["form_schema"])


def _sql(ctx: CaptureQueriesContext, fragment: str) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if fragment in q["sql"]]


def test_create_and_submit_keeps_every_record(world: World) -> None:
    client = _client(world.applicant.user)
    with CaptureQueriesContext(connection) as ctx:
        response = _create(client, _body(world, submit=True))
    assert response.status_code == 201, response.content
    answer = response.json()
    case = Case.objects.get(pk=answer["id"])
    assert case.state == CaseState.SUBMITTED
    assert case.number == answer["number"] and case.number.startswith("TJ")
    assert case.submitted_at is not None and case.idempotency_key == "k-1"
    assert case.verification_code_hash == services.verification_code_hash(
        case.number, answer["verification_code"]
    )
    assert [e["action"] for e in answer["timeline"]] == ["create", "submit"]
    assert answer["materials"] == [] and answer["allowed_actions"] == ["withdraw"]
    assert answer["item_code"] == world.version.item.code
    events = CaseEvent.objects.filter(case=case).order_by("id")
    assert [(e.action, e.to_state) for e in events] == [
        ("create", "draft"),
        ("submit", "submitted"),
    ]
    audits = AuditEvent.objects.filter(
        object_id=str(case.pk), action__in=["case.create", "case.submit", "message.case_event"]
    )
    assert sorted(audits.values_list("action", flat=True)) == [
        "case.create",
        "case.submit",
        "message.case_event",
    ]
    messages = Message.objects.filter(event="case.submit", object_ref=f"cases.case:{case.pk}")
    assert sorted(messages.values_list("channel", flat=True)) == ["in_app", "sms"]
    # the person once, no look-up of the key before the insert, no re-lock of the new row
    assert len(_sql(ctx, 'FROM "accounts_person"')) == 1
    assert not _sql(ctx, 'FROM "cases_case"')
    assert not _sql(ctx, "FOR UPDATE")


def test_submission_numbers_are_consecutive(world: World) -> None:
    client = _client(world.applicant.user)
    numbers = [
        _create(client, _body(world, submit=True), key=f"k-{n}").json()["number"] for n in range(2)
    ]
    with CaptureQueriesContext(connection) as ctx:
        numbers.append(_create(client, _body(world, submit=True), key="k-2").json()["number"])
    assert not _sql(ctx, 'FROM "accounts_unit"')  # the prefix's root code is kept
    serials = [int(number[-6:]) for number in numbers]
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2]
    assert len({number[:-6] for number in numbers}) == 1


def test_replay_answers_the_case_untouched(world: World) -> None:
    client = _client(world.applicant.user)
    first = _create(client, _body(world))
    assert first.status_code == 201
    again = _create(client, _body(world, submit=True))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["state"] == CaseState.DRAFT
    assert Case.objects.filter(applicant=world.applicant).count() == 1
    assert CaseEvent.objects.filter(case_id=first.json()["id"]).count() == 1


def test_replay_is_answered_after_the_item_lost_its_version(world: World) -> None:
    client = _client(world.applicant.user)
    first = _create(client, _body(world, submit=True))
    assert first.status_code == 201
    ServiceItem.objects.filter(pk=world.version.item_id).update(current=None)
    again = _create(client, _body(world, submit=True))
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    fresh = _create(client, _body(world, submit=True), key="k-2")
    assert fresh.status_code == 400
    assert Case.objects.count() == 1


def test_a_refused_submission_creates_nothing(world: World) -> None:
    client = _client(world.applicant.user)
    before = AuditEvent.objects.count()
    response = _create(client, _body(world, submit=True, commitment_signed=True))
    assert response.status_code == 400
    assert response.json()["code"] == "commitment_not_offered"
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists() and not Message.objects.exists()
    assert AuditEvent.objects.count() == before


def test_service_replay_is_marked_and_not_submitted_again(world: World) -> None:
    user = world.applicant.user
    kwargs: dict[str, Any] = {"actor": user, "item_version": world.version, "form_data": FORM}
    case = services.case_create(**kwargs, idempotency_key="x", submit=True)
    assert case.state == CaseState.SUBMITTED and not getattr(case, "idempotent_replay", False)
    again = services.case_create(**kwargs, idempotency_key="x", submit=True)
    assert again.pk == case.pk and again.idempotent_replay  # type: ignore[attr-defined]
    assert again.number == case.number
    assert CaseEvent.objects.filter(case=case).count() == 2
    # a check that refuses the request still answers the key's case
    world.version.status = "retired"
    world.version.save(update_fields=["status"])
    assert services.case_create(**kwargs, idempotency_key="x").pk == case.pk
    with pytest.raises(InvalidRequest):
        services.case_create(**kwargs, idempotency_key="y")


def test_prefix_follows_a_changed_root_unit_code(world: World) -> None:
    client = _client(world.applicant.user)
    assert _create(client, _body(world, submit=True)).json()["number"].startswith("TJ")
    bureau = world.units["bureau"]
    bureau.code = "JJ"
    bureau.save()
    assert _create(client, _body(world, submit=True), key="k-2").json()["number"].startswith("JJ")


def test_a_remembered_person_of_another_user_is_ignored(world: World) -> None:
    user = world.applicant.user
    services.remember_acting_person(user, world.stranger)
    assert services.acting_person(user) == world.applicant
    other = person("王五")
    services.remember_acting_person(other.user, other)
    assert services.acting_person(other.user) is other
    assert isinstance(services.acting_person(other.user), Person)
