"""好差评 pages and API: rating forms, refusals, the staff rectification pages, public stats."""

from __future__ import annotations

import json

import pytest
from conftest import login_verified
from django.test import Client

from onestop.accounts.models import Unit
from onestop.cases.choices import CaseState
from onestop.cases.tests.factories import case_in_state, item_version
from onestop.desk.tests.conftest import DeskWorld, build_desk_world
from onestop.ratings.choices import RectificationState
from onestop.ratings.models import Rating, Rectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def dw(unit_tree: dict[str, Unit]) -> DeskWorld:
    return build_desk_world(unit_tree)


def _public(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _stat(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    value = html.index('class="value">', start) + len('class="value">')
    return html[value : html.index("</strong>", value)]


def test_bad_rating_page_to_rectification_to_public_stats(dw: DeskWorld) -> None:
    version = item_version(unit=dw.units["station1"])
    case = case_in_state(version=version, applicant=dw.boss, state=CaseState.CLOSED)
    public = Client()
    before = public.get("/ratings/").content.decode()
    assert _stat(before, "stat-bad") == "0" and _stat(before, "stat-rectified") == "—"
    client = _public(dw.boss.user)
    assert client.get(f"/ratings/rate/case/{case.number}/").status_code == 200
    response = client.post(
        f"/ratings/rate/case/{case.number}/",
        {"level": "2", "indicators": ["many_visits"], "comment": "跑了三次", "real_name": "on"},
    )
    assert response.status_code == 302
    again = client.post(f"/ratings/rate/case/{case.number}/", {"level": "5"})
    assert again.status_code == 400 and "已经评价过" in again.content.decode()
    assert Rating.objects.count() == 1
    mid = public.get("/ratings/").content.decode()
    assert _stat(mid, "stat-bad") == "1" and _stat(mid, "stat-rectified") == "0%"
    assert _stat(mid, "stat-calls") == "0%"

    task = Rectification.objects.get()
    officer = login_verified(Client(), dw.officer)
    assert f"#{task.pk}" in officer.get("/work/ratings/").content.decode()
    base = f"/work/ratings/{task.pk}/"
    officer.post(base + "classify/", {"classify-classification": "valid", "classify-note": "属实"})
    refused = officer.post(base + "close/", {"close-outcome": "已整改"}, follow=True)
    assert "实名差评须先完成回访" in refused.content.decode()
    officer.post(base + "call/", {"call-reached": "on", "call-note": "已致歉"})
    officer.post(base + "close/", {"close-outcome": "窗口增设引导员"})
    assert Rectification.objects.get().state == RectificationState.CLOSED
    after = public.get("/ratings/").content.decode()
    assert _stat(after, "stat-rectified") == "100%" and _stat(after, "stat-calls") == "100%"
    assert "窗口增设引导员" in after
    assert Client().get(base).status_code == 302  # staff only
    assert login_verified(Client(), dw.outsider).get(base).status_code == 404


def test_rate_page_refuses_others_and_unfinished_cases(dw: DeskWorld) -> None:
    version = item_version(unit=dw.units["station1"])
    open_case = case_in_state(version=version, applicant=dw.boss, state=CaseState.IN_REVIEW)
    other = _public(dw.other.user)
    assert other.get(f"/ratings/rate/case/{open_case.number}/").status_code == 404
    mine = _public(dw.boss.user)
    response = mine.post(f"/ratings/rate/case/{open_case.number}/", {"level": "5"})
    assert response.status_code == 400 and "办理结束后才能评价" in response.content.decode()
    assert not Rating.objects.exists()


def test_api_rate_refusals(dw: DeskWorld) -> None:
    version = item_version(unit=dw.units["station1"])
    case = case_in_state(version=version, applicant=dw.boss, state=CaseState.CLOSED)
    open_case = case_in_state(version=version, applicant=dw.boss, state=CaseState.ACCEPTED)

    def rate(client: Client, number: str, level: int = 5) -> int:
        return client.post(
            "/api/v1/ratings/",
            data=json.dumps({"case": number, "level": level}),
            content_type="application/json",
        ).status_code

    assert rate(_public(dw.other.user), case.number) == 403
    assert rate(_public(dw.boss.user), open_case.number) == 409
    assert rate(_public(dw.boss.user), case.number) == 201
    assert rate(_public(dw.boss.user), case.number, 1) == 409
    assert Rating.objects.count() == 1
    stats = Client().get("/api/v1/ratings/stats/").json()
    assert stats["totals"]["total"] == 1 and stats["totals"]["satisfaction_rate"] == 1.0
