"""Applicant-side forms: the parts of an application beside the item's own form (materials,
容缺, delivery, enterprise, commitment), the supplement upload and the public lookup."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Enterprise
from onestop.catalogue.choices import Delivery, MaterialSource
from onestop.catalogue.models import Material, ServiceItemVersion
from onestop.core import workdays
from onestop.core.uploads import validate_upload

#: Materials the applicant does not upload (obtained by data sharing or issued by the bureau).
NOT_UPLOADED = frozenset({MaterialSource.SHARED, MaterialSource.ISSUED_HERE})


def uploadable_materials(version: ServiceItemVersion) -> list[Material]:
    return [m for m in version.materials.order_by("position", "pk") if m.source not in NOT_UPLOADED]


def may_waive(version: ServiceItemVersion, material: Material) -> bool:
    """容缺: only on items offering conditional acceptance, for non-key waivable materials."""
    return bool(version.conditional_acceptance and material.waivable and not material.is_key)


def latest_supply_date(version: ServiceItemVersion, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return workdays.add_working_days(today, version.conditional_supply_days or 0)


def check_upload(file: UploadedFile) -> None:
    """Validate without storing (the view stores once the whole application is valid)."""
    try:
        validate_upload(file)
    finally:
        file.seek(0)


class ApplicationForm(forms.Form):
    """Everything of an application that is not the item's own JSON-Schema form.

    Fields per uploadable material ``m``: ``file_<pk>``, and where 容缺 is allowed
    ``waive_<pk>`` and ``supply_by_<pk>``. ``present`` holds the material ids already stored on
    the draft (they need not be uploaded again). With ``draft=True`` nothing is required.
    """

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    enterprise = forms.ChoiceField(label=_("申请主体"), required=False)
    delivery = forms.ChoiceField(label=_("结果送达方式"))
    commitment_signed = forms.BooleanField(
        label=_("我已阅读并自愿签署上述告知承诺书（告知承诺制：当场准予）"), required=False
    )

    def __init__(
        self,
        *args: Any,
        version: ServiceItemVersion,
        enterprises: list[Enterprise],
        present: set[int] | None = None,
        draft: bool = False,
        fixed_enterprise: bool = False,
        ecerts: dict[int, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        #: material pk → an e-certificate of the applicant that may stand for it
        self.ecerts = ecerts or {}
        self.draft = draft
        self.present = present or set()
        self.materials = uploadable_materials(version)
        self.enterprises = {str(e.pk): e for e in enterprises}
        enterprise_field = self.fields["enterprise"]
        assert isinstance(enterprise_field, forms.ChoiceField)
        enterprise_field.choices = [("", gettext("本人（个人申请）"))] + [
            (str(e.pk), e.name) for e in enterprises
        ]
        if fixed_enterprise:
            self.fields["enterprise"].disabled = True
        deliveries = version.deliveries or [Delivery.WINDOW.value]
        labels = dict(Delivery.choices)
        delivery_field = self.fields["delivery"]
        assert isinstance(delivery_field, forms.ChoiceField)
        delivery_field.choices = [(d, labels.get(d, d)) for d in deliveries]
        self.fields["delivery"].error_messages["required"] = gettext("请选择结果送达方式。")
        self.fields["delivery"].error_messages["invalid_choice"] = gettext(
            "该事项不支持所选的结果送达方式。"
        )
        if not version.commitment_approval:
            del self.fields["commitment_signed"]
        latest = latest_supply_date(version)
        self.latest_supply_by = latest
        for m in self.materials:
            self.fields[f"file_{m.pk}"] = forms.FileField(
                label=m.name,
                required=False,
                help_text=gettext("支持 PDF、JPEG、PNG、OFD 格式"),
            )
            certificate = self.ecerts.get(m.pk)
            if certificate is not None:
                self.fields[f"ecert_{m.pk}"] = forms.BooleanField(
                    label=gettext("使用我的电子证照“%(title)s”（%(identifier)s），无需上传")
                    % {"title": certificate.title, "identifier": certificate.identifier},
                    required=False,
                    initial=True,
                )
            if may_waive(version, m):
                self.fields[f"waive_{m.pk}"] = forms.BooleanField(
                    label=gettext("容缺（暂缺，承诺在受理后补齐）"), required=False
                )
                self.fields[f"supply_by_{m.pk}"] = forms.DateField(
                    label=gettext("承诺补齐日期"),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                    error_messages={"invalid": gettext("承诺补齐日期格式不正确。")},
                )

    # -- helpers for the template -------------------------------------------------------------

    def material_rows(self) -> list[dict[str, Any]]:
        rows = []
        for m in self.materials:
            rows.append(
                {
                    "material": m,
                    "file": self[f"file_{m.pk}"],
                    "ecert": self[f"ecert_{m.pk}"] if f"ecert_{m.pk}" in self.fields else None,
                    "waive": self[f"waive_{m.pk}"] if f"waive_{m.pk}" in self.fields else None,
                    "supply_by": self[f"supply_by_{m.pk}"]
                    if f"supply_by_{m.pk}" in self.fields
                    else None,
                    "present": m.pk in self.present,
                }
            )
        return rows

    # -- cleaning -----------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        self.waivers: dict[int, date] = {}
        self.uploads: dict[int, UploadedFile] = {}
        #: material pk → the e-certificate chosen instead of an upload
        self.ecert_uses: dict[int, Any] = {}
        for m in self.materials:
            name = f"file_{m.pk}"
            file = cleaned.get(name)
            if not file and cleaned.get(f"ecert_{m.pk}") and m.pk in self.ecerts:
                self.ecert_uses[m.pk] = self.ecerts[m.pk]
                continue
            if file:
                try:
                    check_upload(file)
                except ValidationError as error:
                    self.add_error(name, error)
                    continue
                self.uploads[m.pk] = file
                continue
            if cleaned.get(f"waive_{m.pk}"):
                supply_by = cleaned.get(f"supply_by_{m.pk}")
                if supply_by is None:
                    self.add_error(f"supply_by_{m.pk}", gettext("容缺材料须填写承诺补齐日期。"))
                elif not today <= supply_by <= self.latest_supply_by:
                    self.add_error(
                        f"supply_by_{m.pk}",
                        gettext("承诺补齐日期须在 %(days)s 个工作日内（不晚于 %(latest)s）。")
                        % {
                            "days": self.version.conditional_supply_days or 0,
                            "latest": self.latest_supply_by.isoformat(),
                        },
                    )
                else:
                    self.waivers[m.pk] = supply_by
                continue
            if not self.draft and m.pk not in self.present:
                self.add_error(name, gettext("请上传“%(name)s”。") % {"name": m.name})
        return cleaned

    def chosen_enterprise(self) -> Enterprise | None:
        return self.enterprises.get(self.cleaned_data.get("enterprise") or "")

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex


class SupplyForm(forms.Form):
    """补正: the files asked for and a note."""

    file = forms.FileField(
        label=_("补正材料"),
        error_messages={"required": _("请选择要上传的补正材料。")},
    )
    note = forms.CharField(label=_("补正说明"), required=False, max_length=500)

    def clean_file(self) -> UploadedFile:
        file: UploadedFile = self.cleaned_data["file"]
        check_upload(file)
        return file


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=32,
        error_messages={"required": _("请填写办件编号。")},
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=12,
        error_messages={"required": _("请填写查询码。")},
    )
