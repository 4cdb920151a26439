"""Payment orders, the ledger of money actually moved, refunds, fines and reconciliation.

Tables only; every change goes through ``onestop.payments.services``. Money is integer fen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimeStampedModel

from .choices import (
    FineKind,
    LedgerKind,
    MismatchKind,
    NoticeVerdict,
    OrderState,
    Purpose,
    RefundState,
)


class PaymentOrder(TimeStampedModel):
    number = models.CharField(_("订单号"), max_length=32, unique=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    reference = models.CharField(
        _("关联编号"), max_length=64, help_text=_("办件 ID、处罚决定书编号或服务订单号")
    )
    description = models.CharField(_("说明"), max_length=128)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("付款人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_orders",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("收款单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_orders",
    )
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    paid_fen = models.PositiveIntegerField(_("实收（分）"), default=0)
    refunded_fen = models.PositiveIntegerField(_("已退（分）"), default=0)
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    state = models.CharField(
        _("状态"), max_length=16, choices=OrderState.choices, default=OrderState.CREATED
    )
    provider = models.CharField(_("支付渠道"), max_length=32, blank=True)
    provider_txn_id = models.CharField(
        _("渠道交易号"), max_length=64, null=True, blank=True, unique=True
    )
    expires_at = models.DateTimeField(_("支付截止时间"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    queried_at = models.DateTimeField(_("最近查单时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("支付订单")
        verbose_name_plural = _("支付订单")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "reference"],
                condition=Q(
                    state__in=[
                        OrderState.CREATED,
                        OrderState.PAYING,
                        OrderState.PAID,
                        OrderState.PARTLY_REFUNDED,
                    ]
                ),
                name="one_live_order_per_reference",
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=models.F("paid_fen")), name="refund_within_paid"
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)

    @property
    def refundable_fen(self) -> int:
        return self.paid_fen - self.refunded_fen


def yuan(fen: int) -> str:
    """``1234`` → ``"12.34"`` (no float on the way)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class LedgerEntry(models.Model):
    """Money that actually moved, one row per provider transaction (payment or refund). The
    unique (provider, kind, external_id) is what makes crediting exactly-once."""

    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="ledger"
    )
    provider = models.CharField(_("支付渠道"), max_length=32)
    kind = models.CharField(_("类型"), max_length=8, choices=LedgerKind.choices)
    external_id = models.CharField(_("渠道流水号"), max_length=64)
    amount_fen = models.IntegerField(_("金额（分）"), help_text=_("收款为正，退款为负"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("资金流水")
        verbose_name_plural = _("资金流水")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "external_id"], name="one_ledger_entry_per_txn"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} {self.amount_fen}"


class Refund(TimeStampedModel):
    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="refunds"
    )
    number = models.CharField(_("退款单号"), max_length=32, unique=True)
    amount_fen = models.PositiveIntegerField(_("退款金额（分）"))
    reason = models.CharField(_("退款原因"), max_length=200)
    state = models.CharField(
        _("状态"), max_length=10, choices=RefundState.choices, default=RefundState.PENDING
    )
    provider_refund_id = models.CharField(
        _("渠道退款号"), max_length=64, null=True, blank=True, unique=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    succeeded_at = models.DateTimeField(_("退款成功时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("退款")
        verbose_name_plural = _("退款")

    def __str__(self) -> str:
        return self.number


class PaymentNotice(models.Model):
    """Every asynchronous notification received, with what was done about it."""

    provider = models.CharField(_("支付渠道"), max_length=32)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    kind = models.CharField(_("类型"), max_length=8, blank=True)
    order_number = models.CharField(_("订单号"), max_length=64, blank=True)
    external_id = models.CharField(_("渠道流水号"), max_length=64, blank=True)
    amount_fen = models.IntegerField(_("金额（分）"), null=True, blank=True)
    verdict = models.CharField(_("处理结果"), max_length=10, choices=NoticeVerdict.choices)
    reason = models.CharField(_("原因"), max_length=64, blank=True)
    body_sha256 = models.CharField(_("报文摘要"), max_length=64)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")

    def __str__(self) -> str:
        return f"{self.provider} {self.order_number} {self.verdict}"


class Fine(TimeStampedModel):
    """A penalty decision (处罚决定书) payable online by number and verification code."""

    decision_number = models.CharField(_("决定书编号"), max_length=40, unique=True)
    verification_code_hash = models.CharField(_("验证码摘要"), max_length=64)
    kind = models.CharField(_("罚款类型"), max_length=16, choices=FineKind.choices)
    party_name = models.CharField(_("被处罚人"), max_length=100)
    facts = models.CharField(_("违法事实"), max_length=300, blank=True)
    amount_fen = models.PositiveIntegerField(_("罚款金额（分）"))
    decided_on = models.DateField(_("决定日期"))
    due_on = models.DateField(_("缴纳期限"), help_text=_("逾期每日按罚款数额的 3% 加处罚款"))
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("作出决定单位"), on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("罚款决定")
        verbose_name_plural = _("罚款决定")

    def __str__(self) -> str:
        return self.decision_number


class ReconciliationRun(models.Model):
    provider = models.CharField(_("支付渠道"), max_length=32)
    day = models.DateField(_("对账日期"))
    created_at = models.DateTimeField(_("对账时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    statement_rows = models.PositiveIntegerField(_("对账单笔数"), default=0)
    mismatches = models.PositiveIntegerField(_("差异笔数"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("对账")
        verbose_name_plural = _("对账")

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"

    @property
    def provider_label(self) -> str:
        from .registry import get_provider, payment_providers

        get_provider("demo")  # registers the adapters
        if self.provider in payment_providers:
            return str(payment_providers.get_class(self.provider).label)
        return self.provider


class ReconciliationItem(models.Model):
    run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("对账"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("结果"), max_length=24, choices=MismatchKind.choices)
    ledger_kind = models.CharField(_("类型"), max_length=8, choices=LedgerKind.choices)
    external_id = models.CharField(_("渠道流水号"), max_length=64)
    order_number = models.CharField(_("订单号"), max_length=64, blank=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices, blank=True)
    platform_fen = models.IntegerField(_("平台金额（分）"), null=True, blank=True)
    statement_fen = models.IntegerField(_("对账单金额（分）"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "external_id"]
        verbose_name = _("对账明细")
        verbose_name_plural = _("对账明细")

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class DemoGatewayTrade(models.Model):
    """The demo gateway's own books (what a real provider keeps on its side): what the cashier
    page did, answered by order queries and listed in its statement file."""

    order_number = models.CharField(max_length=32, db_index=True)
    txn_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, choices=LedgerKind.choices, default=LedgerKind.PAYMENT)
    refund_number = models.CharField(max_length=32, blank=True)
    amount_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=12)  # success / failed / cancelled
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.txn_id} {self.status}"


class DemoGatewayDelivery(models.Model):
    """A notification the demo gateway still has to deliver (delayed or retried)."""

    body = models.TextField()
    headers = models.JSONField(default=dict)
    deliver_after = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"delivery {self.pk}"
