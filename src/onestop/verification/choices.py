"""Enumerations of the verification app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    CANCELLED = "cancelled", _("已注销")
    DECEASED = "deceased", _("已死亡")


class Outcome(models.TextChoices):
    """The only thing a batch or single check ever says about a row."""

    INVALID = "invalid", _("格式错误")
    MATCH = "match", _("一致")
    MISMATCH = "mismatch", _("不一致")
    NOT_FOUND = "not_found", _("查无此人")
    CONTACT_POLICE = "contact_police", _("请联系公安机关")


class Purpose(models.TextChoices):
    """Why an enterprise verifies workers (the only purpose the batch check accepts)."""

    EMPLOYMENT = "employment", _("招用人员（劳动用工）")


class PartnerPurpose(models.TextChoices):
    INVESTMENT = "investment", _("投资合作")
    PROCUREMENT = "procurement", _("采购与招投标")
    LENDING = "lending", _("融资与信贷")


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("核查中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    PURGED = "purged", _("结果已清除")


class PersonRiskCategory(models.TextChoices):
    KEY_PERSON = "key_person", _("重点人员")
    FRAUD = "fraud", _("涉嫌诈骗")
    DRUGS = "drugs", _("涉毒人员")


class EnterpriseListKind(models.TextChoices):
    """Economic-crime lists for enterprises (经济犯罪黑、灰、白名单)."""

    BLACK = "black", _("黑名单")
    GREY = "grey", _("灰名单")
    WHITE = "white", _("白名单")


class AlertState(models.TextChoices):
    OPEN = "open", _("待处置")
    HANDLED = "handled", _("已处置")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")


class ApiScope(models.TextChoices):
    BATCH = "batch", _("批量核查")
    PARTNER = "partner", _("合作方背景核查")
