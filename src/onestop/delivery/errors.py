from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DeliveryError(Exception):
    default_message: Any = _("寄递请求无法处理。")
    default_code = "delivery_error"

    def __init__(self, message: Any = None, *, code: str | None = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.params = params
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class InvalidPush(DeliveryError):
    default_message = _("物流推送校验失败。")
    default_code = "invalid_push"


class CourierError(DeliveryError):
    default_message = _("寄递企业接口暂时不可用。")
    default_code = "courier_error"


class InvalidRequest(DeliveryError):
    default_message = _("请求无效。")
    default_code = "invalid_request"


class NotAllowed(DeliveryError):
    default_message = _("您无权进行此操作。")
    default_code = "not_allowed"
