"""Enums of the payments app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    CASE_FEE = "case", _("办件收费")
    FINE = "fine", _("罚款")
    SERVICE = "service", _("服务订单")


class OrderState(models.TextChoices):
    CREATED = "created", _("待支付")
    PAYING = "paying", _("支付中")
    PAID = "paid", _("已支付")
    PARTLY_REFUNDED = "partly_refunded", _("部分退款")
    REFUNDED = "refunded", _("已全额退款")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


#: Orders that may still be paid.
OPEN_STATES = frozenset({OrderState.CREATED, OrderState.PAYING})
#: Orders whose money has arrived (possibly partly returned since).
PAID_STATES = frozenset({OrderState.PAID, OrderState.PARTLY_REFUNDED, OrderState.REFUNDED})


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", _("收款")
    REFUND = "refund", _("退款")


class RefundState(models.TextChoices):
    PENDING = "pending", _("退款处理中")
    SUCCEEDED = "succeeded", _("退款成功")
    FAILED = "failed", _("退款失败")


class NoticeVerdict(models.TextChoices):
    CREDITED = "credited", _("已入账")
    DUPLICATE = "duplicate", _("重复通知")
    REJECTED = "rejected", _("已拒绝")
    DEFERRED = "deferred", _("暂缓处理")
    CONFLICT = "conflict", _("需人工处理")


class MismatchKind(models.TextChoices):
    MATCHED = "matched", _("一致")
    MISSING_ON_PLATFORM = "missing_on_platform", _("平台无记录")
    MISSING_IN_STATEMENT = "missing_in_statement", _("对账单无记录")
    AMOUNT = "amount", _("金额不符")
    ORDER = "order", _("订单号不符")


class FineKind(models.TextChoices):
    TRAFFIC = "traffic", _("交通违法罚款")
    ADMINISTRATIVE = "administrative", _("治安行政罚款")
