"""Staff two-step login (password, then TOTP), enrolment, lockout and logout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.accounts.models import Unit
from onestop.accounts.tests.conftest import totp_now, wrong_code
from onestop.accounts.tests.factories import PASSWORD, staff_user
from onestop.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/work/login/", {"username": username, "password": password, **extra})


def test_officer_logs_in_with_password_then_totp(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["station1"], username="wang")
    response = password_step(client, "wang")
    assert response.status_code == 302
    assert response["Location"] == "/work/login/verify/"
    # Password alone does not open the work portal.
    assert client.get("/work/").status_code == 302

    page = client.get("/work/login/verify/")
    assert "动态验证码" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer)
    response = client.post("/work/login/verify/", {"code": totp_now(device)})
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    inbox = client.get("/work/")
    assert inbox.status_code == 200
    assert "劝业场派出所" in inbox.content.decode()
    assert AuditEvent.objects.filter(action="staff.login", actor=officer).exists()


def test_next_parameter_is_kept_and_offsite_next_ignored(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["station1"], username="wang")
    device = TOTPDevice.objects.get(user=officer)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as tm:
        password_step(client, "wang", next="/work/?tab=overdue")
        response = client.post("/work/login/verify/", {"code": totp_now(device)})
        assert response["Location"] == "/work/?tab=overdue"
        tm.shift(dt.timedelta(minutes=1))  # a TOTP code is accepted once
        other = Client()
        password_step(other, "wang", next="https://evil.example/")
        response = other.post("/work/login/verify/", {"code": totp_now(device)})
        assert response["Location"] == "/work/"


def test_wrong_password_shows_error(client: Client, unit_tree: dict[str, Unit]) -> None:
    staff_user(unit=unit_tree["station1"], username="wang")
    response = password_step(client, "wang", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_officer_without_device_enrols_with_qr_and_secret(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    officer = staff_user(unit=unit_tree["station1"], username="li", with_totp=False)
    password_step(client, "li")
    page = client.get("/work/login/verify/")
    html = page.content.decode()
    assert "绑定身份验证器" in html
    assert "<svg" in html  # the otpauth:// QR code, inline, no network
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed is False
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret in html
    # A wrong first code does not confirm the device.
    client.post("/work/login/verify/", {"code": wrong_code(device)})
    device.refresh_from_db()
    assert device.confirmed is False
    with time_machine.travel(dt.timedelta(seconds=5), tick=False):
        response = client.post("/work/login/verify/", {"code": totp_now(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/work/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.totp_enrol", actor=officer).exists()


def test_public_user_cannot_log_in_at_work_portal(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    person = register_person(5)
    response = password_step(client, person.user.username, "Open-sesame-2024")
    assert response.status_code == 200
    assert "民警工作台仅供公安机关工作人员登录" in response.content.decode()
    assert client.get("/work/login/verify/").status_code == 302
    assert client.get("/work/").status_code == 302


def test_verify_step_without_password_step_goes_back(client: Client) -> None:
    response = client.get("/work/login/verify/")
    assert response.status_code == 302
    assert response["Location"] == "/work/login/"


def test_logout_requires_post_and_ends_session(
    officer_client: Client,
) -> None:
    assert officer_client.get("/work/logout/").status_code == 405
    response = officer_client.post("/work/logout/")
    assert response.status_code == 302
    assert officer_client.get("/work/").status_code == 302


def _locked(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 429 and "账户已被临时锁定" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account_until_cooloff(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    staff_user(unit=unit_tree["station1"], username="zhao")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(4):
            assert password_step(client, "zhao", "wrong-password").status_code == 200
        response = password_step(client, "zhao", "wrong-password")
        assert _locked(response)
        assert "30 分钟" in response.content.decode()
        # Even the right password is refused while locked.
        response = password_step(client, "zhao")
        assert _locked(response)
        assert client.get("/work/login/verify/").status_code == 302
        # After the cool-off the right password works again.
        traveller.shift(dt.timedelta(minutes=31))
        response = password_step(client, "zhao")
        assert response.status_code == 302
        assert response["Location"] == "/work/login/verify/"


def test_lockout_is_per_account(client: Client, unit_tree: dict[str, Unit]) -> None:
    staff_user(unit=unit_tree["station1"], username="zhao")
    staff_user(unit=unit_tree["station1"], username="qian")
    for _ in range(5):
        password_step(client, "zhao", "wrong-password")
    assert _locked(password_step(client, "zhao"))
    assert password_step(client, "qian").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=dt.timedelta(minutes=10))
def test_lockout_limit_and_duration_are_configurable(
    client: Client, unit_tree: dict[str, Unit]
) -> None:
    staff_user(unit=unit_tree["station1"], username="sun")
    assert password_step(client, "sun", "wrong-password").status_code == 200
    response = password_step(client, "sun", "wrong-password")
    assert _locked(response)
    assert "10 分钟" in response.content.decode()


def test_wrong_totp_codes_count_towards_lockout(client: Client, unit_tree: dict[str, Unit]) -> None:
    officer = staff_user(unit=unit_tree["station1"], username="zhou")
    device = TOTPDevice.objects.get(user=officer)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        password_step(client, "zhou")
        for attempt in range(4):
            response = client.post("/work/login/verify/", {"code": wrong_code(device)})
            assert response.status_code == 200
            assert "动态验证码不正确" in response.content.decode()
            traveller.shift(dt.timedelta(seconds=2 ** (attempt + 1)))
        response = client.post("/work/login/verify/", {"code": wrong_code(device)})
        assert _locked(response)
        # Locked: the password step refuses even the right password.
        assert _locked(password_step(client, "zhou"))
        assert client.get("/work/").status_code == 302


def test_totp_throttling_asks_to_wait(client: Client, unit_tree: dict[str, Unit]) -> None:
    officer = staff_user(unit=unit_tree["station1"], username="wu")
    device = TOTPDevice.objects.get(user=officer)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        password_step(client, "wu")
        client.post("/work/login/verify/", {"code": wrong_code(device)})
        response = client.post("/work/login/verify/", {"code": totp_now(device)})
        assert "验证尝试过于频繁" in response.content.decode()
        assert client.get("/work/").status_code == 302
