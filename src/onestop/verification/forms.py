"""Forms of the verification pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ApiScope, PartnerPurpose, Purpose


class BatchForm(forms.Form):
    file = forms.FileField(
        label=_("人员名单文件"),
        help_text=_("CSV 或 XLSX，第一行为表头，包含“姓名”和“身份证号码”两列，最多 100,000 行。"),
    )
    purpose = forms.ChoiceField(label=_("核查目的"), choices=Purpose.choices)
    consent = forms.BooleanField(
        label=_("本单位承诺：已告知被核查人员核查目的并取得其本人同意，核查结果仅用于上述目的。"),
        required=False,
    )


class PartnerForm(forms.Form):
    credit_code = forms.CharField(label=_("合作方统一社会信用代码"), max_length=40)
    purpose = forms.ChoiceField(label=_("查询目的"), choices=PartnerPurpose.choices)
    purpose_detail = forms.CharField(
        label=_("事由说明"), max_length=200, help_text=_("例如合作项目名称或合同编号。")
    )


class AuthoriseForm(forms.Form):
    valid_until = forms.DateField(
        label=_("授权截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["valid_until"].initial = timezone.localdate() + dt.timedelta(days=365)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("密钥名称"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )


class AlertHandleForm(forms.Form):
    note = forms.CharField(
        label=_("处置情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class AuditSearchForm(forms.Form):
    credit_code = forms.CharField(label=_("企业统一社会信用代码"), required=False, max_length=18)
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=[
            ("", _("全部")),
            ("verification.batch_submit", _("提交批量核查")),
            ("verification.batch_done", _("批量核查完成")),
            ("verification.batch_download", _("下载核查结果")),
            ("verification.partner_check", _("合作方背景核查")),
            ("verification.alert_raise", _("在逃人员比中")),
            ("verification.authorise", _("法定代表人授权")),
            ("verification.api_key_create", _("创建接口密钥")),
        ],
    )
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
