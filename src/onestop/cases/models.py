"""Cases (办件): one application for a service item version, its timeline and supervision.

Tables only; every change goes through ``onestop.cases.services`` (the state machine is the
``TRANSITIONS`` table there).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.catalogue.choices import Delivery
from onestop.core.models import TimeStampedModel

from .choices import CaseChannel, CaseState, Decision, PostCheckResult, WarningLevel

#: States in which nothing more happens to the case (apart from a revocation of a result).
TERMINAL_STATES = frozenset(
    {
        CaseState.REFUSED,
        CaseState.CLOSED,
        CaseState.WITHDRAWN,
        CaseState.REVOKED,
        CaseState.TERMINATED,
    }
)
#: States in which the handling clock runs (accepted and not yet decided, not paused).
CLOCK_RUNNING_STATES = frozenset({CaseState.ACCEPTED, CaseState.IN_REVIEW})
#: States in which the clock is paused (补正, 中止).
CLOCK_PAUSED_STATES = frozenset({CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED})


class CaseNumberSequence(models.Model):
    """The last sequence number handed out per prefix and day (row-locked when incremented)."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="one_sequence_per_prefix_day")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d} {self.last}"


class Case(TimeStampedModel):
    number = models.CharField(
        _("办件编号"), max_length=32, blank=True, help_text=_("提交时生成，例如 TJ20261123000123")
    )
    item_version = models.ForeignKey(
        "catalogue.ServiceItemVersion",
        verbose_name=_("事项版本"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    receiving_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("收件单位"),
        on_delete=models.PROTECT,
        related_name="received_cases",
    )
    handling_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("办理单位"),
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    applicant = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("提交申请的实名用户；代企业申请时为法定代表人或授权经办人"),
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        verbose_name=_("申请企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    agent = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("授权经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_cases",
        help_text=_("代企业申请的授权经办人（法定代表人本人申请时为空）"),
    )
    state = models.CharField(
        _("状态"), max_length=24, choices=CaseState.choices, default=CaseState.DRAFT
    )
    form_data = models.JSONField(_("表单内容"), default=dict, blank=True)
    channel = models.CharField(
        _("申请渠道"), max_length=10, choices=CaseChannel.choices, default=CaseChannel.ONLINE
    )
    delivery = models.CharField(
        _("结果送达方式"), max_length=12, choices=Delivery.choices, default=Delivery.WINDOW
    )

    # paths
    conditional = models.BooleanField(_("容缺受理"), default=False)
    conditional_materials = models.JSONField(
        _("容缺材料"), default=list, blank=True, help_text=_("容缺的申请材料编号")
    )
    conditional_supply_by = models.DateField(_("承诺补齐日期"), null=True, blank=True)
    conditional_reminded_at = models.DateTimeField(_("补齐提醒时间"), null=True, blank=True)
    conditional_fulfilled_at = models.DateTimeField(_("容缺材料补齐时间"), null=True, blank=True)
    commitment = models.BooleanField(_("告知承诺制"), default=False)
    commitment_signed_at = models.DateTimeField(_("签署承诺时间"), null=True, blank=True)
    post_check_required = models.BooleanField(_("需事后核查"), default=False)
    post_check_result = models.CharField(
        _("事后核查结论"),
        max_length=8,
        choices=PostCheckResult.choices,
        blank=True,
        default=PostCheckResult.PENDING,
    )
    post_checked_at = models.DateTimeField(_("事后核查时间"), null=True, blank=True)
    post_check_findings = models.TextField(_("事后核查情况"), blank=True)
    eligibility = models.JSONField(
        _("申请条件核验"),
        default=dict,
        blank=True,
        help_text=_("提交时按事项版本的申请条件规则得出的逐项说明"),
    )

    # instants
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision = models.CharField(
        _("审批决定"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # deadlines (working time, from acceptance; extended by pauses)
    statutory_due_at = models.DateTimeField(_("法定办结时限"), null=True, blank=True)
    promised_due_at = models.DateTimeField(_("承诺办结时限"), null=True, blank=True)
    due_provisional = models.BooleanField(_("时限为暂定"), default=False)
    paused_at = models.DateTimeField(_("计时暂停时间"), null=True, blank=True)
    paused_total = models.DurationField(_("累计暂停工作时间"), default=timedelta)
    warning_level = models.CharField(
        _("预警等级"),
        max_length=8,
        choices=WarningLevel.choices,
        default=WarningLevel.NONE,
        db_index=True,
    )
    on_time = models.BooleanField(_("按时办结"), null=True, blank=True)

    #: The plaintext verification code, set once on the instance ``case_submit`` returns so
    #: that the receipt can show it; never stored (only its keyed hash is).
    verification_code: str = ""

    verification_code_hash = models.CharField(_("查询码摘要"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="unique_case_number"
            ),
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_idempotency_key_per_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["handling_unit", "state", "promised_due_at"]),
            models.Index(fields=["state", "warning_level"]),
            # (PostgreSQL also has ``case_inbox_urgency`` on the inbox order, migration 0005, and
            # ``case_inbox_state_urgency`` and ``case_inbox_version_urgency``, the same after
            # the state or the item version, migration 0007.)
            models.Index(
                models.F("handling_unit"),
                models.F("state"),
                name="case_open_unit_state",
                condition=~models.Q(number="") & ~models.Q(state__in=sorted(TERMINAL_STATES)),
            ),
            models.Index(
                models.F("item_version"), models.F("handling_unit"), name="case_version_unit"
            ),
            # the inbox's history views (all states, terminal states): newest first
            # (INCLUDE: the page's ids are read by an index-only scan, see views.staff.inbox)
            models.Index(
                fields=["-submitted_at", "-id"],
                include=["handling_unit", "state"],
                name="case_newest",
                condition=~models.Q(number=""),
            ),
            # the history of one terminal state (closed, refused, …) newest first: the open
            # cases, the newest, are not in it (on case_newest a bureau's closed page passed
            # its 120,000 open cases first: 35 ms)
            models.Index(
                fields=["-submitted_at", "-id"],
                include=["handling_unit", "state"],
                name="case_done_newest",
                condition=~models.Q(number="") & models.Q(state__in=sorted(TERMINAL_STATES)),
            ),
            # one unit's history (a station's cases, all or closed): a range of this index,
            # where case_newest passed every newer case of the other 100 units
            models.Index(
                fields=["handling_unit", "-submitted_at", "-id"],
                include=["state"],
                name="case_unit_newest",
                condition=~models.Q(number=""),
            ),
            # the insights roll-up reads the cases changed since its last run
            models.Index(fields=["updated_at"], name="case_updated_at"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} ({self.get_state_display()})"

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def clock_paused(self) -> bool:
        return self.paused_at is not None


class CaseEvent(models.Model):
    """One entry of the case timeline (the audit log keeps the same facts for auditors)."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=24)
    from_state = models.CharField(_("原状态"), max_length=24, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24, blank=True)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("申请人可见"), default=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)

    class Meta:
        ordering = ["case", "at", "id"]
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")

    def __str__(self) -> str:
        return f"{self.case} {self.action} {self.at:%Y-%m-%d %H:%M}"


class CaseSupervision(models.Model):
    """督办: a supervisor's comment on a case, with an optional deadline and escalation."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="supervisions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("督办意见"))
    deadline = models.DateTimeField(_("督办期限"), null=True, blank=True)
    escalated = models.BooleanField(_("升级督办"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["case", "-created_at"]
        verbose_name = _("督办")
        verbose_name_plural = _("督办")

    def __str__(self) -> str:
        return f"{self.case} {self.created_at:%Y-%m-%d}"


class CaseMaterial(models.Model):
    """A material the applicant uploaded for a case (or, for 容缺, declared missing with a
    promised supply date). Name and position are copied from the item version's material so the
    record stays readable if the catalogue changes."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials"
    )
    material = models.ForeignKey(
        "catalogue.Material",
        verbose_name=_("申请材料"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("材料名称"), max_length=200)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    storage_name = models.CharField(_("存储名称"), max_length=255, blank=True)
    kind = models.CharField(_("文件类型"), max_length=8, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    display_name = models.CharField(_("原文件名"), max_length=120, blank=True)
    waived = models.BooleanField(_("申请容缺"), default=False)
    supply_by = models.DateField(_("承诺补齐日期"), null=True, blank=True)
    supplement = models.BooleanField(_("补正材料"), default=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["case", "position", "uploaded_at", "id"]
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")

    def __str__(self) -> str:
        return f"{self.case} {self.name}"
