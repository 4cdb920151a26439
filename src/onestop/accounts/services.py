"""Writes for units and users. Every function is keyword-only, atomic and audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from onestop.core.audit import audit_log

from .choices import Role, UnitKind, UserKind
from .models import PATH_STEP, Unit, User


def _next_child_path(parent: Unit | None) -> str:
    siblings = Unit.objects.filter(parent=parent) if parent else Unit.objects.filter(
        parent__isnull=True
    )
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    index = int(last.rsplit(".", 1)[-1]) + 1 if last else 1
    if index >= 10**PATH_STEP:
        raise ValueError("too many child units under one parent")
    segment = f"{index:0{PATH_STEP}d}"
    return f"{parent.path}.{segment}" if parent else segment


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: UnitKind | str,
    region_code: str,
    parent: Unit | None = None,
    short_name: str = "",
    office_hours: str = "09:00-12:00,13:30-17:30",
    address: str = "",
    phone: str = "",
) -> Unit:
    if parent is not None:
        # Lock the parent so that concurrent creations under it get distinct paths.
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    unit = Unit(
        parent=parent, path=_next_child_path(parent), code=code, name=name, kind=kind,
        region_code=region_code, short_name=short_name, office_hours=office_hours,
        address=address, phone=phone,
    )
    unit.full_clean()
    unit.save()
    audit_log(actor=actor, action="unit.create", obj=unit, unit=unit,
              summary={"after": {"code": code, "name": name, "parent": parent.code if parent else None}})
    return unit


def role_group(role: Role | str) -> Group:
    group, _ = Group.objects.get_or_create(name=str(role))
    return group


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    unit: Unit,
    roles: list[Role | str],
    first_name: str = "",
    last_name: str = "",
    police_number: str = "",
) -> User:
    user = User(
        username=username, kind=UserKind.STAFF, unit=unit, first_name=first_name,
        last_name=last_name, police_number=police_number,
        is_staff=Role.PLATFORM_ADMIN in roles or Role.UNIT_ADMIN in roles,
        is_superuser=Role.PLATFORM_ADMIN in roles,
    )
    user.set_password(password)
    user.save()
    user.groups.set([role_group(role) for role in roles])
    audit_log(actor=actor, action="staff.create", obj=user, unit=unit,
              summary={"after": {"username": username, "roles": sorted(map(str, roles))}})
    return user
