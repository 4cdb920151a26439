"""The service catalogue: service items, their immutable published versions and materials, and
the lists the seed documents require that are not derived from items (proofs kept / abolished,
the first-minor-violation no-penalty list, the legal inspection list).

A ``ServiceItem`` is the stable identity (code); what a bureau publishes about it lives in a
``ServiceItemVersion``: draft → published (frozen) → retired. Cases keep the version they were
filed under; ``ServiceItem.current`` points at the published version the public sees.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimeStampedModel

from .choices import (
    Channel,
    CrossRegionScope,
    Delivery,
    ItemType,
    Level,
    LimitUnit,
    MaterialSource,
    MaxVisits,
    ResultType,
    TrustLevel,
    VersionStatus,
)

#: Basic code scheme: <type letter><main item 3 digits>-<sub-item 2 digits>, e.g. "L012-01"
#: (licence 12, sub-item 1). The implementation code appends region and unit (see
#: ``ServiceItem.implementation_code``). Documented in docs/catalogue.md.
item_code_validator = RegexValidator(
    r"^[LCFPOS]\d{3}-\d{2}$",
    _("事项编码格式应为“类型字母 + 3 位主项 + - + 2 位子项”，例如 L012-01。"),
)

ITEM_TYPE_LETTER = {
    ItemType.LICENCE: "L",
    ItemType.CONFIRMATION: "C",
    ItemType.FILING: "F",
    ItemType.PAYMENT: "P",
    ItemType.OTHER_POWER: "O",
    ItemType.PUBLIC_SERVICE: "S",
}

#: Length of a working day used to compare limits given in different units (default office
#: hours 09:00–12:00 and 13:30–17:30 = 7 hours).
WORKING_DAY_HOURS = Decimal(7)


class ServiceItem(TimeStampedModel):
    """One service as implemented by one unit: basic code (基本编码) + implementing unit. The same
    basic code (e.g. seal engraving) exists once per implementing bureau."""

    code = models.CharField(_("基本编码"), max_length=16, validators=[item_code_validator])
    implementing_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("实施机关"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    current = models.OneToOneField(
        "ServiceItemVersion",
        verbose_name=_("当前发布版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["code", "implementing_unit__path"]
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "implementing_unit"], name="one_item_per_code_and_unit"
            ),
        ]

    def __str__(self) -> str:
        name = self.current.name if self.current is not None else ""
        return f"{self.implementation_code} {name}".strip()

    @property
    def implementation_code(self) -> str:
        """Basic code + implementing region + implementing unit, e.g. L001-01-120000-TJ-ZAZD."""
        return f"{self.code}-{self.implementing_unit.region_code}-{self.implementing_unit.code}"


class ServiceItemVersionQuerySet(models.QuerySet["ServiceItemVersion"]):
    def published(self) -> ServiceItemVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def current(self) -> ServiceItemVersionQuerySet:
        """The version each item currently shows the public."""
        return self.published().filter(item__current=models.F("pk"))


class ServiceItemVersion(models.Model):
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # what it is
    name = models.CharField(_("事项名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    summary = models.TextField(_("事项简介"), blank=True)
    item_type = models.CharField(_("事项类型"), max_length=20, choices=ItemType.choices)
    category = models.CharField(
        _("业务类别"),
        max_length=40,
        blank=True,
        help_text=_("例如：治安、户政、交管、出入境、网安、消防"),
    )
    keywords = models.CharField(
        _("检索关键词"),
        max_length=300,
        blank=True,
        help_text=_("以空格分隔的同义词、俗称，用于搜索"),
    )
    level = models.CharField(_("行使层级"), max_length=12, choices=Level.choices)
    legal_basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("受理条件"), blank=True)

    # limits (Decimal so that 0.5 working day is exact)
    statutory_limit = models.DecimalField(
        _("法定时限"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    statutory_limit_unit = models.CharField(
        _("法定时限单位"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promised_limit = models.DecimalField(
        _("承诺时限"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    promised_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    limit_note = models.CharField(
        _("时限说明"),
        max_length=300,
        blank=True,
        help_text=_("时限的来源；文件未给出数字时说明所采用的法定时限及理由"),
    )

    # fee
    fee_fen = models.PositiveIntegerField(_("收费（分）"), default=0)
    fee_basis = models.CharField(_("收费依据"), max_length=300, blank=True)

    # channels and visits
    channel_online = models.BooleanField(_("网上办"), default=False)
    channel_window = models.BooleanField(_("窗口办"), default=True)
    channel_kiosk = models.BooleanField(_("自助办"), default=False)
    channel_nearby = models.BooleanField(_("就近办"), default=False)
    channel_mobile = models.BooleanField(_("掌上办"), default=False)
    max_visits = models.PositiveSmallIntegerField(
        _("到场次数"), choices=MaxVisits.choices, default=MaxVisits.ONE
    )
    cross_region_scope = models.CharField(
        _("通办范围"),
        max_length=10,
        choices=CrossRegionScope.choices,
        default=CrossRegionScope.NONE,
    )
    on_the_spot = models.BooleanField(_("马上办"), default=False)
    appointment_needed = models.BooleanField(_("需预约"), default=False)
    weekend_service = models.BooleanField(_("周末办（5+2）"), default=False)

    # conditional acceptance (容缺受理)
    conditional_acceptance = models.BooleanField(_("容缺受理"), default=False)
    conditional_supply_days = models.PositiveSmallIntegerField(
        _("容缺补正期限（工作日）"), null=True, blank=True
    )
    conditional_consequence = models.CharField(_("逾期未补正的后果"), max_length=300, blank=True)

    # commitment approval (告知承诺制)
    commitment_approval = models.BooleanField(_("告知承诺制"), default=False)
    commitment_text = models.TextField(_("承诺书内容"), blank=True)
    post_check_rate = models.DecimalField(
        _("事后核查抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    # result
    delivery_window = models.BooleanField(_("窗口领取"), default=True)
    delivery_courier = models.BooleanField(_("邮寄送达"), default=False)
    delivery_electronic = models.BooleanField(_("电子送达"), default=False)
    result_type = models.CharField(
        _("办理结果类型"), max_length=16, choices=ResultType.choices, default=ResultType.APPROVAL
    )
    result_name = models.CharField(_("办理结果名称"), max_length=200, blank=True)

    # forms and rules (evaluated by the case engine)
    form_schema = models.JSONField(_("在线表单（JSON Schema）"), default=dict, blank=True)
    eligibility_rules = models.JSONField(_("资格规则"), default=list, blank=True)

    # where it comes from
    measures = models.ManyToManyField(
        "policy.Measure",
        verbose_name=_("依据措施"),
        blank=True,
        related_name="service_item_versions",
    )
    commitments = models.ManyToManyField(
        "policy.Commitment",
        verbose_name=_("相关承诺"),
        blank=True,
        related_name="service_item_versions",
    )
    citations = models.CharField(
        _("引用"), max_length=300, blank=True, help_text=_("例如 tianjin-2021#4 guangxi-2018#25")
    )

    objects = ServiceItemVersionQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="one_number_per_item_version"),
        ]

    def __str__(self) -> str:
        return f"{self.item.implementation_code} v{self.number} {self.name}"

    # derived ---------------------------------------------------------------------------
    @property
    def channels(self) -> list[str]:
        return [c.value for c in Channel if getattr(self, f"channel_{c.value}")]

    @property
    def deliveries(self) -> list[str]:
        return [d.value for d in Delivery if getattr(self, f"delivery_{d.value}")]

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    @staticmethod
    def limit_in_hours(value: Decimal, unit: str) -> Decimal:
        return value * WORKING_DAY_HOURS if unit == LimitUnit.WORKING_DAYS else value

    @property
    def fee_yuan(self) -> Decimal:
        return Decimal(self.fee_fen) / 100


class Material(models.Model):
    version = models.ForeignKey(
        ServiceItemVersion,
        verbose_name=_("事项版本"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(
        _("来源"), max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    is_key = models.BooleanField(_("关键材料"), default=True)
    waivable = models.BooleanField(_("可容缺"), default=False)
    ecert_replaceable = models.BooleanField(_("可用电子证照替代"), default=False)
    trust_level = models.CharField(
        _("信任等级"), max_length=1, choices=TrustLevel.choices, default=TrustLevel.C
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(is_key=True) & models.Q(waivable=True)),
                name="key_material_not_waivable",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProofRequirement(TimeStampedModel):
    """减证便民: a proof (证明) that items used to require, kept or abolished (guangxi-2018#20)."""

    class Status(models.TextChoices):
        KEPT = "kept", _("保留")
        ABOLISHED = "abolished", _("取消")

    name = models.CharField(_("证明名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    issuer = models.CharField(_("开具单位"), max_length=200, blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    replacement = models.CharField(
        _("取消后的替代方式"),
        max_length=300,
        blank=True,
        help_text=_("例如：部门间数据共享核验、申请人书面承诺"),
    )
    items = models.ManyToManyField(
        ServiceItem, verbose_name=_("涉及事项"), blank=True, related_name="proofs"
    )
    region_code = models.CharField(_("适用地区"), max_length=6, blank=True)
    citations = models.CharField(_("引用"), max_length=300, blank=True)

    class Meta:
        ordering = ["status", "name"]
        verbose_name = _("证明事项")
        verbose_name_plural = _("证明事项清单")

    def __str__(self) -> str:
        return self.name


class NoPenaltyEntry(TimeStampedModel):
    """免罚清单: a first minor violation that is not penalised if corrected (tianjin-2021#10)."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    violation = models.CharField(_("违法行为"), max_length=300)
    legal_basis = models.TextField(_("法律依据"))
    conditions = models.TextField(_("免罚条件"))
    correction_period = models.CharField(_("整改期限"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("主管单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(_("适用地区"), max_length=6, blank=True)
    citations = models.CharField(_("引用"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("首次轻微违法免罚事项")
        verbose_name_plural = _("首次轻微违法免罚清单")

    def __str__(self) -> str:
        return self.violation


class InspectionListEntry(TimeStampedModel):
    """行政检查法定清单 (tianjin-2021#8): what may be inspected, on what basis, how often."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    subject = models.CharField(_("检查事项"), max_length=200)
    target = models.CharField(_("检查对象"), max_length=200)
    legal_basis = models.TextField(_("法律依据"))
    frequency = models.CharField(_("检查频次"), max_length=100)
    max_per_year = models.PositiveSmallIntegerField(_("每年最多检查次数"), null=True, blank=True)
    focus = models.TextField(_("检查重点"), blank=True)
    method = models.CharField(_("检查方式"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("实施单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(_("适用地区"), max_length=6, blank=True)
    citations = models.CharField(_("引用"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政检查事项")
        verbose_name_plural = _("行政检查法定清单")

    def __str__(self) -> str:
        return self.subject
