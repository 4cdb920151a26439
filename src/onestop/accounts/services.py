"""Writes for units and users. Every function is keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash, mask_id_number, mask_mobile

from .choices import EnterpriseRole, IdDocumentType, Role, UnitKind, UserKind
from .identifiers import normalise_credit_code, normalise_id_number, normalise_mobile
from .models import (
    PATH_STEP,
    Enterprise,
    EnterpriseMembership,
    OneTimeCode,
    Person,
    Unit,
    User,
)
from .selectors import membership_is_valid
from .sms import sms_send


def _next_child_path(parent: Unit | None) -> str:
    siblings = (
        Unit.objects.filter(parent=parent) if parent else Unit.objects.filter(parent__isnull=True)
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
        parent=parent,
        path=_next_child_path(parent),
        code=code,
        name=name,
        kind=kind,
        region_code=region_code,
        short_name=short_name,
        office_hours=office_hours,
        address=address,
        phone=phone,
    )
    unit.full_clean()
    unit.save()
    audit_log(
        actor=actor,
        action="unit.create",
        obj=unit,
        unit=unit,
        summary={"after": {"code": code, "name": name, "parent": parent.code if parent else None}},
    )
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
        username=username,
        kind=UserKind.STAFF,
        unit=unit,
        first_name=first_name,
        last_name=last_name,
        police_number=police_number,
        is_staff=Role.PLATFORM_ADMIN in roles or Role.UNIT_ADMIN in roles,
        is_superuser=Role.PLATFORM_ADMIN in roles,
    )
    user.set_password(password)
    user.save()
    user.groups.set([role_group(role) for role in roles])
    audit_log(
        actor=actor,
        action="staff.create",
        obj=user,
        unit=unit,
        summary={"after": {"username": username, "roles": sorted(map(str, roles))}},
    )
    return user


# --- roles ----------------------------------------------------------------------------------

# Permissions each role's group holds ("app_label.codename"). Permissions of apps that are not
# installed yet are skipped, so ``roles_sync`` can run at any stage and be re-run later.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.WINDOW_CLERK: ["accounts.view_unit"],
    Role.REVIEWER: ["accounts.view_unit"],
    Role.APPROVER: ["accounts.view_unit"],
    Role.SUPERVISOR: ["accounts.view_unit", "core.view_auditevent", "core.search_auditevent"],
    Role.UNIT_ADMIN: [
        "accounts.view_unit",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "core.view_auditevent",
        "core.search_auditevent",
        "catalogue.view_serviceitem",
        "catalogue.view_serviceitemversion",
        "catalogue.change_serviceitemversion",
    ],
    Role.PLATFORM_ADMIN: [
        "accounts.view_unit",
        "accounts.add_unit",
        "accounts.change_unit",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_person",
        "accounts.view_enterprise",
        "accounts.add_enterprise",
        "accounts.change_enterprise",
        "accounts.view_enterprisemembership",
        "accounts.view_demosmsmessage",
        "auth.view_group",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "core.view_auditevent",
        "core.search_auditevent",
        "core.view_calendaryear",
        "core.add_calendaryear",
        "core.change_calendaryear",
        "core.view_calendardayoverride",
        "core.add_calendardayoverride",
        "core.change_calendardayoverride",
        "core.delete_calendardayoverride",
        "catalogue.view_serviceitem",
        "catalogue.change_serviceitem",
        "catalogue.view_serviceitemversion",
        "catalogue.change_serviceitemversion",
        "catalogue.delete_serviceitemversion",
        "catalogue.view_proofrequirement",
        "catalogue.add_proofrequirement",
        "catalogue.change_proofrequirement",
        "catalogue.view_nopenaltyentry",
        "catalogue.add_nopenaltyentry",
        "catalogue.change_nopenaltyentry",
        "catalogue.view_inspectionlistentry",
        "catalogue.add_inspectionlistentry",
        "catalogue.change_inspectionlistentry",
        "policy.view_measure",
        "policy.change_measure",
        "policy.view_commitment",
        "policy.change_commitment",
        "policy.view_progressreport",
        "policy.view_supervisionnote",
    ],
}


@transaction.atomic
def roles_sync(*, actor: User | None = None) -> dict[str, int]:
    """Create one group per role and set its permissions to ``ROLE_PERMISSIONS``. Idempotent;
    returns the number of permissions each group holds."""
    from django.contrib.auth.models import Permission

    result: dict[str, int] = {}
    for role in Role:
        wanted = ROLE_PERMISSIONS.get(role, [])
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group = role_group(role)
        before = set(group.permissions.values_list("pk", flat=True))
        group.permissions.set(perms)
        result[str(role)] = len(perms)
        if before != {p.pk for p in perms}:
            audit_log(
                actor=actor,
                action="role.sync",
                obj=group,
                summary={"after": {"permissions": sorted(wanted)}},
            )
    return result


# --- one-time codes -------------------------------------------------------------------------

CODE_LENGTH = 6
CODE_TTL = dt.timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_INTERVAL = dt.timedelta(seconds=60)


class CodeThrottled(ValidationError):
    """A code was sent to this mobile less than a minute ago."""

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            _("验证码发送过于频繁，请在 %(seconds)s 秒后重试。") % {"seconds": wait_seconds},
            code="code_throttled",
        )


def _code_hash(*, mobile_hash: str, purpose: str, code: str) -> str:
    # Keyed hash bound to the mobile and purpose: the table never holds a usable code.
    return lookup_hash(f"{mobile_hash}:{purpose}:{code}", kind="one_time_code")


@dataclass(frozen=True)
class SentCode:
    expires_at: dt.datetime


@transaction.atomic
def one_time_code_send(*, mobile: str, purpose: str) -> SentCode:
    """Create a code for ``mobile`` and send it by SMS after commit (at most once a minute per
    mobile). Earlier unused codes of the same purpose stop working."""
    mobile = normalise_mobile(mobile)
    mobile_hash = lookup_hash(mobile, kind="mobile")
    now = timezone.now()
    last = (
        OneTimeCode.objects.select_for_update()
        .filter(mobile_hash=mobile_hash, created_at__gt=now - CODE_RESEND_INTERVAL)
        .order_by("-created_at")
        .first()
    )
    if last is not None:
        wait = CODE_RESEND_INTERVAL - (now - last.created_at)
        raise CodeThrottled(max(1, math.ceil(wait.total_seconds())))
    OneTimeCode.objects.filter(
        mobile_hash=mobile_hash, purpose=purpose, used_at__isnull=True
    ).update(used_at=now)
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    otc = OneTimeCode.objects.create(
        mobile_hash=mobile_hash,
        purpose=purpose,
        code_hash=_code_hash(mobile_hash=mobile_hash, purpose=purpose, code=code),
        expires_at=now + CODE_TTL,
    )
    label = OneTimeCode.Purpose(purpose).label
    body = _("【%(site)s】您的%(purpose)s验证码为 %(code)s，5 分钟内有效。请勿泄露给他人。") % {
        "site": _("公安政务服务"),
        "purpose": label,
        "code": code,
    }
    sms_send(mobile=mobile, body=body)
    return SentCode(expires_at=otc.expires_at)


def one_time_code_check(*, mobile: str, purpose: str, code: str) -> None:
    """Consume the current code for ``mobile`` if ``code`` matches; otherwise count the attempt
    (committed even though the caller sees an error) and raise ``ValidationError``.

    Not atomic as a whole on purpose: the failed attempt must persist when we raise."""
    mobile = normalise_mobile(mobile)
    mobile_hash = lookup_hash(mobile, kind="mobile")
    now = timezone.now()
    error: ValidationError | None = None
    with transaction.atomic():
        otc = (
            OneTimeCode.objects.select_for_update()
            .filter(mobile_hash=mobile_hash, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otc is None or otc.expires_at <= now:
            error = ValidationError(_("验证码已失效，请重新获取。"), code="code_expired")
        elif otc.attempts >= CODE_MAX_ATTEMPTS:
            error = ValidationError(_("验证码错误次数过多，请重新获取。"), code="code_exhausted")
        else:
            expected = _code_hash(mobile_hash=mobile_hash, purpose=purpose, code=code.strip())
            if hmac.compare_digest(expected, otc.code_hash):
                otc.used_at = now
                otc.save(update_fields=["used_at"])
            else:
                otc.attempts += 1
                otc.save(update_fields=["attempts"])
                left = CODE_MAX_ATTEMPTS - otc.attempts
                if left > 0:
                    error = ValidationError(
                        _("验证码不正确，还可尝试 %(left)s 次。") % {"left": left},
                        code="code_wrong",
                    )
                else:
                    error = ValidationError(
                        _("验证码错误次数过多，请重新获取。"), code="code_exhausted"
                    )
    if error is not None:
        raise error


# --- persons (real-name users) --------------------------------------------------------------


def _new_public_username() -> str:
    # Public users log in with their mobile or ID number; the username is an opaque handle so
    # that no personal datum is stored in clear in the user table.
    while True:
        candidate = "p" + secrets.token_hex(6)
        if not User.objects.filter(username=candidate).exists():
            return candidate


@transaction.atomic
def person_register(
    *,
    name: str,
    id_number: str,
    mobile: str,
    password: str,
    id_type: IdDocumentType | str = IdDocumentType.RESIDENT_ID,
) -> Person:
    """Create a public user and their (not yet verified) real-name identity, and send a code to
    the mobile. One account per ID number."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请输入姓名。")})
    id_number = normalise_id_number(id_number)
    mobile = normalise_mobile(mobile)
    id_hash = lookup_hash(id_number, kind="resident_id")
    if Person.objects.filter(id_number_hash=id_hash).exists():
        raise ValidationError(
            {"id_number": _("该身份证号码已注册账户，请直接登录或找回密码。")},
            code="id_number_taken",
        )
    mobile_hash = lookup_hash(mobile, kind="mobile")
    if User.objects.filter(mobile_hash=mobile_hash).exists():
        raise ValidationError({"mobile": _("该手机号码已被其他账户使用。")}, code="mobile_taken")
    user = User(
        username=_new_public_username(),
        kind=UserKind.PUBLIC,
        first_name=name,
        mobile=mobile,
        mobile_hash=mobile_hash,
    )
    user.set_password(password)
    try:
        # A savepoint, so that a concurrent registration of the same ID number that wins the
        # race surfaces as the same friendly error instead of a 500.
        with transaction.atomic():
            user.save()
            person = Person.objects.create(
                user=user,
                name=name,
                id_type=id_type,
                id_number=id_number,
                id_number_hash=id_hash,
                mobile=mobile,
                mobile_hash=mobile_hash,
            )
    except IntegrityError:
        raise ValidationError(
            {"id_number": _("该身份证号码已注册账户，请直接登录或找回密码。")},
            code="id_number_taken",
        ) from None
    audit_log(
        actor=user,
        action="person.register",
        obj=person,
        summary={
            "after": {
                "name": name,
                "id_number": mask_id_number(id_number),
                "mobile": mask_mobile(mobile),
            }
        },
    )
    return person


