"""Case services: unit scope, commitment approval, conditional acceptance, numbers, drafts."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from stdnum.cn import uscc

from onestop.accounts import services as account_services
from onestop.accounts.choices import Role
from onestop.accounts.tests.factories import staff_user
from onestop.cases import selectors, services
from onestop.cases.choices import CaseState
from onestop.cases.errors import (
    IdempotencyConflict,
    IllegalTransition,
    InvalidRequest,
    NotAllowed,
)
from onestop.cases.models import Case, CaseEvent
from onestop.core.models import AuditEvent
from onestop.core.workdays import SHANGHAI

from .conftest import World
from .factories import case_in_state, item_version, material, person


def submitted(world: World, **kwargs: object) -> Case:
    case = services.case_create(actor=world.applicant.user, item_version=world.version)
    return services.case_submit(actor=world.applicant.user, case=case, **kwargs)  # type: ignore[arg-type]


def unchanged(case: Case) -> tuple[dict[str, object], int, int]:
    row = Case.objects.get(pk=case.pk)
    return (
        {**model_to_dict(row), "updated_at": row.updated_at},
        CaseEvent.objects.filter(case=case).count(),
        AuditEvent.objects.count(),
    )


# --- unit scope -----------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["station2", "hexi", "station3"])
def test_officer_of_another_unit_cannot_act(world: World, unit: str) -> None:
    case = submitted(world)
    outsider = staff_user(unit=world.units[unit], roles=[Role.WINDOW_CLERK, Role.REVIEWER])
    before = unchanged(case)
    with pytest.raises(NotAllowed) as info:
        services.case_accept(actor=outsider, case=case)
    assert info.value.code == "out_of_scope"
    assert unchanged(case) == before


@pytest.mark.parametrize("unit", ["heping", "bureau"])
def test_officer_above_the_handling_station_can_act(world: World, unit: str) -> None:
    case = submitted(world)
    above = staff_user(unit=world.units[unit], roles=[Role.WINDOW_CLERK])
    case = services.case_accept(actor=above, case=case)
    assert case.state == CaseState.ACCEPTED


def test_transfer_moves_the_case_to_the_competent_unit(world: World) -> None:
    case = services.case_accept(actor=world.staff["window_clerk"], case=submitted(world))
    case = services.case_transfer(
        actor=world.staff["window_clerk"], case=case, to_unit=world.units["station3"], reason="属地"
    )
    assert case.state == CaseState.ACCEPTED
    assert case.handling_unit == world.units["station3"]
    assert case.receiving_unit == world.units["station1"]
    # the original station can no longer act; the competent one can
    with pytest.raises(NotAllowed):
        services.case_start_review(actor=world.staff["reviewer"], case=case)
    reviewer3 = staff_user(unit=world.units["station3"], roles=[Role.REVIEWER])
    assert services.case_start_review(actor=reviewer3, case=case).state == CaseState.IN_REVIEW
    assert world.units["station3"] in [
        c.handling_unit for c in selectors.cases_for_officer(reviewer3)
    ]
    assert not selectors.cases_for_officer(world.staff["reviewer"]).filter(pk=case.pk).exists()


def test_reasons_are_required_and_a_missing_one_changes_nothing(world: World) -> None:
    case = submitted(world)
    before = unchanged(case)
    with pytest.raises(InvalidRequest) as info:
        services.case_refuse(actor=world.staff["window_clerk"], case=case, reason="  ")
    assert info.value.code == "reason_required"
    assert unchanged(case) == before


def test_full_journey_writes_a_public_timeline(world: World) -> None:
    clerk, reviewer, approver = (world.staff[r] for r in ("window_clerk", "reviewer", "approver"))
    case = submitted(world)
    case = services.case_accept(actor=clerk, case=case)
    case = services.case_start_review(actor=reviewer, case=case)
    case = services.case_request_supplement(actor=reviewer, case=case, reason="补正照片")
    assert case.paused_at is not None
    case = services.case_supply(actor=world.applicant.user, case=case)
    assert case.paused_at is None
    case = services.case_approve(actor=approver, case=case)
    case = services.case_issue_result(actor=clerk, case=case)
    case = services.case_collect(actor=clerk, case=case)
    case = services.case_close(actor=clerk, case=case)
    assert case.state == CaseState.CLOSED and case.on_time is True and case.closed_at
    actions = [e.action for e in selectors.case_public_timeline(case)]
    assert actions == [
        "create", "submit", "accept", "start_review", "request_supplement", "supply",
        "approve", "issue_result", "collect", "close",
    ]  # fmt: skip


# --- commitment approval --------------------------------------------------------------------


def commitment_world(world: World, rate: str) -> World:
    world.version = item_version(
        unit=world.units["station1"], commitment_approval=True, post_check_rate=Decimal(rate)
    )
    return world


def test_commitment_path_approves_at_once(world: World) -> None:
    commitment_world(world, "0")
    case = submitted(world, commitment_signed=True)
    assert case.state == CaseState.APPROVED
    assert case.commitment and case.commitment_signed_at is not None
    assert case.accepted_at == case.decided_at == case.submitted_at
    assert case.promised_due_at is not None and case.on_time is None
    assert case.warning_level == "none"  # decided: no longer at risk
    actions = list(case.events.values_list("action", "actor_label"))
    assert actions[-2:] == [("accept", "system"), ("approve", "system")]


def test_commitment_not_offered_by_the_item_is_refused(world: World) -> None:
    case = services.case_create(actor=world.applicant.user, item_version=world.version)
    before = unchanged(case)
    with pytest.raises(InvalidRequest):
        services.case_submit(actor=world.applicant.user, case=case, commitment_signed=True)
    assert unchanged(case) == before


@pytest.mark.parametrize("rate", ["0", "25", "100"])
def test_post_checks_are_sampled_at_the_rate(world: World, rate: str) -> None:
    commitment_world(world, rate)
    cases = [submitted(world, commitment_signed=True) for _ in range(80)]
    sampled = sum(c.post_check_required for c in cases)
    # deterministic: seeded by the case number, so the same cases are always picked
    assert sampled == sum(random.Random(c.number).random() * 100 < float(rate) for c in cases)
    if rate == "0":
        assert sampled == 0
    elif rate == "100":
        assert sampled == 80
    else:
        assert 8 <= sampled <= 32  # 25 % of 80 = 20, far inside the binomial spread


def test_failed_commitment_on_record_is_always_post_checked(world: World) -> None:
    commitment_world(world, "0")
    first = submitted(world, commitment_signed=True)
    assert not first.post_check_required
    services.case_revoke(actor=world.staff["approver"], case=first, reason="核查发现承诺不实")
    second = submitted(world, commitment_signed=True)
    assert second.post_check_required
    other = services.case_submit(
        actor=world.stranger.user,
        case=services.case_create(actor=world.stranger.user, item_version=world.version),
        commitment_signed=True,
    )
    assert not other.post_check_required


def test_passed_post_check_keeps_the_approval(world: World) -> None:
    commitment_world(world, "100")
    case = submitted(world, commitment_signed=True)
    assert services.post_check_pending(case)
    case = services.case_post_check(
        actor=world.staff["reviewer"], case=case, passed=True, findings="实地核查，承诺属实"
    )
    assert case.state == CaseState.APPROVED and case.decision == "approved"
    assert case.post_check_result == "passed" and case.post_checked_at is not None
    assert not services.post_check_pending(case)
    assert case.events.filter(action="post_check", public=False).count() == 1
    # a check is recorded once
    with pytest.raises(InvalidRequest) as info:
        services.case_post_check(
            actor=world.staff["reviewer"], case=case, passed=False, findings="再次核查"
        )
    assert info.value.code == "nothing_to_check"


def test_failed_post_check_revokes_and_is_recorded_against_the_applicant(world: World) -> None:
    commitment_world(world, "100")
    case = submitted(world, commitment_signed=True)
    case = services.case_post_check(
        actor=world.staff["approver"], case=case, passed=False, findings="经营场所与承诺不符"
    )
    assert case.state == CaseState.REVOKED and case.closed_at is not None
    assert case.post_check_result == "failed"
    events = list(case.events.order_by("pk").values_list("action", "actor_label", "public"))
    assert events[-2:] == [
        ("post_check", world.staff["approver"].get_username(), True),
        ("revoke", "system", True),
    ]
    # on record: the next commitment case of this applicant is always checked
    commitment_world(world, "0")
    assert submitted(world, commitment_signed=True).post_check_required


def test_post_check_needs_findings_and_a_sampled_commitment_case(world: World) -> None:
    commitment_world(world, "0")
    unsampled = submitted(world, commitment_signed=True)
    before = unchanged(unsampled)
    with pytest.raises(InvalidRequest) as info:
        services.case_post_check(
            actor=world.staff["reviewer"], case=unsampled, passed=False, findings="抽查"
        )
    assert info.value.code == "nothing_to_check"
    assert unchanged(unsampled) == before
    commitment_world(world, "100")
    sampled = submitted(world, commitment_signed=True)
    with pytest.raises(InvalidRequest) as info:
        services.case_post_check(
            actor=world.staff["reviewer"], case=sampled, passed=False, findings="  "
        )
    assert info.value.code == "reason_required"
    assert services.post_check_pending(Case.objects.get(pk=sampled.pk))


# --- conditional acceptance -----------------------------------------------------------------


@time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_conditional_acceptance_with_a_waivable_material_missing(world: World) -> None:
    case = submitted(world)
    contract = material(world.version, "租赁合同")
    case = services.case_accept(
        actor=world.staff["window_clerk"],
        case=case,
        missing_material_ids=[contract.pk],
        supply_by=date(2026, 11, 9),  # 5 working days after Monday 2 November
    )
    assert case.state == CaseState.ACCEPTED
    assert case.conditional and case.conditional_materials == [contract.pk]


@pytest.mark.parametrize(
    ("missing", "supply_by", "code"),
    [
        ("身份证", date(2026, 11, 4), "key_material_missing"),
        ("照片", date(2026, 11, 4), "key_material_missing"),
        ("租赁合同", None, "supply_date_required"),
        ("租赁合同", date(2026, 11, 10), "supply_date_too_late"),
        ("租赁合同", date(2026, 10, 30), "supply_date_too_late"),
    ],
)
@time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_conditional_acceptance_refused(
    world: World, missing: str, supply_by: date | None, code: str
) -> None:
    case = submitted(world)
    before = unchanged(case)
    with pytest.raises(InvalidRequest) as info:
        services.case_accept(
            actor=world.staff["window_clerk"],
            case=case,
            missing_material_ids=[material(world.version, missing).pk],
            supply_by=supply_by,
        )
    assert info.value.code == code
    assert unchanged(case) == before


def test_conditional_acceptance_needs_the_item_to_allow_it(world: World) -> None:
    world.version = item_version(unit=world.units["station1"], conditional_acceptance=False)
    case = submitted(world)
    with pytest.raises(InvalidRequest) as info:
        services.case_accept(
            actor=world.staff["window_clerk"],
            case=case,
            missing_material_ids=[material(world.version, "租赁合同").pk],
            supply_by=date.today(),
        )
    assert info.value.code == "conditional_not_offered"


# --- numbers, idempotency, drafts, public lookup ---------------------------------------------


@time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_case_numbers_are_sequential_and_unique(world: World) -> None:
    numbers = [submitted(world).number for _ in range(30)]
    assert numbers[0] == "TJ20261123000001"
    assert numbers[-1] == "TJ20261123000030"
    assert len(set(numbers)) == 30
    assert all(re.fullmatch(r"TJ20261123\d{6}", n) for n in numbers)


def test_case_number_unique_constraint(world: World) -> None:
    case = submitted(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        case_in_state(
            version=world.version,
            applicant=world.applicant,
            state=CaseState.SUBMITTED,
            number=case.number,
        )


def test_drafts_have_no_number(world: World) -> None:
    a = services.case_create(actor=world.applicant.user, item_version=world.version)
    b = services.case_create(actor=world.applicant.user, item_version=world.version)
    assert a.number == b.number == "" and a.pk != b.pk


def test_idempotency_key_returns_the_same_case(world: World) -> None:
    first = services.case_create(
        actor=world.applicant.user, item_version=world.version, idempotency_key="k-1"
    )
    again = services.case_create(
        actor=world.applicant.user, item_version=world.version, idempotency_key="k-1"
    )
    assert again.pk == first.pk
    assert Case.objects.filter(applicant=world.applicant).count() == 1
    other = services.case_create(
        actor=world.stranger.user, item_version=world.version, idempotency_key="k-1"
    )
    assert other.pk != first.pk
    version2 = item_version(unit=world.units["station1"])
    with pytest.raises(IdempotencyConflict):
        services.case_create(
            actor=world.applicant.user, item_version=version2, idempotency_key="k-1"
        )


def test_draft_update_only_by_the_applicant_and_only_as_draft(world: World) -> None:
    case = services.case_create(actor=world.applicant.user, item_version=world.version)
    case = services.case_draft_update(
        actor=world.applicant.user, case=case, form_data={"address": "和平路1号"}
    )
    assert Case.objects.get(pk=case.pk).form_data == {"address": "和平路1号"}
    with pytest.raises(NotAllowed):
        services.case_draft_update(actor=world.stranger.user, case=case, form_data={})
    services.case_submit(actor=world.applicant.user, case=case)
    with pytest.raises(IllegalTransition):
        services.case_draft_update(actor=world.applicant.user, case=case, form_data={})


def test_staff_cannot_apply(world: World) -> None:
    with pytest.raises(NotAllowed):
        services.case_create(actor=world.staff["window_clerk"], item_version=world.version)


def test_public_progress_lookup_needs_number_and_code(world: World) -> None:
    case = submitted(world)
    code = case.verification_code
    assert re.fullmatch(r"\d{6}", code)
    assert selectors.case_public_lookup(number=case.number, code=code) == case
    assert selectors.case_public_lookup(number=case.number.lower(), code=code) == case
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert selectors.case_public_lookup(number=case.number, code=wrong) is None
    assert selectors.case_public_lookup(number="TJ20000101000001", code=code) is None
    assert code not in Case.objects.get(pk=case.pk).verification_code_hash


def test_allowed_actions_lists_what_the_actor_may_do(world: World) -> None:
    case = submitted(world)
    assert set(services.allowed_actions(case, world.staff["window_clerk"])) == {
        "accept", "refuse", "transfer",
    }  # fmt: skip
    assert services.allowed_actions(case, world.applicant.user) == ["withdraw"]
    assert services.allowed_actions(case, world.stranger.user) == []
    case = services.case_accept(actor=world.staff["window_clerk"], case=case)
    assert "fulfil_conditional" not in services.allowed_actions(case, world.staff["reviewer"])


def test_an_agent_applies_for_an_enterprise_while_authorised(world: World) -> None:
    legal_rep, agent = (
        account_services.person_mark_verified(actor=None, person=p, method="test")
        for p in (world.applicant, person("王五"))
    )
    body = "91120101MA0000001"
    enterprise = account_services.enterprise_create(
        actor=None,
        credit_code=body + uscc.calc_check_digit(body),
        name="测试酒店有限公司",
        legal_representative_name=legal_rep.name,
        legal_representative_id=legal_rep.id_number,
    )
    account_services.enterprise_bind_legal_rep(
        person=legal_rep, credit_code=enterprise.credit_code, name=enterprise.name
    )
    membership = account_services.enterprise_authorise_agent(
        legal_rep=legal_rep,
        enterprise=enterprise,
        agent_id_number=agent.id_number,
        agent_name=agent.name,
        until=date.today() + timedelta(days=30),
    )
    with pytest.raises(NotAllowed):  # a stranger cannot apply for the enterprise
        services.case_create(
            actor=world.stranger.user, item_version=world.version, enterprise=enterprise
        )
    case = services.case_create(actor=agent.user, item_version=world.version, enterprise=enterprise)
    assert case.applicant == agent and case.agent == agent and case.enterprise == enterprise
    case = services.case_submit(actor=agent.user, case=case)
    # the legal representative may act on the enterprise's case too
    assert services.allowed_actions(case, legal_rep.user) == ["withdraw"]
    account_services.enterprise_revoke_agent(legal_rep=legal_rep, membership=membership)
    before = unchanged(case)
    with pytest.raises(NotAllowed):
        services.case_withdraw(actor=agent.user, case=case)
    assert unchanged(case) == before
    assert services.case_withdraw(actor=legal_rep.user, case=case).state == CaseState.WITHDRAWN


# --- notifications --------------------------------------------------------------------------


def test_applicant_is_notified_through_the_outbox_only_when_the_change_commits(
    world: World,
) -> None:
    from onestop.messaging.models import Message

    case = submitted(world)
    before = set(Message.objects.values_list("pk", flat=True))
    with pytest.raises(NotAllowed):
        services.case_accept(actor=world.staff["reviewer"], case=case)
    assert set(Message.objects.values_list("pk", flat=True)) == before
    services.case_accept(actor=world.staff["window_clerk"], case=case)
    notices = Message.objects.exclude(pk__in=before).filter(event="case.accept")
    assert {m.channel for m in notices} == {"in_app", "sms"}
    assert {m.recipient_id for m in notices} == {world.applicant.user_id}
    assert all(case.number in m.body for m in notices)


def test_supervision_is_recorded_for_staff_only(world: World) -> None:
    case = services.case_accept(actor=world.staff["window_clerk"], case=submitted(world))
    supervision = services.case_supervise(
        actor=world.staff["supervisor"], case=case, comment="请于本周内办结", escalated=True
    )
    assert supervision.escalated and supervision.supervisor == world.staff["supervisor"]
    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED
    assert "supervise" not in [e.action for e in selectors.case_public_timeline(case)]
    assert case.events.filter(action="supervise", public=False).exists()


# --- conditional acceptance follow-up -------------------------------------------------------


def conditional_case(world: World, **item: object) -> Case:
    """Accepted Monday 2 November 2026 10:00 with the lease missing, promised by Friday 6."""
    if item:
        world.version = item_version(unit=world.units["station1"], **item)
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        return services.case_accept(
            actor=world.staff["window_clerk"],
            case=submitted(world),
            missing_material_ids=[material(world.version, "租赁合同").pk],
            supply_by=date(2026, 11, 6),
        )


def sweep(day: int, hour: int = 9) -> tuple[int, int]:
    result = services.case_conditional_sweep(now=datetime(2026, 11, day, hour, tzinfo=SHANGHAI))
    return result.reminded, result.enforced


def test_reminder_the_working_day_before_then_the_consequence(world: World) -> None:
    case = conditional_case(world)
    assert sweep(4) == (0, 0)  # Wednesday: two working days left
    assert sweep(5) == (1, 0)  # Thursday: reminded once
    assert sweep(5, 15) == (0, 0)
    assert sweep(6, 17) == (0, 0)  # Friday, the promised day itself
    assert sweep(9) == (0, 1)  # Monday: the promise was not kept
    case.refresh_from_db()
    assert case.state == CaseState.TERMINATED and case.closed_at is not None
    last = case.events.order_by("-at", "-id").first()
    assert last is not None and last.public and last.actor_label == "system"
    assert "逾期未补正的，终止办理" in last.note
    assert sweep(10) == (0, 0)
    assert [e.action for e in selectors.case_public_timeline(case)][-2:] == [
        "conditional_reminder",
        "terminate",
    ]


def test_suspend_consequence_pauses_the_clock(world: World) -> None:
    case = conditional_case(world, conditional_consequence="逾期未补正的，中止办理")
    assert sweep(9) == (0, 1)
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED and case.paused_at is not None


def test_kept_promise_stops_reminders_and_consequence(world: World) -> None:
    case = conditional_case(world)
    assert "fulfil_conditional" in services.allowed_actions(case, world.staff["window_clerk"])
    case = services.case_conditional_fulfil(actor=world.staff["window_clerk"], case=case)
    assert case.conditional_fulfilled_at is not None
    assert "fulfil_conditional" not in services.allowed_actions(case, world.staff["window_clerk"])
    assert sweep(5) == (0, 0)
    assert sweep(9) == (0, 0)
    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED
    with pytest.raises(InvalidRequest):  # nothing left to fulfil
        services.case_conditional_fulfil(actor=world.staff["window_clerk"], case=case)


def test_fulfil_needs_a_conditional_case(world: World) -> None:
    case = services.case_accept(actor=world.staff["window_clerk"], case=submitted(world))
    before = unchanged(case)
    with pytest.raises(InvalidRequest) as info:
        services.case_conditional_fulfil(actor=world.staff["reviewer"], case=case)
    assert info.value.code == "nothing_to_fulfil"
    assert unchanged(case) == before
