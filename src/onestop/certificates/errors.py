"""Typed errors of the certificates app: a stable ``code`` and a translated message."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CertificateError(Exception):
    code = "certificate_error"
    default_message: str | Promise = _("无法完成该操作。")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class IllegalStatusChange(CertificateError):
    code = "illegal_status_change"
    default_message = _("证照当前状态不允许该操作。")


class ShareNotAllowed(CertificateError):
    code = "share_not_allowed"
    default_message = _("只有有效的证照才能分享。")


class KeyUnavailable(CertificateError):
    code = "key_unavailable"
    default_message = _("签名密钥不可用，请联系平台管理员。")


class UnsupportedAlgorithm(CertificateError):
    code = "unsupported_algorithm"
    default_message = _("不支持该签名算法。")
