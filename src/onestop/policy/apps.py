from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "onestop.policy"
    label = "policy"
    verbose_name = _("营商环境措施")
