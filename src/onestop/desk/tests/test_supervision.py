"""Social supervisors, their visit reports and feedback channel, and the yearly window
evaluation (示范窗口)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import login_verified
from django.test import Client

from onestop.desk import services
from onestop.desk.choices import EvaluationResult, TicketSource
from onestop.desk.errors import InvalidRequest, NotAllowed
from onestop.desk.models import Supervisor, SupervisorVisit, WindowEvaluation

from .conftest import DeskWorld

pytestmark = pytest.mark.django_db


def _register(dw: DeskWorld, **kw: object) -> Supervisor:
    fields: dict[str, object] = {
        "actor": dw.supervisor,
        "name": "李代表",
        "category": "npc_deputy",
        "unit": dw.units["heping"],
        "term_start": dt.date(2026, 1, 1),
        "term_end": dt.date(2027, 12, 31),
        "user": dw.other.user,
    }
    fields.update(kw)
    return services.supervisor_register(**fields)  # type: ignore[arg-type]


def test_register_supervisor_and_their_feedback_channel(dw: DeskWorld) -> None:
    with pytest.raises(NotAllowed):
        _register(dw, actor=dw.outsider)
    with pytest.raises(InvalidRequest):
        _register(dw, term_end=dt.date(2025, 1, 1))
    supervisor = _register(dw)
    ticket = services.ticket_submit(
        actor=dw.other.user, kind="feedback", title="窗口排队长", body="建议增开窗口"
    )
    assert ticket.source == TicketSource.SUPERVISOR and ticket.supervisor == supervisor


def test_visit_report_by_the_supervisor_and_the_units_response(dw: DeskWorld) -> None:
    with pytest.raises(NotAllowed):
        services.supervisor_visit_report(
            actor=dw.other.user,
            unit=dw.units["station1"],
            visited_on=dt.date(2026, 3, 1),
            findings="x",
        )
    _register(dw)
    client = Client()
    client.force_login(dw.other.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/desk/supervisor/",
        {
            "unit": dw.units["station1"].pk,
            "visited_on": "2026-03-01",
            "findings": "引导标识不清",
            "suggestions": "增加指示牌",
        },
    )
    assert response.status_code == 302
    visit = SupervisorVisit.objects.get()
    assert Client().get("/desk/supervisor/").status_code == 302
    stranger = Client()
    stranger.force_login(dw.boss.user, backend="django.contrib.auth.backends.ModelBackend")
    assert stranger.get("/desk/supervisor/").status_code == 404
    officer = login_verified(Client(), dw.officer)
    assert "引导标识不清" in officer.get("/work/desk/supervision/").content.decode()
    officer.post(
        f"/work/desk/supervision/visits/{visit.pk}/respond/", {"resp-response": "已增设指示牌"}
    )
    visit.refresh_from_db()
    assert visit.response == "已增设指示牌" and visit.responded_at is not None
    assert "已增设指示牌" in client.get("/desk/supervisor/").content.decode()
    outsider = login_verified(Client(), dw.outsider)
    assert (
        outsider.post(
            f"/work/desk/supervision/visits/{visit.pk}/respond/", {"resp-response": "x"}
        ).status_code
        == 404
    )


def test_yearly_window_evaluation(dw: DeskWorld) -> None:
    station = dw.units["station1"]
    with pytest.raises(NotAllowed):  # a window clerk does not evaluate
        services.window_evaluate(actor=dw.officer, unit=station, year=2025, score=Decimal(95))
    evaluation = services.window_evaluate(
        actor=dw.supervisor, unit=station, year=2025, score=Decimal("92.5")
    )
    assert evaluation.result == EvaluationResult.DEMONSTRATION
    again = services.window_evaluate(
        actor=dw.supervisor, unit=station, year=2025, score=Decimal(70)
    )
    assert again.pk == evaluation.pk and again.result == EvaluationResult.QUALIFIED
    assert WindowEvaluation.objects.count() == 1
    with pytest.raises(InvalidRequest):
        services.window_evaluate(actor=dw.supervisor, unit=station, year=2025, score=Decimal(101))
    client = login_verified(Client(), dw.supervisor)
    response = client.post(
        "/work/desk/supervision/evaluate/",
        {"eval-unit": dw.units["station2"].pk, "eval-year": "2025", "eval-score": "45"},
    )
    assert response.status_code == 302
    assert WindowEvaluation.objects.get(unit=dw.units["station2"]).result == "unqualified"
    assert "不合格" in client.get("/work/desk/supervision/").content.decode()
