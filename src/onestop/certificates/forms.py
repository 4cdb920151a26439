"""Forms of the certificate pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CertificateStatus


class VerifyForm(forms.Form):
    identifier = forms.CharField(
        label=_("证照标识"),
        max_length=120,
        help_text=_("形如 1.2.156.3005.2.…，印在电子证照标题下方"),
    )


class ShareForm(forms.Form):
    recipient = forms.CharField(label=_("接收方"), max_length=100, help_text=_("例如：某某银行"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=30, initial=7)
    consent = forms.BooleanField(
        label=_("我同意在有效期内向上述接收方提供本证照（持证人信息已脱敏）"), required=True
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("新状态"),
        choices=[
            (CertificateStatus.SUSPENDED, CertificateStatus.SUSPENDED.label),
            (CertificateStatus.VALID, _("恢复有效")),
            (CertificateStatus.REVOKED, CertificateStatus.REVOKED.label),
        ],
    )
    reason = forms.CharField(label=_("原因"), max_length=200)
