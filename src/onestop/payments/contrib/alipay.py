"""Alipay (支付宝开放平台) with RSA2 (SHA256withRSA) signatures on ``cryptography``.

* requests: form parameters sorted by name, ``k=v`` joined with ``&`` (``sign`` and empty
  values left out), signed with the app private key;
* notifications (form POST): the same string without ``sign`` and ``sign_type`` verified with
  the Alipay public key, ``app_id`` and ``seller_id`` checked; the answer is exactly
  ``success`` (anything else makes Alipay retry);
* answers of ``alipay.trade.query`` / ``alipay.trade.refund``: the raw JSON of the
  ``*_response`` node verified against ``sign``.

Options (``settings.ONESTOP_PAYMENTS["alipay"]``): ``gateway`` (default
``https://openapi.alipay.com/gateway.do``), ``app_id``, ``seller_id`` (merchant PID),
``private_key`` (PEM), ``alipay_public_key`` (PEM).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import workdays

from ..base import Notice, PaymentProvider, PayStart, QueryResult, RefundResult, Reply
from ..errors import InvalidNotice, ProviderError
from ..models import yuan
from ..registry import payment_providers
from . import _http
from .wechatpay import rsa_sign, rsa_verify


def sign_content(params: Mapping[str, str], *, exclude: tuple[str, ...] = ("sign",)) -> bytes:
    items = sorted((k, v) for k, v in params.items() if k not in exclude and v not in ("", None))
    return "&".join(f"{k}={v}" for k, v in items).encode()


def to_fen(text: str) -> int:
    try:
        amount = Decimal(text)
    except (InvalidOperation, TypeError):
        raise InvalidNotice(code="bad_amount") from None
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidNotice(code="bad_amount")
    return int(fen)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=workdays.SHANGHAI)


def response_node(body: str, method: str) -> tuple[str, str]:
    """The raw JSON text of ``<method>_response`` and the ``sign`` beside it."""
    key = method.replace(".", "_") + "_response"
    match = re.search(r'"' + re.escape(key) + r'"\s*:\s*', body)
    if match is None:
        raise ProviderError(code="alipay_malformed")
    decoder = json.JSONDecoder()
    _obj, end = decoder.raw_decode(body, match.end())
    raw = body[match.end() : end]
    sign = json.loads(body).get("sign", "")
    return raw, sign


@payment_providers.register("alipay")
class Alipay(PaymentProvider):
    label = _("支付宝")

    @property
    def gateway(self) -> str:
        return str(self.options.get("gateway", "https://openapi.alipay.com/gateway.do"))

    def _private(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(str(self.options["private_key"]).encode(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def _public(self) -> rsa.RSAPublicKey:
        key = serialization.load_pem_public_key(str(self.options["alipay_public_key"]).encode())
        assert isinstance(key, rsa.RSAPublicKey)
        return key

    def _params(self, method: str, biz: dict[str, Any], **extra: str) -> dict[str, str]:
        now = timezone.localtime(timezone.now(), workdays.SHANGHAI)
        params = {
            "app_id": str(self.options["app_id"]),
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": now.strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        params["sign"] = rsa_sign(self._private(), sign_content(params))
        return params

    def _call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        params = self._params(method, biz)
        status, _headers, body = _http.request(
            "POST",
            self.gateway,
            body=urlencode(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
        )
        if status != 200:
            raise ProviderError(code=f"alipay_http_{status}")
        text = body.decode()
        raw, sign = response_node(text, method)
        if not rsa_verify(self._public(), raw.encode(), sign):
            raise ProviderError(code="alipay_bad_signature")
        node: dict[str, Any] = json.loads(raw)
        return node

    def start(self, *, order: PaymentOrder, notify_url: str, return_url: str) -> PayStart:
        biz = {
            "out_trade_no": order.number,
            "total_amount": yuan(order.amount_fen),
            "subject": order.description,
            "product_code": "FAST_INSTANT_TRADE_PAY",
            "time_expire": timezone.localtime(order.expires_at, workdays.SHANGHAI).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
        }
        params = self._params(
            "alipay.trade.page.pay", biz, notify_url=notify_url, return_url=return_url
        )
        return PayStart(redirect_url=f"{self.gateway}?{urlencode(params)}")

    def verify_notice(self, *, headers: Mapping[str, str], body: bytes) -> list[Notice]:
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        signature = params.get("sign", "")
        if not signature:
            raise InvalidNotice(code="unsigned")
        if params.get("sign_type", "RSA2") != "RSA2":
            raise InvalidNotice(code="bad_sign_type")
        if not rsa_verify(
            self._public(), sign_content(params, exclude=("sign", "sign_type")), signature
        ):
            raise InvalidNotice(code="bad_signature")
        if params.get("app_id") != self.options["app_id"]:
            raise InvalidNotice(code="wrong_app")
        if self.options.get("seller_id") and params.get("seller_id") != self.options["seller_id"]:
            raise InvalidNotice(code="wrong_merchant")
        try:
            if params.get("out_biz_no") and params.get("refund_fee"):
                return [
                    Notice(
                        kind="refund",
                        order_number=params["out_trade_no"],
                        external_id=f"{params['trade_no']}:{params['out_biz_no']}",
                        amount_fen=to_fen(params["refund_fee"]),
                        refund_number=params["out_biz_no"],
                        at=_time(params.get("gmt_refund")),
                    )
                ]
            if params.get("trade_status") in {"TRADE_SUCCESS", "TRADE_FINISHED"}:
                return [
                    Notice(
                        kind="payment",
                        order_number=params["out_trade_no"],
                        external_id=params["trade_no"],
                        amount_fen=to_fen(params["total_amount"]),
                        at=_time(params.get("gmt_payment")),
                    )
                ]
        except KeyError as exc:
            raise InvalidNotice(code="malformed") from exc
        raise InvalidNotice(code="not_success")

    def reply(self, *, ok: bool, message: str = "") -> Reply:
        return Reply(200, "success" if ok else "failure")

    def query(self, *, order: PaymentOrder) -> QueryResult:
        node = self._call("alipay.trade.query", {"out_trade_no": order.number})
        if node.get("code") != "10000":
            if node.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return QueryResult(status="unpaid")
            raise ProviderError(code="alipay_" + str(node.get("sub_code", "error")))
        status = node.get("trade_status")
        if status in {"TRADE_SUCCESS", "TRADE_FINISHED"}:
            return QueryResult(
                status="paid",
                external_id=node["trade_no"],
                amount_fen=to_fen(node["total_amount"]),
                at=_time(node.get("send_pay_date")),
            )
        if status == "TRADE_CLOSED":
            return QueryResult(status="closed")
        return QueryResult(status="unpaid")

    def refund(self, *, order: PaymentOrder, refund: Refund, notify_url: str) -> RefundResult:
        node = self._call(
            "alipay.trade.refund",
            {
                "out_trade_no": order.number,
                "refund_amount": yuan(refund.amount_fen),
                "out_request_no": refund.number,
                "refund_reason": refund.reason[:80],
            },
        )
        if node.get("code") != "10000":
            return RefundResult(status="failed")
        external = f"{node['trade_no']}:{refund.number}"
        return RefundResult(
            status="succeeded" if node.get("fund_change") == "Y" else "pending",
            provider_refund_id=external,
        )


if TYPE_CHECKING:
    from ..models import PaymentOrder, Refund
