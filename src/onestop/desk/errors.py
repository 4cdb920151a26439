"""Typed errors of the desk. Every refusal leaves the ticket unchanged."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DeskError(Exception):
    code = "desk_error"
    default_message: str | Promise = _("无法完成该操作。")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.params = params or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotAllowed(DeskError):
    code = "not_allowed"
    default_message = _("您无权对该工单执行此操作。")


class InvalidState(DeskError):
    code = "invalid_state"
    default_message = _("工单当前状态为“%(state)s”，不能执行该操作。")


class InvalidRequest(DeskError):
    code = "invalid_request"
    default_message = _("请求内容不完整或无效。")
