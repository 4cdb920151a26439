"""Enums of the enterprise desk (服务企业直通车)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketKind(models.TextChoices):
    CONSULTATION = "consultation", _("业务咨询")
    POLICY = "policy", _("政策解读")
    COMPLAINT = "complaint", _("投诉建议")
    TIP = "tip", _("线索举报")
    GREEN_CHANNEL = "green_channel", _("绿色通道")
    POLICE_ENTERPRISE = "police_enterprise", _("警企互动")
    FEEDBACK = "feedback", _("意见反馈")


class TicketState(models.TextChoices):
    SUBMITTED = "submitted", _("待答复")
    REPLIED = "replied", _("已答复")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("已办结")


class TicketSource(models.TextChoices):
    PORTAL = "portal", _("门户网站")
    HOTLINE_12389 = "hotline_12389", _("12389 举报电话")
    ALARM_110 = "alarm_110", _("110 接警")
    SUPERVISOR = "supervisor", _("监督员反馈")
    WINDOW = "window", _("窗口登记")


class ComplaintReason(models.TextChoices):
    SLOW = "slow", _("办事拖延")
    ABSENT = "absent", _("不作为")
    ARBITRARY = "arbitrary", _("乱作为")
    ATTITUDE = "attitude", _("服务态度")
    OTHER = "other", _("其他")


class TicketAction(models.TextChoices):
    SUBMIT = "submit", _("提交")
    RECORD = "record", _("登记")
    REPLY = "reply", _("答复")
    ACCEPT = "accept", _("认可答复")
    REOPEN = "reopen", _("不认可，重新办理")
    ESCALATE = "escalate", _("督办升级")
    REMIND = "remind", _("到期提醒")
    OVERDUE = "overdue", _("超期自动升级")
    RECTIFY = "rectify", _("整改完成")
    REASSIGN = "reassign", _("转办")
    REVEAL = "reveal", _("查看举报人身份")


class LiaisonLevel(models.TextChoices):
    REGION = "region", _("自治区（省）级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县（区）级")


class PoliceType(models.TextChoices):
    PUBLIC_ORDER = "public_order", _("治安")
    CRIMINAL = "criminal", _("刑侦")
    ECONOMIC = "economic", _("经侦")
    TRAFFIC = "traffic", _("交警")
    EXIT_ENTRY = "exit_entry", _("出入境")
    CYBER = "cyber", _("网安")
    FIRE = "fire", _("消防")
    HOUSEHOLD = "household", _("户政")


class SupervisorCategory(models.TextChoices):
    ENTERPRISE_HEAD = "enterprise_head", _("企业负责人")
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    CPPCC_MEMBER = "cppcc_member", _("政协委员")
    EMPLOYEE_REP = "employee_rep", _("职工代表")
    JOURNALIST = "journalist", _("新闻记者")


class EvaluationResult(models.TextChoices):
    DEMONSTRATION = "demonstration", _("示范窗口")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")
