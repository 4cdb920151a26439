"""Data for the case benchmarks, built through the real services (call after ``_pg.setup_django``).

A city bureau (TJ) with sub-bureaus and police stations, one published licence item per station
(with a small form schema and three materials, like the test factory), verified applicants and
officers with a confirmed TOTP device.
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric

from onestop.accounts import services as account_services
from onestop.accounts.choices import Role, UnitKind
from onestop.accounts.models import Person, Unit, User
from onestop.catalogue.choices import ItemType, Level, LimitUnit, VersionStatus
from onestop.catalogue.models import Material, ServiceItem, ServiceItemVersion

FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "address": {"type": "string", "title": "拟落户地址", "maxLength": 50},
        "floors": {"type": "integer", "title": "层数", "minimum": 1, "maximum": 4},
    },
    "required": ["address", "floors"],
}
FORM = {"address": "和平路1号", "floors": 3}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "correct-horse-battery-9"  # noqa: S105 (benchmark users, throwaway database)
CSRF_CHARS = string.ascii_letters + string.digits


@dataclass
class Units:
    bureau: Unit
    sub_bureaus: list[Unit]
    stations: list[Unit]


def build_units(*, sub_bureaus: int, stations_per_sub: int) -> Units:
    """TJ → TJ-Bnn sub-bureaus → TJ-Bnn-mm stations, through ``unit_create``."""
    create = account_services.unit_create
    bureau = create(
        actor=None, code="TJ", name="天津市公安局", kind=UnitKind.BUREAU, region_code="120000"
    )
    subs: list[Unit] = []
    stations: list[Unit] = []
    for b in range(1, sub_bureaus + 1):
        sub = create(
            actor=None,
            code=f"TJ-B{b:02d}",
            name=f"第{b}分局",
            kind=UnitKind.SUB_BUREAU,
            region_code=f"1201{b:02d}",
            parent=bureau,
        )
        subs.append(sub)
        for s in range(1, stations_per_sub + 1):
            stations.append(
                create(
                    actor=None,
                    code=f"TJ-B{b:02d}-{s:02d}",
                    name=f"第{b}分局第{s}派出所",
                    kind=UnitKind.STATION,
                    region_code=f"1201{b:02d}",
                    parent=sub,
                )
            )
    return Units(bureau=bureau, sub_bureaus=subs, stations=stations)


def build_item(*, unit: Unit, n: int, on_the_spot: bool = False) -> ServiceItemVersion:
    """A published licence item implemented by ``unit`` (the test factory's shape)."""
    item = ServiceItem.objects.create(code=f"L{n % 1000:03d}-01", implementing_unit=unit)
    version = ServiceItemVersion.objects.create(
        item=item,
        number=1,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        name=f"基准测试事项{n}",
        item_type=ItemType.LICENCE,
        level=Level.CITY,
        legal_basis="《测试条例》第一条",
        statutory_limit=Decimal(20),
        statutory_limit_unit=LimitUnit.WORKING_DAYS,
        promised_limit=Decimal(5),
        promised_limit_unit=LimitUnit.WORKING_DAYS,
        delivery_window=True,
        delivery_courier=True,
        channel_online=True,
        conditional_acceptance=True,
        conditional_supply_days=5,
        conditional_consequence="逾期未补正的，终止办理",
        on_the_spot=on_the_spot,
        form_schema=FORM_SCHEMA,
    )
    Material.objects.create(version=version, position=1, name="身份证", is_key=True)
    Material.objects.create(
        version=version, position=2, name="租赁合同", is_key=False, waivable=True
    )
    Material.objects.create(version=version, position=3, name="照片", is_key=False, waivable=False)
    item.current = version
    item.save(update_fields=["current"])
    return version


def build_applicants(count: int, *, start: int = 0) -> list[Person]:
    """``count`` registered, verified persons (valid unique ID numbers and mobiles). Passwords
    are hashed with a fast hasher here: the benchmark signs them in with prepared sessions."""
    people: list[Person] = []
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        for i in range(start, start + count):
            born = date(1950, 1, 1) + timedelta(days=i // 1000)
            base = f"120101{born:%Y%m%d}{i % 1000:03d}"
            person = account_services.person_register(
                name=f"申请人{i}",
                id_number=base + ric.calc_check_digit(base + "0"),
                mobile=f"139{i:08d}",
                password=PASSWORD,
            )
            people.append(
                account_services.person_mark_verified(actor=None, person=person, method="bench")
            )
    return people


def build_officer(*, unit: Unit, username: str, roles: list[Role] | None = None) -> User:
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        user = account_services.staff_create(
            actor=None,
            username=username,
            password=PASSWORD,
            unit=unit,
            roles=roles or [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER],
            first_name=username,
        )
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def signed_in_session(user: User) -> tuple[str, str]:
    """A stored session of ``user`` signed in (with their TOTP device verified, like the
    two-step login) and a CSRF token: ``(session key, csrf token)`` for the cookies."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_onestop_last_seen"] = time.time()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    csrf = "".join(secrets.choice(CSRF_CHARS) for _ in range(32))
    assert session.session_key is not None
    return session.session_key, csrf


def insert_cases(count: int, expressions: dict[str, str]) -> float:
    """Insert ``count`` cases in one ``INSERT … SELECT … FROM generate_series(1, count) AS g``:
    each column named in ``expressions`` from its SQL expression (of ``g``), every other column
    (present or added later) from the field's default; then ``VACUUM ANALYZE``. The seconds it
    took. PostgreSQL only."""
    from django.db import connection

    from onestop.cases.models import Case

    columns: list[str] = []
    selects: list[str] = []
    params: list[Any] = []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in expressions:
            selects.append(expressions[field.column].replace("%", "%%"))
        else:
            selects.append(f"CAST(%s AS {field.db_type(connection)})")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    # Identifiers come from the model and values are generated by the caller.
    sql = (
        f"INSERT INTO {Case._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(selects)} FROM generate_series(1, {count}) AS g"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Rows consistent by construction: skip the per-row foreign-key triggers.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute(f"VACUUM ANALYZE {Case._meta.db_table}")
    # A VACUUM right after the load can leave the visibility map unset (a concurrent
    # transaction, e.g. autovacuum's ANALYZE of another table, still saw the rows as new):
    # vacuum again, as autovacuum would, until the loaded pages are all-visible (bounded).
    for _ in range(10):
        if case_pages_all_visible() >= 0.99:
            break
        time.sleep(1)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {Case._meta.db_table}")
    return time.perf_counter() - started


def case_pages_all_visible() -> float:
    """The share of the case table's pages that the visibility map marks all-visible: what
    index-only scans can skip the table for. Autovacuum keeps old (closed) cases' pages
    all-visible in production; ``insert_cases`` vacuums until they are."""
    from django.db import connection

    from onestop.cases.models import Case

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = %s",
            [Case._meta.db_table],
        )
        pages, visible = cursor.fetchone()
    return float(visible / pages) if pages else 1.0
