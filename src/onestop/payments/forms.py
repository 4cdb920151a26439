from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FineLookupForm(forms.Form):
    decision_number = forms.CharField(label=_("处罚决定书编号"), max_length=40)
    code = forms.CharField(label=_("验证码"), max_length=12)


class RefundForm(forms.Form):
    amount_yuan = forms.DecimalField(
        label=_("退款金额（元）"), min_value=0.01, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("退款原因"), max_length=200)


class ReconciliationForm(forms.Form):
    provider = forms.ChoiceField(label=_("支付渠道"))
    day = forms.DateField(label=_("对账日期"), widget=forms.DateInput(attrs={"type": "date"}))
    statement = forms.FileField(
        label=_("对账单（CSV）"),
        required=False,
        help_text=_("不上传时从支付渠道下载当日对账单（演示渠道支持）。"),
    )

    def __init__(self, *args: object, providers: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["provider"].choices = providers  # type: ignore[attr-defined]