@transaction.atomic
def person_mark_verified(*, actor: User | None, person: Person, method: str) -> Person:
    """Record that the person's identity was verified by another means than the SMS code: a
    window officer checking the ID card, a face-verification provider, or the demo loader."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.verified_at = timezone.now()
    person.verification_method = method[:40]
    person.save(update_fields=["verified_at", "verification_method", "updated_at"])
    audit_log(
        actor=actor,
        action="person.mark_verified",
        obj=person,
        summary={"after": {"verified": True, "method": method}},
    )
    return person


def person_send_mobile_code(*, person: Person) -> SentCode:
    return one_time_code_send(mobile=person.mobile, purpose=OneTimeCode.Purpose.REAL_NAME)


def person_verify_mobile(*, person: Person, code: str) -> Person:
    """Confirm the person's mobile with the code sent to it; this completes real-name
    verification (ID number + name + mobile). Wrong codes are counted before raising."""
    one_time_code_check(mobile=person.mobile, purpose=OneTimeCode.Purpose.REAL_NAME, code=code)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        person.verified_at = timezone.now()
        person.verification_method = "sms"
        person.save(update_fields=["verified_at", "verification_method", "updated_at"])
        audit_log(
            actor=person.user,
            action="person.verify_mobile",
            obj=person,
            summary={"after": {"verified": True, "method": "sms"}},
        )
    return person


def public_user_for_login(identifier: str) -> User | None:
    """The public user whose mobile or resident ID number is ``identifier``."""
    identifier = (identifier or "").strip()
    try:
        mobile = normalise_mobile(identifier)
    except ValidationError:
        pass
    else:
        return User.objects.filter(
            kind=UserKind.PUBLIC, mobile_hash=lookup_hash(mobile, kind="mobile")
        ).first()
    try:
        id_number = normalise_id_number(identifier)
    except ValidationError:
        return None
    person = (
        Person.objects.filter(id_number_hash=lookup_hash(id_number, kind="resident_id"))
        .select_related("user")
        .first()
    )
    return person.user if person is not None else None


def login_code_send(*, mobile: str) -> None:
    """Send a login code if a verified person uses this mobile. Callers show the same message
    either way, so the form does not reveal which mobiles have accounts."""
    mobile = normalise_mobile(mobile)
    exists = Person.objects.filter(
        mobile_hash=lookup_hash(mobile, kind="mobile"),
        verified_at__isnull=False,
        user__is_active=True,
    ).exists()
    if exists:
        one_time_code_send(mobile=mobile, purpose=OneTimeCode.Purpose.LOGIN)


def login_code_check(*, mobile: str, code: str) -> User:
    """The user a valid login code belongs to; raises ``ValidationError`` otherwise."""
    mobile = normalise_mobile(mobile)
    person = (
        Person.objects.filter(
            mobile_hash=lookup_hash(mobile, kind="mobile"),
            verified_at__isnull=False,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    if person is None:
        raise ValidationError(_("验证码已失效，请重新获取。"), code="code_expired")
    one_time_code_check(mobile=mobile, purpose=OneTimeCode.Purpose.LOGIN, code=code)
    return person.user


# --- enterprises ----------------------------------------------------------------------------


@transaction.atomic
def enterprise_create(
    *,
    actor: User | None,
    credit_code: str,
    name: str,
    legal_representative_name: str,
    legal_representative_id: str,
    region_code: str = "",
    address: str = "",
    registered_on: dt.date | None = None,
) -> Enterprise:
    """Record an enterprise as registered with market regulation (admin, data exchange, demo)."""
    credit_code = normalise_credit_code(credit_code)
    legal_id = normalise_id_number(legal_representative_id)
    if Enterprise.objects.filter(credit_code=credit_code).exists():
        raise ValidationError({"credit_code": _("该统一社会信用代码的企业已存在。")})
    enterprise = Enterprise(
        credit_code=credit_code,
        name=name.strip(),
        legal_representative_name=legal_representative_name.strip(),
        legal_representative_id=legal_id,
        legal_representative_id_hash=lookup_hash(legal_id, kind="resident_id"),
        region_code=region_code,
        address=address,
        registered_on=registered_on,
    )
    enterprise.full_clean()
    enterprise.save()
    audit_log(
        actor=actor,
        action="enterprise.create",
        obj=enterprise,
        summary={
            "after": {
                "credit_code": credit_code,
                "name": enterprise.name,
                "legal_representative_id": mask_id_number(legal_id),
            }
        },
    )
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    actor: User | None,
    enterprise: Enterprise,
    name: str,
    legal_representative_name: str,
    legal_representative_id: str = "",
    region_code: str = "",
    address: str = "",
    registered_on: dt.date | None = None,
) -> Enterprise:
    """Update registration data; a new legal representative ID ends the old one's rights
    (membership validity compares hashes live)."""
    enterprise.name = name.strip()
    enterprise.legal_representative_name = legal_representative_name.strip()
    enterprise.region_code = region_code
    enterprise.address = address
    enterprise.registered_on = registered_on
    changed = ["name", "legal_representative_name", "region_code", "address", "registered_on"]
    if legal_representative_id:
        legal_id = normalise_id_number(legal_representative_id)
        enterprise.legal_representative_id = legal_id
        enterprise.legal_representative_id_hash = lookup_hash(legal_id, kind="resident_id")
        changed.append("legal_representative_id")
    enterprise.full_clean()
    enterprise.save()
    audit_log(actor=actor, action="enterprise.update", obj=enterprise, summary={"changed": changed})
    return enterprise


def _require_verified(person: Person) -> None:
    if person.verified_at is None:
        raise ValidationError(_("请先完成实名认证（确认手机号码）。"), code="not_verified")


@transaction.atomic
def enterprise_bind_legal_rep(
    *, person: Person, credit_code: str, name: str
) -> EnterpriseMembership:
    """Bind a registered enterprise to the person who is its legal representative: their verified
    ID number must match the registered legal representative's (compared as keyed hashes)."""
    _require_verified(person)
    credit_code = normalise_credit_code(credit_code)
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if enterprise is None or enterprise.name.strip() != name.strip():
        raise ValidationError(
            _("未找到与该统一社会信用代码和名称相符的企业登记信息。"), code="enterprise_not_found"
        )
    if (
        enterprise.legal_representative_id_hash != person.id_number_hash
        or enterprise.legal_representative_name.strip() != person.name.strip()
    ):
        raise ValidationError(
            _("您的实名身份与该企业登记的法定代表人不一致，无法绑定。"), code="not_legal_rep"
        )
    membership, created = EnterpriseMembership.objects.select_for_update().get_or_create(
        enterprise=enterprise,
        person=person,
        defaults={"role": EnterpriseRole.LEGAL_REPRESENTATIVE},
    )
    if not created:
        membership.role = EnterpriseRole.LEGAL_REPRESENTATIVE
        membership.authorised_until = None
        membership.authorised_by = None
        membership.revoked_at = None
        membership.save()
    audit_log(
        actor=person.user,
        action="enterprise.bind_legal_rep",
        obj=membership,
        summary={"after": {"enterprise": enterprise.credit_code}},
    )
    return membership


