"""Tables of the enterprise desk (服务企业直通车). Every change goes through ``services``.

A ``Ticket`` is one request to the desk: a consultation, a policy question, a complaint, a tip
report (which may be anonymous), a green-channel request, a police-enterprise interaction or
feedback. Anonymous tickets keep the reporter's identity only in ``sealed_identity`` (encrypted);
``reporter`` and ``reporter_name`` stay empty, so no page or API response can show it by
accident. ``owner_hash`` lets the reporter find their own anonymous ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import EncryptedTextField, LookupHashField
from onestop.core.models import TimeStampedModel

from .choices import (
    ComplaintReason,
    EvaluationResult,
    LiaisonLevel,
    PoliceType,
    SupervisorCategory,
    TicketKind,
    TicketSource,
    TicketState,
)


class Ticket(TimeStampedModel):
    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=TicketKind.choices)
    source = models.CharField(
        _("来源"), max_length=16, choices=TicketSource.choices, default=TicketSource.PORTAL
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=TicketState.choices, default=TicketState.SUBMITTED
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    topic = models.CharField(_("主题"), max_length=40, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="desk_tickets",
    )
    # who asked (empty for anonymous tickets)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="desk_tickets",
    )
    reporter_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_mobile = EncryptedTextField(_("联系电话"), blank=True)
    anonymous = models.BooleanField(_("匿名举报"), default=False)
    sealed_identity = EncryptedTextField(_("举报人身份（密封）"), blank=True)
    owner_hash = LookupHashField()
    supervisor = models.ForeignKey(
        "desk.Supervisor",
        verbose_name=_("监督员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    # complaints
    subject_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("被投诉单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint_reason = models.CharField(
        _("投诉事由"), max_length=12, choices=ComplaintReason.choices, blank=True
    )
    # routing
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="desk_tickets",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专属联络民警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_assigned",
    )
    green = models.BooleanField(_("绿色通道"), default=False, db_index=True)
    # clock
    submitted_at = models.DateTimeField(_("提交时间"))
    due_at = models.DateTimeField(_("答复时限"))
    due_provisional = models.BooleanField(_("时限为暂定"), default=False)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    first_reply_on_time = models.BooleanField(_("首次答复按时"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # complaint rectification
    rectification_required = models.BooleanField(_("需整改"), default=False)
    rectification_due_at = models.DateTimeField(_("整改期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectification_note = models.TextField(_("整改情况"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("直通车工单")
        verbose_name_plural = _("直通车工单")
        indexes = [
            models.Index(fields=["unit", "state", "due_at"]),
            # the insights roll-up reads the tickets changed since its last run
            models.Index(fields=["updated_at"], name="ticket_updated_at"),
        ]

    def __str__(self) -> str:
        # Never the reporter: audit events copy this into object_repr.
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state != TicketState.CLOSED

    @property
    def awaiting_reply(self) -> bool:
        return self.state in (TicketState.SUBMITTED, TicketState.REOPENED)


class TicketEvent(models.Model):
    """One entry of the ticket's timeline. An anonymous reporter's own steps have no actor."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=16)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("提交人可见"), default=True)

    class Meta:
        ordering = ["ticket", "at", "id"]
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")

    def __str__(self) -> str:
        return f"{self.ticket} {self.action}"


class DeskAssignment(models.Model):
    """Who answers an enterprise's requests: a dedicated officer (专属联络民警) and the unit,
    per enterprise, region and topic (ticket kind). The most specific active rule wins."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络民警"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="desk_assignments",
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="desk_assignments",
    )
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    kind = models.CharField(_("工单类型"), max_length=20, choices=TicketKind.choices, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联络分派规则")
        verbose_name_plural = _("联络分派规则")

    def __str__(self) -> str:
        return f"{self.unit} {self.enterprise or self.region_code or '*'} {self.kind or '*'}"


class Liaison(models.Model):
    """A green-channel liaison officer, listed in the public directory."""

    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("层级"), max_length=8, choices=LiaisonLevel.choices)
    police_type = models.CharField(_("警种"), max_length=16, choices=PoliceType.choices)
    phone = models.CharField(_("联系电话"), max_length=40)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("民警账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["level", "unit__path", "police_type", "name"]
        verbose_name = _("绿色通道联络员")
        verbose_name_plural = _("绿色通道联络员")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class Supervisor(TimeStampedModel):
    """A registered social supervisor (监督员)."""

    name = models.CharField(_("姓名"), max_length=50)
    category = models.CharField(_("类别"), max_length=20, choices=SupervisorCategory.choices)
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    mobile = EncryptedTextField(_("手机号码"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("门户账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_supervisor",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("聘请单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    term_start = models.DateField(_("聘期开始"))
    term_end = models.DateField(_("聘期结束"))
    is_active = models.BooleanField(_("在聘"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("监督员")
        verbose_name_plural = _("监督员")

    def __str__(self) -> str:
        return self.name


class SupervisorVisit(TimeStampedModel):
    """A supervisor's visit report (明察暗访)."""

    supervisor = models.ForeignKey(
        Supervisor, verbose_name=_("监督员"), on_delete=models.CASCADE, related_name="visits"
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("走访单位"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("走访日期"))
    findings = models.TextField(_("发现问题"))
    suggestions = models.TextField(_("意见建议"), blank=True)
    response = models.TextField(_("反馈落实情况"), blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    class Meta:
        ordering = ["-visited_on"]
        verbose_name = _("走访报告")
        verbose_name_plural = _("走访报告")

    def __str__(self) -> str:
        return f"{self.supervisor} {self.unit} {self.visited_on}"


class WindowEvaluation(TimeStampedModel):
    """The yearly evaluation of a window unit as a demonstration site (示范窗口)."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("窗口单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    result = models.CharField(_("评定结果"), max_length=16, choices=EvaluationResult.choices)
    notes = models.TextField(_("评价说明"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "-score"]
        verbose_name = _("示范窗口评定")
        verbose_name_plural = _("示范窗口评定")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_evaluation_per_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"


class TicketNumberSequence(models.Model):
    """The last ticket number handed out per day (row-locked when incremented)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class KnowledgeArticle(TimeStampedModel):
    """A policy Q&A entry (政策问答): an article or an FAQ by topic, linked to service items.
    Officers write them or turn a good desk answer into one (``source_ticket``)."""

    class Kind(models.TextChoices):
        FAQ = "faq", _("常见问题")
        ARTICLE = "article", _("政策解读")

    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices, default=Kind.FAQ)
    topic = models.CharField(_("主题"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    items = models.ManyToManyField(
        "catalogue.ServiceItem", verbose_name=_("相关事项"), blank=True, related_name="+"
    )
    source_ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("来源工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编写人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("政策问答")
        verbose_name_plural = _("政策问答")

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
