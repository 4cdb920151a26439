"""Every state × action × role: illegal transitions are refused and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict

from onestop.accounts.models import User
from onestop.cases import services
from onestop.cases.choices import Actor, CaseAction, CaseState
from onestop.cases.errors import CaseError, IllegalTransition, NotAllowed
from onestop.cases.models import Case, CaseEvent, CaseSupervision
from onestop.core.models import AuditEvent

from .conftest import World
from .factories import case_in_state

ROLES = ["applicant", "window_clerk", "reviewer", "approver", "supervisor", "stranger"]

Call = Callable[[World, User, Case], Any]

CALLS: dict[CaseAction, Call] = {
    CaseAction.SUBMIT: lambda w, a, c: services.case_submit(actor=a, case=c),
    CaseAction.ACCEPT: lambda w, a, c: services.case_accept(actor=a, case=c),
    CaseAction.REFUSE: lambda w, a, c: services.case_refuse(
        actor=a, case=c, reason="不属于本机关职权范围（《行政许可法》第三十二条）"
    ),
    CaseAction.START_REVIEW: lambda w, a, c: services.case_start_review(actor=a, case=c),
    CaseAction.REQUEST_SUPPLEMENT: lambda w, a, c: services.case_request_supplement(
        actor=a, case=c, reason="请补正租赁合同"
    ),
    CaseAction.SUPPLY: lambda w, a, c: services.case_supply(actor=a, case=c),
    CaseAction.SUSPEND: lambda w, a, c: services.case_suspend(actor=a, case=c, reason="需鉴定"),
    CaseAction.RESUME: lambda w, a, c: services.case_resume(actor=a, case=c),
    CaseAction.APPROVE: lambda w, a, c: services.case_approve(actor=a, case=c),
    CaseAction.DENY: lambda w, a, c: services.case_deny(actor=a, case=c, reason="不符合条件"),
    CaseAction.ISSUE_RESULT: lambda w, a, c: services.case_issue_result(actor=a, case=c),
    CaseAction.DELIVER: lambda w, a, c: services.case_deliver(actor=a, case=c),
    CaseAction.COLLECT: lambda w, a, c: services.case_collect(actor=a, case=c),
    CaseAction.CLOSE: lambda w, a, c: services.case_close(actor=a, case=c),
    CaseAction.WITHDRAW: lambda w, a, c: services.case_withdraw(actor=a, case=c),
    CaseAction.TRANSFER: lambda w, a, c: services.case_transfer(
        actor=a, case=c, to_unit=w.units["station2"], reason="属地管辖"
    ),
    CaseAction.REVOKE: lambda w, a, c: services.case_revoke(actor=a, case=c, reason="承诺不实"),
    CaseAction.SUPERVISE: lambda w, a, c: services.case_supervise(
        actor=a, case=c, comment="请加快办理"
    ),
    CaseAction.FULFIL_CONDITIONAL: lambda w, a, c: services.case_conditional_fulfil(
        actor=a, case=c
    ),
    CaseAction.POST_CHECK: lambda w, a, c: services.case_post_check(
        actor=a, case=c, passed=True, findings="经实地核查，承诺属实"
    ),
    # system only (the conditional sweep): no service a person can call; refused for everyone
    CaseAction.TERMINATE: lambda w, a, c: services._begin(
        case=c, actor=a, action=CaseAction.TERMINATE
    ),
}


def test_every_action_has_a_service() -> None:
    assert set(CALLS) == set(CaseAction)


def snapshot(case: Case) -> dict[str, Any]:
    row = Case.objects.get(pk=case.pk)
    return {
        "row": {**model_to_dict(row), "updated_at": row.updated_at},
        "events": CaseEvent.objects.filter(case=case).count(),
        "audit": AuditEvent.objects.count(),
        "supervisions": CaseSupervision.objects.count(),
    }


def expected(state: CaseState, action: CaseAction, role: str) -> CaseState | None:
    """The state after the action, or None if it must be refused."""
    transition = services.TRANSITIONS.get((state, action))
    if transition is None or role == "stranger" or Actor(role) not in transition.actors:
        return None
    return transition.to_state or state


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(CaseAction))
@pytest.mark.parametrize("state", list(CaseState))
def test_transition_matrix(
    db: None, shared_world: World, state: CaseState, action: CaseAction, role: str
) -> None:
    world = shared_world
    case = case_in_state(version=world.version, applicant=world.applicant, state=state)
    before = snapshot(case)
    outcome = expected(state, action, role)
    if outcome is None:
        with pytest.raises(CaseError) as info:
            CALLS[action](world, world.actor(role), case)
        assert isinstance(info.value, IllegalTransition | NotAllowed)
        assert str(info.value)  # a translated message for the page
        assert snapshot(case) == before
    else:
        CALLS[action](world, world.actor(role), case)
        after = snapshot(case)
        assert after["row"]["state"] == outcome
        assert after["events"] > before["events"]
        assert after["audit"] > before["audit"]


def test_illegal_transition_message_names_state_and_action(db: None, shared_world: World) -> None:
    world = shared_world
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.CLOSED)
    with pytest.raises(IllegalTransition) as info:
        services.case_accept(actor=world.staff["window_clerk"], case=case)
    assert info.value.code == "illegal_transition"
    assert "已办结" in str(info.value) and "受理" in str(info.value)


def test_stranger_learns_nothing_about_the_state(db: None, shared_world: World) -> None:
    """A person who is not the applicant gets "not allowed", never "illegal in state X"."""
    world = shared_world
    case = case_in_state(version=world.version, applicant=world.applicant, state=CaseState.CLOSED)
    with pytest.raises(NotAllowed):
        services.case_withdraw(actor=world.stranger.user, case=case)


STAFF_TRANSITIONS = sorted(
    (state, action)
    for (state, action), t in services.TRANSITIONS.items()
    if t.actors - {Actor.APPLICANT, Actor.SYSTEM}
)


@pytest.mark.parametrize("unit", ["station2", "station3", "hexi"])
@pytest.mark.parametrize(("state", "action"), STAFF_TRANSITIONS)
def test_officer_of_another_unit_is_refused(
    db: None, shared_world: World, state: CaseState, action: CaseAction, unit: str
) -> None:
    """An officer holding every role, but outside the handling unit's subtree, changes nothing."""
    world = shared_world
    case = case_in_state(version=world.version, applicant=world.applicant, state=state)
    before = snapshot(case)
    with pytest.raises(NotAllowed) as info:
        CALLS[action](world, world.staff[unit], case)
    assert info.value.code == "out_of_scope"
    assert snapshot(case) == before


@pytest.mark.parametrize(("state", "action"), STAFF_TRANSITIONS)
def test_officer_of_the_sub_bureau_above_may_act(
    db: None, shared_world: World, state: CaseState, action: CaseAction
) -> None:
    world = shared_world
    case = case_in_state(version=world.version, applicant=world.applicant, state=state)
    CALLS[action](world, world.staff["heping"], case)
    transition = services.TRANSITIONS[(state, action)]
    assert Case.objects.get(pk=case.pk).state == (transition.to_state or state)
