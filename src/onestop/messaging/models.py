"""Tables of the messaging app: templates, the outbox (which is also the in-app inbox), opt-outs,
and the register tables that expiry reminders are computed from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.fields import EncryptedTextField, LookupHashField

from .choices import Channel, DocumentType, Language, MessageKind, MessageStatus


class MessageTemplate(models.Model):
    """The text of one event in one language on one channel, with ``{placeholder}`` fields."""

    event = models.CharField(_("事件代码"), max_length=64)
    language = models.CharField(
        _("语言"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"), help_text=_("用 {占位符} 引用参数，例如 {number}"))
    provider_template_code = models.CharField(
        _("短信平台模板代码"),
        max_length=40,
        blank=True,
        help_text=_("云短信平台审核通过的模板代码，例如 SMS_123456789"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language", "channel"], name="unique_template_event_lang_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_channel_display()} · {self.language}"


class Message(models.Model):
    """One message on one channel: an outbox row written in the business transaction, sent by
    a worker; in-app messages are also the recipient's inbox entries."""

    event = models.CharField(_("事件代码"), max_length=64)
    kind = models.CharField(
        _("类别"), max_length=10, choices=MessageKind.choices, default=MessageKind.NOTICE
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("语言"), max_length=8, default=Language.ZH_HANS)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收用户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # msg_inbox_idx leads with recipient (and skips the NULLs of SMS rows)
    )
    address = EncryptedTextField(_("接收地址"), blank=True, help_text=_("手机号码或电子邮箱"))
    address_hash = LookupHashField(db_index=False)
    address_masked = models.CharField(_("接收地址"), max_length=64, blank=True)
    document = models.ForeignKey(
        "messaging.RegisterDocument",
        verbose_name=_("登记证件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("到期提醒的证件；发送时从证件登记中取手机号码"),
        # No database constraint: checking it would read and share-lock every due register row
        # once more per reminder (the sweep must not write to the register). Deleting a document
        # through Django still deletes its messages; the sender treats a missing one as no mobile.
        db_constraint=False,
    )
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    provider_template_code = models.CharField(max_length=40, blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    object_ref = models.CharField(_("关联对象"), max_length=64, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    mandatory = models.BooleanField(_("必达"), default=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=MessageStatus.choices, default=MessageStatus.CREATED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("领取有效至"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    provider = models.CharField(_("发送平台"), max_length=32, blank=True)
    provider_message_id = models.CharField(_("平台消息编号"), max_length=64, blank=True)
    # Unique through Meta.constraints (no second, pattern-ops index next to the unique one).
    idempotency_key = models.CharField(_("幂等键"), max_length=64)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="msg_idempotency_key_uniq")
        ]
        indexes = [
            # The worker scans only rows that still need work.
            models.Index(
                fields=["next_attempt_at"],
                name="msg_due_idx",
                condition=models.Q(status__in=["created", "temporary_failure", "undetermined"]),
            ),
            models.Index(
                fields=["claimed_until"],
                name="msg_claimed_idx",
                condition=models.Q(status="sending", provider_message_id=""),
            ),
            models.Index(
                fields=["recipient", "channel", "-created_at"],
                name="msg_inbox_idx",
                condition=models.Q(recipient__isnull=False),
            ),
            models.Index(
                fields=["address_hash", "sent_at"],
                name="msg_rate_idx",
                condition=models.Q(sent_at__isnull=False),
            ),
            models.Index(
                fields=["provider", "provider_message_id"],
                name="msg_provider_id_idx",
                condition=~models.Q(provider_message_id=""),
            ),
            models.Index(
                fields=["object_ref"], name="msg_object_idx", condition=~models.Q(object_ref="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.address_masked or self.recipient_id} ({self.status})"


class OptOut(models.Model):
    """A mobile number that asked for no more non-mandatory reminders (by keyed hash)."""

    mobile_hash = LookupHashField(unique=True)
    mobile_masked = models.CharField(_("手机号码"), max_length=20)
    created_at = models.DateTimeField(_("退订时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒退订")
        verbose_name_plural = _("提醒退订")

    def __str__(self) -> str:
        return self.mobile_masked


class RegisterDocument(models.Model):
    """A document in a register (licences, vehicles, identity and travel documents) whose expiry
    the reminder sweep watches. The covering index on (type, expiry) lets the sweep read only
    the index entries of the rows whose expiry lies a lead time ahead of today; the sweep never
    writes to these rows."""

    doc_type = models.CharField(_("证件类型"), max_length=20, choices=DocumentType.choices)
    number_hash = LookupHashField(db_index=False)
    number_masked = models.CharField(_("证件号码"), max_length=40)
    holder_name = models.CharField(_("持有人"), max_length=100)
    holder_mobile = EncryptedTextField(_("持有人手机号码"), blank=True)
    holder_mobile_hash = LookupHashField(db_index=False)
    holder_mobile_masked = models.CharField(_("持有人手机号码"), max_length=20, blank=True)
    language = models.CharField(_("语言"), max_length=8, default=Language.ZH_HANS)
    expires_on = models.DateField(_("有效期至"))
    source = models.CharField(_("数据来源"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("登记证件")
        verbose_name_plural = _("登记证件")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "number_hash"], name="unique_register_document"
            )
        ]
        indexes = [
            # The sweep's predicate (type, expiry day) in id order, covering every column the
            # sweep reads: an index-only scan touches the due entries only, whatever the size
            # of the register (PostgreSQL; elsewhere the INCLUDE part is left out).
            models.Index(
                fields=["doc_type", "expires_on", "id"],
                include=[
                    "holder_name",
                    "number_masked",
                    "holder_mobile_hash",
                    "holder_mobile_masked",
                    "language",
                ],
                name="regdoc_due_cover_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number_masked}"


class ReminderSent(models.Model):
    """One lead-time threshold of one document's expiry, reminded (or skipped) once."""

    document = models.ForeignKey(
        RegisterDocument,
        on_delete=models.CASCADE,
        related_name="+",
        # Indexed by the unique constraint, which leads with it; no database constraint for the
        # reason given on Message.document.
        db_index=False,
        db_constraint=False,
    )
    expires_on = models.DateField(_("有效期至"))
    lead_days = models.PositiveSmallIntegerField(_("提前天数"))
    sent_on = models.DateField(_("提醒日期"))
    skipped = models.CharField(_("未发送原因"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("到期提醒记录")
        verbose_name_plural = _("到期提醒记录")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "expires_on", "lead_days"], name="unique_reminder_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.expires_on} -{self.lead_days}d"


class ReminderSweepRun(models.Model):
    """One day's reminder sweep; the last finished day tells the next sweep how many days it
    must catch up on (when the job did not run)."""

    day = models.DateField(_("日期"), unique=True)
    scanned = models.PositiveIntegerField(default=0)
    enqueued = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("到期提醒批次")
        verbose_name_plural = _("到期提醒批次")

    def __str__(self) -> str:
        return f"{self.day}: {self.enqueued}/{self.scanned}"


class TowedVehicleNotice(models.Model):
    """A towed vehicle: its keeper is told at once where to collect it."""

    plate = models.CharField(_("号牌号码"), max_length=12)
    keeper_mobile = EncryptedTextField(_("车主手机号码"))
    keeper_mobile_hash = LookupHashField()
    towed_at = models.DateTimeField(_("拖移时间"))
    towed_from = models.CharField(_("拖移地点"), max_length=200)
    yard_name = models.CharField(_("停车场"), max_length=100)
    yard_address = models.CharField(_("停车场地址"), max_length=200)
    yard_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("处理单位"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拖移车辆通知")
        verbose_name_plural = _("拖移车辆通知")

    def __str__(self) -> str:
        return f"{self.plate} {self.towed_at:%Y-%m-%d}"
