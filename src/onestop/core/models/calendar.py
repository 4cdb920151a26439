"""Database overrides of the statutory working-day calendar.

``chinese-calendar`` knows the State Council's holiday notices up to the last published year.
A bureau enters a newer year's notice (or a local adjustment) as ``CalendarDayOverride`` rows and
marks the year as published with a ``CalendarYear`` row; from then on deadlines over that year
are exact instead of provisional.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered in the database."""

    year = models.PositiveSmallIntegerField(
        _("年份"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("依据"), max_length=200, help_text=_("例如：国务院办公厅通知文号"))
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已公布节假日安排的年份")
        verbose_name_plural = _("已公布节假日安排的年份")

    def __str__(self) -> str:
        return f"{self.year}"


class CalendarDayOverride(models.Model):
    """One day whose working status differs from the library (or from Monday–Friday)."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("是否工作日"), help_text=_("勾选表示调休上班日；不勾选表示放假")
    )
    name = models.CharField(
        _("名称"), max_length=100, blank=True, help_text=_("例如：春节、国庆节调休")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'workday' if self.is_working_day else 'holiday'}"
