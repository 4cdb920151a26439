from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealsConfig(AppConfig):
    name = "onestop.seals"
    label = "seals"
    verbose_name = _("印章刻制与电子印章")
