"""A year of realistic demo activity, on top of ``manage.py demo_load``.

``generate_activity(days=365, scale=1.0, seed=2026, end=None)`` writes, for the ``days`` days
ending at ``end`` (default: today), what the platform would have recorded had the bureau used it:

* cases across units and items (about 15,000 a year at ``scale=1``) with their ``CaseEvent``
  timelines — most decided within the promised time, some late; some refused, withdrawn,
  supplemented (补正), suspended, accepted conditionally (容缺受理, kept or not), approved on a
  signed commitment (告知承诺制, some post-checked), transferred; fees paid before acceptance;
* seal engraving orders with the elapsed working time measured as ``seal_order_mark_ready`` does
  (most within half a working day, some slow), their seals filed with seal codes;
* desk tickets (服务企业直通车) filed around the clock, complaints among them, most answered within
  their limit, some late (reminded and escalated as the sweep would), a few reopened;
* ratings (好差评) of finished cases and closed tickets, bad reviews with their rectification
  tasks, return calls and outcomes (some late, a few still without a return call);
* traffic and administrative fines, most paid online.

How the rows are made
---------------------

The timestamps lie in the past, so the rows are written through the ORM in batches
(``bulk_create``) instead of through the services, which stamp "now". Each row carries what the
service that would have written it sets: states and instants follow the cases state machine,
due instants come from ``onestop.cases.deadlines`` / ``onestop.core.workdays`` with the handling
unit's office hours, pauses extend them, warning levels and ``on_time`` are what the services and
sweeps compute, numbers come from the same sequences (which are advanced, so that live
submissions continue after them). Persons, enterprises and the officers who act on the generated
cases are created through the accounts services (encrypted fields go through the model fields).

Not written: audit events and outbox messages (they record what this installation actually did),
uploaded material files, and the signed e-certificates of approved cases and seal filings (their
PDFs take long to sign; the certificate fields stay empty).

Re-running
----------

Replacing, not additive: every run first deletes the activity a previous run generated and then
writes it anew, so running twice with the same arguments gives the same rows (apart from primary
keys). Generated rows are recognised by their people: the applicants, reporters and raters are
persons verified with ``verification_method="demo-activity"``; fines carry decision numbers of
the ``…9xxxxx`` series (``FINE_NUMBER_RE``). The generated persons, enterprises and officers are
kept and reused. Rows that live users created meanwhile are not touched.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone
from stdnum.cn import ric, uscc

from onestop.accounts import services as account_services
from onestop.accounts.choices import Role
from onestop.accounts.models import Enterprise, Person, Unit, User
from onestop.cases import deadlines
from onestop.cases import services as case_services
from onestop.cases.choices import CaseAction, CaseChannel, CaseState, Decision, PostCheckResult
from onestop.cases.choices import WarningLevel as WL
from onestop.cases.models import Case, CaseEvent, CaseNumberSequence
from onestop.cases.services import verification_code_hash
from onestop.catalogue.choices import VersionStatus
from onestop.catalogue.models import ServiceItemVersion
from onestop.core import workdays
from onestop.core.pii import lookup_hash
from onestop.core.workdays import OfficeHours
from onestop.desk.choices import ComplaintReason, TicketAction, TicketKind, TicketSource
from onestop.desk.choices import TicketState as TS
from onestop.desk.conf import desk_setting
from onestop.desk.models import Ticket, TicketEvent, TicketNumberSequence
from onestop.desk.services import owner_hash_of, ticket_deadline, ticket_route
from onestop.payments.choices import LedgerKind, Purpose
from onestop.payments.choices import OrderState as PayState
from onestop.payments.models import Fine, LedgerEntry, PaymentOrder
from onestop.payments.services import app_setting, fine_code_hash, fine_surcharge_fen
from onestop.ratings.choices import BAD_LEVELS, Classification, Level, RatingChannel
from onestop.ratings.choices import RectificationState as RS
from onestop.ratings.conf import indicator_options, ratings_setting
from onestop.ratings.models import Rating, Rectification
from onestop.seals.choices import Handover, OrderState, PaymentState, SealKind, SealStatus
from onestop.seals.models import EngravingShop, Seal, SealCounter, SealOrder
from onestop.seals.services import PAYMENT_REFERENCE_PREFIX, promise_days_for

MARK = "demo-activity"
#: Decision numbers of generated fines: region (6) + yyyymm (6) + "9" + 5 digits.
FINE_NUMBER_RE = r"^[0-9]{12}9[0-9]{5}$"
#: Cases per year at scale 1 (a demo province with two bureaus).
CASES_PER_YEAR = 15_000
TICKETS_PER_YEAR = 1_800
SEAL_ORDERS_PER_YEAR = 600
FINES_PER_YEAR = 900
BATCH = 1000

SHANGHAI = workdays.SHANGHAI
ACTIONS = CaseAction

#: Relative yearly volume of items by item code prefix (the rest: 2).
ITEM_WEIGHTS = {
    "S011": 30,  # ID cards
    "L021": 25,  # driving licences
    "C062": 25,  # vehicle inspection marks
    "S020": 20,  # residence permits
    "L034": 15,  # passports
    "F032": 15,  # foreigners' lodging registration
    "S061": 8,
    "S060": 8,
    "S043": 8,
    "S010": 6,
    "L030": 6,
    "S001": 6,
    "O001": 3,
    "L009": 3,
    "L031": 2,
    "L033": 1,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志海燕鹏"
    "辉玲晨宇欣怡浩然子涵梓轩雨桐思远嘉诚俊杰佳琪文博晓东立新春梅振华亚楠"
)
INDUSTRY = ["科技", "商贸", "物流", "餐饮", "建筑", "印务", "文化传媒", "医药", "机械", "电子"]
SUFFIX = ["有限公司", "有限责任公司", "股份有限公司"]

CITY = {"12": "天津", "45": "南宁"}
DISTRICTS = {"12": ["120101", "120102", "120103", "120104", "120116"], "45": ["450102", "450103"]}

TICKET_KINDS = [
    (TicketKind.CONSULTATION, 40),
    (TicketKind.POLICY, 14),
    (TicketKind.COMPLAINT, 16),
    (TicketKind.TIP, 6),
    (TicketKind.GREEN_CHANNEL, 6),
    (TicketKind.POLICE_ENTERPRISE, 9),
    (TicketKind.FEEDBACK, 9),
]
TICKET_TEXT = {
    TicketKind.CONSULTATION: (
        "咨询{item}办理材料",
        "请问办理{item}需要准备哪些材料，可以网上办吗？",
    ),
    TicketKind.POLICY: ("关于{item}的政策咨询", "新出台的便企措施中关于{item}的规定如何理解？"),
    TicketKind.COMPLAINT: ("投诉：{item}办理问题", "办理{item}时遇到问题，希望尽快核实处理。"),
    TicketKind.TIP: ("线索举报", "发现辖区内有可疑经营行为，特此举报。"),
    TicketKind.GREEN_CHANNEL: ("绿色通道申请", "企业项目急需办理{item}，申请绿色通道。"),
    TicketKind.POLICE_ENTERPRISE: ("警企座谈预约", "希望与辖区派出所就企业周边治安进行座谈。"),
    TicketKind.FEEDBACK: ("意见反馈", "网上办事大厅使用体验的意见和建议。"),
}
TICKET_TOPICS = ["户籍", "出入境", "交管", "治安", "消防", "网安", "营商环境"]


class ActivityError(Exception):
    """The shared demo data is missing (run ``manage.py demo_load`` first)."""


# --- small helpers ----------------------------------------------------------------------------


@contextlib.contextmanager
def _backdating(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let ``bulk_create`` keep the given ``created_at`` / ``updated_at`` (``auto_now`` fields
    would stamp "now")."""
    saved: list[tuple[Any, bool, bool]] = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _hours_of(unit: Unit) -> OfficeHours:
    return deadlines.office_hours_of(unit.office_hours)


def _local_day(instant: datetime) -> date:
    return timezone.localtime(instant, SHANGHAI).date()


def _at(day: date, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=SHANGHAI)


def _hours_td(h: float) -> timedelta:
    return timedelta(seconds=round(h * 3600))


class _Stop(Exception):
    """The next step would happen after the horizon: the record stays where it is."""


@dataclass
class _Officers:
    """Officers who act in a unit: existing demo officers with the role whose scope covers it,
    else a generated officer of that unit (window clerk, reviewer and approver)."""

    staff: list[User]
    created: int = 0
    cache: dict[tuple[int, str], User] = field(default_factory=dict)

    def of(self, unit: Unit, role: str) -> User:
        key = (unit.pk, role)
        if key in self.cache:
            return self.cache[key]
        found = None
        depth = -1
        for user in self.staff:
            if (
                user.unit is not None
                and unit.path.startswith(user.unit.path)
                and role in user.role_codes()
                and len(user.unit.path) > depth
            ):
                found, depth = user, len(user.unit.path)
        if found is None:
            found = self._generated(unit)
        self.cache[key] = found
        return found

    def _generated(self, unit: Unit) -> User:
        username = f"da-{unit.code.lower()}"[:150]
        user = User.objects.filter(username=username).select_related("unit").first()
        if user is None:
            rng = random.Random(username)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                user = account_services.staff_create(
                    actor=None,
                    username=username,
                    password=f"{MARK}-{rng.random()}",
                    unit=unit,
                    roles=[Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER],
                    last_name=name[0],
                    first_name=name[1:],
                )
            user.set_unusable_password()  # a colleague in the demo history; never signs in
            user.save(update_fields=["password"])
            self.created += 1
        return user


