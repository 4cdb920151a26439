"""The year-of-activity generator (issue 10) over the shared demo data: deterministic for a seed,
rows consistent with the cases state machine and deadlines, late shares plausible, re-runs
replacing instead of adding, and the staff and portal pages rendering the generated rows.

``demo_load`` and one generator run take most of a minute, so they run once per module inside a
transaction rolled back at the end; each test still runs in its own rolled-back savepoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from conftest import login_verified
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from onestop.accounts.choices import Role
from onestop.accounts.models import Person, Unit
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState
from onestop.cases.models import Case, CaseEvent
from onestop.core import workdays
from onestop.core.workdays import OfficeHours
from onestop.demo.activity import MARK, ActivityError, generate_activity
from onestop.desk.choices import TicketKind
from onestop.desk.models import Ticket
from onestop.ratings.choices import BAD_LEVELS
from onestop.ratings.models import Rating, Rectification
from onestop.seals.models import SealOrder

pytestmark = pytest.mark.django_db

SEED = 2026
DAYS = 365
SCALE = 0.05
#: a fixed end in the past, so that the horizon (and with it every draw) is the same each run
END = date.today() - timedelta(days=1)
ENDED = (CaseState.REFUSED, CaseState.CLOSED, CaseState.REVOKED, CaseState.TERMINATED)


def _generated_cases() -> Any:
    return Case.objects.filter(applicant__verification_method=MARK)


def _snapshot() -> dict[str, Any]:
    """Numbers and instants of the generated rows, independent of primary keys."""
    cases = _generated_cases().order_by("number")
    return {
        "cases": list(
            cases.values_list("number", "state", "submitted_at", "decided_at", "closed_at")
        ),
        "events": CaseEvent.objects.filter(case__in=cases).count(),
        "tickets": list(
            Ticket.objects.filter(number__in=_ticket_numbers())
            .order_by("number")
            .values_list("number", "state", "submitted_at", "replied_at")
        ),
        "seal_orders": list(
            SealOrder.objects.filter(applicant__verification_method=MARK)
            .order_by("number")
            .values_list("number", "state", "submitted_at", "elapsed_working")
        ),
        "ratings": Rating.objects.filter(rater__person__verification_method=MARK).count(),
    }


def _ticket_numbers() -> list[str]:
    users = Person.objects.filter(verification_method=MARK).values_list("user_id", flat=True)
    return list(Ticket.objects.filter(reporter_id__in=users).values_list("number", flat=True))


@pytest.fixture(scope="module")
def generated(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Demo data plus one generator run; the counts it returned and a snapshot of the rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_load", quiet_accounts=True, verbosity=0)
        counts = generate_activity(days=DAYS, scale=SCALE, seed=SEED, end=END)
        yield {"counts": counts, "snapshot": _snapshot()}
        transaction.set_rollback(True)


def test_rejects_bad_arguments_and_changes_nothing(generated: dict[str, Any]) -> None:
    before = _snapshot()
    with pytest.raises(ActivityError):
        generate_activity(days=0, scale=SCALE, seed=SEED, end=END)
    with pytest.raises(ActivityError):
        generate_activity(days=DAYS, scale=0, seed=SEED, end=END)
    assert _snapshot() == before == generated["snapshot"]


def test_rerun_is_deterministic_and_replaces(generated: dict[str, Any]) -> None:
    first = generated["snapshot"]
    assert len(first["cases"]) >= 100
    assert first["tickets"] and first["seal_orders"] and first["ratings"]
    counts = generate_activity(days=DAYS, scale=SCALE, seed=SEED, end=END)
    assert counts["cleared_cases"] == len(first["cases"])
    again = dict(counts)
    again.pop("cleared_cases")
    before = dict(generated["counts"])
    before.pop("cleared_cases")
    # people, enterprises and officers are kept and reused, so a re-run creates none of them
    for kind in ("persons", "officers", "enterprises"):
        before.pop(kind, None)
        assert again.pop(kind, 0) == 0
    assert again == before
    second = _snapshot()
    # same rows, not twice as many: numbers restart after the sequences reset by the clear
    assert second == first
    numbers = [row[0] for row in second["cases"]]
    assert len(numbers) == len(set(numbers))


def test_other_seed_gives_other_activity(generated: dict[str, Any]) -> None:
    generate_activity(days=DAYS, scale=SCALE, seed=SEED + 1, end=END)
    other = _snapshot()
    assert other["cases"] != generated["snapshot"]["cases"]
    assert abs(len(other["cases"]) - len(generated["snapshot"]["cases"])) < 10


def test_case_instants_and_on_time(generated: dict[str, Any]) -> None:
    cases = list(_generated_cases())
    closed = [c for c in cases if c.closed_at is not None]
    assert closed
    for case in closed:
        assert case.submitted_at is not None
        assert case.submitted_at <= case.closed_at, case.number
        if case.accepted_at is not None:
            assert case.submitted_at <= case.accepted_at <= case.closed_at, case.number
        if case.decided_at is not None:
            assert case.accepted_at is not None and case.accepted_at <= case.decided_at
            assert case.decided_at <= case.closed_at, case.number
    timed = [c for c in cases if c.on_time is not None]
    for case in timed:
        # as cases.services._record_on_time: decided (or closed) by the promised instant
        assert case.promised_due_at is not None, case.number
        finished = case.decided_at or case.closed_at
        assert finished is not None
        assert case.on_time == (finished <= case.promised_due_at), case.number
    decided = [c for c in cases if c.decided_at is not None and c.promised_due_at is not None]
    for case in decided:
        if case.state in ENDED:
            assert case.on_time is not None, case.number
    late = sum(1 for c in timed if not c.on_time)
    assert timed and 0 < late < 0.4 * len(timed), (late, len(timed))


def test_case_timelines_end_in_the_case_state(generated: dict[str, Any]) -> None:
    last: dict[int, CaseEvent] = {}
    for event in CaseEvent.objects.filter(case__applicant__verification_method=MARK).exclude(
        to_state=""
    ):
        last[event.case_id] = event  # ordered by case, at, id
    cases = list(_generated_cases())
    assert len(last) == len(cases)
    for case in cases:
        event = last[case.pk]
        assert event.to_state == case.state, (case.number, event.action, case.state)
        assert case.submitted_at is not None and event.at >= case.submitted_at
    states = {c.state for c in cases}
    assert {CaseState.CLOSED, CaseState.REFUSED} <= states
    assert states & {CaseState.ACCEPTED, CaseState.IN_REVIEW, CaseState.SUPPLEMENT_REQUESTED}


def test_seal_orders_elapsed_time(generated: dict[str, Any]) -> None:
    hours = OfficeHours.default()
    ready = list(
        SealOrder.objects.filter(applicant__verification_method=MARK).exclude(ready_at=None)
    )
    assert ready
    slow = 0
    for order in ready:
        assert order.ready_at is not None and order.elapsed_working is not None
        assert order.elapsed_working == workdays.working_time_between(
            order.submitted_at, order.ready_at
        ), order.number
        if order.elapsed_working > hours.working_days(order.promise_days):
            slow += 1
    assert 0 < slow < 0.4 * len(ready), (slow, len(ready))


def test_complaints_some_late(generated: dict[str, Any]) -> None:
    complaints = list(
        Ticket.objects.filter(number__in=_ticket_numbers(), kind=TicketKind.COMPLAINT)
    )
    assert complaints
    answered = [t for t in complaints if t.first_reply_on_time is not None]
    assert answered
    for ticket in answered:
        assert ticket.replied_at is not None
        assert ticket.first_reply_on_time == (ticket.replied_at <= ticket.due_at), ticket.number
    assert any(t.first_reply_on_time is False for t in answered)
    tickets = Ticket.objects.filter(number__in=_ticket_numbers()).exclude(first_reply_on_time=None)
    late = tickets.filter(first_reply_on_time=False).count()
    assert 0 < late < 0.4 * tickets.count(), (late, tickets.count())


def test_bad_ratings_open_rectifications(generated: dict[str, Any]) -> None:
    ratings = Rating.objects.filter(rater__person__verification_method=MARK)
    bad = list(ratings.filter(level__in=BAD_LEVELS))
    assert bad and ratings.exclude(level__in=BAD_LEVELS).exists()
    tasks = {r.rating_id: r for r in Rectification.objects.filter(rating__in=bad)}
    assert set(tasks) == {r.pk for r in bad}
    for rating in bad:
        task = tasks[rating.pk]
        assert task.unit_id == rating.unit_id
        assert task.created_at >= rating.created_at
        if task.return_call_at is not None:
            assert task.return_call_at >= task.created_at
    assert not Rectification.objects.filter(
        rating__in=ratings.exclude(level__in=BAD_LEVELS)
    ).exists()


def _staff_client(client: Client, unit: Unit) -> Client:
    officer = staff_user(
        unit=unit,
        roles=[Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR],
        username="activity-officer",
    )
    return login_verified(client, officer)


def test_staff_pages_render_generated_cases(generated: dict[str, Any], client: Client) -> None:
    case = _generated_cases().filter(state=CaseState.CLOSED).order_by("number").first()
    assert case is not None
    staff = _staff_client(client, case.handling_unit)
    inbox = staff.get(reverse("cases-staff:inbox"))
    assert inbox.status_code == 200
    page = staff.get(reverse("cases-staff:case", args=[case.number]))
    assert page.status_code == 200
    assert case.number in page.content.decode()


def test_portal_my_cases_renders_generated_cases(generated: dict[str, Any], client: Client) -> None:
    case = _generated_cases().select_related("applicant__user").order_by("number").first()
    assert case is not None
    user = case.applicant.user
    assert user is not None
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    mine = client.get(reverse("cases:mine"))
    assert mine.status_code == 200
    owned = _generated_cases().filter(applicant=case.applicant).order_by("-submitted_at")
    assert owned.first().number in mine.content.decode()  # type: ignore[union-attr]
    detail = client.get(reverse("cases:mine-detail", args=[case.number]))
    assert detail.status_code == 200


def test_command_reports_and_guards(generated: dict[str, Any]) -> None:
    out = StringIO()
    call_command("demo_activity", days=30, scale=SCALE, seed=SEED, stdout=out)
    assert "demo activity: " in out.getvalue() and "cases " in out.getvalue()
    # the 30-day run replaced the year: only cases of the last 30 days (and no duplicates) remain
    numbers = list(_generated_cases().values_list("number", flat=True))
    assert numbers and len(numbers) < len(generated["snapshot"]["cases"])
    assert len(numbers) == len(set(numbers))
    with pytest.raises(CommandError):
        call_command("demo_activity", days=0, stdout=StringIO())
    with override_settings(ONESTOP_ENV="production"), pytest.raises(CommandError):
        call_command("demo_activity", days=30, scale=SCALE, stdout=StringIO())
    assert len(list(_generated_cases().values_list("number", flat=True))) == len(numbers)
