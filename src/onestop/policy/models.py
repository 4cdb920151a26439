"""The policy documents' numbered measures, their progress, and their measurable promises."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimeStampedModel

from .choices import Comparator, MeasureStatus, Metric, TargetUnit

#: statuses for which a passed deadline does not make a measure overdue
SETTLED_STATUSES = (MeasureStatus.DONE, MeasureStatus.ONGOING)


def today() -> datetime.date:
    return timezone.localdate()


class PolicyDocument(models.Model):
    key = models.SlugField(_("文件标识"), max_length=40, unique=True)
    issuer = models.CharField(_("发文机关"), max_length=100)
    title = models.CharField(_("标题"), max_length=300)
    date = models.DateField(_("成文日期"))
    region_code = models.CharField(
        _("行政区划代码"), max_length=6, validators=[RegexValidator(r"^\d{6}$")]
    )
    source_file = models.CharField(_("原文文件"), max_length=200, blank=True)
    disclosure = models.CharField(_("公开方式"), max_length=40, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def __str__(self) -> str:
        return self.title


class MeasureQuerySet(models.QuerySet["Measure"]):
    def overdue(self, on: datetime.date | None = None) -> MeasureQuerySet:
        """Measures whose deadline has passed and which are neither done nor ongoing."""
        on = on or today()
        return self.filter(deadline_date__lt=on).exclude(status__in=SETTLED_STATUSES)


class Measure(TimeStampedModel):
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("政策文件"),
        on_delete=models.PROTECT,
        related_name="measures",
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    section = models.CharField(_("所属部分"), max_length=100)
    title = models.CharField(_("措施名称"), max_length=200)
    summary = models.TextField(_("措施内容"))
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=100, blank=True)
    deadline_date = models.DateField(_("完成期限"), null=True, blank=True)
    lead_units = models.JSONField(_("牵头单位"), default=list, blank=True)
    responsible_units = models.JSONField(_("责任单位"), default=list, blank=True)
    status = models.CharField(
        _("落实状态"),
        max_length=20,
        choices=MeasureStatus.choices,
        default=MeasureStatus.NOT_STARTED,
    )
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["document__date", "document__key", "number"]
        verbose_name = _("营商环境措施")
        verbose_name_plural = _("营商环境措施")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="policy_measure_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.citation} {self.title}"

    @property
    def citation(self) -> str:
        return f"{self.document.key}#{self.number}"

    @property
    def all_units(self) -> list[str]:
        seen: list[str] = []
        for name in [*self.lead_units, *self.responsible_units]:
            if name not in seen:
                seen.append(name)
        return seen

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return (
            self.deadline_date is not None
            and self.deadline_date < on
            and self.status not in SETTLED_STATUSES
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()


class MeasurePart(models.Model):
    """One sub-task of a measure that carries its own deadline and units (e.g. tianjin-2021#8)."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="parts"
    )
    number = models.PositiveSmallIntegerField(_("分项序号"))
    summary = models.TextField(_("分项内容"))
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=100, blank=True)
    deadline_date = models.DateField(_("完成期限"), null=True, blank=True)
    lead_units = models.JSONField(_("牵头单位"), default=list, blank=True)
    responsible_units = models.JSONField(_("责任单位"), default=list, blank=True)

    class Meta:
        ordering = ["measure", "number"]
        verbose_name = _("措施分项")
        verbose_name_plural = _("措施分项")
        constraints = [
            models.UniqueConstraint(fields=["measure", "number"], name="policy_part_unique_number")
        ]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        return f"{self.measure.citation}.{self.number}"


class ProgressReport(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("报告单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit_name = models.CharField(_("报告单位名称"), max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("报告时间"), default=timezone.now, db_index=True)
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status_after = models.CharField(_("报告后状态"), max_length=20, choices=MeasureStatus.choices)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("落实进展报告")
        verbose_name_plural = _("落实进展报告")

    def __str__(self) -> str:
        return f"{self.measure.citation} {self.unit_name} {self.percent}%"


class SupervisionNote(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("措施"), on_delete=models.CASCADE, related_name="supervision_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("督办意见"))
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("督办意见")
        verbose_name_plural = _("督办意见")

    def __str__(self) -> str:
        return f"{self.measure.citation} {self.created_at:%Y-%m-%d}"


class Commitment(TimeStampedModel):
    """One quantitative promise of a measure, as a target a data source can check."""

    code = models.SlugField(_("承诺编码"), max_length=80, unique=True)
    measure = models.ForeignKey(
        Measure, verbose_name=_("出处措施"), on_delete=models.PROTECT, related_name="commitments"
    )
    also_measures = models.ManyToManyField(
        Measure, verbose_name=_("其他相关措施"), blank=True, related_name="shared_commitments"
    )
    metric = models.CharField(_("指标"), max_length=60, choices=Metric.choices)
    comparator = models.CharField(_("比较方式"), max_length=10, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    value_max = models.DecimalField(
        _("目标上限"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("比较方式为“介于”时填写上限"),
    )
    unit = models.CharField(_("计量单位"), max_length=20, choices=TargetUnit.choices)
    baseline_value = models.DecimalField(
        _("原（法定）值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    due_date = models.DateField(_("达标期限"), null=True, blank=True)
    scope = models.JSONField(_("适用范围"), default=dict, blank=True)
    description = models.TextField(_("承诺说明"))
    source_quote = models.TextField(_("原文"))
    measured_by = models.CharField(_("衡量数据来源"), max_length=300)

    class Meta:
        ordering = ["measure__document__date", "measure__number", "code"]
        verbose_name = _("服务承诺")
        verbose_name_plural = _("服务承诺")

    def __str__(self) -> str:
        return self.code

    @property
    def citation(self) -> str:
        return self.measure.citation

    @property
    def citations(self) -> list[str]:
        return [self.citation, *(m.citation for m in self.also_measures.all())]

    @property
    def target_display(self) -> str:
        """e.g. "≤ 0.5 个工作日", "≥ 80 %", "2–5 年"."""
        unit = TargetUnit(self.unit).label
        value = _fmt(self.value)
        if self.unit == TargetUnit.BOOLEAN:
            return str(_("是")) if self.value else str(_("否"))
        if self.comparator == Comparator.BETWEEN and self.value_max is not None:
            return f"{value}–{_fmt(self.value_max)} {unit}"
        symbol = {"<=": "≤", ">=": "≥", "==": "="}.get(self.comparator, self.comparator)
        return f"{symbol} {value} {unit}"

    def is_met_by(self, observed: Decimal | int | float) -> bool:
        """Does an observed value satisfy the target?"""
        obs = Decimal(str(observed))
        if self.comparator == Comparator.LTE:
            return obs <= self.value
        if self.comparator == Comparator.GTE:
            return obs >= self.value
        if self.comparator == Comparator.BETWEEN:
            upper = self.value_max if self.value_max is not None else self.value
            return self.value <= obs <= upper
        return obs == self.value


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
