"""Forms of the rating pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Classification, Level
from .conf import indicator_options


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("评价等级"), choices=Level.choices, coerce=int, widget=forms.RadioSelect
    )
    indicators = forms.MultipleChoiceField(
        label=_("评价指标"), required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("具体意见"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    real_name = forms.BooleanField(
        label=_("实名评价（差评将有专人回访）"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, Any] = {}
        for level in Level.values:
            choices.update(indicator_options(level))
        field = self.fields["indicators"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(choices.items())


class CallForm(forms.Form):
    reached = forms.BooleanField(label=_("已接通"), required=False, initial=True)
    note = forms.CharField(label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 3}))


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(label=_("核实类别"), choices=Classification.choices)
    note = forms.CharField(label=_("核实说明"), widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("整改结果（将公开）"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("1", _("申诉成立，不计入统计")), ("0", _("申诉不成立，按属实差评整改"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("复核意见"), widget=forms.Textarea(attrs={"rows": 3}))
