from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onestop.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from onestop.accounts.models import Unit
        from onestop.payments.choices import Purpose
        from onestop.payments.services import paid_handler_register

        from .services import unit_prefixes_forget
        from .tasks import cases_fee_paid

        paid_handler_register(Purpose.CASE_FEE, cases_fee_paid)
        # case-number prefixes are cached per root unit
        for signal in (post_save, post_delete):
            signal.connect(unit_prefixes_forget, sender=Unit, dispatch_uid=f"cases-prefix-{signal}")
