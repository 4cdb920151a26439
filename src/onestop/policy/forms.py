from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MeasureStatus


class ProgressReportForm(forms.Form):
    text = forms.CharField(
        label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    status = forms.ChoiceField(
        label=_("落实状态"),
        required=False,
        choices=[("", _("按进度自动判断")), *MeasureStatus.choices],
        help_text=_("不选择时：进度 100% 视为已完成，大于 0 视为推进中。"),
    )


class SupervisionNoteForm(forms.Form):
    text = forms.CharField(
        label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
