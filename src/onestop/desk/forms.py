"""Forms of the desk pages (inputs only; the services check everything that matters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Enterprise, Unit
from onestop.catalogue.models import ServiceItem

from .choices import ComplaintReason, LiaisonLevel, PoliceType, SupervisorCategory, TicketKind
from .models import KnowledgeArticle
from .services import STAFF_SOURCES


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=TicketKind.choices)
    enterprise = forms.ModelChoiceField(
        label=_("代表企业"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=_("以个人身份提交"),
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}))
    complaint_reason = forms.ChoiceField(
        label=_("投诉事由"),
        choices=[("", _("（投诉建议时必选）")), *ComplaintReason.choices],
        required=False,
    )
    subject_unit = forms.ModelChoiceField(
        label=_("被投诉单位"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        empty_label=_("（可选）"),
    )
    unit = forms.ModelChoiceField(
        label=_("承办单位"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        empty_label=_("（不选则按企业所在地和类型自动分派）"),
    )
    anonymous = forms.BooleanField(
        label=_("匿名举报（仅线索举报；身份加密保存，仅指定岗位经审批可查看）"), required=False
    )
    contact_mobile = forms.CharField(label=_("联系电话（可选）"), max_length=20, required=False)

    def __init__(
        self,
        *args: Any,
        enterprises: list[Enterprise] | None = None,
        signed_in: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Enterprise.objects.filter(pk__in=[e.pk for e in enterprises or []])
        if not signed_in:
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [(TicketKind.TIP.value, TicketKind.TIP.label)]
            for name in ("enterprise", "anonymous"):
                del self.fields[name]


class RecordForm(forms.Form):
    source = forms.ChoiceField(label=_("来源"), choices=[(s.value, s.label) for s in STAFF_SOURCES])
    kind = forms.ChoiceField(
        label=_("类型"), choices=TicketKind.choices, initial=TicketKind.COMPLAINT
    )
    caller_name = forms.CharField(label=_("来电人姓名"), max_length=100, required=False)
    caller_mobile = forms.CharField(label=_("来电号码"), max_length=20, required=False)
    anonymous = forms.BooleanField(label=_("匿名举报"), required=False)
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    complaint_reason = forms.ChoiceField(
        label=_("投诉事由"), choices=[("", "—"), *ComplaintReason.choices], required=False
    )
    subject_unit = forms.ModelChoiceField(
        label=_("被投诉单位"), queryset=Unit.objects.filter(is_active=True), required=False
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 5}))
    rectification_days = forms.IntegerField(
        label=_("投诉属实，限期整改（工作日，可选）"), min_value=1, max_value=60, required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 3}))


class RevealForm(forms.Form):
    purpose = forms.CharField(label=_("查看事由"), max_length=200)


class DirectoryFilter(forms.Form):
    level = forms.ChoiceField(
        label=_("层级"), choices=[("", _("全部")), *LiaisonLevel.choices], required=False
    )
    police_type = forms.ChoiceField(
        label=_("警种"), choices=[("", _("全部")), *PoliceType.choices], required=False
    )


class VisitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("走访单位"), queryset=Unit.objects.filter(is_active=True))
    visited_on = forms.DateField(
        label=_("走访日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    findings = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 4}))
    suggestions = forms.CharField(
        label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupervisorForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    category = forms.ChoiceField(label=_("类别"), choices=SupervisorCategory.choices)
    organisation = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        help_text=_("已注册门户账号的，监督员可登录后使用专属反馈渠道。"),
    )
    term_start = forms.DateField(
        label=_("聘期开始"), widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(label=_("聘期结束"), widget=forms.DateInput(attrs={"type": "date"}))


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("反馈落实情况"), widget=forms.Textarea(attrs={"rows": 3}))


class EvaluationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("窗口单位"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    score = forms.DecimalField(label=_("得分"), min_value=0, max_value=100, decimal_places=1)
    notes = forms.CharField(
        label=_("评价说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units if units is not None else Unit.objects.none()


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=KnowledgeArticle.Kind.choices)
    topic = forms.CharField(label=_("主题"), max_length=40)
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}))
    items = forms.ModelMultipleChoiceField(
        label=_("相关事项"),
        queryset=ServiceItem.objects.filter(current__isnull=False).select_related("current"),
        required=False,
    )
    publish = forms.BooleanField(label=_("公开发布"), required=False)