@dataclass
class _World:
    rng: random.Random
    start: date
    end: date
    horizon: datetime
    working_days: list[date]
    units: dict[int, Unit]
    roots: dict[str, str]  # root path -> root code
    officers: _Officers
    people: dict[str, list[Person]]  # province "12"/"45" -> persons
    users_of: dict[int, User]  # person pk -> user
    counts: dict[str, int] = field(default_factory=dict)
    #: imprints of the seals a previous run filed, by (enterprise name, kind, code): drawing one
    #: takes tens of milliseconds, and a re-run files the same seals again
    imprints: dict[tuple[str, str, str], bytes] = field(default_factory=dict)

    def bump(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    # instants
    def working_instant(self) -> datetime:
        """A random instant in office hours of a working day in the period."""
        day = self.rng.choice(self.working_days)
        hours = OfficeHours.default()
        offset = timedelta(seconds=self.rng.uniform(0, hours.working_day.total_seconds() - 60))
        return workdays.add_working_time(_at(day, 0, 0), offset)

    def any_instant(self) -> datetime:
        """A random instant of any day in the period, more often by day than by night."""
        day = self.start + timedelta(days=self.rng.randrange((self.end - self.start).days + 1))
        hour = self.rng.choices(range(24), weights=HOURLY)[0]
        return _at(day, hour, self.rng.randrange(60), self.rng.randrange(60))

    def after(self, instant: datetime, working_hours: float, hours: OfficeHours) -> datetime:
        return workdays.add_working_time(instant, _hours_td(working_hours), hours)

    def province(self, unit: Unit) -> str:
        return (unit.region_code or "12")[:2] if (unit.region_code or "")[:2] in CITY else "12"

    def person_for(self, unit: Unit) -> Person:
        return self.rng.choice(self.people[self.province(unit)])


#: Relative frequency of online submissions per hour of the day (the portals never close).
HOURLY = [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 18, 16, 12, 14, 16, 16, 15, 12, 10, 10, 9, 7, 4, 2]


# --- people ---------------------------------------------------------------------------------


def _id_number(region: str, born: date, seq: int) -> str:
    base = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def _ensure_people(count: int, seed: int) -> tuple[dict[str, list[Person]], int]:
    """``count`` verified persons per province (reused when they exist)."""
    people: dict[str, list[Person]] = {"12": [], "45": []}
    created = 0
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for province, mobile_prefix in (("12", "166"), ("45", "167")):
            for i in range(count):
                # one stream per person: the i-th person is the same whatever ``count`` is
                rng = random.Random(f"{seed}:person:{province}:{i}")
                region = rng.choice(DISTRICTS[province])
                born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
                id_number = _id_number(region, born, 500 + i % 400)
                name = (
                    rng.choice(SURNAMES)
                    + rng.choice(GIVEN)
                    + rng.choice(GIVEN)[: rng.randint(0, 1)]
                )
                mobile = f"{mobile_prefix}{seed % 100:02d}{i:06d}"
                person = Person.objects.filter(
                    id_number_hash=lookup_hash(id_number, kind="resident_id")
                ).first()
                if person is None:
                    if User.objects.filter(mobile_hash=lookup_hash(mobile, kind="mobile")).exists():
                        continue
                    person = account_services.person_register(
                        name=name,
                        id_number=id_number,
                        mobile=mobile,
                        password=f"{MARK}-{id_number}",
                    )
                    person = account_services.person_mark_verified(
                        actor=None, person=person, method=MARK
                    )
                    person.user.set_unusable_password()
                    person.user.save(update_fields=["password"])
                    created += 1
                elif person.verification_method != MARK:
                    continue  # someone else's person: not ours to use
                people[province].append(person)
    return people, created


def _ensure_enterprises(world: _World, count: int, seed: int) -> list[Enterprise]:
    """``count`` enterprises whose legal representatives are generated persons (reused)."""
    result = []
    for i in range(count):
        rng = random.Random(f"{seed}:enterprise:{i}")  # the same i-th enterprise at any scale
        province = "12" if rng.random() < 0.7 else "45"
        region = rng.choice(DISTRICTS[province])
        body = f"91{region}MA{seed % 100:02d}{i:05d}"[:17]
        code = body + uscc.calc_check_digit(body)
        person = rng.choice(world.people[province])
        name = (
            f"{CITY[province]}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
            f"{rng.choice(INDUSTRY)}{rng.choice(SUFFIX)}"
        )
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            enterprise = account_services.enterprise_create(
                actor=None,
                credit_code=code,
                name=name,
                legal_representative_name=person.name,
                legal_representative_id=person.id_number,
                region_code=region,
                address=f"{CITY[province]}市{rng.choice(GIVEN)}{rng.choice(GIVEN)}路 {i + 1} 号",
            )
            account_services.enterprise_bind_legal_rep(
                person=person, credit_code=code, name=enterprise.name
            )
            world.bump("enterprises")
        result.append(enterprise)
    return result


# --- clearing a previous run ------------------------------------------------------------------


def _generated_people() -> tuple[list[int], list[int]]:
    persons = list(Person.objects.filter(verification_method=MARK).values_list("pk", "user_id"))
    return [p for p, _u in persons], [u for _p, u in persons]


def clear_activity(
    imprints: dict[tuple[str, str, str], bytes] | None = None,
) -> dict[str, int]:
    """Delete the activity a previous run generated (see the module docstring) and set the
    number sequences back to the highest number still in use. Returns counts per model label.
    The imprints of the deleted seals are put into ``imprints`` when it is given."""
    person_ids, user_ids = _generated_people()
    owner_hashes = [owner_hash_of(u) for u in User.objects.filter(pk__in=user_ids)]
    cases = Case.objects.filter(applicant_id__in=person_ids)
    tickets = Ticket.objects.filter(
        models.Q(reporter_id__in=user_ids) | models.Q(anonymous=True, owner_hash__in=owner_hashes)
    )
    orders = SealOrder.objects.filter(applicant_id__in=person_ids)
    fines = Fine.objects.filter(decision_number__regex=FINE_NUMBER_RE)
    case_refs = [str(pk) for pk in cases.values_list("pk", flat=True)]
    seal_refs = [f"{PAYMENT_REFERENCE_PREFIX}{pk}" for pk in orders.values_list("pk", flat=True)]
    fine_refs = list(fines.values_list("decision_number", flat=True))
    payments = PaymentOrder.objects.filter(
        models.Q(purpose=Purpose.CASE_FEE, reference__in=case_refs)
        | models.Q(purpose=Purpose.SERVICE, reference__in=seal_refs)
        | models.Q(purpose=Purpose.FINE, reference__in=fine_refs)
    )
    counts: dict[str, int] = {}

    def count(deleted: tuple[int, dict[str, int]]) -> None:
        for label, n in deleted[1].items():
            counts[label] = counts.get(label, 0) + n

    if imprints is not None:
        filed = Seal.objects.filter(order__in=orders, imprint__isnull=False, code__isnull=False)
        for name, kind, code, png in filed.values_list(
            "enterprise__name", "kind", "code", "imprint"
        ).iterator():
            if code and png:
                imprints[(name, kind, code)] = bytes(png)
    with transaction.atomic():
        ratings = Rating.objects.filter(
            models.Q(case__in=cases)
            | models.Q(ticket__in=tickets)
            | models.Q(rater_id__in=user_ids)
        )
        count(Rectification.objects.filter(rating__in=ratings).delete())
        count(ratings.delete())
        count(LedgerEntry.objects.filter(order__in=payments).delete())
        count(payments.delete())
        count(tickets.delete())
        count(cases.delete())
        count(orders.delete())
        count(fines.delete())
        _reset_sequences()
    return counts


def _reset_sequences() -> None:
    """Each number sequence back to the highest number still in use (or removed)."""
    for seq in CaseNumberSequence.objects.all():
        head = f"{seq.prefix}{seq.day:%Y%m%d}"
        numbers = Case.objects.filter(number__startswith=head).values_list("number", flat=True)
        last = max((int(n[len(head) :]) for n in numbers if n[len(head) :].isdigit()), default=0)
        if last != seq.last:
            CaseNumberSequence.objects.filter(pk=seq.pk).update(last=last)
    for tseq in TicketNumberSequence.objects.all():
        head = f"ZTC{tseq.day:%Y%m%d}"
        top = Ticket.objects.filter(number__startswith=head).aggregate(m=Max("number"))["m"]
        last = int(top[len(head) :]) if top else 0
        if last != tseq.last:
            TicketNumberSequence.objects.filter(pk=tseq.pk).update(last=last)
    for counter in SealCounter.objects.all():
        kind, _sep, key = counter.key.partition(":")
        if kind == "order":
            top = SealOrder.objects.filter(number__startswith=f"YZ{key}").aggregate(
                m=Max("number")
            )["m"]
            last = int(top[len(key) + 2 :]) if top else 0
        else:
            top = Seal.objects.filter(code__startswith=key).aggregate(m=Max("code"))["m"]
            last = int(top[len(key) :]) if top else 0
        if last != counter.last:
            SealCounter.objects.filter(pk=counter.pk).update(last=last)


class _Sequences:
    """Hands out numbers as the services do, starting after the stored sequences, and stores the
    new last numbers at the end."""

    def __init__(self) -> None:
        self.cases = {(s.prefix, s.day): s.last for s in CaseNumberSequence.objects.all()}
        self.tickets = {s.day: s.last for s in TicketNumberSequence.objects.all()}
        self.seals = {c.key: c.last for c in SealCounter.objects.all()}
        self.touched_cases: set[tuple[str, date]] = set()
        self.touched_tickets: set[date] = set()
        self.touched_seals: set[str] = set()

    def case_number(self, prefix: str, day: date) -> str:
        key = (prefix, day)
        self.cases[key] = self.cases.get(key, 0) + 1
        self.touched_cases.add(key)
        return f"{prefix}{day:%Y%m%d}{self.cases[key]:06d}"

    def ticket_number(self, day: date) -> str:
        self.tickets[day] = self.tickets.get(day, 0) + 1
        self.touched_tickets.add(day)
        return f"ZTC{day:%Y%m%d}{self.tickets[day]:04d}"

    def seal(self, key: str) -> int:
        self.seals[key] = self.seals.get(key, 0) + 1
        self.touched_seals.add(key)
        return self.seals[key]

    def save(self) -> None:
        """Store the new last numbers (one statement per batch, not one per day)."""
        case_rows = {(r.prefix, r.day): r for r in CaseNumberSequence.objects.all()}
        _store_last(
            CaseNumberSequence,
            case_rows,
            {k: self.cases[k] for k in self.touched_cases},
            lambda k: {"prefix": k[0], "day": k[1]},
        )
        ticket_rows = {r.day: r for r in TicketNumberSequence.objects.all()}
        _store_last(
            TicketNumberSequence,
            ticket_rows,
            {k: self.tickets[k] for k in self.touched_tickets},
            lambda k: {"day": k},
        )
        seal_rows = {r.key: r for r in SealCounter.objects.all()}
        _store_last(
            SealCounter,
            seal_rows,
            {k: self.seals[k] for k in self.touched_seals},
            lambda k: {"key": k},
        )


def _store_last(
    model: type[models.Model],
    rows: dict[Any, Any],
    wanted: dict[Any, int],
    fields_of: Any,
) -> None:
    changed, new = [], []
    for key, last in wanted.items():
        row = rows.get(key)
        if row is None:
            new.append(model(last=last, **fields_of(key)))
        elif row.last != last:
            row.last = last
            changed.append(row)
    model._default_manager.bulk_update(changed, ["last"], batch_size=BATCH)
    model._default_manager.bulk_create(new, batch_size=BATCH)


# --- cases ------------------------------------------------------------------------------------

RUNNING = (CaseState.ACCEPTED, CaseState.IN_REVIEW)
PAUSED = (CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED)
LEVEL_ORDER = {WL.NONE: 0, WL.YELLOW: 1, WL.RED: 2}


def _sweep_tick(instant: datetime) -> datetime:
    """The first run of the 5-minute warnings sweep strictly after ``instant``."""
    stamp = instant.timestamp()
    return datetime.fromtimestamp((int(stamp) // 300 + 1) * 300, tz=SHANGHAI)


@dataclass
class _Step:
    at: datetime
    action: str
    to_state: CaseState | None
    actor: User | None
    note: str = ""
    public: bool = True
    data: dict[str, Any] = field(default_factory=dict)
    apply: Any = None  # callable(case, at) -> None


class _CaseBuilder:
    """Plans a case's steps, then plays them up to the horizon as the services would."""

    def __init__(self, world: _World, version: ServiceItemVersion, submitted: datetime) -> None:
        self.w = world
        self.version = version
        self.unit = version.item.implementing_unit
        self.hours = _hours_of(self.unit)
        self.submitted = submitted
        self.steps: list[_Step] = []
        self.person = world.person_for(self.unit)
        self.user = world.users_of[self.person.pk]
        self.case = Case(
            item_version=version,
            receiving_unit=self.unit,
            handling_unit=self.unit,
            applicant=self.person,
            state=CaseState.DRAFT,
            form_data={},
            idempotency_key="",
        )
        self.events: list[CaseEvent] = []
        self.payment: tuple[datetime, datetime | None] | None = None  # (created, paid)
        self.channel: str = CaseChannel.ONLINE
        self.prefix = "CN"
        self.transfer_targets: list[Unit] = []

    # planning helpers
    def officer(self, role: str, unit: Unit | None = None) -> User:
        return self.w.officers.of(unit or self.case.handling_unit, role)

    def add(self, step: _Step) -> datetime:
        self.steps.append(step)
        return step.at

    def play(self) -> None:
        """Apply the steps in time order up to the horizon, with the warnings sweep between."""
        self.steps.sort(key=lambda s: s.at)
        case = self.case
        for step in self.steps:
            self._sweep(min(step.at, self.w.horizon))
            if step.at > self.w.horizon:
                break
            from_state = case.state
            if step.to_state is not None:
                case.state = step.to_state
            if step.apply is not None:
                step.apply(case, step.at)
            case.updated_at = step.at
            self._event(
                step.at, step.action, from_state, step.actor, step.note, step.public, step.data
            )
        else:
            self._sweep(self.w.horizon)
        if case.state in RUNNING or case.state in PAUSED:
            case.warning_level = self._level(case.paused_at or self.w.horizon)

    def _event(
        self,
        at: datetime,
        action: str,
        from_state: str,
        actor: User | None,
        note: str = "",
        public: bool = True,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            CaseEvent(
                at=at,
                actor=actor,
                actor_label=actor.get_username() if actor is not None else "system",
                action=action,
                from_state=from_state,
                to_state=self.case.state,
                note=note,
                public=public,
                data=data or {},
            )
        )

    def _level(self, at: datetime) -> WL:
        case = self.case
        assert case.accepted_at is not None and case.promised_due_at is not None
        return deadlines.warning_level(
            at=at,
            accepted_at=case.accepted_at,
            due=case.promised_due_at,
            paused_total=case.paused_total,
            hours=self.hours,
        )

    def _sweep(self, until: datetime) -> None:
        """Warning events the 5-minute sweep writes while the clock runs, up to ``until``."""
        case = self.case
        if case.state not in RUNNING or case.paused_at is not None or case.promised_due_at is None:
            return
        last = self.events[-1].at if self.events else case.accepted_at
        assert last is not None
        due = case.promised_due_at
        candidates = []
        if LEVEL_ORDER[WL(case.warning_level)] < 1:
            remaining = workdays.working_time_between(last, due, self.hours)
            assert case.accepted_at is not None
            total = workdays.working_time_between(case.accepted_at, due, self.hours)
            total -= case.paused_total
            threshold = max(
                self.hours.working_days(deadlines.yellow_working_days()),
                total * float(deadlines.yellow_ratio()),
            )
            if remaining > threshold:
                candidates.append(
                    _sweep_tick(workdays.add_working_time(last, remaining - threshold, self.hours))
                )
        if LEVEL_ORDER[WL(case.warning_level)] < 2:
            candidates.append(_sweep_tick(due))
        for tick in candidates:
            if tick > until:
                break
            level = self._level(tick)
            if (
                level != case.warning_level
                and LEVEL_ORDER[level] > LEVEL_ORDER[WL(case.warning_level)]
            ):
                before = case.warning_level
                case.warning_level = level
                self._event(
                    tick,
                    "warning",
                    case.state,
                    None,
                    public=False,
                    data={"from": before, "to": level},
                )


def _start_clock(case: Case, at: datetime, hours: OfficeHours) -> None:
    case_services.start_clock(case, at, hours)


def _resume_clock(case: Case, at: datetime, hours: OfficeHours) -> timedelta:
    if case.paused_at is None:
        return timedelta(0)
    paused = max(workdays.working_time_between(case.paused_at, at, hours), timedelta(0))
    case.paused_total += paused
    provisional = case.due_provisional
    if case.statutory_due_at is not None:
        moved = deadlines.extend(case.statutory_due_at, paused, hours)
        case.statutory_due_at, provisional = moved.at, provisional or moved.provisional
    if case.promised_due_at is not None:
        moved = deadlines.extend(case.promised_due_at, paused, hours)
        case.promised_due_at, provisional = moved.at, provisional or moved.provisional
    case.due_provisional = provisional
    case.paused_at = None
    assert case.accepted_at is not None and case.promised_due_at is not None
    case.warning_level = deadlines.warning_level(
        at=at,
        accepted_at=case.accepted_at,
        due=case.promised_due_at,
        paused_total=case.paused_total,
        hours=hours,
    )
    return paused


def _decide(case: Case, at: datetime, decision: Decision, hours: OfficeHours) -> None:
    case.decided_at = at
    case.decision = decision
    if case.paused_at is not None:
        _resume_clock(case, at, hours)
    late = case.promised_due_at is not None and at > case.promised_due_at
    case.warning_level = WL.RED if late else WL.NONE


def _close(case: Case, at: datetime) -> None:
    case.closed_at = at
    if case.promised_due_at is not None:
        case.on_time = (case.decided_at or at) <= case.promised_due_at


def _end(case: Case, at: datetime) -> None:
    case.paused_at = None
    if case.closed_at is None:
        case.closed_at = at


def _plan_case(b: _CaseBuilder, sequences: _Sequences) -> None:
    """Draw the case's path and plan its steps (times from the working-time calendar)."""
    w, rng, case, version, hours = b.w, b.w.rng, b.case, b.version, b.hours
    deliveries = list(version.deliveries) or ["window"]
    case.delivery = rng.choice(deliveries)
    case.channel = b.channel
    submitted = b.submitted
    created = submitted - timedelta(minutes=rng.uniform(2, 40))
    case.created_at = created
    prefix = b.prefix
    case.number = sequences.case_number(prefix, _local_day(submitted))
    code = f"{rng.randrange(10**6):06d}"
    case.verification_code_hash = verification_code_hash(case.number, code)
    case.idempotency_key = ""

    def submit(c: Case, at: datetime) -> None:
        c.submitted_at = at

    b.add(_Step(created, "create", CaseState.DRAFT, b.user))
    b.add(_Step(submitted, CaseAction.SUBMIT, CaseState.SUBMITTED, b.user, apply=submit))

    fee = int(version.fee_fen or 0)
    ready = submitted  # when the case may be accepted (fee paid)
    refused = rng.random() < 0.04
    if fee:
        paid: datetime | None = None
        if not refused:
            paid = submitted + timedelta(minutes=rng.uniform(1, 30))
            if paid > w.horizon:
                paid = None
        b.payment = (submitted, paid)
        if paid is None and not refused:
            return  # waiting for the fee
        ready = paid or submitted
    clerk = b.officer(Role.WINDOW_CLERK)
    if refused:
        at = w.after(submitted, rng.uniform(0.2, 6), hours)
        b.add(
            _Step(
                at,
                CaseAction.REFUSE,
                CaseState.REFUSED,
                clerk,
                note="申请材料不齐全且不属于可容缺情形，依据《行政许可法》第三十二条不予受理。",
                apply=_end,
            )
        )
        return

    if version.commitment_approval and rng.random() < 0.8:
        _plan_commitment(b, ready)
        return

    # acceptance (conditional for some)
    accept_at = w.after(ready, rng.uniform(0.1, 6), hours)
    data: dict[str, Any] = {}
    waivable = [m.pk for m in version.materials.all() if m.waivable and not m.is_key]
    conditional = bool(version.conditional_acceptance and waivable and rng.random() < 0.12)
    supply_by: date | None = None
    if conditional:
        accept_day = _local_day(accept_at)
        supply_by = workdays.add_working_days(
            accept_day, rng.randint(1, max(1, version.conditional_supply_days or 1))
        )
        missing = sorted(rng.sample(waivable, rng.randint(1, len(waivable))))
        data = {"conditional": True, "missing": missing, "supply_by": supply_by.isoformat()}

    def accept(c: Case, at: datetime) -> None:
        if conditional:
            c.conditional = True
            c.conditional_materials = data["missing"]
            c.conditional_supply_by = supply_by
        _start_clock(c, at, hours)

    b.add(_Step(accept_at, CaseAction.ACCEPT, CaseState.ACCEPTED, clerk, data=data, apply=accept))
    # the deadlines as they stand at acceptance (pauses planned below extend them)
    promised = deadlines.limit_deadline(
        accept_at, version.promised_limit, version.promised_limit_unit, hours
    ).at
    budget = workdays.working_time_between(accept_at, promised, hours)

    r = rng.random()
    if r < 0.02:  # withdrawn by the applicant before a decision
        at = w.after(accept_at, rng.uniform(0.5, 20), hours)
        b.add(
            _Step(
                at,
                CaseAction.WITHDRAW,
                CaseState.WITHDRAWN,
                b.user,
                note="材料需重新准备，先行撤回。",
                apply=_end,
            )
        )
        return

    handling = b.unit
    cursor = accept_at
    if r < 0.04:  # transferred to the competent unit
        targets = [u for u in b.transfer_targets if u.pk != handling.pk]
        if targets:
            target = rng.choice(targets)
            at = w.after(cursor, rng.uniform(0.2, 3), hours)
            source = handling

            def transfer(c: Case, at: datetime, target: Unit = target) -> None:
                c.handling_unit = target

            b.add(
                _Step(
                    at,
                    CaseAction.TRANSFER,
                    None,
                    b.officer(Role.WINDOW_CLERK, source),
                    note="经核查属对方管辖，移交办理。",
                    data={"from_unit": source.code, "to_unit": target.code},
                    apply=transfer,
                )
            )
            handling = target
            cursor = at
    reviewer = b.officer(Role.REVIEWER, handling)
    approver = b.officer(Role.APPROVER, handling)
    cursor = w.after(cursor, rng.uniform(0.05, 2) * min(1.0, budget.total_seconds() / 25200), hours)
    b.add(_Step(cursor, CaseAction.START_REVIEW, CaseState.IN_REVIEW, reviewer))

    # how much of the promised working time the decision uses
    late = rng.random() < 0.07
    share = rng.uniform(1.03, 1.8) if late else rng.betavariate(2, 3) * 0.95
    work = max(
        budget * share,
        workdays.working_time_between(accept_at, cursor, hours) + timedelta(minutes=5),
    )
    used = workdays.working_time_between(accept_at, cursor, hours)
    paused_total = timedelta(0)

    kept = True
    if conditional:
        kept = rng.random() < 0.85
    pause_kind = None
    pr = rng.random()
    if pr < 0.10 and kept:
        pause_kind = "supplement"
    elif pr < 0.115 and kept:
        pause_kind = "suspend"
    if pause_kind is not None and work > used + timedelta(minutes=10):
        at_work = used + (work - used) * rng.uniform(0.1, 0.7)
        pause_at = workdays.add_working_time(accept_at, at_work + paused_total, hours)
        resume_at = w.after(pause_at, rng.uniform(0.5, 8) * 7, hours)
        paused_total += workdays.working_time_between(pause_at, resume_at, hours)

        def pause(c: Case, at: datetime) -> None:
            if c.paused_at is None:
                c.paused_at = at

        def resume(c: Case, at: datetime) -> None:
            step.data["paused_seconds"] = int(_resume_clock(c, at, hours).total_seconds())

        if pause_kind == "supplement":
            b.add(
                _Step(
                    pause_at,
                    CaseAction.REQUEST_SUPPLEMENT,
                    CaseState.SUPPLEMENT_REQUESTED,
                    reviewer,
                    note="请一次性补正：1. 申请表签字页；2. 清晰的身份证件复印件。",
                    apply=pause,
                )
            )
            step = _Step(resume_at, CaseAction.SUPPLY, CaseState.IN_REVIEW, b.user, apply=resume)
        else:
            b.add(
                _Step(
                    pause_at,
                    CaseAction.SUSPEND,
                    CaseState.SUSPENDED,
                    reviewer,
                    note="需等待相关部门出具核查意见，依法中止办理。",
                    apply=pause,
                )
            )
            step = _Step(
                resume_at,
                CaseAction.RESUME,
                CaseState.IN_REVIEW,
                reviewer,
                note="核查意见已出具，恢复办理。",
                apply=resume,
            )
        b.add(step)
    decided_at = workdays.add_working_time(accept_at, work + paused_total, hours)

    if conditional and supply_by is not None:
        remind_at = _conditional_reminder_at(accept_at, supply_by)
        fulfil_at: datetime | None = None
        if kept:
            latest = _at(supply_by, 17, 0)
            fulfil_at = min(w.after(accept_at, rng.uniform(1, 12), hours), latest)
            fulfil_at = max(fulfil_at, accept_at + timedelta(minutes=10))
        if (
            remind_at is not None
            and (fulfil_at is None or remind_at < fulfil_at)
            and remind_at < decided_at
        ):

            def remind(c: Case, at: datetime) -> None:
                c.conditional_reminded_at = at

            b.add(
                _Step(
                    remind_at,
                    "conditional_reminder",
                    None,
                    None,
                    note=f"请于 {supply_by.isoformat()} 前补齐容缺材料。",
                    apply=remind,
                )
            )
        if fulfil_at is not None and fulfil_at < decided_at:

            def fulfil(c: Case, at: datetime) -> None:
                c.conditional_fulfilled_at = at

            b.add(
                _Step(
                    fulfil_at,
                    CaseAction.FULFIL_CONDITIONAL,
                    None,
                    b.officer(Role.WINDOW_CLERK, handling),
                    data={"materials": data["missing"]},
                    apply=fulfil,
                )
            )
        elif not kept:
            enforce_at = _at(supply_by + timedelta(days=1), 0, 5)
            if enforce_at < decided_at:
                consequence = version.conditional_consequence or "逾期未补正的，终止办理"
                note = f"申请人未在承诺日期 {supply_by} 前补齐容缺材料：{consequence}"
                b.add(
                    _Step(
                        enforce_at,
                        CaseAction.TERMINATE,
                        CaseState.TERMINATED,
                        None,
                        note=note,
                        data={"conditional": True},
                        apply=_end,
                    )
                )
                return

    deny = rng.random() < 0.05
    if deny:
        b.add(
            _Step(
                decided_at,
                CaseAction.DENY,
                CaseState.DENIED,
                approver,
                note="经审查不符合法定条件，依据相关规定不予许可。",
                apply=lambda c, at: _decide(c, at, Decision.DENIED, hours),
            )
        )
    else:
        b.add(
            _Step(
                decided_at,
                CaseAction.APPROVE,
                CaseState.APPROVED,
                approver,
                apply=lambda c, at: _decide(c, at, Decision.APPROVED, hours),
            )
        )
    _plan_result(b, decided_at, handling)


def _conditional_reminder_at(accepted: datetime, supply_by: date) -> datetime | None:
    """The hourly conditional sweep reminds on the first run of a day from which the promised
    date is at most one working day away."""
    day = _local_day(accepted)
    while day <= supply_by:
        if supply_by <= workdays.add_working_days(day, 1):
            first = _at(day, 0, 5)
            if first <= accepted:
                first = accepted.replace(minute=5, second=0, microsecond=0) + timedelta(hours=1)
            return first
        day += timedelta(days=1)
    return None


def _plan_result(b: _CaseBuilder, decided_at: datetime, handling: Unit) -> datetime:
    """Issue the result, deliver or hand it over, close. Returns the closing instant."""
    w, rng, hours = b.w, b.w.rng, b.hours
    clerk = b.officer(Role.WINDOW_CLERK, handling)
    issued = w.after(decided_at, rng.uniform(0.05, 4), hours)
    b.add(_Step(issued, CaseAction.ISSUE_RESULT, CaseState.RESULT_ISSUED, clerk))
    if b.case.delivery == "window":
        handed = w.after(issued, rng.uniform(0.5, 30), hours)
        b.add(_Step(handed, CaseAction.COLLECT, CaseState.COLLECTED, clerk))
        closed = handed + timedelta(minutes=rng.uniform(1, 10))
        b.add(_Step(closed, CaseAction.CLOSE, CaseState.CLOSED, clerk, apply=_close))
        return closed
    if b.case.delivery == "courier":
        handed = issued + timedelta(hours=rng.uniform(20, 70))
    else:
        handed = issued + timedelta(minutes=rng.uniform(1, 20))
    b.add(_Step(handed, CaseAction.DELIVER, CaseState.DELIVERED, None))
    b.add(_Step(handed, CaseAction.CLOSE, CaseState.CLOSED, None, apply=_close))
    return handed


def _plan_commitment(b: _CaseBuilder, at: datetime) -> None:
    """告知承诺制: accepted and approved on the spot by the system, post-checked at the item's
    rate (deterministically from the case number, as ``_post_check_sampled``)."""
    case, hours, rng = b.case, b.hours, b.w.rng
    case.commitment = True
    case.commitment_signed_at = b.submitted
    rate = b.version.post_check_rate or 0
    case.post_check_required = random.Random(case.number).random() * 100 < float(rate)
    b.add(
        _Step(
            at,
            CaseAction.ACCEPT,
            CaseState.ACCEPTED,
            None,
            note="告知承诺制：申请人已签署承诺书，当场受理。",
            data={"commitment": True},
            apply=lambda c, t: _start_clock(c, t, hours),
        )
    )
    b.add(
        _Step(
            at,
            CaseAction.APPROVE,
            CaseState.APPROVED,
            None,
            note="告知承诺制：以承诺代替审核，当场准予。",
            data={"commitment": True, "post_check": case.post_check_required},
            apply=lambda c, t: _decide(c, t, Decision.APPROVED, hours),
        )
    )
    closed = _plan_result(b, at, b.unit)
    if not case.post_check_required:
        return
    checked = b.w.after(closed, rng.uniform(8, 80), hours)
    reviewer = b.officer(Role.REVIEWER)
    passed = rng.random() < 0.9
    findings = "现场核查，承诺内容属实。" if passed else "现场核查发现承诺内容与实际不符。"

    def check(c: Case, t: datetime) -> None:
        c.post_checked_at = t
        c.post_check_result = PostCheckResult.PASSED if passed else PostCheckResult.FAILED
        c.post_check_findings = findings

    b.add(
        _Step(
            checked,
            CaseAction.POST_CHECK,
            None,
            reviewer,
            note=findings,
            public=not passed,
            data={"passed": passed},
            apply=check,
        )
    )
    if not passed:
        b.add(
            _Step(
                checked,
                CaseAction.REVOKE,
                CaseState.REVOKED,
                None,
                note=findings,
                data={"commitment": True, "post_check": "failed"},
                apply=_end,
            )
        )


def _root_prefix(unit: Unit, roots: dict[str, str]) -> str:
    code = roots.get(unit.path.split(".")[0], "")
    return re.sub(r"[^A-Z0-9]", "", code.upper())[:4] or "CN"


def _payment_order(
    w: _World,
    *,
    purpose: str,
    reference: str,
    description: str,
    payer: User | None,
    unit: Unit | None,
    amount: int,
    created: datetime,
    paid: datetime | None,
    expires: datetime | None = None,
) -> tuple[PaymentOrder, LedgerEntry | None]:
    """An order as ``payment_order_create`` writes it, paid as ``_apply_payment`` records a
    notice of the demo provider (or expired by the mop-up)."""
    rng = w.rng
    expires = expires or created + timedelta(minutes=app_setting("order_ttl_minutes"))
    order = PaymentOrder(
        number=f"PO{_local_day(created):%Y%m%d}{rng.getrandbits(48):012X}",
        purpose=purpose,
        reference=reference[:64],
        description=description[:128],
        payer=payer,
        unit=unit,
        amount_fen=amount,
        expires_at=expires,
        created_at=created,
        updated_at=created,
    )
    entry = None
    if paid is not None and paid <= w.horizon:
        txn = f"DEMO{rng.getrandbits(64):016X}"
        order.state = PayState.PAID
        order.paid_fen = amount
        order.provider = "demo"
        order.provider_txn_id = txn
        order.paid_at = paid
        order.updated_at = paid
        entry = LedgerEntry(
            provider="demo", kind=LedgerKind.PAYMENT, external_id=txn, amount_fen=amount, at=paid
        )
    elif expires + timedelta(minutes=5) <= w.horizon:
        order.state = PayState.EXPIRED
        order.closed_at = expires + timedelta(minutes=5)
        order.updated_at = order.closed_at
    return order, entry


def _save_payments(pairs: Sequence[tuple[PaymentOrder, LedgerEntry | None]]) -> None:
    with _backdating(PaymentOrder):
        PaymentOrder.objects.bulk_create([o for o, _e in pairs], batch_size=BATCH)
    entries = []
    for order, entry in pairs:
        if entry is not None:
            entry.order = order
            entries.append(entry)
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)


def _generate_cases(w: _World, sequences: _Sequences, n: int) -> list[Case]:
    versions = list(
        ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("item__implementing_unit")
        .prefetch_related("materials")
        .order_by("pk")
    )
    versions = [v for v in versions if v.item.current_id == v.pk]
    if not versions:
        raise ActivityError("no published service items: run manage.py demo_load first")
    weights = [ITEM_WEIGHTS.get(v.item.code[:4], 2) for v in versions]
    implementing: dict[str, list[Unit]] = {}
    for v in versions:
        unit = v.item.implementing_unit
        group = implementing.setdefault(unit.path.split(".")[0], [])
        if unit not in group:
            group.append(unit)
    stations: dict[str, list[Unit]] = {}
    for unit in w.units.values():
        if unit.kind == "station" and unit.is_active:
            stations.setdefault(unit.path.split(".")[0], []).append(unit)

    plans: list[tuple[datetime, ServiceItemVersion, CaseChannel]] = []
    for _i in range(n):
        version = w.rng.choices(versions, weights=weights)[0]
        deliveries = list(version.deliveries)
        r = w.rng.random()
        if "window" in deliveries and r < 0.35:
            channel = CaseChannel.WINDOW
        elif "window" in deliveries and r < 0.40:
            channel = CaseChannel.KIOSK
        else:
            channel = CaseChannel.MOBILE if w.rng.random() < 0.35 else CaseChannel.ONLINE
        while True:
            at = (
                w.working_instant()
                if channel in (CaseChannel.WINDOW, CaseChannel.KIOSK)
                else w.any_instant()
            )
            if at < w.horizon - timedelta(minutes=1):
                break
        plans.append((at, version, channel))
    plans.sort(key=lambda p: (p[0], p[1].pk))

    builders = []
    for submitted, version, channel in plans:
        b = _CaseBuilder(w, version, submitted)
        b.channel = channel
        root = b.unit.path.split(".")[0]
        if channel == CaseChannel.WINDOW and stations.get(root) and w.rng.random() < 0.2:
            b.case.receiving_unit = w.rng.choice(stations[root])
        b.prefix = _root_prefix(b.case.receiving_unit, w.roots)
        b.transfer_targets = implementing.get(root, [])
        _plan_case(b, sequences)
        b.play()
        builders.append(b)

    cases = [b.case for b in builders]
    with _backdating(Case):
        Case.objects.bulk_create(cases, batch_size=BATCH)
    events = []
    for b in builders:
        for event in b.events:
            event.case = b.case
            events.append(event)
    CaseEvent.objects.bulk_create(events, batch_size=BATCH * 2)
    payments = []
    for b in builders:
        if b.payment is None:
            continue
        created, paid = b.payment
        payments.append(
            _payment_order(
                w,
                purpose=Purpose.CASE_FEE,
                reference=str(b.case.pk),
                description=f"{b.version.name} {b.case.number}",
                payer=b.user,
                unit=b.unit,
                amount=int(b.version.fee_fen or 0),
                created=created,
                paid=paid,
            )
        )
    _save_payments(payments)
    w.bump("cases", len(cases))
    w.bump("case_events", len(events))
    w.bump("payment_orders", len(payments))
    return cases


# --- desk tickets -----------------------------------------------------------------------------


def _desk_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return (actor.get_full_name() or actor.get_username())[:100]


def _generate_tickets(
    w: _World, sequences: _Sequences, n: int, owned: dict[int, list[Enterprise]]
) -> list[Ticket]:
    rng = w.rng
    kinds = [k for k, _wt in TICKET_KINDS]
    kind_weights = [wt for _k, wt in TICKET_KINDS]
    remind = timedelta(hours=float(desk_setting("remind_hours")))
    item_names = list(
        ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list(
            "name", flat=True
        )
    ) or ["业务"]
    complaint_units: dict[str, list[Unit]] = {}
    for unit in w.units.values():
        if unit.is_active and unit.kind in ("station", "sub_bureau", "corps", "brigade"):
            complaint_units.setdefault(w.province(unit), []).append(unit)
    routes: dict[tuple[str, int | None, str], tuple[Unit, User | None]] = {}
    submissions = sorted(w.any_instant() for _i in range(n))
    submissions = [s for s in submissions if s < w.horizon]
    tickets: list[Ticket] = []
    timelines: list[list[TicketEvent]] = []
    for submitted in submissions:
        kind = rng.choices(kinds, weights=kind_weights)[0]
        province = "12" if rng.random() < 0.7 else "45"
        person = rng.choice(w.people[province])
        user = w.users_of[person.pk]
        enterprise = None
        if owned.get(person.pk) and kind != TicketKind.TIP and rng.random() < 0.6:
            enterprise = rng.choice(owned[person.pk])
        region = enterprise.region_code if enterprise else rng.choice(DISTRICTS[province])
        key = (kind, enterprise.pk if enterprise else None, region)
        if key not in routes:
            routes[key] = ticket_route(kind=kind, enterprise=enterprise, region_code=region)
        unit, officer = routes[key]
        hours = _hours_of(unit)
        deadline = ticket_deadline(kind=kind, start=submitted, unit=unit)
        item = rng.choice(item_names)[:30]
        title, body = TICKET_TEXT[TicketKind(kind)]
        anonymous = kind == TicketKind.TIP and rng.random() < 0.4
        ticket = Ticket(
            number=sequences.ticket_number(_local_day(submitted)),
            kind=kind,
            source=TicketSource.PORTAL,
            title=title.format(item=item)[:120],
            body=body.format(item=item),
            topic=rng.choice(TICKET_TOPICS),
            region_code=region,
            enterprise=None if anonymous else enterprise,
            unit=unit,
            officer=officer,
            green=kind == TicketKind.GREEN_CHANNEL,
            submitted_at=submitted,
            due_at=deadline.at,
            due_provisional=deadline.provisional,
            created_at=submitted,
            updated_at=submitted,
        )
        if kind == TicketKind.COMPLAINT:
            ticket.subject_unit = rng.choice(complaint_units.get(province) or [unit])
            ticket.complaint_reason = rng.choice(ComplaintReason.values)
        if anonymous:
            ticket.anonymous = True
            ticket.owner_hash = owner_hash_of(user)
            ticket.sealed_identity = json.dumps(
                {
                    "contact": "",
                    "user_id": str(user.pk),
                    "username": user.get_username(),
                    "name": person.name,
                    "mobile": person.mobile or "",
                },
                ensure_ascii=False,
            )
        else:
            ticket.reporter = user
            ticket.reporter_name = person.name
            ticket.contact_mobile = person.mobile
        handler = officer or w.officers.of(unit, Role.WINDOW_CLERK)
        events = [
            TicketEvent(
                at=submitted,
                actor=None if anonymous else user,
                actor_label="reporter",
                action=TicketAction.SUBMIT,
            )
        ]
        _play_ticket(w, ticket, events, handler, user, hours, remind)
        tickets.append(ticket)
        timelines.append(events)
    with _backdating(Ticket):
        Ticket.objects.bulk_create(tickets, batch_size=BATCH)
    all_events = []
    for ticket, events in zip(tickets, timelines, strict=True):
        for event in events:
            event.ticket = ticket
            all_events.append(event)
    TicketEvent.objects.bulk_create(all_events, batch_size=BATCH * 2)
    w.bump("tickets", len(tickets))
    w.bump("ticket_events", len(all_events))
    return tickets


def _play_ticket(
    w: _World,
    t: Ticket,
    events: list[TicketEvent],
    handler: User,
    owner: User,
    hours: OfficeHours,
    remind: timedelta,
) -> None:
    """Reply (mostly in time), remind and escalate as the sweep would, rectify, reopen, accept —
    each step only if it happened before the horizon."""
    rng, horizon = w.rng, w.horizon
    reporter_actor = None if t.anonymous else owner

    def event(
        at: datetime,
        action: str,
        actor: User | None,
        note: str = "",
        public: bool = True,
        reporter: bool = False,
    ) -> None:
        events.append(
            TicketEvent(
                at=at,
                actor=actor,
                actor_label="reporter" if reporter else _desk_label(actor),
                action=action,
                note=note,
                public=public,
            )
        )
        t.updated_at = at

    def answer(start: datetime, late_share: float) -> bool:
        """One round: reminder, escalation, reply. False: the horizon came first."""
        assert t.due_at is not None
        total = workdays.working_time_between(start, t.due_at, hours)
        late = rng.random() < late_share
        share = rng.uniform(1.05, 2.5) if late else rng.betavariate(2, 3) * 0.95
        reply_at = workdays.add_working_time(start, max(total * share, timedelta(minutes=3)), hours)
        if reply_at <= start:
            reply_at = start + timedelta(minutes=3)
        remind_at = _desk_tick(
            workdays.add_working_time(start, total - remind, hours) if total > remind else start
        )
        if t.reminded_at is None and remind_at < reply_at and remind_at <= t.due_at:
            if remind_at > horizon:
                return False
            t.reminded_at = remind_at
            event(remind_at, TicketAction.REMIND, None, public=False)
        overdue_at = _desk_tick(t.due_at + timedelta(seconds=1))
        if reply_at > overdue_at and t.escalation_level == 0:
            if overdue_at > horizon:
                return False
            t.escalation_level = 1
            t.escalated_at = overdue_at
            event(overdue_at, TicketAction.OVERDUE, None, note="答复超期，系统自动督办。")
        if reply_at > horizon:
            return False
        if t.first_reply_on_time is None:
            t.first_reply_on_time = reply_at <= t.due_at
        t.state = TS.REPLIED
        t.replied_at = reply_at
        t.reply = (
            "您好，您反映的问题已收悉并核实，现答复如下：已按规定办理，如有疑问请联系承办民警。"
        )
        event(reply_at, TicketAction.REPLY, handler, note=t.reply)
        return True

    late_share = 0.12 if t.kind == TicketKind.COMPLAINT else 0.07
    if not answer(t.submitted_at, late_share):
        return
    assert t.replied_at is not None
    done = t.replied_at
    if t.kind == TicketKind.COMPLAINT and rng.random() < 0.35:
        days = int(desk_setting("rectification_days"))
        t.rectification_required = True
        t.rectification_due_at = workdays.working_days_deadline_at(t.replied_at, days, hours).at
        if rng.random() < 0.85:
            rectified = w.after(t.replied_at, rng.uniform(7, days * 7 - 1), hours)
        else:
            rectified = w.after(t.rectification_due_at, rng.uniform(3, 60), hours)
            tick = _desk_tick(t.rectification_due_at + timedelta(seconds=1))
            if t.escalation_level == 0:
                if tick > horizon:
                    return
                t.escalation_level = 1
                t.escalated_at = tick
                event(tick, TicketAction.OVERDUE, None, note="整改超期，系统自动督办。")
        if rectified > horizon:
            return
        t.rectified_at = rectified
        t.rectification_note = "已对相关窗口人员进行批评教育，并优化了办理流程。"
        event(rectified, TicketAction.RECTIFY, handler, note=t.rectification_note)
        done = rectified
    if rng.random() < 0.05:
        reopened = done + timedelta(hours=rng.uniform(2, 48))
        if reopened > horizon:
            return
        deadline = ticket_deadline(kind=t.kind, start=reopened, unit=t.unit)
        t.state = TS.REOPENED
        t.reopen_count += 1
        t.due_at = deadline.at
        t.due_provisional = deadline.provisional
        t.reminded_at = None
        event(
            reopened,
            TicketAction.REOPEN,
            reporter_actor,
            note="答复未解决实际问题。",
            reporter=True,
        )
        if not answer(reopened, 0.05):
            return
        assert t.replied_at is not None
        done = t.replied_at
    if rng.random() < 0.85:
        accepted = done + timedelta(hours=rng.uniform(0.5, 72))
        if accepted > horizon:
            return
        t.state = TS.CLOSED
        t.closed_at = accepted
        event(accepted, TicketAction.ACCEPT, reporter_actor, reporter=True)


def _desk_tick(instant: datetime) -> datetime:
    """The first run of the 10-minute desk sweep at or after ``instant``."""
    stamp = instant.timestamp()
    return datetime.fromtimestamp(-(-int(stamp) // 600) * 600, tz=SHANGHAI)


# --- seal orders ------------------------------------------------------------------------------


def _generate_seal_orders(
    w: _World, sequences: _Sequences, enterprises: list[Enterprise], reps: dict[int, Person]
) -> list[SealOrder]:
    from onestop.certificates.selectors import seal_image_png

    rng = w.rng
    shops: dict[str, list[EngravingShop]] = {}
    for shop in EngravingShop.objects.filter(is_active=True).order_by("pk"):
        shops.setdefault(shop.region_code[:2], []).append(shop)
    extra_kinds = [SealKind.FINANCE, SealKind.CONTRACT, SealKind.INVOICE, SealKind.LEGAL_REP]
    hours = OfficeHours.default()
    plans = sorted(((w.any_instant(), e) for e in enterprises), key=lambda p: (p[0], p[1].pk))
    orders: list[SealOrder] = []
    seals: list[Seal] = []
    seal_orders: list[int] = []
    payments: list[tuple[int, datetime, datetime | None]] = []
    for submitted, enterprise in plans:
        if submitted >= w.horizon or not shops.get(enterprise.region_code[:2]):
            continue
        person = reps[enterprise.pk]
        shop = rng.choice(shops[enterprise.region_code[:2]])
        extra = rng.choices([0, 1, 2, 3], weights=[30, 40, 20, 10])[0]
        kinds = [SealKind.OFFICIAL, *sorted(rng.sample(extra_kinds, extra))]
        fee = sum(shop.price_of(k) for k in kinds)
        promise_days = promise_days_for(enterprise)
        order = SealOrder(
            number=f"YZ{_local_day(submitted):%Y%m%d}"
            f"{sequences.seal(f'order:{_local_day(submitted):%Y%m%d}'):05d}",
            enterprise=enterprise,
            applicant=person,
            shop=shop,
            handover=Handover.COURIER if rng.random() < 0.3 else Handover.PICKUP,
            fee_fen=fee,
            payment_state=PaymentState.UNPAID if fee else PaymentState.FREE,
            promise_days=promise_days,
            submitted_at=submitted,
            created_at=submitted,
            updated_at=submitted,
        )
        if order.handover == Handover.COURIER:
            order.courier_address = enterprise.address or f"{enterprise.name}注册地址"
        paid = submitted + timedelta(minutes=rng.uniform(1, 20)) if fee else None
        if paid is not None and paid <= w.horizon:
            order.payment_state = PaymentState.PAID
            order.updated_at = paid
        index = len(orders)
        if fee:
            payments.append((index, submitted, paid))
        promise = hours.working_days(promise_days)
        slow = rng.random() < 0.12
        share = rng.uniform(1.1, 4.0) if slow else rng.uniform(0.15, 0.95)
        accepted = w.after(
            submitted, rng.uniform(0.02, 0.1) * promise.total_seconds() / 3600, hours
        )
        ready = workdays.add_working_time(submitted, promise * share, hours)
        ready = max(ready, accepted + timedelta(minutes=10))
        completed = (
            ready + timedelta(hours=rng.uniform(20, 60))
            if order.handover == Handover.COURIER
            else w.after(ready, rng.uniform(0.3, 20), hours)
        )
        region = enterprise.region_code or "000000"
        order_seals = [
            Seal(enterprise=enterprise, kind=k, created_at=submitted, updated_at=submitted)
            for k in kinds
        ]
        if accepted <= w.horizon:
            order.state = OrderState.ACCEPTED
            order.accepted_at = accepted
            order.updated_at = accepted
        if ready <= w.horizon:
            order.state = OrderState.READY
            order.ready_at = ready
            order.elapsed_working = workdays.working_time_between(submitted, ready)
            order.updated_at = ready
            for seal in order_seals:
                seal.code = f"{region}{sequences.seal(f'code:{region}'):07d}"
                seal.status = SealStatus.FILED
                seal.filed_at = ready
                kept = w.imprints.get((enterprise.name, seal.kind, seal.code))
                seal.imprint = kept or seal_image_png(
                    enterprise.name, seal.get_kind_display(), code=seal.code
                )
                seal.updated_at = ready
        if completed <= w.horizon:
            order.state = OrderState.COMPLETED
            order.completed_at = completed
            order.updated_at = completed
        orders.append(order)
        seals.extend(order_seals)
        seal_orders.extend([index] * len(order_seals))
    with _backdating(SealOrder, Seal):
        SealOrder.objects.bulk_create(orders, batch_size=BATCH)
        for seal, index in zip(seals, seal_orders, strict=True):
            seal.order = orders[index]
        Seal.objects.bulk_create(seals, batch_size=BATCH)
    pairs = []
    for index, created, paid in payments:
        order = orders[index]
        pairs.append(
            _payment_order(
                w,
                purpose=Purpose.SERVICE,
                reference=f"{PAYMENT_REFERENCE_PREFIX}{order.pk}",
                description=f"印章刻制 {order.number}",
                payer=w.users_of[order.applicant_id],
                unit=None,
                amount=order.fee_fen,
                created=created,
                paid=paid,
            )
        )
    _save_payments(pairs)
    changed = []
    for (index, _c, _p), (payment, _e) in zip(payments, pairs, strict=True):
        if payment.state == PayState.PAID:
            orders[index].payment_reference = str(payment.pk)
            changed.append(orders[index])
    SealOrder.objects.bulk_update(changed, ["payment_reference"], batch_size=BATCH)
    w.bump("seal_orders", len(orders))
    w.bump("seals", len(seals))
    w.bump("payment_orders", len(pairs))
    return orders


# --- fines ------------------------------------------------------------------------------------


def _generate_fines(w: _World, n: int) -> list[Fine]:
    rng = w.rng
    by_code = {u.code: u for u in w.units.values()}
    traffic = [by_code[c] for c in ("TJ-JJZD", "GX-JJZD") if c in by_code]
    admin = [u for u in w.units.values() if u.kind == "sub_bureau" and u.is_active]
    if not traffic and not admin:
        return []
    facts = {
        "traffic": ["机动车违反禁止标线指示", "机动车违反规定停放", "驾驶机动车未按规定使用安全带"],
        "administrative": ["违反治安管理规定，扰乱公共秩序", "旅馆未按规定登记住宿人员信息"],
    }
    amounts = {"traffic": [5000, 10000, 15000, 20000], "administrative": [20000, 50000, 100000]}
    fines: list[Fine] = []
    pairs = []
    for i in range(n):
        kind = "traffic" if traffic and (not admin or rng.random() < 0.8) else "administrative"
        unit = rng.choice(traffic if kind == "traffic" else admin)
        decided = w.working_instant()
        day = _local_day(decided)
        number = f"{(unit.region_code or '000000')[:6]:0<6}{day:%Y%m}9{i:05d}"
        code = f"{rng.randrange(10**6):06d}"
        fine = Fine(
            decision_number=number,
            verification_code_hash=fine_code_hash(number, code),
            kind=kind,
            party_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            facts=rng.choice(facts[kind]),
            amount_fen=rng.choice(amounts[kind]),
            decided_on=day,
            due_on=day + timedelta(days=15),
            unit=unit,
            created_at=decided,
            updated_at=decided,
        )
        fines.append(fine)
        if rng.random() < 0.88:
            pay_day = day + timedelta(days=int(rng.triangular(0, 30, 3)))
            paid = _at(pay_day, rng.choices(range(24), weights=HOURLY)[0], rng.randrange(60))
            paid = max(paid, decided + timedelta(minutes=30))
            if paid > w.horizon:
                continue
            local_paid = _local_day(paid)
            created = paid - timedelta(minutes=rng.uniform(1, 10))
            midnight = _at(_local_day(created) + timedelta(days=1))
            ttl = created + timedelta(minutes=app_setting("order_ttl_minutes"))
            pairs.append(
                _payment_order(
                    w,
                    purpose=Purpose.FINE,
                    reference=number,
                    description=f"罚款 {number}",
                    payer=None,
                    unit=unit,
                    amount=fine.amount_fen + fine_surcharge_fen(fine, local_paid),
                    created=created,
                    paid=paid if paid < midnight else None,
                    expires=min(midnight, ttl),
                )
            )
    with _backdating(Fine):
        Fine.objects.bulk_create(fines, batch_size=BATCH)
    _save_payments(pairs)
    w.bump("fines", len(fines))
    w.bump("payment_orders", len(pairs))
    return fines


# --- ratings ----------------------------------------------------------------------------------

ENDED = (CaseState.REFUSED, CaseState.CLOSED, CaseState.REVOKED, CaseState.TERMINATED)
BAD_COMMENTS = [
    "办理时间太长，超过了承诺时限。",
    "窗口要求提供办事指南上没有的材料。",
    "来回跑了好几趟才办成。",
    "工作人员态度生硬。",
    "网上系统经常提交失败。",
]
GOOD_COMMENTS = ["", "", "办理很快，点赞！", "工作人员很耐心。", "网上就能办，很方便。"]


def _generate_ratings(w: _World, cases: list[Case], tickets: list[Ticket]) -> None:
    rng, horizon = w.rng, w.horizon
    days = int(ratings_setting("rectification_days"))
    ratings: list[Rating] = []
    tasks: list[tuple[int, Rectification]] = []
    targets: list[tuple[datetime, Unit, int | None, User, Case | None, Ticket | None, bool]] = []
    for case in cases:
        if case.state in ENDED and case.closed_at is not None and rng.random() < 0.3:
            late = case.on_time is False or case.state == CaseState.REFUSED
            user = w.users_of[case.applicant_id]
            targets.append(
                (
                    case.closed_at,
                    case.handling_unit,
                    case.item_version.item_id,
                    user,
                    case,
                    None,
                    late,
                )
            )
    for ticket in tickets:
        if ticket.state == TS.CLOSED and ticket.closed_at is not None and rng.random() < 0.3:
            user = ticket.reporter or _owner_of(w, ticket)
            late = ticket.first_reply_on_time is False
            targets.append((ticket.closed_at, ticket.unit, None, user, None, ticket, late))
    for ended, unit, item_id, user, rated_case, rated_ticket, late in targets:
        at = ended + timedelta(minutes=rng.uniform(1, 72 * 60))
        if at > horizon:
            continue
        bad_share = 0.35 if late else 0.04
        if rng.random() < bad_share:
            level = Level.DISSATISFIED if rng.random() < 0.6 else Level.VERY_DISSATISFIED
        else:
            level = rng.choices([Level(5), Level(4), Level(3)], weights=[75, 19, 6])[0]
        options = list(indicator_options(level))
        chosen = sorted(rng.sample(options, rng.randint(0 if level > 2 else 1, 2)))
        if late and level in BAD_LEVELS and "slow" in options and "slow" not in chosen:
            chosen = sorted([*chosen, "slow"])
        sealed = rated_ticket is not None and rated_ticket.anonymous
        rating = Rating(
            case=rated_case,
            ticket=rated_ticket,
            rater=user,
            real_name=False if sealed else rng.random() < 0.9,
            level=level,
            indicators=chosen,
            comment=rng.choice(BAD_COMMENTS if level in BAD_LEVELS else GOOD_COMMENTS),
            channel=RatingChannel.ONLINE if rng.random() < 0.8 else RatingChannel.WINDOW,
            unit=unit,
            item_id=item_id,
            created_at=at,
        )
        ratings.append(rating)
        if level in BAD_LEVELS:
            hours = _hours_of(unit)
            task = Rectification(
                unit=unit,
                due_at=workdays.working_days_deadline_at(at, days, hours).at,
                created_at=at,
            )
            _play_rectification(w, task, rating, hours)
            tasks.append((len(ratings) - 1, task))
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    for index, task in tasks:
        task.rating = ratings[index]
    Rectification.objects.bulk_create([t for _i, t in tasks], batch_size=BATCH)
    w.bump("ratings", len(ratings))
    w.bump("rectifications", len(tasks))


def _owner_of(w: _World, ticket: Ticket) -> User:
    for user in w.users_of.values():
        if owner_hash_of(user) == ticket.owner_hash:
            return user
    raise ActivityError(f"no owner for ticket {ticket.number}")


def _play_rectification(w: _World, task: Rectification, rating: Rating, hours: OfficeHours) -> None:
    """Return call, classification and outcome; a few tasks never get their return call."""
    rng, horizon = w.rng, w.horizon
    officer = w.officers.of(task.unit, Role.REVIEWER)
    if rng.random() < 0.04:
        return  # no return call (yet): the dashboard shows it
    late = rng.random() < 0.15
    called = w.after(task.created_at, rng.uniform(0.5, 10), hours)
    if called > horizon:
        return
    task.return_call_at = called
    task.return_call_by = officer
    task.return_call_reached = rng.random() < 0.92
    task.return_call_note = "已电话回访评价人，了解具体情况并致歉。"
    classification = rng.choices(
        [Classification.VALID, Classification.EXPLAINED, Classification.MISTAKEN],
        weights=[70, 25, 5],
    )[0]
    task.classification = classification
    task.classification_note = "经核实，评价反映的情况" + (
        "属实。" if classification == "valid" else "已向评价人解释说明。"
    )
    if late:
        closed = w.after(task.due_at, rng.uniform(2, 50), hours)
    else:
        room = max(workdays.working_time_between(called, task.due_at, hours), timedelta(minutes=10))
        closed = workdays.add_working_time(called, room * rng.uniform(0.1, 0.95), hours)
    closed = max(closed, called + timedelta(minutes=5))
    if closed > horizon:
        return
    task.outcome = "已督促相关窗口整改，优化流程并加强人员培训。"
    task.state = RS.CLOSED
    task.closed_at = closed
    task.closed_by = officer
    task.on_time = closed <= task.due_at


# --- the entry point --------------------------------------------------------------------------


def generate_activity(
    *, days: int = 365, scale: float = 1.0, seed: int = 2026, end: date | None = None
) -> dict[str, int]:
    """Replace the generated demo activity with ``days`` days of it ending at ``end`` (default
    today); returns the number of rows written per kind. Deterministic for the same arguments
    and the same shared demo data."""
    if days < 1 or scale <= 0:
        raise ActivityError("days must be at least 1 and scale positive")
    now = timezone.now()
    end = end or _local_day(now)
    horizon = min(now, _at(end + timedelta(days=1)) - timedelta(seconds=1))
    start = end - timedelta(days=days - 1)
    units = {u.pk: u for u in Unit.objects.all()}
    if not units:
        raise ActivityError("no units: run manage.py demo_load first")
    roots = {u.path: u.code for u in units.values() if u.parent_id is None}
    working = [
        start + timedelta(days=i)
        for i in range(days)
        if workdays.is_working_day(start + timedelta(days=i))
    ]
    if not working:
        working = [workdays.next_working_day(end, include_self=True)]
    imprints: dict[tuple[str, str, str], bytes] = {}
    cleared = clear_activity(imprints)
    with transaction.atomic():
        per_province = max(10, round(150 * scale**0.5))
        people, created_people = _ensure_people(per_province, seed)
        staff = list(User.objects.filter(kind="staff", is_active=True).select_related("unit"))
        staff = [u for u in staff if not u.username.startswith("da-")]
        world = _World(
            rng=random.Random(seed),
            start=start,
            end=end,
            horizon=horizon,
            working_days=working,
            units=units,
            roots=roots,
            officers=_Officers(staff=staff),
            people=people,
            users_of=_users_of(people),
            imprints=imprints,
        )
        world.bump("persons", created_people)
        sequences = _Sequences()
        factor = scale * days / 365
        enterprises = _ensure_enterprises(world, max(3, round(SEAL_ORDERS_PER_YEAR * factor)), seed)
        reps = _legal_reps(enterprises)
        owned: dict[int, list[Enterprise]] = {}
        for enterprise in enterprises:
            owned.setdefault(reps[enterprise.pk].pk, []).append(enterprise)
        cases = _generate_cases(world, sequences, max(10, round(CASES_PER_YEAR * factor)))
        tickets = _generate_tickets(
            world, sequences, max(5, round(TICKETS_PER_YEAR * factor)), owned
        )
        _generate_seal_orders(world, sequences, enterprises, reps)
        _generate_fines(world, max(3, round(FINES_PER_YEAR * factor)))
        _generate_ratings(world, cases, tickets)
        sequences.save()
        world.bump("officers", world.officers.created)
    counts = dict(sorted(world.counts.items()))
    counts["cleared_cases"] = cleared.get(Case._meta.label, 0)
    return counts


def _users_of(people: dict[str, list[Person]]) -> dict[int, User]:
    """The user of every generated person (also those a run with another scale created)."""
    persons = list(Person.objects.filter(verification_method=MARK).values_list("pk", "user_id"))
    users = User.objects.in_bulk([u for _p, u in persons])
    return {p: users[u] for p, u in persons}


def _legal_reps(enterprises: list[Enterprise]) -> dict[int, Person]:
    """Each enterprise's legal representative (its bound generated person)."""
    from onestop.accounts.choices import EnterpriseRole
    from onestop.accounts.models import EnterpriseMembership

    rows = EnterpriseMembership.objects.filter(
        enterprise__in=enterprises, role=EnterpriseRole.LEGAL_REPRESENTATIVE
    ).select_related("person")
    return {m.enterprise_id: m.person for m in rows}
