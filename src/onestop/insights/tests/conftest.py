"""Raw records with known timestamps for the metric tests: cases, seal orders, desk tickets,
ratings with their rectifications and catalogue items, spread over the last ~200 days across the
``unit_tree`` of the root conftest.

Rows are written with the ORM the way the owning services persist them (the fields the services
set at each step), so that every metric can be recomputed here directly from the raw records."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from stdnum.cn import ric, uscc

from onestop.accounts import services as account_services
from onestop.accounts.models import Enterprise, Person, Unit
from onestop.cases.choices import CaseChannel, CaseState, Decision
from onestop.cases.models import Case
from onestop.cases.tests.factories import case_in_state, item_version
from onestop.catalogue.choices import Delivery
from onestop.catalogue.models import ServiceItemVersion
from onestop.core import workdays
from onestop.desk.choices import TicketAction, TicketKind, TicketState
from onestop.desk.models import Ticket, TicketEvent
from onestop.policy.models import Commitment
from onestop.ratings.models import Rating, Rectification
from onestop.seals.models import EngravingShop, SealOrder

APPLICANT_NAME = "欧阳保密"
RATER_NAME = "司马评价"


@dataclass
class Raw:
    units: dict[str, Unit]
    versions: dict[str, ServiceItemVersion]
    applicant: Person
    rater: Person
    enterprise: Enterprise
    shops: dict[str, EngravingShop]
    cases: list[Case] = field(default_factory=list)
    orders: list[SealOrder] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    seq: int = 0

    def next(self) -> int:
        self.seq += 1
        return self.seq


def _person(name: str, n: int) -> Person:
    base = f"12010119800101{n:03d}"
    person = account_services.person_register(
        name=name,
        id_number=base + ric.calc_check_digit(base + "0"),
        mobile=f"1370000{n:04d}",
        password="correct-horse-battery-9",
    )
    return account_services.person_mark_verified(actor=None, person=person, method="test")


def _enterprise(legal_rep: Person) -> Enterprise:
    body = "91120101MA07B9876"
    code = body + uscc.calc_check_digit(body)
    account_services.enterprise_create(
        actor=None,
        credit_code=code,
        name="天津统计测试有限公司",
        legal_representative_name=legal_rep.name,
        legal_representative_id=legal_rep.id_number,
        region_code="120101",
    )
    return Enterprise.objects.get(credit_code=code)


def _shop(name: str, licence: str, region: str) -> EngravingShop:
    return EngravingShop.objects.create(
        name=name, licence_no=licence, region_code=region, address="测试路 1 号", prices={}
    )


def _link(version: ServiceItemVersion, *codes: str) -> None:
    version.commitments.add(*Commitment.objects.filter(code__in=codes))


def _instant(rng: random.Random, days_ago: int) -> datetime:
    """A local instant ``days_ago`` days back at a random minute of the day."""
    base = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return base - timedelta(days=days_ago) + timedelta(minutes=rng.randrange(24 * 60))


def add_case(
    raw: Raw,
    rng: random.Random,
    *,
    version: ServiceItemVersion,
    unit: Unit,
    days_ago: int,
    delivery: str = Delivery.WINDOW,
    decided: bool = True,
) -> Case:
    submitted = _instant(rng, days_ago)
    accepted = submitted + timedelta(hours=rng.randrange(0, 30))
    promised = workdays.working_days_deadline_at(accepted, int(version.promised_limit)).at
    fields: dict[str, object] = {
        "handling_unit": unit,
        "receiving_unit": unit,
        "submitted_at": submitted,
        "accepted_at": accepted,
        "promised_due_at": promised,
        "statutory_due_at": promised + timedelta(days=20),
        "channel": rng.choice([CaseChannel.ONLINE, CaseChannel.WINDOW, CaseChannel.MOBILE]),
        "delivery": delivery,
        "paused_total": timedelta(hours=rng.choice([0, 0, 0, 2])),
    }
    state = CaseState.IN_REVIEW
    if decided:
        decided_at = accepted + timedelta(hours=rng.randrange(1, 24 * 20))
        if decided_at > timezone.now():
            decided_at = timezone.now() - timedelta(minutes=rng.randrange(1, 600))
        state = CaseState.CLOSED
        fields.update(
            decided_at=decided_at,
            decision=Decision.APPROVED,
            closed_at=decided_at,
            on_time=decided_at <= promised,
        )
    case = case_in_state(version=version, applicant=raw.applicant, state=state, **fields)
    if not decided:
        Case.objects.filter(pk=case.pk).update(decided_at=None, decision="")
        case.refresh_from_db()
    raw.cases.append(case)
    return case


def add_order(raw: Raw, rng: random.Random, *, shop: EngravingShop, days_ago: int) -> SealOrder:
    submitted = _instant(rng, days_ago)
    promise = Decimal("0.5") if shop.region_code.startswith("12") else Decimal("1")
    ready = None
    elapsed = None
    if rng.random() < 0.85:
        ready = submitted + timedelta(hours=rng.randrange(1, 60))
        if ready > timezone.now():
            ready = timezone.now()
        elapsed = workdays.working_time_between(submitted, ready)
    order = SealOrder.objects.create(
        number=f"SO{raw.next():08d}",
        enterprise=raw.enterprise,
        applicant=raw.applicant,
        shop=shop,
        promise_days=promise,
        submitted_at=submitted,
        ready_at=ready,
        elapsed_working=elapsed,
    )
    raw.orders.append(order)
    return order


def add_ticket(
    raw: Raw, rng: random.Random, *, unit: Unit, days_ago: int, kind: str | None = None
) -> Ticket:
    submitted = _instant(rng, days_ago)
    kind = kind or rng.choice([TicketKind.COMPLAINT, TicketKind.CONSULTATION, TicketKind.POLICY])
    due = workdays.working_days_deadline_at(submitted, 7).at
    ticket = Ticket.objects.create(
        number=f"ZT{raw.next():08d}",
        kind=kind,
        title="测试工单",
        body="内容",
        unit=unit,
        enterprise=raw.enterprise,
        reporter=raw.applicant.user,
        reporter_name=APPLICANT_NAME,
        submitted_at=submitted,
        due_at=due,
    )
    TicketEvent.objects.create(ticket=ticket, at=submitted, action=TicketAction.SUBMIT)
    if rng.random() < 0.8:
        reply_ticket(ticket, submitted + timedelta(hours=rng.randrange(1, 24 * 14)))
    raw.tickets.append(ticket)
    return ticket


def reply_ticket(ticket: Ticket, at: datetime) -> None:
    """What ``desk.services.ticket_reply`` records: an event, the first-reply verdict."""
    at = min(at, timezone.now())
    TicketEvent.objects.create(ticket=ticket, at=at, action=TicketAction.REPLY, note="答复")
    if ticket.first_reply_on_time is None:
        ticket.first_reply_on_time = at <= ticket.due_at
    ticket.state = TicketState.REPLIED
    ticket.replied_at = at
    ticket.reply = "答复"
    ticket.save()


def add_rating(raw: Raw, rng: random.Random, *, case: Case, days_ago: int) -> Rating:
    created = _instant(rng, days_ago)
    level = rng.choice([5, 4, 3, 2, 1, 1])
    rating = Rating.objects.create(
        case=case,
        rater=raw.rater.user,
        real_name=rng.random() < 0.7,
        level=level,
        comment="很好" if level > 2 else "太慢",
        unit=case.handling_unit,
        item=case.item_version.item,
        excluded=level <= 2 and rng.random() < 0.1,
        created_at=created,
    )
    if level <= 2:
        due = created + timedelta(days=10)
        task = Rectification(rating=rating, unit=case.handling_unit, due_at=due, created_at=created)
        if rng.random() < 0.7:
            task.return_call_at = min(created + timedelta(days=1), timezone.now())
        if rng.random() < 0.6:
            closed = min(created + timedelta(days=rng.randrange(1, 20)), timezone.now())
            task.closed_at = closed
            task.on_time = closed <= due
        task.save()
    raw.ratings.append(rating)
    return rating


@pytest.fixture
def raw(unit_tree: dict[str, Unit]) -> Raw:
    call_command("policy_load", verbosity=0)
    rng = random.Random(20261204)
    u = unit_tree
    versions = {
        # implemented at different levels; visits/online/fees vary for the catalogue metrics
        "fire": item_version(unit=u["station1"], promised=3, max_visits=1, fee_fen=0),
        "credit": item_version(unit=u["station3"], promised=10, max_visits=2, channel_online=False),
        "idcard": item_version(unit=u["station2"], promised=15, max_visits=1, fee_fen=2000),
        "idcourier": item_version(unit=u["heping"], promised=8, max_visits=0, fee_fen=2000),
        "other": item_version(
            unit=u["station3"], promised=5, max_visits=2, fee_fen=500, channel_online=False
        ),
    }
    _link(versions["fire"], "fire-design-review-3wd")
    _link(versions["credit"], "credit-repair-review-10wd")
    _link(versions["idcard"], "id-card-pickup-urban-15wd", "id-card-pickup-remote-18wd")
    _link(versions["idcourier"], "id-card-courier-urban-8wd", "id-card-courier-rural-10wd")
    applicant = _person(APPLICANT_NAME, 41)
    rater = _person(RATER_NAME, 42)
    data = Raw(
        units=u,
        versions=versions,
        applicant=applicant,
        rater=rater,
        enterprise=_enterprise(applicant),
        shops={
            "tj": _shop("和平刻章社", "津公特刻字 0101 号", "120101"),
            "tj2": _shop("河西刻章社", "津公特刻字 0102 号", "120103"),
            "gx": _shop("南宁刻章社", "桂公特刻字 0201 号", "450102"),
        },
    )
    stations = [u["station1"], u["station2"], u["station3"], u["heping"]]
    for n in range(90):
        key = rng.choice(list(versions))
        version = versions[key]
        unit = rng.choice(stations) if key == "other" else version.item.implementing_unit
        delivery = Delivery.COURIER if key == "idcourier" else rng.choice(list(Delivery.values))
        if key == "idcard":
            delivery = Delivery.WINDOW
        add_case(
            data,
            rng,
            version=version,
            unit=unit,
            days_ago=rng.randrange(0, 200),
            delivery=delivery,
            decided=n % 7 != 0,
        )
    for _n in range(40):
        add_order(
            data, rng, shop=rng.choice(list(data.shops.values())), days_ago=rng.randrange(200)
        )
    for _n in range(50):
        add_ticket(data, rng, unit=rng.choice(stations), days_ago=rng.randrange(200))
    for case in data.cases[:60]:
        add_rating(data, rng, case=case, days_ago=rng.randrange(200))
    return data
