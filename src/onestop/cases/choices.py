"""Enums of the cases app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    IN_REVIEW = "in_review", _("审核中")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    SUSPENDED = "suspended", _("中止")
    APPROVED = "approved", _("准予")
    DENIED = "denied", _("不予许可")
    RESULT_ISSUED = "result_issued", _("已出件")
    DELIVERED = "delivered", _("已送达")
    COLLECTED = "collected", _("已领取")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")
    REVOKED = "revoked", _("已撤销")
    TERMINATED = "terminated", _("已终止")


class CaseAction(models.TextChoices):
    SUBMIT = "submit", _("提交申请")
    ACCEPT = "accept", _("受理")
    REFUSE = "refuse", _("不予受理")
    START_REVIEW = "start_review", _("开始审核")
    REQUEST_SUPPLEMENT = "request_supplement", _("一次性告知补正")
    SUPPLY = "supply", _("补正材料")
    SUSPEND = "suspend", _("中止办理")
    RESUME = "resume", _("恢复办理")
    APPROVE = "approve", _("准予")
    DENY = "deny", _("不予许可")
    ISSUE_RESULT = "issue_result", _("出具结果")
    DELIVER = "deliver", _("送达")
    COLLECT = "collect", _("领取")
    CLOSE = "close", _("办结")
    WITHDRAW = "withdraw", _("撤回申请")
    TRANSFER = "transfer", _("移交")
    REVOKE = "revoke", _("撤销")
    SUPERVISE = "supervise", _("督办")
    FULFIL_CONDITIONAL = "fulfil_conditional", _("容缺材料已补齐")
    TERMINATE = "terminate", _("终止办理")
    POST_CHECK = "post_check", _("事后核查")


class Actor(models.TextChoices):
    """Who may perform an action: the applicant side, a staff role, or the system (sweeps,
    the commitment path)."""

    APPLICANT = "applicant", _("申请人或其授权经办人")
    WINDOW_CLERK = "window_clerk", _("窗口受理员")
    REVIEWER = "reviewer", _("审核员")
    APPROVER = "approver", _("审批人")
    SUPERVISOR = "supervisor", _("督办人")
    SYSTEM = "system", _("系统")


class CaseChannel(models.TextChoices):
    ONLINE = "online", _("网上办")
    WINDOW = "window", _("窗口办")
    KIOSK = "kiosk", _("自助办")
    MOBILE = "mobile", _("掌上办")
    API = "api", _("接口")


class Decision(models.TextChoices):
    APPROVED = "approved", _("准予")
    DENIED = "denied", _("不予许可")


class PostCheckResult(models.TextChoices):
    PENDING = "", _("待核查")
    PASSED = "passed", _("核查属实")
    FAILED = "failed", _("承诺不实")


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警（已超期）")
