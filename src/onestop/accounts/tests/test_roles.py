"""Role groups and their permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from onestop.accounts.choices import Role
from onestop.accounts.models import Unit
from onestop.accounts.services import roles_sync
from onestop.accounts.tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_roles_sync_creates_every_group_and_is_idempotent() -> None:
    first = roles_sync()
    second = roles_sync()
    assert first == second
    assert set(Group.objects.values_list("name", flat=True)) >= {str(r) for r in Role}
    assert Group.objects.filter(name__in=[str(r) for r in Role]).count() == len(Role)


def test_role_permissions(unit_tree: dict[str, Unit]) -> None:
    call_command("roles_sync", verbosity=0)
    supervisor = staff_user(unit=unit_tree["heping"], roles=[Role.SUPERVISOR])
    unit_admin = staff_user(unit=unit_tree["heping"], roles=[Role.UNIT_ADMIN])
    clerk = staff_user(unit=unit_tree["station1"], roles=[Role.WINDOW_CLERK])
    assert supervisor.has_perm("core.search_auditevent")
    assert not clerk.has_perm("core.search_auditevent")
    assert unit_admin.has_perm("accounts.change_user")
    assert not clerk.has_perm("accounts.change_user")
    assert unit_admin.has_perm("core.search_auditevent")  # their own subtree only


def test_roles_sync_restores_removed_permissions() -> None:
    roles_sync()
    group = Group.objects.get(name=Role.SUPERVISOR)
    group.permissions.clear()
    roles_sync()
    assert group.permissions.filter(codename="search_auditevent").exists()
