"""Personal data at rest: encrypted columns, lookup hashes, rotation, masks, audited reveal."""

from __future__ import annotations

import base64
import io
import json
import os

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from onestop.accounts.models import Person, User
from onestop.core import pii
from onestop.core.models import AuditEvent
from onestop.core.services import pii_reveal

MOBILE = "13800138000"
ID_NUMBER = "120101199003071235"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


K1, K2 = new_key(), new_key()


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def make_user(username: str, mobile: str = MOBILE) -> User:
    return User.objects.create(
        username=username, mobile=mobile, mobile_hash=pii.lookup_hash(mobile, kind="mobile")
    )


def make_person(user: User, id_number: str = ID_NUMBER) -> Person:
    return Person.objects.create(
        user=user,
        name="张小明",
        id_number=id_number,
        id_number_hash=pii.lookup_hash(id_number, kind="resident_id"),
        mobile=MOBILE,
        mobile_hash=pii.lookup_hash(MOBILE, kind="mobile"),
    )


@pytest.mark.django_db
def test_ciphertext_in_database_is_not_plaintext_and_is_randomised() -> None:
    first, second = make_user("a"), make_user("b")
    raw_first = raw_column("accounts_user", "mobile", first.pk)
    raw_second = raw_column("accounts_user", "mobile", second.pk)
    assert MOBILE not in raw_first and MOBILE not in raw_second
    assert raw_first.startswith(pii.keyring().current_id + "$")
    assert raw_first != raw_second  # equal plaintexts, different ciphertexts
    assert User.objects.get(pk=first.pk).mobile == MOBILE


@pytest.mark.django_db
def test_lookup_by_keyed_hash_and_encrypted_column_cannot_be_filtered() -> None:
    user = make_user("a")
    make_user("b", mobile="13900139000")
    found = User.objects.get(mobile_hash=pii.lookup_hash(MOBILE, kind="mobile"))
    assert found == user
    assert pii.lookup_hash(MOBILE, kind="mobile") != pii.lookup_hash(MOBILE, kind="resident_id")
    with pytest.raises(TypeError, match="keyed-hash"):
        User.objects.filter(mobile=MOBILE)
    assert User.objects.filter(mobile__isnull=False).count() == 2


@pytest.mark.django_db
def test_ciphertext_copied_to_another_column_does_not_decrypt() -> None:
    user = make_user("a")
    token = raw_column("accounts_user", "mobile", user.pk)
    person = make_person(user)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_person SET id_number = %s WHERE id = %s", [token, person.pk]
        )
    with pytest.raises(pii.PiiDecryptionError, match="failed authentication"):
        Person.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_rotation_re_encrypts_under_the_new_key_and_is_idempotent() -> None:
    with override_settings(PII_KEYS=f"k1:{K1}"):
        user = make_user("a")
        person = make_person(user)
    with override_settings(PII_KEYS=f"k2:{K2},k1:{K1}"):
        # Old rows still read; new writes use k2.
        assert User.objects.get(pk=user.pk).mobile == MOBILE
        out = io.StringIO()
        call_command("pii_rotate", stdout=out)
        report = out.getvalue()
        assert "accounts.User.mobile: 1 re-encrypted" in report
        assert "accounts.Person.id_number: 1 re-encrypted" in report
        assert "3 value(s) re-encrypted under key 'k2'" in report
        for table, column, pk in [
            ("accounts_user", "mobile", user.pk),
            ("accounts_person", "id_number", person.pk),
            ("accounts_person", "mobile", person.pk),
        ]:
            assert raw_column(table, column, pk).startswith("k2$")
        again = io.StringIO()
        call_command("pii_rotate", stdout=again)
        assert "0 value(s) re-encrypted under key 'k2'; 3 already current" in again.getvalue()
    with override_settings(PII_KEYS=f"k2:{K2}"):  # the old key can now be removed
        assert Person.objects.get(pk=person.pk).id_number == ID_NUMBER


@pytest.mark.django_db
def test_rotation_dry_run_changes_nothing() -> None:
    with override_settings(PII_KEYS=f"k1:{K1}"):
        user = make_user("a")
    with override_settings(PII_KEYS=f"k2:{K2},k1:{K1}"):
        out = io.StringIO()
        call_command("pii_rotate", "--dry-run", stdout=out)
        assert "1 value(s) would be re-encrypted" in out.getvalue()
        assert raw_column("accounts_user", "mobile", user.pk).startswith("k1$")


@pytest.mark.django_db
def test_rotation_rewrites_tokens_not_bound_to_their_column() -> None:
    with override_settings(PII_KEYS=f"k1:{K1}"):
        user = make_user("a")
        legacy = pii.encrypt(MOBILE)  # the label used before tokens were bound to columns
        with connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_user SET mobile = %s WHERE id = %s", [legacy, user.pk])
        assert User.objects.get(pk=user.pk).mobile == MOBILE
        out = io.StringIO()
        call_command("pii_rotate", stdout=out)
        assert "accounts.User.mobile: 1 re-encrypted" in out.getvalue()
        field = User._meta.get_field("mobile")
        token = raw_column("accounts_user", "mobile", user.pk)
        assert pii.decrypt(token, associated_data=field.associated_data) == MOBILE


