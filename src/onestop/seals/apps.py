from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SealsConfig(AppConfig):
    name = "onestop.seals"
    label = "seals"
    verbose_name = _("印章刻制与电子印章")

    def ready(self) -> None:
        from onestop.payments.choices import Purpose
        from onestop.payments.services import paid_handler_register

        from .services import seals_fee_paid

        paid_handler_register(Purpose.SERVICE, seals_fee_paid)
