"""Helpers for the accounts tests: valid identity numbers, codes from the demo outbox, TOTP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import ric, uscc

from onestop.accounts import services
from onestop.accounts.models import DemoSmsMessage, Enterprise, Person, User


def make_id_number(serial: int, *, birth: str = "19900101", region: str = "120101") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "X")


def make_credit_code(serial: int) -> str:
    body = f"91120101MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def make_mobile(serial: int) -> str:
    return f"139{serial:08d}"


def last_code(mobile: str | None = None) -> str:
    """The code in the newest demo SMS (what the user reads on their phone)."""
    qs = DemoSmsMessage.objects.all()
    if mobile is not None:
        qs = qs.filter(mobile_masked=mobile[:3] + "****" + mobile[-4:])
    message = qs.first()
    assert message is not None, "no SMS was sent"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match is not None
    return match.group(1)


def totp_now(device: TOTPDevice) -> str:
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return f"{token:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(totp_now(device))
    return f"{(right + 500000) % 1000000:06d}"


@pytest.fixture
def register_person(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Register and verify a person through the services, as the pages do."""

    def _register(serial: int, *, name: str = "张三", verified: bool = True) -> Person:
        mobile = make_mobile(serial)
        person = services.person_register(
            name=name,
            id_number=make_id_number(serial),
            mobile=mobile,
            password="Open-sesame-2024",
        )
        if verified:
            with django_capture_on_commit_callbacks(execute=True):
                services.person_send_mobile_code(person=person)
            person = services.person_verify_mobile(person=person, code=last_code(mobile))
        return person

    return _register


@pytest.fixture
def enterprise(db: None) -> Enterprise:
    return services.enterprise_create(
        actor=None,
        credit_code=make_credit_code(1),
        name="天津示例科技有限公司",
        legal_representative_name="张三",
        legal_representative_id=make_id_number(1),
    )


@pytest.fixture
def anon_client() -> Client:
    return Client()


def login_verified(client: Client, user: User) -> Client:
    """Log ``user`` in as the two-step login does (password and a verified TOTP device)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
