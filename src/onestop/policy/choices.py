"""Enumerations of the policy app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    ONGOING = "ongoing", _("长期坚持")


class Comparator(models.TextChoices):
    LTE = "<=", _("不超过")
    GTE = ">=", _("不少于")
    EQ = "==", _("等于")
    BETWEEN = "between", _("介于")


class TargetUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("个工作日")
    WORKING_HOURS = "working_hours", _("个工作小时")
    HOURS = "hours", _("小时")
    MINUTES = "minutes", _("分钟")
    CALENDAR_DAYS = "calendar_days", _("个自然日")
    MONTHS = "months", _("个月")
    YEARS = "years", _("年")
    PERCENT = "percent", _("%")
    COUNT = "count", _("个（次）")
    METERS = "meters", _("米")
    BOOLEAN = "boolean", _("是/否")


class Metric(models.TextChoices):
    """What a commitment measures. Each value names one observable quantity."""

    ITEM_PROCESSING_TIME = "item_processing_time", _("事项办理时限")
    MAX_VISITS = "max_visits", _("办事跑动次数")
    MATERIALS_REQUIRED = "materials_required", _("需提交的申请材料数")
    SHARE_ITEMS_MAX_ONE_VISIT = "share_items_max_one_visit", _("“最多跑一次”事项占比")
    ITEMS_MAX_ONE_VISIT_COUNT = "items_max_one_visit_count", _("“最多跑一次”事项数量")
    SHARE_ITEMS_ONLINE = "share_items_online", _("网上可办事项占比")
    HALL_WAITING_TIME = "hall_waiting_time", _("大厅现场等候时间")
    COMPLAINT_RESPONSE_TIME = "complaint_response_time", _("投诉回复时限")
    CREDIT_REPAIR_REVIEW_TIME = "credit_repair_review_time", _("信用修复复查审核时限")
    FIRE_DESIGN_REVIEW_TIME = "fire_design_review_time", _("建设工程消防设计审核时限")
    ID_CARD_CYCLE_PICKUP_URBAN = "id_card_cycle_pickup_urban", _("身份证制发周期（城区，自取）")
    ID_CARD_CYCLE_PICKUP_REMOTE = (
        "id_card_cycle_pickup_remote",
        _("身份证制发周期（偏远地区，自取）"),
    )
    ID_CARD_CYCLE_COURIER_URBAN = "id_card_cycle_courier_urban", _("身份证制发周期（城区，快递）")
    ID_CARD_CYCLE_COURIER_RURAL = (
        "id_card_cycle_courier_rural",
        _("身份证制发周期（农村及偏远地区，快递）"),
    )
    FEES_PAYABLE_ONLINE = "fees_payable_online", _("收费、罚款项目网上可缴占比")
    DESK_INTAKE_HOURS = "desk_intake_hours", _("线上受理每日服务时长")
    SELF_SERVICE_HOURS = "self_service_hours", _("自助服务区每日开放时长")
    WEEKEND_SERVICE_DAYS = "weekend_service_days", _("周末窗口服务天数")
    RESIDENCE_REGISTRATION_WAIT = "residence_registration_wait", _("申领居住证所需居住登记时长")
    RESIDENCE_PERMIT_BY_COMMITMENT = "residence_permit_by_commitment", _("居住证证明材料实行承诺制")
    COMMITMENT_IN_LIEU_OF_REVIEW = "commitment_in_lieu_of_review", _("以承诺代审核")
    APPROVAL_ABOLISHED = "approval_abolished", _("取消审批")
    FOREIGNER_RESIDENCE_PERMIT_YEARS = "foreigner_residence_permit_years", _("外国人居留许可期限")
    BUSINESS_ENDORSEMENT_VALIDITY = "business_endorsement_validity", _("赴港澳商务签注有效期")
    GROUP_APPOINTMENT_MIN_APPLICANTS = "group_appointment_min_applicants", _("集中预约办证人数门槛")
    SHARE_EXAMS_COUNTY_LEVEL = "share_exams_county_level", _("小型汽车考试县级下放比例")
    EXPIRY_SMS_REMINDER = "expiry_sms_reminder", _("到期短信提醒")
    KEY_ENTERPRISE_VISITS = "key_enterprise_visits", _("领导上门走访频次（每季度）")
    ENTERPRISE_SERVICE_EVENTS = "enterprise_service_events", _("企业服务活动频次（每月）")
    TEMPORARY_PARKING_SITES = "temporary_parking_sites", _("临时、限时停车点位数")
    E_CERTIFICATE_TYPES = "e_certificate_types", _("电子证件信息服务种类")
    GREEN_CHANNEL_LIAISON_LEVELS = "green_channel_liaison_levels", _("绿色通道联络人层级数")
    PLATFORM_SUPPORTS = "platform_supports", _("一体化平台支撑能力数")