@pytest.mark.django_db
def test_unknown_key_id_gives_a_clear_error() -> None:
    with override_settings(PII_KEYS=f"k1:{K1}"):
        user = make_user("a")
    with override_settings(PII_KEYS=f"k2:{K2}"):
        with pytest.raises(pii.PiiKeyError, match="PII key 'k1' is no longer configured"):
            User.objects.get(pk=user.pk)
        with pytest.raises(CommandError, match=r"accounts.User.mobile pk=\d+: PII key 'k1'"):
            call_command("pii_rotate", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("k1", "must look like"),
        (f"k1:{K1},k1:{K2}", "appears twice"),
        ("k1:c2hvcnQ=", "32 bytes"),
        ("k1:@@@@", "32 bytes|base64"),
    ],
)
def test_bad_key_configuration_is_refused(spec: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        pii._parse_keys(spec)


def test_tampered_token_is_refused() -> None:
    with override_settings(PII_KEYS=f"k1:{K1}"):
        token = pii.encrypt("secret")
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        with pytest.raises(pii.PiiDecryptionError):
            pii.decrypt(tampered)
        with pytest.raises(pii.PiiDecryptionError):
            pii.decrypt("no-dollar-sign")
        assert pii.decrypt(token) == "secret"


def test_masks() -> None:
    assert pii.mask_id_number("45010319900101123X") == "4501**********123X"
    assert pii.mask_mobile(MOBILE) == "138****8000"
    assert pii.mask_name("张小明") == "张*明"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳小明") == "欧**明"
    assert pii.mask_name("") == ""
    assert pii.mask("123", keep_start=2, keep_end=2) == "***"
    assert pii.mask("secret", keep_start=2, keep_end=0) == "se****"
    assert pii.mask("", keep_start=1, keep_end=1) == ""


@pytest.mark.django_db
def test_reveal_returns_plaintext_and_writes_an_audit_event(unit_tree: dict) -> None:
    from onestop.accounts.tests.factories import staff_user

    officer = staff_user(unit=unit_tree["station1"])
    person = make_person(make_user("citizen"))
    person = Person.objects.get(pk=person.pk)
    value = pii_reveal(actor=officer, obj=person, field="id_number", purpose="  核对户籍信息  ")
    assert value == ID_NUMBER
    event = AuditEvent.objects.get(action="pii.reveal")
    assert event.actor == officer
    assert event.unit_path == unit_tree["station1"].path
    assert event.object_type == "accounts.person"
    assert event.object_id == str(person.pk)
    assert event.summary["field"] == "id_number"
    assert event.purpose == "核对户籍信息"
    serialised = json.dumps(
        [event.summary, event.object_repr, event.purpose, event.actor_label], ensure_ascii=False
    )
    assert ID_NUMBER not in serialised


@pytest.mark.django_db
@pytest.mark.parametrize("purpose", ["", "   "])
def test_reveal_without_purpose_is_refused_and_not_logged(unit_tree: dict, purpose: str) -> None:
    from onestop.accounts.tests.factories import staff_user

    officer = staff_user(unit=unit_tree["station1"])
    person = make_person(make_user("citizen"))
    with pytest.raises(ValidationError) as info:
        pii_reveal(actor=officer, obj=person, field="id_number", purpose=purpose)
    assert info.value.error_dict["purpose"][0].code == "purpose_required"
    assert "事由" in info.value.error_dict["purpose"][0].messages[0]
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()


@pytest.mark.django_db
def test_reveal_only_of_encrypted_fields() -> None:
    person = make_person(make_user("citizen"))
    with pytest.raises(ValueError, match="not personal data"):
        pii_reveal(actor=None, obj=person, field="name", purpose="核对")
    with pytest.raises(ValueError, match="no field"):
        pii_reveal(actor=None, obj=person, field="nope", purpose="核对")


def test_lookup_hash_field_keeps_db_index_false_through_migrations() -> None:
    """db_index=False used to be dropped by deconstruct, and the field read back from a
    migration took the class default (True): the index was created anyway."""
    from onestop.core.fields import LookupHashField

    field = LookupHashField(db_index=False)
    assert field.deconstruct()[3]["db_index"] is False
    assert field.clone().db_index is False
    assert LookupHashField().clone().db_index is True


@pytest.mark.django_db
def test_unindexed_lookup_hashes_have_no_index_in_the_database() -> None:
    from django.db import connection

    from onestop.messaging.models import Message, RegisterDocument
    from onestop.verification.models import PopulationRecord

    for model, column in (
        (PopulationRecord, "name_hash"),
        (RegisterDocument, "number_hash"),
        (RegisterDocument, "holder_mobile_hash"),
        (Message, "address_hash"),
    ):
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        single = [n for n, i in found.items() if i["index"] and i["columns"] == [column]]
        assert single == [], (model.__name__, column, single)
