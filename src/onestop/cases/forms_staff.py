"""Forms of the staff case pages: the inbox filters and one form per workflow action.

Each action form only collects the inputs its service needs; the services check state, role
and scope themselves (a form never decides whether an action is allowed).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Unit
from onestop.catalogue.models import ServiceItem
from onestop.core.widgets import FastSelect

from .choices import CaseState, WarningLevel
from .models import Case

#: Inbox state filter values beyond the case states.
STATE_OPEN = ""
STATE_ALL = "all"
STATE_POST_CHECK = "post_check"
SCOPE_UNIT = "unit"
SCOPE_MINE = "mine"


class ChoicesMixin(forms.Form):
    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field


class InboxFilterForm(ChoicesMixin):
    # FastSelect: the unit and item lists hold one option per unit and item of the subtree
    state = forms.ChoiceField(label=_("状态"), required=False, widget=FastSelect)
    item = forms.TypedChoiceField(
        label=_("事项"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    warning = forms.ChoiceField(
        label=_("预警"),
        required=False,
        choices=[("", _("全部")), *WarningLevel.choices],
        widget=FastSelect,
    )
    unit = forms.ChoiceField(label=_("办理单位"), required=False, widget=FastSelect)
    scope = forms.ChoiceField(
        label=_("范围"),
        required=False,
        choices=[(SCOPE_UNIT, _("本单位及下级")), (SCOPE_MINE, _("我经手的"))],
        widget=FastSelect,
    )

    def __init__(
        self, *args: Any, items: list[ServiceItem], units: list[Unit] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        units = units or []
        top = min((u.path.count(".") for u in units), default=0)
        self._choice("unit").choices = [
            ("", _("全部单位")),
            *[(u.code, "\u3000" * (u.path.count(".") - top) + u.name) for u in units],
        ]
        states = [(s.value, s.label) for s in CaseState if s != CaseState.DRAFT]
        self._choice("state").choices = [
            (STATE_OPEN, _("办理中")),
            (STATE_ALL, _("全部状态")),
            (STATE_POST_CHECK, _("待事后核查（告知承诺制）")),
            *states,
        ]
        self._choice("item").choices = [
            ("", _("全部事项")),
            *[(i.pk, i.current.name if i.current else i.code) for i in items],
        ]


def _reason_field(label: Any, required: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        error_messages={"required": required},
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def _note_field() -> forms.CharField:
    return forms.CharField(
        label=_("备注"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class CaseActionForm(ChoicesMixin):
    """Base: knows the case so that choices can depend on it."""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)


class NoteForm(CaseActionForm):
    note = _note_field()


class ReasonForm(CaseActionForm):
    reason = _reason_field(_("理由及法律依据"), _("请说明理由及法律依据。"))


class AcceptForm(CaseActionForm):
    """受理, optionally conditional (容缺受理) when the item offers it."""

    missing_materials = forms.TypedMultipleChoiceField(
        label=_("容缺材料"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("仅限非关键、可容缺的材料；选择后须填写申请人承诺补齐日期。"),
    )
    supply_by = forms.DateField(
        label=_("承诺补齐日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = _note_field()

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        version = case.item_version
        if version.conditional_acceptance:
            self._choice("missing_materials").choices = [
                (m.pk, m.name) for m in version.materials.all() if not m.is_key and m.waivable
            ]
        if not self._choice("missing_materials").choices:
            del self.fields["missing_materials"]
            del self.fields["supply_by"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("missing_materials") and not data.get("supply_by"):
            self.add_error("supply_by", _("容缺受理须由申请人承诺补齐日期。"))
        return data


class SupplementForm(CaseActionForm):
    """一次性告知补正: the materials concerned and what exactly is required."""

    materials = forms.MultipleChoiceField(
        label=_("需补正的材料"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = _reason_field(
        _("补正要求"),
        _("请一次性列明需要补正的材料和要求。"),
        _("请一次性列明全部需要补正的内容。"),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        self._choice("materials").choices = [
            (m.name, m.name) for m in case.item_version.materials.all()
        ]

    def full_reason(self) -> str:
        """The text the applicant receives: the materials, then the requirement."""
        names = self.cleaned_data.get("materials") or []
        reason: str = self.cleaned_data["reason"]
        if not names:
            return reason
        return str(_("需补正材料：%(names)s。")) % {"names": "、".join(names)} + "\n" + reason


class PostCheckForm(CaseActionForm):
    """事后核查 of a commitment approval: what was found, and whether the commitment holds."""

    result = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("passed", _("承诺属实")), ("failed", _("承诺不实（撤销准予决定）"))],
        coerce=lambda v: v == "passed",
        widget=forms.RadioSelect,
    )
    findings = _reason_field(_("核查情况"), _("请填写核查情况。"))


class TransferForm(CaseActionForm):
    to_unit = forms.ModelChoiceField(label=_("移交至"), queryset=Unit.objects.none())
    reason = _reason_field(_("移交理由"), _("移交须说明理由。"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        field = self.fields["to_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Unit.objects.filter(is_active=True).exclude(pk=case.handling_unit_id).order_by("path")
        )


class SuperviseForm(CaseActionForm):
    comment = _reason_field(_("督办意见"), _("请填写督办意见。"))
    deadline = forms.DateTimeField(
        label=_("督办期限"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    escalated = forms.BooleanField(label=_("升级督办"), required=False)
