"""Typed errors of the case workflow. Every refusal leaves the case unchanged.

Each error has a stable ``code`` (for the API and tests) and a translated Chinese ``message``
(for pages). Views map ``NotAllowed`` to 404 for staff of other units (an officer must not learn
that another unit's case exists) and to 403 otherwise.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CaseError(Exception):
    """Base class: ``code`` is stable, ``message`` is translatable text with ``params``."""

    code = "case_error"
    default_message: str | Promise = _("无法完成该操作。")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.params = params or {}
        #: Structured details for the API (e.g. the eligibility explanation of a refusal).
        self.data = data or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class IllegalTransition(CaseError):
    """The action is not possible from the case's current state."""

    code = "illegal_transition"
    default_message = _("办件当前状态为“%(state)s”，不能执行“%(action)s”。")


class NotAllowed(CaseError):
    """The actor lacks the role, is not the applicant, or the case is outside their unit."""

    code = "not_allowed"
    default_message = _("您无权对该办件执行此操作。")


class InvalidRequest(CaseError):
    """The action is legal but its input is not (missing reason, bad supply date …)."""

    code = "invalid_request"
    default_message = _("请求内容不完整或无效。")


class IdempotencyConflict(CaseError):
    """The idempotency key was already used for a different application."""

    code = "idempotency_conflict"
    default_message = _("该幂等键已用于另一项申请。")
