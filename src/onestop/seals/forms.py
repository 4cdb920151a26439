"""Forms of the seal pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Enterprise

from .choices import Handover, SealKind
from .models import EngravingShop, ESeal


class ShopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EngravingShop) -> str:
        return str(obj.name)


class OrderForm(forms.Form):
    enterprise = forms.ChoiceField(label=_("企业"))
    kinds = forms.MultipleChoiceField(
        label=_("印章种类"), choices=SealKind.choices, widget=forms.CheckboxSelectMultiple
    )
    shop = ShopChoiceField(
        label=_("刻制企业"),
        queryset=EngravingShop.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    handover = forms.ChoiceField(
        label=_("领取方式"), choices=Handover.choices, initial=Handover.PICKUP
    )
    courier_address = forms.CharField(label=_("寄送地址"), max_length=200, required=False)

    def __init__(self, *args: Any, enterprises: Iterable[Enterprise] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(e.pk, e.name) for e in enterprises]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("注销原因"), max_length=200, help_text=_("例如：遗失、损坏更换")
    )


class SignForm(forms.Form):
    eseal = forms.ChoiceField(label=_("电子印章"))
    document = forms.FileField(label=_("PDF 文件"))

    def __init__(self, *args: Any, eseals: Iterable[ESeal] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["eseal"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (e.pk, f"{e.seal.enterprise.name} · {e.seal.get_kind_display()} · {e.seal.code}")
            for e in eseals
        ]


class VerifyPdfForm(forms.Form):
    document = forms.FileField(label=_("已盖章的 PDF 文件"))


class SealCodeForm(forms.Form):
    code = forms.CharField(
        label=_("印章编码"), max_length=20, help_text=_("13 位数字，见印章备案证明")
    )