def _legal_rep_membership(person: Person, enterprise: Enterprise) -> EnterpriseMembership:
    membership = (
        EnterpriseMembership.objects.filter(
            enterprise=enterprise, person=person, role=EnterpriseRole.LEGAL_REPRESENTATIVE
        )
        .select_related("person", "enterprise")
        .first()
    )
    if membership is None or not membership_is_valid(membership):
        raise ValidationError(_("只有已绑定的法定代表人可以管理经办人授权。"), code="not_legal_rep")
    return membership


@transaction.atomic
def enterprise_authorise_agent(
    *,
    legal_rep: Person,
    enterprise: Enterprise,
    agent_id_number: str,
    agent_name: str,
    until: dt.date,
) -> EnterpriseMembership:
    """Authorise another real-name person (found by ID number + name) to act for the
    enterprise until ``until`` (inclusive)."""
    _legal_rep_membership(legal_rep, enterprise)
    today = timezone.localdate()
    if until < today:
        raise ValidationError({"until": _("授权截止日期不能早于今天。")})
    if until > today + dt.timedelta(days=3 * 366):
        raise ValidationError({"until": _("授权期限最长为三年。")})
    id_number = normalise_id_number(agent_id_number)
    agent = (
        Person.objects.filter(id_number_hash=lookup_hash(id_number, kind="resident_id"))
        .select_related("user")
        .first()
    )
    if agent is None or agent.name.strip() != agent_name.strip() or agent.verified_at is None:
        raise ValidationError(
            _("未找到与该身份证号码和姓名相符的已实名用户，请让对方先注册并完成实名认证。"),
            code="agent_not_found",
        )
    if agent.pk == legal_rep.pk:
        raise ValidationError(_("不能授权给自己。"), code="agent_is_self")
    membership = (
        EnterpriseMembership.objects.select_for_update()
        .filter(enterprise=enterprise, person=agent)
        .first()
    )
    if membership is not None and membership.role == EnterpriseRole.LEGAL_REPRESENTATIVE:
        raise ValidationError(_("该人员已是本企业的法定代表人。"), code="agent_is_legal_rep")
    if membership is None:
        membership = EnterpriseMembership(enterprise=enterprise, person=agent)
    membership.role = EnterpriseRole.AGENT
    membership.authorised_until = until
    membership.authorised_by = legal_rep
    membership.revoked_at = None
    membership.save()
    audit_log(
        actor=legal_rep.user,
        action="enterprise.authorise_agent",
        obj=membership,
        summary={
            "after": {
                "enterprise": enterprise.credit_code,
                "agent": mask_id_number(id_number),
                "until": until.isoformat(),
            }
        },
    )
    return membership


@transaction.atomic
def enterprise_revoke_agent(
    *, legal_rep: Person, membership: EnterpriseMembership
) -> EnterpriseMembership:
    """End an agent's authorisation now."""
    membership = (
        EnterpriseMembership.objects.select_for_update()
        .select_related("enterprise")
        .get(pk=membership.pk)
    )
    _legal_rep_membership(legal_rep, membership.enterprise)
    if membership.role != EnterpriseRole.AGENT:
        raise ValidationError(_("只能撤销经办人授权。"), code="not_agent")
    if membership.revoked_at is None:
        membership.revoked_at = timezone.now()
        membership.save(update_fields=["revoked_at", "updated_at"])
        audit_log(
            actor=legal_rep.user,
            action="enterprise.revoke_agent",
            obj=membership,
            summary={"after": {"revoked": True}},
        )
    return membership
