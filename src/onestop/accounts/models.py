"""Organisation (units), users, real-name persons and enterprises."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import EncryptedTextField, LookupHashField
from onestop.core.models import TimeStampedModel
from onestop.core.pii import mask_id_number, mask_mobile

from .choices import EnterpriseRole, IdDocumentType, UnitKind, UserKind

PATH_STEP = 4  # characters per level of Unit.path ("0001" "0001.0003" …)

region_code_validator = RegexValidator(r"^\d{6}$", _("行政区划代码应为 6 位数字（GB/T 2260）。"))


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A public-security unit: bureau → sub-bureau / corps → brigade / police station.

    ``path`` is a materialised path (``0001.0003.0002``) so that "this unit and everything under
    it" is one indexed prefix query; it is maintained by ``unit_create`` / ``unit_move``.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("层级路径"), max_length=255, unique=True, editable=False)
    code = models.CharField(
        _("单位代码"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("单位代码只能包含字母、数字和 _ . -"))],
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    region_code = models.CharField(
        _("行政区划代码"), max_length=6, validators=[region_code_validator]
    )
    office_hours = models.CharField(
        _("办公时间"),
        max_length=100,
        default="09:00-12:00,13:30-17:30",
        help_text=_("以逗号分隔的时段，例如 09:00-12:00,13:30-17:30（北京时间）"),
        validators=[
            RegexValidator(
                r"^\d{2}:\d{2}-\d{2}:\d{2}(,\d{2}:\d{2}-\d{2}:\d{2})*$",
                _("办公时间格式应为 HH:MM-HH:MM，多个时段以逗号分隔。"),
            )
        ],
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("公安机关单位")
        verbose_name_plural = _("公安机关单位")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return len(self.path.split("."))

    def is_within(self, other: Unit) -> bool:
        """True if this unit is ``other`` or below it."""
        return self.path.startswith(other.path)


class User(AbstractUser):
    """Every login: staff (officers, with a unit) and the public (persons acting for themselves
    or for enterprises)."""

    kind = models.CharField(
        _("用户类型"), max_length=10, choices=UserKind.choices, default=UserKind.PUBLIC
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    police_number = models.CharField(_("警号"), max_length=20, blank=True)
    mobile = EncryptedTextField(_("手机号码"), blank=True)
    mobile_hash = LookupHashField()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="staff") | models.Q(unit__isnull=False),
                name="staff_user_has_unit",
            )
        ]

    @property
    def is_officer(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile or "")

    def role_codes(self) -> set[str]:
        return set(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes() & set(roles))


class Person(TimeStampedModel):
    """A natural person's real-name identity (实名认证) attached to a public user."""

    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="person"
    )
    name = models.CharField(_("姓名"), max_length=100)
    id_type = models.CharField(
        _("证件类型"),
        max_length=20,
        choices=IdDocumentType.choices,
        default=IdDocumentType.RESIDENT_ID,
    )
    id_number = EncryptedTextField(_("证件号码"))
    id_number_hash = LookupHashField(unique=True)
    mobile = EncryptedTextField(_("手机号码"))
    mobile_hash = LookupHashField()
    verified_at = models.DateTimeField(_("实名核验时间"), null=True, blank=True)
    verification_method = models.CharField(_("核验方式"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("实名用户")
        verbose_name_plural = _("实名用户")

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile or "")


class Enterprise(TimeStampedModel):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    legal_representative_name = models.CharField(_("法定代表人"), max_length=100)
    legal_representative_id = EncryptedTextField(_("法定代表人证件号码"))
    legal_representative_id_hash = LookupHashField()
    region_code = models.CharField(
        _("登记地行政区划"), max_length=6, blank=True, validators=[region_code_validator]
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name


class EnterpriseMembership(TimeStampedModel):
    """A person acting for an enterprise: its legal representative or an authorised agent."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="enterprise_memberships",
    )
    role = models.CharField(_("身份"), max_length=20, choices=EnterpriseRole.choices)
    authorised_until = models.DateField(_("授权截止日期"), null=True, blank=True)
    authorised_by = models.ForeignKey(
        Person,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业经办关系")
        verbose_name_plural = _("企业经办关系")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "person"], name="one_membership_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.enterprise.name} ({self.get_role_display()})"


class OneTimeCode(models.Model):
    """A short-lived numeric code sent to a mobile (login, real-name confirmation)."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("短信登录")
        REAL_NAME = "real_name", _("实名认证")

    mobile_hash = LookupHashField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["mobile_hash", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class DemoSmsMessage(models.Model):
    """What the demo SMS provider "sent": shown on the demo outbox page and printed to the
    console, so that the demo works with no SMS gateway. Real providers never write here."""

    mobile_masked = models.CharField(_("手机号码"), max_length=20)
    mobile_hash = LookupHashField()
    body = models.CharField(_("内容"), max_length=500)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("演示短信")
        verbose_name_plural = _("演示短信发件箱")

    def __str__(self) -> str:
        return f"{self.mobile_masked} {self.sent_at:%Y-%m-%d %H:%M}"
