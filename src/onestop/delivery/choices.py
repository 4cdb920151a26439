from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentState(models.TextChoices):
    CREATED = "created", _("已下单")
    COLLECTED = "collected", _("已揽收")
    IN_TRANSIT = "in_transit", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    DELIVERED = "delivered", _("已签收")
    FAILED = "failed", _("投递失败")
    WINDOW = "window", _("改为窗口领取")


class TrackingCode(models.TextChoices):
    COLLECTED = "collected", _("已揽收")
    IN_TRANSIT = "in_transit", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    DELIVERED = "delivered", _("已签收")
    FAILED = "failed", _("投递失败")


#: How far along each state is; tracking events never move a shipment backwards.
RANK = {
    ShipmentState.CREATED: 0,
    ShipmentState.COLLECTED: 1,
    ShipmentState.IN_TRANSIT: 2,
    ShipmentState.OUT_FOR_DELIVERY: 3,
    ShipmentState.DELIVERED: 9,
    ShipmentState.FAILED: 9,
    ShipmentState.WINDOW: 10,
}
