from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENCE = "licence", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    FILING = "filing", _("备案")
    PAYMENT = "payment", _("行政给付")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    STATION = "station", _("派出所")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("个工作日")
    WORKING_HOURS = "working_hours", _("个工作小时")


class MaxVisits(models.IntegerChoices):
    ZERO = 0, _("一次不用跑")
    ONE = 1, _("最多跑一次")
    MANY = 2, _("需多次到场")


class CrossRegionScope(models.TextChoices):
    NONE = "none", _("不通办")
    CITY = "city", _("同城通办")
    PROVINCE = "province", _("全区（省）通办")
    NATION = "nation", _("全国通办")


class ResultType(models.TextChoices):
    CERTIFICATE = "certificate", _("证照")
    APPROVAL = "approval", _("批准文书")
    FILING_RECEIPT = "filing_receipt", _("备案回执")
    PROOF = "proof", _("证明")
    SERVICE = "service", _("服务结果")
    NONE = "none", _("无")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    SHARED = "shared", _("部门共享获取，无需提交")
    ISSUED_HERE = "issued_here", _("本机关出具")


class TrustLevel(models.TextChoices):
    A = "A", _("A：可信电子证照或共享数据")
    B = "B", _("B：经核验的电子材料")
    C = "C", _("C：申请人上传的扫描件")
    D = "D", _("D：须现场核验原件")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上办")
    WINDOW = "window", _("窗口办")
    KIOSK = "kiosk", _("自助办")
    NEARBY = "nearby", _("就近办")
    MOBILE = "mobile", _("掌上办")


class Delivery(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    COURIER = "courier", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子证照 / 电子文书")
