from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onestop.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from onestop.payments.choices import Purpose
        from onestop.payments.services import paid_handler_register

        from .tasks import cases_fee_paid

        paid_handler_register(Purpose.CASE_FEE, cases_fee_paid)
