from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.identity import MobileField


class AddressForm(forms.Form):
    """The delivery address: recipient, mainland mobile, county-level region code, street."""

    recipient = forms.CharField(label=_("收件人"), max_length=50)
    mobile = MobileField(label=_("收件人手机"))
    region_code = forms.RegexField(
        label=_("所在区县（行政区划代码）"),
        regex=r"^\d{6}$",
        max_length=6,
        help_text=_("6 位行政区划代码，例如 天津市和平区 120101"),
        error_messages={"invalid": _("请填写 6 位数字的行政区划代码。")},
    )
    address = forms.CharField(
        label=_("详细地址"), max_length=200, widget=forms.TextInput(attrs={"size": 60})
    )


class ShipmentCreateForm(forms.Form):
    case_number = forms.CharField(label=_("办件编号"), max_length=32)
    contents = forms.CharField(label=_("寄递内容"), max_length=100, required=False)
