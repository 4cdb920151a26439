from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "onestop.delivery"
    label = "delivery"
    verbose_name = _("寄递送达")
