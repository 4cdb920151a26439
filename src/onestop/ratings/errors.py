"""Typed errors of 好差评; every refusal leaves the data unchanged."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onestop.desk.errors import DeskError


class RatingError(DeskError):
    code = "rating_error"


class NotApplicant(RatingError):
    code = "not_applicant"
    default_message = _("只有申请人本人可以评价。")


class NotEnded(RatingError):
    code = "not_ended"
    default_message = _("办理结束后才能评价。")


class AlreadyRated(RatingError):
    code = "already_rated"
    default_message = _("已经评价过，每件只能评价一次。")


class InvalidRating(RatingError):
    code = "invalid_request"
    default_message = _("评价内容不完整或无效。")


class NotAllowed(RatingError):
    code = "not_allowed"
    default_message = _("您无权执行此操作。")


class InvalidState(RatingError):
    code = "invalid_state"
    default_message = _("整改任务当前状态不能执行该操作。")
