from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("公安厅（局）")
    SUB_BUREAU = "sub_bureau", _("分局 / 市（县）局")
    CORPS = "corps", _("总队 / 直属单位")
    BRIGADE = "brigade", _("支队 / 大队")
    STATION = "station", _("派出所")


class UserKind(models.TextChoices):
    STAFF = "staff", _("民警 / 工作人员")
    PUBLIC = "public", _("群众 / 企业用户")


class Role(models.TextChoices):
    """Staff roles. Each is a Django group of the same name holding its permissions."""

    WINDOW_CLERK = "window_clerk", _("窗口受理员")
    REVIEWER = "reviewer", _("审核员")
    APPROVER = "approver", _("审批人")
    SUPERVISOR = "supervisor", _("督办人")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


class IdDocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PERMANENT_RESIDENT = "foreign_pr", _("外国人永久居留身份证")
    HK_MACAO_PERMIT = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan", _("台湾居民来往大陆通行证")


class EnterpriseRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_rep", _("法定代表人")
    AGENT = "agent", _("授权经办人")
