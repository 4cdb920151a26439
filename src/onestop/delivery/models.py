"""Delivery addresses of cases, shipments of results and their tracking timeline.

Tables only; every change goes through ``onestop.delivery.services``. Recipient names, mobile
numbers and street addresses are personal data: encrypted at rest, shown masked.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import EncryptedTextField, LookupHashField
from onestop.core.models import TimeStampedModel
from onestop.core.pii import mask_mobile, mask_name

from .choices import ShipmentState, TrackingCode


class _Address(models.Model):
    recipient = EncryptedTextField(_("收件人"))
    mobile = EncryptedTextField(_("收件人手机"))
    mobile_hash = LookupHashField()
    region_code = models.CharField(_("行政区划代码"), max_length=6)
    address = EncryptedTextField(_("详细地址"))

    class Meta:
        abstract = True

    @property
    def recipient_masked(self) -> str:
        return mask_name(self.recipient or "")

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile or "")


class DeliveryAddress(_Address, TimeStampedModel):
    """Where the result of a case is to be sent (given by the applicant)."""

    case_id = models.PositiveBigIntegerField(_("办件"), unique=True)

    class Meta:
        verbose_name = _("寄递地址")
        verbose_name_plural = _("寄递地址")

    def __str__(self) -> str:
        return f"case {self.case_id}"


class Shipment(_Address, TimeStampedModel):
    number = models.CharField(_("寄递单号"), max_length=32, unique=True)
    case_id = models.PositiveBigIntegerField(_("办件"), db_index=True)
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("寄件单位"), on_delete=models.PROTECT, related_name="+"
    )
    contents = models.CharField(_("寄递内容"), max_length=100)
    courier = models.CharField(_("寄递企业"), max_length=32)
    waybill_no = models.CharField(_("运单号"), max_length=40, null=True, blank=True, unique=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=ShipmentState.choices, default=ShipmentState.CREATED
    )
    signed_by = models.CharField(_("签收人"), max_length=50, blank=True)
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    fallback_notice = models.CharField(_("改窗口领取通知"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("寄递")
        verbose_name_plural = _("寄递")

    def __str__(self) -> str:
        return self.number

    @property
    def courier_label(self) -> str:
        from .base import courier_providers, get_courier

        get_courier("demo")  # registers the adapters
        return (
            str(courier_providers.get_class(self.courier).label)
            if self.courier in (courier_providers)
            else self.courier
        )


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("寄递"), on_delete=models.CASCADE, related_name="events"
    )
    external_id = models.CharField(_("轨迹编号"), max_length=64)
    at = models.DateTimeField(_("时间"))
    code = models.CharField(_("节点"), max_length=20, choices=TrackingCode.choices)
    description = models.CharField(_("描述"), max_length=200)
    location = models.CharField(_("地点"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("物流轨迹")
        verbose_name_plural = _("物流轨迹")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "external_id"], name="one_tracking_event_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.code}"
