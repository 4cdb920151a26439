"""Enums of the messaging app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class MessageStatus(models.TextChoices):
    CREATED = "created", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    TEMPORARY_FAILURE = "temporary_failure", _("暂时失败")
    PERMANENT_FAILURE = "permanent_failure", _("永久失败")
    UNDETERMINED = "undetermined", _("结果未知")


#: Statuses a worker may (re)try: the send is idempotent, keyed by the message.
RETRYABLE = (
    MessageStatus.CREATED,
    MessageStatus.TEMPORARY_FAILURE,
    MessageStatus.UNDETERMINED,
)


class MessageKind(models.TextChoices):
    NOTICE = "notice", _("办件通知")
    REMINDER = "reminder", _("到期提醒")
    CODE = "code", _("验证码")
    WARNING = "warning", _("预警")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("简体中文")
    EN = "en", _("英文")


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("居民身份证")
    DRIVING_LICENCE = "driving_licence", _("机动车驾驶证")
    VEHICLE_LICENCE = "vehicle_licence", _("机动车行驶证")
    ANNUAL_INSPECTION = "annual_inspection", _("机动车检验合格标志")
    RESIDENCE_PERMIT = "residence_permit", _("居住证")
    EXIT_ENTRY = "exit_entry", _("出入境证件")
