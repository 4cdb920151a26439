"""Daily roll-ups of what the platform did, from which every commitment metric is computed.

Each roll-up row sums one day (Asia/Shanghai) for one unit and one service item (or shop). The
rows are rebuilt by ``services.rollup_refresh`` for the days that changed since its last run;
pages and reports read only these tables, never the raw cases.

``CaseFact`` keeps, per case, the few attributes the roll-ups need (and the days the case counts
on), so that a changed case tells the refresh which days to rebuild, including the days it
counted on before the change.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Upper bounds (inclusive, per cent of the promised limit) of the working-time histogram
#: buckets; the last bucket holds everything above 200 %.
RATIO_BUCKETS = (25, 50, 75, 100, 150, 200)
BUCKET_FIELDS = ("b25", "b50", "b75", "b100", "b150", "b200", "bmore")


class CaseFact(models.Model):
    """What the roll-ups need to know about one case (one row per submitted case)."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("办理单位"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    delivery = models.CharField(_("结果送达方式"), max_length=12)
    online = models.BooleanField(_("网上申请"), default=False)
    submitted_day = models.DateField(_("提交日期"), db_index=True)
    finished_day = models.DateField(_("办结日期"), null=True, blank=True, db_index=True)
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    used_mdays = models.PositiveIntegerField(_("用时（千分之一工作日）"), null=True, blank=True)
    bucket = models.CharField(_("用时区间"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("办件统计事实")
        verbose_name_plural = _("办件统计事实")

    def __str__(self) -> str:
        return f"case {self.case_id}"


class CaseDaily(models.Model):
    """Cases of one item at one handling unit on one day, per result delivery mode.

    ``submitted*`` count on the day of submission; everything else on the day the case was
    decided (the handling clock stopped)."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("办理单位"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    delivery = models.CharField(_("结果送达方式"), max_length=12)
    submitted = models.PositiveIntegerField(_("提交"), default=0)
    submitted_online = models.PositiveIntegerField(_("网上提交"), default=0)
    finished = models.PositiveIntegerField(_("办结"), default=0)
    on_time = models.PositiveIntegerField(_("按时办结"), default=0)
    late = models.PositiveIntegerField(_("超期办结"), default=0)
    timed = models.PositiveIntegerField(_("有用时记录的办结"), default=0)
    used_mdays = models.PositiveBigIntegerField(_("累计用时（千分之一工作日）"), default=0)
    b25 = models.PositiveIntegerField("≤25%", default=0)
    b50 = models.PositiveIntegerField("≤50%", default=0)
    b75 = models.PositiveIntegerField("≤75%", default=0)
    b100 = models.PositiveIntegerField("≤100%", default=0)
    b150 = models.PositiveIntegerField("≤150%", default=0)
    b200 = models.PositiveIntegerField("≤200%", default=0)
    bmore = models.PositiveIntegerField(">200%", default=0)

    class Meta:
        verbose_name = _("办件日统计")
        verbose_name_plural = _("办件日统计")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "item", "delivery"], name="insights_case_daily_key"
            )
        ]
        indexes = [models.Index(fields=["item", "day"]), models.Index(fields=["unit", "day"])]

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id} item {self.item_id} {self.delivery}"


class CatalogueDaily(models.Model):
    """A snapshot of one current catalogue item as published on one day."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("实施机关"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    item_type = models.CharField(_("事项类型"), max_length=20)
    level = models.CharField(_("行使层级"), max_length=12)
    visits = models.PositiveSmallIntegerField(_("最多跑动次数"))
    online = models.BooleanField(_("网上可办"))
    fee = models.BooleanField(_("收费事项"))
    fee_online = models.BooleanField(_("可网上缴费"))

    class Meta:
        verbose_name = _("事项目录日快照")
        verbose_name_plural = _("事项目录日快照")
        constraints = [
            models.UniqueConstraint(fields=["day", "item"], name="insights_catalogue_daily_key")
        ]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.day} item {self.item_id}"


class SealDaily(models.Model):
    """Seal engraving orders of one shop submitted on one day."""

    day = models.DateField(_("日期"))
    shop = models.ForeignKey(
        "seals.EngravingShop",
        verbose_name=_("刻制企业"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    region_code = models.CharField(_("行政区划代码"), max_length=6)
    orders = models.PositiveIntegerField(_("订单"), default=0)
    finished = models.PositiveIntegerField(_("刻制完成"), default=0)
    within = models.PositiveIntegerField(_("承诺时限内完成"), default=0)
    elapsed_mdays = models.PositiveBigIntegerField(_("累计用时（千分之一工作日）"), default=0)

    class Meta:
        verbose_name = _("刻章日统计")
        verbose_name_plural = _("刻章日统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "shop"], name="insights_seal_daily_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} shop {self.shop_id}"


class DeskDaily(models.Model):
    """Enterprise desk tickets of one unit submitted on one day."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="+"
    )
    tickets = models.PositiveIntegerField(_("工单"), default=0)
    complaints = models.PositiveIntegerField(_("投诉"), default=0)
    complaints_replied = models.PositiveIntegerField(_("已答复投诉"), default=0)
    complaints_on_time = models.PositiveIntegerField(_("按时答复投诉"), default=0)
    reply_mdays = models.PositiveBigIntegerField(_("累计答复用时（千分之一工作日）"), default=0)

    class Meta:
        verbose_name = _("直通车日统计")
        verbose_name_plural = _("直通车日统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="insights_desk_daily_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id}"


class DeskHourly(models.Model):
    """Desk tickets received per clock hour (Asia/Shanghai) of one day at one unit."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="+"
    )
    hour = models.PositiveSmallIntegerField(_("时段"))
    tickets = models.PositiveIntegerField(_("工单"), default=0)

    class Meta:
        verbose_name = _("直通车分时统计")
        verbose_name_plural = _("直通车分时统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "hour"], name="insights_desk_hourly_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}h unit {self.unit_id}"


class RatingDaily(models.Model):
    """Ratings (好差评) of one unit and item given on one day, with the fate of the bad ones."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("被评价单位"), on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    ratings = models.PositiveIntegerField(_("评价"), default=0)
    bad = models.PositiveIntegerField(_("差评"), default=0)
    bad_real_name = models.PositiveIntegerField(_("实名差评"), default=0)
    returned = models.PositiveIntegerField(_("已回访实名差评"), default=0)
    rect_closed = models.PositiveIntegerField(_("整改办结"), default=0)
    rect_on_time = models.PositiveIntegerField(_("按期整改"), default=0)

    class Meta:
        verbose_name = _("好差评日统计")
        verbose_name_plural = _("好差评日统计")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit", "item"], name="insights_rating_daily_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} unit {self.unit_id}"


class RollupState(models.Model):
    """The roll-up job's watermark: source rows changed at or after it are not counted yet."""

    name = models.CharField(max_length=20, primary_key=True)
    watermark = models.DateTimeField(_("水位时间"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次运行时间"), null=True, blank=True)
    last_full_at = models.DateTimeField(_("上次全量重建时间"), null=True, blank=True)
    last_stats = models.JSONField(_("上次运行统计"), default=dict, blank=True)

    class Meta:
        verbose_name = _("统计水位")
        verbose_name_plural = _("统计水位")

    def __str__(self) -> str:
        return self.name


class MonthlyReport(models.Model):
    """The archived monthly commitments report (PDF)."""

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天"))
    file = models.FileField(_("报告文件"), upload_to="insights/reports/")
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("月度报告")
        verbose_name_plural = _("月度报告")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
