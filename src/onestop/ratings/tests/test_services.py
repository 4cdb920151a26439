"""好差评: who may rate, when and how often; bad reviews and their rectification; statistics."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import login_verified
from django.test import Client, override_settings

from onestop.accounts.models import Unit
from onestop.cases.choices import CaseState
from onestop.cases.tests.factories import case_in_state, item_version, person
from onestop.core.models import AuditEvent
from onestop.desk import services as desk
from onestop.desk.tests.conftest import DeskWorld, build_desk_world
from onestop.ratings import selectors, services
from onestop.ratings.choices import Classification, Level, RectificationState
from onestop.ratings.errors import (
    AlreadyRated,
    InvalidRating,
    InvalidState,
    NotAllowed,
    NotApplicant,
    NotEnded,
)
from onestop.ratings.models import Rating, Rectification

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def dw(unit_tree: dict[str, Unit]) -> DeskWorld:
    return build_desk_world(unit_tree)


@pytest.fixture
def closed_case(dw: DeskWorld):  # type: ignore[no-untyped-def]
    version = item_version(unit=dw.units["station1"])
    return case_in_state(version=version, applicant=dw.boss, state=CaseState.CLOSED)


def test_a_second_rating_of_the_same_case_is_refused(dw: DeskWorld, closed_case) -> None:  # type: ignore[no-untyped-def]
    services.rating_submit(actor=dw.boss.user, case=closed_case, level=Level.SATISFIED)
    with pytest.raises(AlreadyRated):
        services.rating_submit(actor=dw.boss.user, case=closed_case, level=Level.DISSATISFIED)
    assert Rating.objects.filter(case=closed_case).count() == 1
    assert Rating.objects.get(case=closed_case).level == Level.SATISFIED


def test_only_the_applicant_may_rate(dw: DeskWorld, closed_case) -> None:  # type: ignore[no-untyped-def]
    for stranger in (dw.other.user, dw.officer):
        with pytest.raises(NotApplicant):
            services.rating_submit(actor=stranger, case=closed_case, level=Level.SATISFIED)
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "state",
    [CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.APPROVED, CaseState.WITHDRAWN],
)
def test_no_rating_before_the_case_has_ended(dw: DeskWorld, state: CaseState) -> None:
    version = item_version(unit=dw.units["station1"])
    case = case_in_state(version=version, applicant=dw.boss, state=state)
    with pytest.raises(NotEnded):
        services.rating_submit(actor=dw.boss.user, case=case, level=Level.SATISFIED)
    assert not Rating.objects.exists()


def test_indicators_must_fit_the_level_and_bad_reviews_say_why(dw: DeskWorld, closed_case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRating):
        services.rating_submit(
            actor=dw.boss.user, case=closed_case, level=Level.SATISFIED, indicators=["slow"]
        )
    with pytest.raises(InvalidRating):
        services.rating_submit(actor=dw.boss.user, case=closed_case, level=Level.DISSATISFIED)
    with pytest.raises(InvalidRating):
        services.rating_submit(actor=dw.boss.user, case=closed_case, level=7)
    assert not Rating.objects.exists()


def test_bad_review_opens_a_rectification_closed_after_the_return_call(
    dw: DeskWorld,
    closed_case,  # type: ignore[no-untyped-def]
) -> None:
    at = dt.datetime(2026, 9, 30, 16, 0, tzinfo=SH)
    before = selectors.rating_totals()
    rating = services.rating_submit(
        actor=dw.boss.user,
        case=closed_case,
        level=Level.DISSATISFIED,
        indicators=["many_visits"],
        comment="跑了三次",
        now=at,
    )
    task = Rectification.objects.get(rating=rating)
    # 5 working days by default, across the National Day holiday
    assert task.due_at.astimezone(SH) == dt.datetime(2026, 10, 13, 17, 30, tzinfo=SH)
    assert task.unit == dw.units["station1"]
    with pytest.raises(NotAllowed):
        services.rectification_call_record(actor=dw.outsider, task=task, reached=True, note="x")
    services.rectification_classify(
        actor=dw.officer, task=task, classification=Classification.VALID, note="属实"
    )
    with pytest.raises(InvalidRating):  # a real-name bad review needs its return call
        services.rectification_close(actor=dw.officer, task=task, outcome="已整改")
    mid = selectors.rating_totals()
    assert (mid.bad, mid.rectified, mid.called) == (before.bad + 1, before.rectified, 0)
    services.rectification_call_record(
        actor=dw.officer, task=task, reached=True, note="已致歉并说明整改措施"
    )
    task = services.rectification_close(
        actor=dw.officer, task=task, outcome="优化窗口指引，一次告知"
    )
    assert task.state == RectificationState.CLOSED
    after = selectors.rating_totals()
    assert (after.rectified, after.called, after.return_call_rate) == (1, 1, 1.0)
    assert after.rectification_rate == 1.0
    with pytest.raises(InvalidState):
        services.rectification_call_record(actor=dw.officer, task=task, reached=True, note="x")
    by_unit = {s.key: s for s in selectors.rating_stats_by_unit()}
    assert by_unit[dw.units["station1"].pk].by_level[Level.DISSATISFIED] == 1
    (by_item,) = selectors.rating_stats_by_item()
    assert by_item.key == closed_case.item_version.item_id and by_item.total == 1


def test_good_review_opens_no_task_and_counts_as_satisfied(dw: DeskWorld, closed_case) -> None:  # type: ignore[no-untyped-def]
    services.rating_submit(
        actor=dw.boss.user, case=closed_case, level=Level.BASICALLY_SATISFIED, indicators=["fast"]
    )
    assert not Rectification.objects.exists()
    totals = selectors.rating_totals()
    assert (totals.total, totals.satisfaction_rate) == (1, 1.0)


def test_rectification_deadline_is_configurable(dw: DeskWorld, closed_case) -> None:  # type: ignore[no-untyped-def]
    at = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    with override_settings(ONESTOP_RATINGS={"rectification_days": 15}):
        rating = services.rating_submit(
            actor=dw.boss.user, case=closed_case, level=1, comment="差", now=at
        )
    assert rating.rectification.due_at.astimezone(SH) == dt.datetime(
        2026, 12, 14, 17, 30, tzinfo=SH
    )


def test_malicious_review_appeal_reviewed_by_another_supervisor(dw: DeskWorld, closed_case) -> None:  # type: ignore[no-untyped-def]
    rating = services.rating_submit(actor=dw.boss.user, case=closed_case, level=1, comment="差")
    task = rating.rectification
    services.rectification_classify(
        actor=dw.officer, task=task, classification=Classification.VALID, note="属实"
    )
    with pytest.raises(InvalidRating):  # a valid review cannot be appealed
        services.rectification_appeal(actor=dw.officer, task=task, reason="x")
    services.rectification_classify(
        actor=dw.officer, task=task, classification=Classification.MALICIOUS, note="与办件无关"
    )
    services.rectification_appeal(actor=dw.officer, task=task, reason="评价内容与本办件无关")
    with pytest.raises(NotAllowed):
        services.rectification_review(actor=dw.colleague, task=task, upheld=True, note="x")
    services.rectification_review(actor=dw.supervisor, task=task, upheld=True, note="申诉成立")
    assert Rating.objects.get(pk=rating.pk).excluded
    assert selectors.rating_totals().total == 0


def test_desk_ticket_is_rated_by_its_asker_after_closing(dw: DeskWorld) -> None:
    ticket = desk.ticket_submit(
        actor=dw.boss.user, kind="consultation", title="t", body="b", enterprise=dw.enterprise
    )
    with pytest.raises(NotEnded):
        services.rating_submit(actor=dw.boss.user, ticket=ticket, level=5)
    desk.ticket_reply(actor=dw.officer, ticket=ticket, reply="答")
    desk.ticket_accept(actor=dw.boss.user, ticket=ticket)
    with pytest.raises(NotApplicant):
        services.rating_submit(actor=dw.other.user, ticket=ticket, level=5)
    rating = services.rating_submit(actor=dw.boss.user, ticket=ticket, level=5)
    assert rating.unit == dw.units["station1"] and rating.item is None
    with pytest.raises(AlreadyRated):
        services.rating_submit(actor=dw.boss.user, ticket=ticket, level=4)


def test_anonymous_tip_reporter_can_rate_their_tip(dw: DeskWorld) -> None:
    tip = desk.ticket_submit(
        actor=dw.boss.user, kind="tip", title="t", body="b", anonymous=True, region_code="120101"
    )
    desk.ticket_reply(actor=dw.officer, ticket=tip, reply="已核查")
    desk.ticket_accept(actor=dw.boss.user, ticket=tip)
    rating = services.rating_submit(actor=dw.boss.user, ticket=tip, level=2, comment="慢")
    assert rating.rectification.state == RectificationState.OPEN
    # the rating does not tie the reporter to the tip: not real-name, no actor in the audit log
    assert not rating.real_name
    assert not AuditEvent.objects.filter(actor=dw.boss.user, action="ratings.submit").exists()
    page = login_verified(Client(), dw.officer).get(f"/work/ratings/{rating.rectification.pk}/")
    assert page.status_code == 200 and "张伟" not in page.content.decode()


def test_other_person_cannot_rate_even_with_a_case_of_their_own(dw: DeskWorld) -> None:
    version = item_version(unit=dw.units["station1"])
    mine = case_in_state(version=version, applicant=dw.other, state=CaseState.CLOSED)
    theirs = case_in_state(version=version, applicant=person("王五"), state=CaseState.CLOSED)
    services.rating_submit(actor=dw.other.user, case=mine, level=5)
    with pytest.raises(NotApplicant):
        services.rating_submit(actor=dw.other.user, case=theirs, level=5)
