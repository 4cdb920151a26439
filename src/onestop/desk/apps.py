from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "onestop.desk"
    label = "desk"
    verbose_name = _("服务企业直通车")
