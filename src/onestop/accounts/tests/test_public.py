"""Public registration, real-name confirmation, password and SMS login, one-time codes."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from onestop.accounts import services
from onestop.accounts.models import DemoSmsMessage, OneTimeCode, Person, User
from onestop.accounts.tests.conftest import last_code, make_id_number, make_mobile
from onestop.core.models import AuditEvent

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Open-sesame-2024"


def register(client: Client, serial: int, **overrides: str):  # type: ignore[no-untyped-def]
    data = {
        "name": "李四",
        "id_number": make_id_number(serial),
        "mobile": make_mobile(serial),
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/account/register/", data)


def test_register_then_confirm_mobile_completes_real_name(
    client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = register(client, 11)
    assert response.status_code == 302
    assert response["Location"] == "/account/verify-mobile/"
    person = Person.objects.get()
    assert person.verified_at is None
    # The code went to the demo outbox, masked, and the database holds only a hash of it.
    code = last_code(make_mobile(11))
    sms = DemoSmsMessage.objects.get()
    assert sms.mobile_masked == "139****0011"
    assert OneTimeCode.objects.get().code_hash != code
    assert code not in OneTimeCode.objects.get().code_hash

    response = client.post("/account/verify-mobile/", {"code": code})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.verified_at is not None
    assert AuditEvent.objects.filter(action="person.register").exists()
    assert AuditEvent.objects.filter(action="person.verify_mobile").exists()


def test_account_page_shows_id_and_mobile_masked(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    person = register_person(12, name="王五")
    client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/account/").content.decode()
    id_number = make_id_number(12)
    assert "王五" in html
    assert id_number not in html
    assert id_number[:4] + "*" * 10 + id_number[-4:] in html
    assert make_mobile(12) not in html
    assert "139****0012" in html
    assert "已认证" in html


def test_second_account_with_same_id_number_is_refused(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    register_person(13)
    response = register(client, 13, mobile=make_mobile(99))
    assert response.status_code == 200
    assert "该身份证号码已注册账户" in response.content.decode()
    assert Person.objects.count() == 1


def test_invalid_id_number_and_mismatched_passwords_are_explained(client: Client) -> None:
    response = register(client, 14, id_number="120101199001010001", password2="other-pass-99")
    html = response.content.decode()
    assert "公民身份号码校验位不正确" in html
    assert "两次输入的密码不一致" in html
    assert not User.objects.exists()


def test_password_login_with_mobile_or_id_number(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    register_person(15)
    response = client.post("/account/login/", {"identifier": make_mobile(15), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    client.post("/account/logout/")
    response = client.post(
        "/account/login/", {"identifier": make_id_number(15).lower(), "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(
        "/account/login/", {"identifier": make_mobile(15), "password": "wrong-password"}
    )
    assert "账号或密码不正确" in response.content.decode()


def test_public_password_login_locks_after_failures(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    register_person(16)
    for _ in range(5):
        response = client.post(
            "/account/login/", {"identifier": make_mobile(16), "password": "wrong-password"}
        )
    assert response.status_code == 429
    response = client.post("/account/login/", {"identifier": make_mobile(16), "password": PASSWORD})
    assert response.status_code == 429
    assert "账户已被临时锁定" in response.content.decode()


def test_sms_login(client: Client, register_person, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        register_person(17)
        traveller.shift(dt.timedelta(minutes=2))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/login/sms/", {"mobile": make_mobile(17)})
        assert "验证码已发送" in response.content.decode()
        code = last_code(make_mobile(17))
        response = client.post("/account/login/sms/", {"mobile": make_mobile(17), "code": code})
        assert response.status_code == 302
        assert client.get("/account/").status_code == 200
        # A code works once.
        other = Client()
        response = other.post("/account/login/sms/", {"mobile": make_mobile(17), "code": code})
        assert response.status_code == 200
        assert "验证码已失效" in response.content.decode()


def test_sms_login_for_unknown_mobile_sends_nothing_but_says_the_same(client: Client) -> None:
    response = client.post("/account/login/sms/", {"mobile": make_mobile(18)})
    assert "如该手机号码已注册并完成实名认证" in response.content.decode()
    assert not DemoSmsMessage.objects.exists()


def test_code_expires_after_five_minutes(
    register_person, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        person = register_person(19, verified=False)
        with django_capture_on_commit_callbacks(execute=True):
            services.person_send_mobile_code(person=person)
        code = last_code()
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        with pytest.raises(ValidationError, match="验证码已失效"):
            services.person_verify_mobile(person=person, code=code)
        person.refresh_from_db()
        assert person.verified_at is None


def test_code_allows_five_attempts(register_person, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = register_person(20, verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.person_send_mobile_code(person=person)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可尝试 {left} 次"):
            services.person_verify_mobile(person=person, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.person_verify_mobile(person=person, code=wrong)
    # Even the right code no longer works: the attempts were recorded.
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.person_verify_mobile(person=person, code=code)
    assert OneTimeCode.objects.get().attempts == 5


def test_resend_is_throttled_to_once_a_minute_per_mobile(
    client: Client,
    register_person,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        person = register_person(21, verified=False)
        with django_capture_on_commit_callbacks(execute=True):
            services.person_send_mobile_code(person=person)
        traveller.shift(dt.timedelta(seconds=30))
        with pytest.raises(ValidationError, match="30 秒后重试"):
            services.person_send_mobile_code(person=person)
        client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.post("/account/verify-mobile/", {"action": "resend"}, follow=True)
        assert "发送过于频繁" in response.content.decode()
        assert DemoSmsMessage.objects.count() == 1
        traveller.shift(dt.timedelta(seconds=31))
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/account/verify-mobile/", {"action": "resend"})
        assert DemoSmsMessage.objects.count() == 2
        # Only the newest code works.
        services.person_verify_mobile(person=person, code=last_code())


def test_sms_is_sent_only_after_commit(register_person, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = register_person(22, verified=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.person_send_mobile_code(person=person)
    assert not DemoSmsMessage.objects.exists()
    assert len(callbacks) == 1


def test_demo_sms_is_logged(register_person, django_capture_on_commit_callbacks, caplog) -> None:  # type: ignore[no-untyped-def]
    person = register_person(23, verified=False)
    with (
        caplog.at_level(logging.INFO, logger="onestop.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.person_send_mobile_code(person=person)
    assert "139****0023" in caplog.text
    assert make_mobile(23) not in caplog.text


def test_demo_outbox_lists_messages(client: Client, register_person) -> None:  # type: ignore[no-untyped-def]
    register_person(24)
    html = client.get("/account/demo-outbox/").content.decode()
    assert "139****0024" in html
    assert "实名认证验证码" in html


@override_settings(ONESTOP_ENV="production")
def test_demo_outbox_is_absent_in_production(client: Client) -> None:
    assert client.get("/account/demo-outbox/").status_code == 404


def test_staff_have_no_public_account_page(officer_client: Client) -> None:
    response = officer_client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/work/"


def test_account_pages_require_login(client: Client) -> None:
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
