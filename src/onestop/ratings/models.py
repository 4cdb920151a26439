"""好差评: one rating per finished case or desk ticket (一事一评), by its own applicant; each bad
review opens a ``Rectification`` task. Every change goes through ``services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AppealState, Classification, Level, RatingChannel, RectificationState


class Rating(models.Model):
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    ticket = models.OneToOneField(
        "desk.Ticket",
        verbose_name=_("直通车工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    real_name = models.BooleanField(_("实名评价"), default=True)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    indicators = models.JSONField(_("评价指标"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(
        _("评价渠道"), max_length=8, choices=RatingChannel.choices, default=RatingChannel.ONLINE
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("被评价单位"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    excluded = models.BooleanField(
        _("不计入统计"), default=False, help_text=_("经申诉复核认定为误评或恶意差评")
    )
    created_at = models.DateTimeField(_("评价时间"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(case__isnull=False, ticket__isnull=True)
                    | models.Q(case__isnull=True, ticket__isnull=False)
                ),
                name="rating_has_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level <= Level.DISSATISFIED

    @property
    def indicator_labels(self) -> list[str]:
        from .conf import indicator_options

        options = indicator_options(self.level)
        return [str(options.get(code, code)) for code in self.indicators]

    @property
    def target_label(self) -> str:
        return str(self.case or self.ticket)


class Rectification(models.Model):
    """整改: the task a bad review opens — return call, classification, rectification, outcome."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="rectification"
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("整改单位"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"),
        max_length=8,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
    )
    due_at = models.DateTimeField(_("整改期限"))
    return_call_at = models.DateTimeField(_("回访时间"), null=True, blank=True, db_index=True)
    return_call_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_call_reached = models.BooleanField(_("回访已接通"), null=True, blank=True)
    return_call_note = models.TextField(_("回访记录"), blank=True)
    classification = models.CharField(
        _("核实类别"), max_length=12, choices=Classification.choices, blank=True
    )
    classification_note = models.TextField(_("核实说明"), blank=True)
    outcome = models.TextField(_("整改结果"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_time = models.BooleanField(_("按期整改"), null=True, blank=True)
    appeal_state = models.CharField(
        _("申诉状态"), max_length=10, choices=AppealState.choices, blank=True, default=""
    )
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appeal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appeal_decision = models.TextField(_("复核意见"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # indexed, as are return_call_at and closed_at: the insights roll-up reads the tasks
    # changed since its last run
    created_at = models.DateTimeField(_("创建时间"), db_index=True)

    class Meta:
        ordering = ["state", "due_at"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"{_('差评整改')} #{self.pk}"
