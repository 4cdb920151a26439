"""The events messages are sent for, their parameters (with sample values for the admin preview)
and the shipped default templates in Simplified Chinese and English.

``templates_install`` creates the missing defaults (data migration 0002 and ``manage.py
messaging_templates_load``); templates an administrator has edited are never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SITE_ZH = "公安政务服务"
SITE_EN = "Police e-Services"

CASE_PARAMS = {
    "number": "TJ20261123000123",
    "item": "居民身份证换领",
    "reason": "身份证复印件不清晰",
    "link": "/cases/mine/TJ20261123000123/",
}
REMINDER_PARAMS = {
    "name": "张*明",
    "document": "机动车驾驶证",
    "number": "1201**********1234",
    "expires_on": "2027-01-31",
    "days": 30,
}


@dataclass(frozen=True)
class EventSpec:
    code: str
    samples: dict[str, Any]
    # channel -> (zh subject, zh body, en subject, en body)
    texts: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)

    @property
    def params(self) -> set[str]:
        return set(self.samples)


def _case(code: str, zh: str, en: str, zh_subject: str, en_subject: str) -> EventSpec:
    return EventSpec(
        code=code,
        samples=CASE_PARAMS,
        texts={
            "in_app": (zh_subject, zh, en_subject, en),
            "sms": ("", f"【{SITE_ZH}】" + zh, "", f"[{SITE_EN}] " + en),
            "email": (zh_subject, zh + "\n\n{link}", en_subject, en + "\n\n{link}"),
        },
    )


CASE_EVENTS: dict[str, EventSpec] = {
    spec.code: spec
    for spec in [
        _case(
            "case.submit",
            "您申请的“{item}”已提交，办件编号 {number}，请留意受理结果。",
            "Your application for “{item}” has been submitted; case number {number}.",
            "申请已提交",
            "Application submitted",
        ),
        _case(
            "case.accept",
            "您的办件 {number}（{item}）已受理，我们将在承诺时限内办结。",
            "Your case {number} ({item}) has been accepted.",
            "办件已受理",
            "Case accepted",
        ),
        _case(
            "case.refuse",
            "您的办件 {number}（{item}）不予受理，原因：{reason}。",
            "Your case {number} ({item}) was not accepted: {reason}.",
            "办件不予受理",
            "Case not accepted",
        ),
        _case(
            "case.request_supplement",
            "您的办件 {number}（{item}）需要补正材料：{reason}。请登录后一次性补正。",
            "Your case {number} ({item}) needs more documents: {reason}. "
            "Please sign in to supply them.",
            "请补正材料",
            "Documents needed",
        ),
        _case(
            "case.approve",
            "您的办件 {number}（{item}）已审批通过。",
            "Your case {number} ({item}) has been approved.",
            "审批通过",
            "Case approved",
        ),
        _case(
            "case.deny",
            "您的办件 {number}（{item}）不予许可，原因：{reason}。",
            "Your case {number} ({item}) was denied: {reason}.",
            "不予许可",
            "Case denied",
        ),
        _case(
            "case.issue_result",
            "您的办件 {number}（{item}）已出具结果，请按选择的方式领取。",
            "The result of your case {number} ({item}) has been issued.",
            "已出具结果",
            "Result issued",
        ),
        _case(
            "case.deliver",
            "您的办件 {number}（{item}）的结果已寄出，请注意查收。",
            "The result of your case {number} ({item}) has been shipped.",
            "结果已寄出",
            "Result shipped",
        ),
        _case(
            "case.conditional_reminder",
            "您的办件 {number}（{item}）为容缺受理，承诺补齐的材料即将到期，请尽快登录补齐。",
            "Your case {number} ({item}) was accepted with documents missing; "
            "the date you promised to supply them is near.",
            "请按承诺补齐材料",
            "Please supply the missing documents",
        ),
    ]
}

WARNING_EVENT = EventSpec(
    code="case.warning",
    samples={**CASE_PARAMS, "level": "黄色预警", "due": "2026-11-30 17:00"},
    texts={
        "in_app": (
            "办件预警",
            "办件 {number}（{item}）{level}，承诺时限 {due}，请及时办理。",
            "Case warning",
            "Case {number} ({item}): {level}; promised by {due}.",
        ),
        "sms": (
            "",
            f"【{SITE_ZH}】" + "办件 {number}（{item}）{level}，承诺时限 {due}，请及时办理。",
            "",
            f"[{SITE_EN}] " + "Case {number} ({item}): {level}; promised by {due}.",
        ),
    },
)

CODE_EVENT = EventSpec(
    code="account.code",
    samples={"body": "【公安政务服务】您的登录验证码为 123456，5 分钟内有效。"},
    texts={"sms": ("", "{body}", "", "{body}")},
)


def _reminder(doc_type: str) -> EventSpec:
    return EventSpec(
        code=f"reminder.{doc_type}",
        samples=REMINDER_PARAMS,
        texts={
            "sms": (
                "",
                f"【{SITE_ZH}】"
                + "{name}，您的{document}（{number}）将于 {expires_on} 到期（还有 {days} 天），"
                "请及时办理。回复 TD 退订",
                "",
                f"[{SITE_EN}] "
                + "{name}, your {document} ({number}) expires on {expires_on} ({days} days). "
                "Reply TD to opt out.",
            ),
        },
    )


TOWED_EVENT = EventSpec(
    code="towed.notice",
    samples={
        "plate": "津A12345",
        "towed_at": "2026-11-23 10:20",
        "towed_from": "南京路 100 号",
        "yard": "和平区清障停车场",
        "address": "和平区西康路 8 号",
        "phone": "022-12345678",
    },
    texts={
        "sms": (
            "",
            f"【{SITE_ZH}】"
            + "您的车辆 {plate} 于 {towed_at} 因违法停放从{towed_from}拖移至{yard}（{address}），"
            "请携带证件领取，电话 {phone}。",
            "",
            f"[{SITE_EN}] "
            + "Vehicle {plate} was towed on {towed_at} from {towed_from} to {yard} ({address}). "
            "Phone {phone}.",
        ),
    },
)

_FALLBACK_ZH = (
    "您的办件 {number}（{item}）的结果未能寄达（{reason}），请携带有效证件到{unit}窗口领取。"
)

FALLBACK_EVENT = EventSpec(
    code="delivery.fallback_window",
    samples={**CASE_PARAMS, "unit": "和平分局", "reason": "收件人电话无法接通"},
    texts={
        "in_app": (
            "改为窗口领取",
            _FALLBACK_ZH,
            "Collect at the window",
            "The result of your case {number} ({item}) could not be delivered ({reason}); "
            "please collect it at the window of {unit} with valid identification.",
        ),
        "sms": (
            "",
            f"【{SITE_ZH}】" + _FALLBACK_ZH,
            "",
            f"[{SITE_EN}] "
            + "The result of case {number} ({item}) could not be delivered ({reason}); "
            "please collect it at {unit}.",
        ),
    },
)

DESK_PARAMS = {"number": "QY20261123000001", "title": "申请消防检查预约", "due": "2026-11-30 17:30"}


def _desk(code: str, zh_subject: str, zh: str, en_subject: str, en: str) -> EventSpec:
    """Desk and rating notices are in-app only: an anonymous reporter is never texted."""
    return EventSpec(
        code=code, samples=DESK_PARAMS, texts={"in_app": (zh_subject, zh, en_subject, en)}
    )


DESK_EVENTS: dict[str, EventSpec] = {
    spec.code: spec
    for spec in [
        _desk(
            "desk.submitted",
            "新的直通车工单",
            "企业工单 {number}“{title}”已分派给您，答复时限 {due}。",
            "New desk ticket",
            'Desk ticket {number} "{title}" is assigned to you; reply by {due}.',
        ),
        _desk(
            "desk.reopened",
            "工单被退回",
            "企业对工单 {number}“{title}”的答复不满意并重新提出，答复时限 {due}。",
            "Ticket reopened",
            'The enterprise reopened ticket {number} "{title}"; reply by {due}.',
        ),
        _desk(
            "desk.reminder",
            "工单即将到期",
            "工单 {number}“{title}”将于 {due} 到期，请及时答复。",
            "Ticket due soon",
            'Ticket {number} "{title}" is due at {due}; please reply in time.',
        ),
        _desk(
            "desk.escalated",
            "工单督办",
            "工单 {number}“{title}”已升级督办，答复时限 {due}。",
            "Ticket escalated",
            'Ticket {number} "{title}" was escalated; reply by {due}.',
        ),
        _desk(
            "desk.overdue",
            "工单已超期",
            "工单 {number}“{title}”已超过答复时限 {due}，请督促办理。",
            "Ticket overdue",
            'Ticket {number} "{title}" passed its reply deadline {due}; please follow up.',
        ),
        _desk(
            "desk.replied",
            "您的诉求已答复",
            "您提交的 {number}“{title}”已答复，请查看并确认是否满意。",
            "Your request was answered",
            'Your request {number} "{title}" was answered; please read it and accept or reopen it.',
        ),
        _desk(
            "desk.rectified",
            "整改结果",
            "关于 {number}“{title}”的整改已完成，请查看整改结果。",
            "Rectification done",
            'The rectification of {number} "{title}" is done; see the outcome.',
        ),
        _desk(
            "desk.closed",
            "工单已办结",
            "{number}“{title}”已办结，欢迎对本次服务作出评价。",
            "Ticket closed",
            '{number} "{title}" is closed; you are welcome to rate the service.',
        ),
        _desk(
            "rating.bad_review",
            "收到差评",
            "{title}收到差评（{number}），请在 {due} 前完成回访和整改。",
            "Bad review received",
            "{title} received a bad review ({number}); call back and rectify by {due}.",
        ),
        _desk(
            "rating.rectified",
            "差评整改结果",
            "您对 {title} 的评价（{number}）已整改完毕，感谢您的监督。",
            "Your review was acted on",
            "Your review of {title} ({number}) has been acted on; thank you.",
        ),
    ]
}

REMINDER_DOC_TYPES = [
    "id_card",
    "driving_licence",
    "vehicle_licence",
    "annual_inspection",
    "residence_permit",
    "exit_entry",
]

EVENTS: dict[str, EventSpec] = {
    **CASE_EVENTS,
    WARNING_EVENT.code: WARNING_EVENT,
    CODE_EVENT.code: CODE_EVENT,
    TOWED_EVENT.code: TOWED_EVENT,
    FALLBACK_EVENT.code: FALLBACK_EVENT,
    **DESK_EVENTS,
    **{f"reminder.{t}": _reminder(t) for t in REMINDER_DOC_TYPES},
}


def templates_install(template_model: Any) -> int:
    """Create the default templates that do not exist yet; returns how many were created."""
    created = 0
    for spec in EVENTS.values():
        for channel, (zh_subject, zh_body, en_subject, en_body) in spec.texts.items():
            for language, subject, body in (
                ("zh-hans", zh_subject, zh_body),
                ("en", en_subject, en_body),
            ):
                _obj, made = template_model.objects.get_or_create(
                    event=spec.code,
                    language=language,
                    channel=channel,
                    defaults={"subject": subject, "body": body},
                )
                created += int(made)
    return created
