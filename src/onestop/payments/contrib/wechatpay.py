"""WeChat Pay API v3 (微信支付 APIv3) on ``cryptography``.

* requests are signed ``WECHATPAY2-SHA256-RSA2048`` with the merchant key over
  ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n``;
* answers and notifications are verified with the platform certificate's public key over
  ``TIMESTAMP\\nNONCE\\nBODY\\n`` (``Wechatpay-Timestamp`` / ``-Nonce`` / ``-Signature`` /
  ``-Serial``), within a five-minute window;
* a notification's ``resource`` is AES-256-GCM encrypted with the APIv3 key;
* orders: native (QR ``code_url``) and H5 (``h5_url``); query by ``out_trade_no``; refunds.

Options (``settings.ONESTOP_PAYMENTS["wechatpay"]``): ``base_url`` (default
``https://api.mch.weixin.qq.com``), ``mchid``, ``appid``, ``serial_no`` (merchant certificate
serial), ``private_key`` (PEM), ``platform_public_key`` (PEM, or ``platform_certificate``),
``platform_serial``, ``apiv3_key`` (32 characters), ``channel`` ("native" or "h5").
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils.translation import gettext_lazy as _

from ..base import Notice, PaymentProvider, PayStart, QueryResult, RefundResult, Reply
from ..errors import InvalidNotice, ProviderError
from ..registry import payment_providers
from . import _http

if TYPE_CHECKING:
    from ..models import PaymentOrder, Refund

TIMESTAMP_WINDOW = 300


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, message: bytes, signature_b64: str) -> bool:
    try:
        key.verify(base64.b64decode(signature_b64), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _load_private(pem: str | bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem if isinstance(pem, bytes) else pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _load_public(options: Mapping[str, Any]) -> rsa.RSAPublicKey:
    key: object
    if options.get("platform_certificate"):
        cert = x509.load_pem_x509_certificate(str(options["platform_certificate"]).encode())
        key = cert.public_key()
    else:
        key = serialization.load_pem_public_key(str(options["platform_public_key"]).encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ProviderError(code="wechatpay_platform_key_not_rsa")
    return key


def aes_decrypt(apiv3_key: bytes, nonce: str, associated_data: str, ciphertext_b64: str) -> bytes:
    return AESGCM(apiv3_key).decrypt(
        nonce.encode(), base64.b64decode(ciphertext_b64), associated_data.encode()
    )


def aes_encrypt(apiv3_key: bytes, nonce: str, associated_data: str, plaintext: bytes) -> str:
    return base64.b64encode(
        AESGCM(apiv3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())
    ).decode()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@payment_providers.register("wechatpay")
class WechatPayV3(PaymentProvider):
    label = _("微信支付")

    @property
    def base_url(self) -> str:
        return str(self.options.get("base_url", "https://api.mch.weixin.qq.com")).rstrip("/")

    # --- transport -------------------------------------------------------------------------

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
        signature = rsa_sign(_load_private(self.options["private_key"]), message)
        authorization = (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{self.options["mchid"]}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",'
            f'serial_no="{self.options["serial_no"]}"'
        )
        status, headers, answer = _http.request(
            method,
            self.base_url + path,
            body=body or None,
            headers={
                "Authorization": authorization,
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": "onestop",
            },
        )
        if status not in (200, 204):
            raise ProviderError(code=f"wechatpay_http_{status}")
        try:
            self._verify_signed(headers, answer)  # answers are signed like notifications
        except InvalidNotice as exc:
            raise ProviderError(code=f"wechatpay_answer_{exc.code}") from exc
        return json.loads(answer) if answer else {}

    def _verify_signed(self, headers: Mapping[str, str], body: bytes) -> None:
        h = {k.lower(): v for k, v in headers.items()}
        timestamp = h.get("wechatpay-timestamp", "")
        nonce = h.get("wechatpay-nonce", "")
        signature = h.get("wechatpay-signature", "")
        serial = h.get("wechatpay-serial", "")
        if not (timestamp and nonce and signature):
            raise InvalidNotice(code="unsigned")
        expected_serial = self.options.get("platform_serial")
        if expected_serial and serial != expected_serial:
            raise InvalidNotice(code="unknown_certificate")
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        if not rsa_verify(_load_public(self.options), message, signature):
            raise InvalidNotice(code="bad_signature")
        try:
            age = abs(time.time() - int(timestamp))
        except ValueError:
            raise InvalidNotice(code="bad_timestamp") from None
        if age > TIMESTAMP_WINDOW:
            raise InvalidNotice(code="stale_timestamp")

    # --- provider interface ---------------------------------------------------------------

    def start(self, *, order: PaymentOrder, notify_url: str, return_url: str) -> PayStart:
        channel = self.options.get("channel", "native")
        payload: dict[str, Any] = {
            "appid": self.options["appid"],
            "mchid": self.options["mchid"],
            "description": order.description,
            "out_trade_no": order.number,
            "time_expire": order.expires_at.isoformat(timespec="seconds"),
            "notify_url": notify_url,
            "amount": {"total": order.amount_fen, "currency": order.currency},
        }
        if channel == "h5":
            payload["scene_info"] = {"payer_client_ip": "127.0.0.1", "h5_info": {"type": "Wap"}}
            answer = self._call("POST", "/v3/pay/transactions/h5", payload)
            return PayStart(redirect_url=answer["h5_url"])
        answer = self._call("POST", "/v3/pay/transactions/native", payload)
        return PayStart(qr_payload=answer["code_url"])

    def verify_notice(self, *, headers: Mapping[str, str], body: bytes) -> list[Notice]:
        self._verify_signed(headers, body)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
            if resource.get("algorithm") != "AEAD_AES_256_GCM":
                raise InvalidNotice(code="bad_algorithm")
            plain = aes_decrypt(
                str(self.options["apiv3_key"]).encode(),
                resource["nonce"],
                resource.get("associated_data", ""),
                resource["ciphertext"],
            )
            data = json.loads(plain)
        except InvalidTag:
            raise InvalidNotice(code="bad_ciphertext") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidNotice(code="malformed") from exc
        if data.get("mchid") != self.options["mchid"]:
            raise InvalidNotice(code="wrong_merchant")
        event = envelope.get("event_type", "")
        try:
            if event == "TRANSACTION.SUCCESS":
                if data.get("appid") != self.options["appid"]:
                    raise InvalidNotice(code="wrong_app")
                if data.get("trade_state") != "SUCCESS":
                    raise InvalidNotice(code="not_success")
                return [
                    Notice(
                        kind="payment",
                        order_number=data["out_trade_no"],
                        external_id=data["transaction_id"],
                        amount_fen=int(data["amount"]["total"]),
                        currency=data["amount"].get("currency", "CNY"),
                        at=_time(data.get("success_time")),
                    )
                ]
            if event == "REFUND.SUCCESS":
                return [
                    Notice(
                        kind="refund",
                        order_number=data["out_trade_no"],
                        external_id=data["refund_id"],
                        amount_fen=int(data["amount"]["refund"]),
                        refund_number=data["out_refund_no"],
                        at=_time(data.get("success_time")),
                    )
                ]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidNotice(code="malformed") from exc
        raise InvalidNotice(code="unknown_event")

    def reply(self, *, ok: bool, message: str = "") -> Reply:
        if ok:
            return Reply(204, "", "application/json")
        return Reply(400, json.dumps({"code": "FAIL", "message": message}), "application/json")

    def query(self, *, order: PaymentOrder) -> QueryResult:
        path = (
            f"/v3/pay/transactions/out-trade-no/{quote(order.number)}"
            f"?mchid={quote(str(self.options['mchid']))}"
        )
        data = self._call("GET", path)
        if data.get("mchid") != self.options["mchid"] or data.get("appid") != self.options["appid"]:
            raise InvalidNotice(code="wrong_merchant")
        state = data.get("trade_state")
        if state == "SUCCESS":
            return QueryResult(
                status="paid",
                external_id=data["transaction_id"],
                amount_fen=int(data["amount"]["total"]),
                at=_time(data.get("success_time")),
            )
        if state in {"CLOSED", "REVOKED", "PAYERROR"}:
            return QueryResult(status="closed")
        return QueryResult(status="unpaid")

    def refund(self, *, order: PaymentOrder, refund: Refund, notify_url: str) -> RefundResult:
        payload = {
            "out_trade_no": order.number,
            "out_refund_no": refund.number,
            "reason": refund.reason[:80],
            "notify_url": notify_url,
            "amount": {"refund": refund.amount_fen, "total": order.paid_fen, "currency": "CNY"},
        }
        data = self._call("POST", "/v3/refund/domestic/refunds", payload)
        status = {"SUCCESS": "succeeded", "PROCESSING": "pending"}.get(data.get("status"), "failed")
        return RefundResult(status=status, provider_refund_id=data.get("refund_id", ""))
