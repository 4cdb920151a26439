"""Demo data of the desk, on top of what ``manage.py demo_load`` creates: routing rules to the
enterprises' dedicated officers, the green-channel liaison directory, a social supervisor and
the identity-custodian role. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group

from onestop.accounts.models import Unit, User
from onestop.core.pii import lookup_hash

from . import services
from .conf import desk_setting
from .models import DeskAssignment, Liaison, Supervisor

#: (region code, unit code, officer username or "")
ASSIGNMENTS = [
    ("120101", "TJ-HP-QYC", "tj_clerk"),
    ("120103", "TJ-HX-YYL", "tj_clerk_hx"),
    ("450100", "GX-NN-D1-S1", "gx_clerk"),
]

#: (name, title, unit code, level, police type, phone)
LIAISONS = [
    ("王志强", "副总队长", "TJ-ZAZD", "city", "public_order", "022-23456701"),
    ("刘海燕", "副总队长", "TJ-CRJ", "city", "exit_entry", "022-23456702"),
    ("张斌", "副总队长", "TJ-JJZD", "city", "traffic", "022-23456703"),
    ("陈立新", "副总队长", "TJ-JZZD", "city", "economic", "022-23456704"),
    ("赵敏", "副局长", "TJ-HP", "county", "public_order", "022-27111101"),
    ("孙涛", "副局长", "TJ-BH", "county", "public_order", "022-25222201"),
    ("韦明", "副总队长", "GX-ZAZD", "region", "public_order", "0771-2345601"),
    ("黄丽", "副局长", "GX-CRJ", "region", "exit_entry", "0771-2345602"),
    ("覃军", "副局长", "GX-NN", "city", "public_order", "0771-5555501"),
    ("蒙芳", "副局长", "GX-NN-D1", "county", "household", "0771-5666601"),
]

CUSTODIANS = ["tj_unitadmin", "gx_reviewer"]


def load_demo() -> None:
    units = {u.code: u for u in Unit.objects.all()}
    users = {u.username: u for u in User.objects.filter(kind="staff")}
    for region, unit_code, username in ASSIGNMENTS:
        unit = units.get(unit_code)
        if unit is None or DeskAssignment.objects.filter(region_code=region, kind="").exists():
            continue
        services.assignment_set(
            actor=None, unit=unit, officer=users.get(username), region_code=region
        )
    for name, title, unit_code, level, police_type, phone in LIAISONS:
        unit = units.get(unit_code)
        if unit is None or Liaison.objects.filter(name=name, unit=unit).exists():
            continue
        services.liaison_create(
            actor=None,
            name=name,
            title=title,
            unit=unit,
            level=level,
            police_type=police_type,
            phone=phone,
        )
    group, _created = Group.objects.get_or_create(name=desk_setting("reveal_role"))
    for username in CUSTODIANS:
        if username in users:
            users[username].groups.add(group)
    # 刘强, head of 天津滨海印务, serves as a social supervisor of the Tianjin bureau
    bureau = units.get("TJ")
    supervisor_user = User.objects.filter(
        mobile_hash=lookup_hash("13700137005", kind="mobile")
    ).first()
    if bureau is not None and not Supervisor.objects.filter(name="刘强").exists():
        admin = users.get("tj_admin")
        if admin is not None:
            today = dt.date.today()
            services.supervisor_register(
                actor=admin,
                name="刘强",
                category="enterprise_head",
                organisation="天津滨海印务有限公司",
                unit=bureau,
                term_start=today.replace(month=1, day=1),
                term_end=today.replace(year=today.year + 2, month=12, day=31),
                mobile="13700137005",
                user=supervisor_user
                if supervisor_user and supervisor_user.kind == "public"
                else None,
            )
