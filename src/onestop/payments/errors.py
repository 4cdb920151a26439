"""Errors of the payments app; each carries a code and a translated message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class PaymentError(Exception):
    default_message: Any = _("支付请求无法处理。")
    default_code = "payment_error"

    def __init__(self, message: Any = None, *, code: str | None = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.params = params
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class InvalidNotice(PaymentError):
    """A notification failed verification (signature, ids, amount, timestamp); nothing changed."""

    default_message = _("支付通知校验失败。")
    default_code = "invalid_notice"


class NoticeNotReady(PaymentError):
    """A valid notification that cannot be applied yet (e.g. a refund before its payment):
    answered with a failure so that the gateway delivers it again later."""

    default_message = _("通知暂不能处理，请稍后重试。")
    default_code = "not_ready"


class ProviderError(PaymentError):
    default_message = _("支付渠道暂时不可用，请稍后再试。")
    default_code = "provider_error"


class NotAllowed(PaymentError):
    default_message = _("您无权进行此操作。")
    default_code = "not_allowed"


class InvalidRequest(PaymentError):
    default_message = _("请求无效。")
    default_code = "invalid_request"
