"""A bad review reaches the rated unit's supervisors in the message centre after commit."""

from __future__ import annotations

import pytest

from onestop.accounts.models import Unit
from onestop.accounts.tests.factories import staff_user
from onestop.cases.choices import CaseState
from onestop.cases.tests.factories import case_in_state, item_version
from onestop.desk.tests.conftest import DeskWorld, build_desk_world
from onestop.messaging.models import Message
from onestop.ratings import services
from onestop.ratings.choices import Level

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dw(unit_tree: dict[str, Unit]) -> DeskWorld:
    return build_desk_world(unit_tree)


def test_bad_review_notifies_the_units_supervisors(dw: DeskWorld) -> None:
    station = dw.units["station1"]
    chief = staff_user(unit=station, roles=["supervisor"], username="station-chief")
    version = item_version(unit=station)
    case = case_in_state(version=version, applicant=dw.boss, state=CaseState.CLOSED)
    services.rating_submit(
        actor=dw.boss.user, case=case, level=Level.VERY_DISSATISFIED, comment="窗口推诿"
    )
    notices = list(Message.objects.filter(event="rating.bad_review"))
    assert [m.recipient_id for m in notices] == [chief.pk]
    assert case.number in notices[0].body and notices[0].link.startswith("/work/ratings/")
    assert not Message.objects.filter(recipient=dw.boss.user, event="rating.bad_review").exists()
