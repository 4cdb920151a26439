"""Enums of the seals app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SealKind(models.TextChoices):
    OFFICIAL = "official", _("公章")
    FINANCE = "finance", _("财务专用章")
    CONTRACT = "contract", _("合同专用章")
    INVOICE = "invoice", _("发票专用章")
    LEGAL_REP = "legal_rep", _("法定代表人名章")


class OrderState(models.TextChoices):
    SUBMITTED = "submitted", _("待接单")
    ACCEPTED = "accepted", _("刻制中")
    READY = "ready", _("已刻制，待领取")
    COMPLETED = "completed", _("已交付")
    CANCELLED = "cancelled", _("已取消")


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", _("待支付")
    PAID = "paid", _("已支付")
    FREE = "free", _("免费")


class Handover(models.TextChoices):
    PICKUP = "pickup", _("到店自取")
    COURIER = "courier", _("快递寄送")


class SealStatus(models.TextChoices):
    ENGRAVING = "engraving", _("刻制中")
    FILED = "filed", _("已备案")
    REVOKED = "revoked", _("已注销")


class ESealStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已注销")
