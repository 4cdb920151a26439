"""Factories for units and users, shared by every app's tests."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts import services
from onestop.accounts.choices import Role, UnitKind
from onestop.accounts.models import Unit, User

PASSWORD = "correct-horse-battery-9"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.STATION
    region_code = "120101"
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: object, **kwargs: object) -> Unit:
        return services.unit_create(actor=None, **kwargs)  # type: ignore[arg-type]


def staff_user(
    *,
    unit: Unit,
    roles: list[Role | str] | None = None,
    username: str | None = None,
    with_totp: bool = True,
) -> User:
    username = username or f"officer{User.objects.count() + 1}"
    user = services.staff_create(
        actor=None,
        username=username,
        password=PASSWORD,
        unit=unit,
        roles=roles or [Role.WINDOW_CLERK],
        first_name=username,
    )
    if with_totp:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user
