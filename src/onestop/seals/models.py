"""Seal engraving (公章刻制), filing (印章备案) and electronic seals (电子印章).

Tables only; every write goes through ``onestop.seals.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import EncryptedTextField
from onestop.core.models import TimeStampedModel

from .choices import ESealStatus, Handover, OrderState, PaymentState, SealKind, SealStatus


class EngravingShop(TimeStampedModel):
    """A licensed seal engraving shop (印章刻制业特种行业许可). Enterprises choose freely."""

    name = models.CharField(_("名称"), max_length=200)
    licence_no = models.CharField(_("特种行业许可证号"), max_length=60, unique=True)
    region_code = models.CharField(_("所在行政区划"), max_length=6)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    prices = models.JSONField(_("价格（分）"), default=dict, help_text=_("印章种类 → 价格（分）"))
    rating = models.DecimalField(_("评分"), max_digits=3, decimal_places=1, default=Decimal("5.0"))
    is_active = models.BooleanField(_("营业中"), default=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("店员账户"), blank=True, related_name="seal_shops"
    )

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("印章刻制企业")
        verbose_name_plural = _("印章刻制企业")

    def __str__(self) -> str:
        return self.name

    def price_of(self, kind: str) -> int:
        return int(self.prices.get(kind, 0))


class SealOrder(TimeStampedModel):
    number = models.CharField(_("订单号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="seal_orders",
    )
    applicant = models.ForeignKey(
        "accounts.Person", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    shop = models.ForeignKey(
        EngravingShop, verbose_name=_("刻制企业"), on_delete=models.PROTECT, related_name="orders"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.SUBMITTED
    )
    handover = models.CharField(
        _("领取方式"), max_length=8, choices=Handover.choices, default=Handover.PICKUP
    )
    courier_address = models.CharField(_("寄送地址"), max_length=200, blank=True)
    fee_fen = models.PositiveIntegerField(_("费用（分）"), default=0)
    payment_state = models.CharField(
        _("支付状态"), max_length=8, choices=PaymentState.choices, default=PaymentState.UNPAID
    )
    payment_reference = models.CharField(_("支付流水号"), max_length=64, blank=True)
    promise_days = models.DecimalField(_("承诺时限（工作日）"), max_digits=4, decimal_places=2)
    submitted_at = models.DateTimeField(_("下单时间"))
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    ready_at = models.DateTimeField(_("刻制完成时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    elapsed_working = models.DurationField(_("实际用时（工作时间）"), null=True, blank=True)
    filing_certificate = models.ForeignKey(
        "certificates.Certificate",
        verbose_name=_("印章备案证明"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("刻章订单")
        verbose_name_plural = _("刻章订单")
        # the insights roll-up reads the orders changed since its last run
        indexes = [models.Index(fields=["updated_at"], name="sealorder_updated_at")]

    def __str__(self) -> str:
        return self.number

    @property
    def fee_yuan(self) -> Decimal:
        return Decimal(self.fee_fen) / 100


class SealCounter(models.Model):
    """The last number handed out per key (row-locked when incremented): ``code:<region>`` for
    seal codes, ``order:<yyyymmdd>`` for order numbers."""

    key = models.CharField(max_length=24, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} {self.last}"


class Seal(TimeStampedModel):
    order = models.ForeignKey(
        SealOrder, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="seals"
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="seals",
    )
    kind = models.CharField(_("印章种类"), max_length=10, choices=SealKind.choices)
    code = models.CharField(_("印章编码"), max_length=13, unique=True, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SealStatus.choices, default=SealStatus.ENGRAVING
    )
    imprint = models.BinaryField(_("印模图像（PNG）"), editable=False, null=True)
    imprint_uploaded = models.BooleanField(_("印模由刻制企业上传"), default=False)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("注销原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "kind"]
        verbose_name = _("印章")
        verbose_name_plural = _("印章")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_kind_display()} {self.code or ''}".strip()


class ESeal(TimeStampedModel):
    """An electronic seal: the filed seal's imprint plus a key pair and certificate issued by
    the platform CA to the enterprise."""

    seal = models.OneToOneField(
        Seal, verbose_name=_("印章"), on_delete=models.PROTECT, related_name="eseal"
    )
    key = models.ForeignKey(
        "certificates.SigningKey",
        verbose_name=_("签名密钥"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=ESealStatus.choices, default=ESealStatus.ACTIVE
    )
    sm2_public_key = models.CharField(_("SM2 公钥"), max_length=200, blank=True)
    sm2_private_key = EncryptedTextField(_("SM2 私钥"), blank=True)

    class Meta:
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")

    def __str__(self) -> str:
        return f"{self.seal} (e)"


class ESealSignature(models.Model):
    eseal = models.ForeignKey(
        ESeal, verbose_name=_("电子印章"), on_delete=models.PROTECT, related_name="signatures"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("盖章人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_name = models.CharField(_("文件名"), max_length=200)
    original_sha256 = models.CharField(_("原文件摘要"), max_length=64)
    signed_sha256 = models.CharField(_("签章后文件摘要"), max_length=64)
    seal_data_sm2 = models.TextField(_("SM2 印章数据签名"), blank=True)
    signed_at = models.DateTimeField(_("盖章时间"), auto_now_add=True)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("电子签章记录")
        verbose_name_plural = _("电子签章记录")

    def __str__(self) -> str:
        return f"{self.eseal} {self.document_name}"
