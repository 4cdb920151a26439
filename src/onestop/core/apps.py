from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onestop.core"
    label = "core"
    verbose_name = _("平台内核")

    def ready(self) -> None:
        # Database triggers that keep the audit log append-only are (re)installed after every
        # migrate: a later migration that rebuilds the table on SQLite would drop them.
        from django.db.models.signals import post_migrate

        from onestop.core.models.audit import install_guards_after_migrate

        post_migrate.connect(
            install_guards_after_migrate, sender=self, dispatch_uid="onestop.core.audit_guards"
        )
