"""Forms of the login, registration, real-name and enterprise pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onestop.core import identity

# The identity form fields live in the kernel; accounts uses them under its own names.
IdNumberField = identity.ResidentIdField
CreditCodeField = identity.CreditCodeField
MobileField = identity.MobileField


class CodeField(forms.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("验证码"))
        kwargs.setdefault("error_messages", {"invalid": _("请输入 6 位数字验证码。")})
        super().__init__(regex=r"^\d{6}$", max_length=6, **kwargs)
        self.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{6}"}
        )

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace(" ", "")


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(forms.Form):
    code = CodeField(label=_("动态验证码"), help_text=_("请输入身份验证器应用中显示的 6 位数字。"))


class PublicLoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("手机号码或身份证号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class MobileForm(forms.Form):
    mobile = MobileField(label=_("手机号码"))


class SmsLoginForm(forms.Form):
    mobile = MobileField(label=_("手机号码"), widget=forms.HiddenInput)
    code = CodeField(label=_("短信验证码"))


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    id_number = IdNumberField(label=_("居民身份证号码"))
    mobile = MobileField(
        label=_("手机号码"), help_text=_("用于接收验证码，须为本人实名登记的手机号码。")
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，不能全为数字，不能过于常见。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class CodeForm(forms.Form):
    code = CodeField(label=_("短信验证码"))


class BindEnterpriseForm(forms.Form):
    credit_code = CreditCodeField(label=_("统一社会信用代码"))
    name = forms.CharField(
        label=_("企业名称"), max_length=200, help_text=_("须与营业执照上的名称完全一致。")
    )


class AuthoriseAgentForm(forms.Form):
    agent_name = forms.CharField(label=_("经办人姓名"), max_length=100)
    agent_id_number = IdNumberField(label=_("经办人身份证号码"))
    until = forms.DateField(label=_("授权截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
