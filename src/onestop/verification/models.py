"""Registers (population, wanted persons, risk lists), batch jobs, alerts, partner checks and
API keys of the verification services.

Personal data in the registers is encrypted at rest and looked up by keyed hash only: a check
never decrypts a register row, it compares ``id_number_hash`` and ``name_hash``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Enterprise, Person, Unit, User
from onestop.core.fields import EncryptedTextField, LookupHashField
from onestop.core.pii import mask_id_number, mask_name

from .choices import (
    AlertState,
    Channel,
    EnterpriseListKind,
    JobState,
    PartnerPurpose,
    PersonRiskCategory,
    Purpose,
    RegisterStatus,
)


class ActiveEntryQuerySet(models.QuerySet):
    def active(self, *, on: object = None) -> ActiveEntryQuerySet:
        today = on or timezone.localdate()
        return self.filter(
            Q(revoked_at__isnull=True),
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        )


class PopulationRecord(models.Model):
    """One person of the population register (人口信息库): who a resident ID number belongs to."""

    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_hash = LookupHashField(unique=True)
    name = EncryptedTextField(_("姓名"))
    name_hash = LookupHashField(db_index=False)
    status = models.CharField(
        _("户籍状态"), max_length=12, choices=RegisterStatus.choices, default=RegisterStatus.NORMAL
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人口信息")
        verbose_name_plural = _("人口信息库")

    def __str__(self) -> str:
        return f"{mask_name(self.name or '')} {mask_id_number(self.id_number or '')}"


class WantedPerson(models.Model):
    """在逃人员: a person wanted by a police unit; a hit alerts that unit, never the enterprise."""

    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_hash = LookupHashField()
    name = EncryptedTextField(_("姓名"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    warrant_reference = models.CharField(_("法律文书编号"), max_length=100)
    valid_from = models.DateField(_("上网日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ActiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("在逃人员")
        verbose_name_plural = _("在逃人员")

    def __str__(self) -> str:
        return f"{mask_name(self.name or '')} {mask_id_number(self.id_number or '')}"


class PersonRiskEntry(models.Model):
    """A person on a risk list, with the legal basis that allows employers to be warned."""

    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_hash = LookupHashField()
    name = EncryptedTextField(_("姓名"))
    category = models.CharField(_("类别"), max_length=20, choices=PersonRiskCategory.choices)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    unit = models.ForeignKey(
        Unit, verbose_name=_("列入单位"), on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ActiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员风险名单")
        verbose_name_plural = _("人员风险名单")

    def __str__(self) -> str:
        return f"{mask_name(self.name or '')} ({self.get_category_display()})"


class EnterpriseRiskEntry(models.Model):
    """An enterprise on an economic-crime black, grey or white list."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    name = models.CharField(_("企业名称"), max_length=200)
    list_kind = models.CharField(_("名单"), max_length=10, choices=EnterpriseListKind.choices)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    reason = models.TextField(_("内部事由（不对外提供）"), blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("列入单位"), on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ActiveEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业风险名单")
        verbose_name_plural = _("企业风险名单")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_list_kind_display()})"


class VerificationAuthorisation(models.Model):
    """The legal representative's authorisation for the enterprise to use verification services."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="verification_authorisations",
    )
    granted_by = models.ForeignKey(
        Person, verbose_name=_("授权人（法定代表人）"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    valid_until = models.DateField(_("授权截止日期"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核查服务授权")
        verbose_name_plural = _("核查服务授权")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.valid_until}"


class EnterpriseQuota(models.Model):
    """Per-enterprise quotas; enterprises without a row use ``ONESTOP_VERIFICATION`` defaults."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    daily_rows = models.PositiveIntegerField(_("每日核查人数上限"))
    jobs_per_hour = models.PositiveIntegerField(_("每小时批量任务上限"))
    daily_partner_checks = models.PositiveIntegerField(_("每日合作方核查上限"))

    class Meta:
        verbose_name = _("核查配额")
        verbose_name_plural = _("核查配额")

    def __str__(self) -> str:
        return str(self.enterprise)


class ApiKey(models.Model):
    """An integrator's key for an organisation; only its SHA-256 is stored."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("权限范围"), default=list)
    daily_quota = models.PositiveIntegerField(_("每日调用上限"))
    created_by = models.ForeignKey(
        Person, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyUsage(models.Model):
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="one_usage_row_per_day")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.calls}"


class BatchJob(models.Model):
    """One uploaded file of workers to verify; the upload is deleted once processed and the
    result file when ``result_expires_at`` passes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        User, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    purpose = models.CharField(_("核查目的"), max_length=20, choices=Purpose.choices)
    consent_attested_at = models.DateTimeField(_("承诺已取得本人同意时间"))
    original_name = models.CharField(_("文件名"), max_length=120)
    file_kind = models.CharField(max_length=8)  # csv / xlsx
    encoding = models.CharField(max_length=16, blank=True)
    name_col = models.PositiveSmallIntegerField(default=0)
    id_col = models.PositiveSmallIntegerField(default=1)
    header_line = models.PositiveIntegerField(default=1)
    upload_path = models.CharField(max_length=255, blank=True)
    result_path = models.CharField(max_length=255, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("人数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已核查"), default=0)
    counts = models.JSONField(_("结果统计"), default=dict)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result_expires_at = models.DateTimeField(_("结果保留至"), null=True, blank=True)
    purged_at = models.DateTimeField(_("清除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量核查任务")
        verbose_name_plural = _("批量核查任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.created_at:%Y-%m-%d %H:%M} ({self.total_rows})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state in (JobState.DONE, JobState.PURGED) else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.PURGED)


class WantedHitAlert(models.Model):
    """A wanted person appeared in an enterprise's query: a task for the competent unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    wanted = models.ForeignKey(
        WantedPerson, verbose_name=_("在逃人员"), on_delete=models.PROTECT, related_name="alerts"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("查询企业"), on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(
        BatchJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    row_number = models.PositiveIntegerField(_("文件行号"), null=True, blank=True)
    name_matched = models.BooleanField(_("姓名一致"), default=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=AlertState.choices, default=AlertState.OPEN
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True, db_index=True)
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    note = models.CharField(_("处置情况"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("在逃人员比中预警")
        verbose_name_plural = _("在逃人员比中预警")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.wanted} @ {self.enterprise}"


class PartnerCheck(models.Model):
    """One background check of a partner enterprise (what was asked and answered, why)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("查询企业"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        User, verbose_name=_("查询人"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    subject_credit_code = models.CharField(_("被查询企业"), max_length=18)
    purpose = models.CharField(_("查询目的"), max_length=20, choices=PartnerPurpose.choices)
    purpose_detail = models.CharField(_("事由说明"), max_length=200)
    listed = models.BooleanField(_("是否在名单内"))
    created_at = models.DateTimeField(_("查询时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("合作方背景核查")
        verbose_name_plural = _("合作方背景核查")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.subject_credit_code}"
