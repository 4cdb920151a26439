"""Local fake gateways on 127.0.0.1 speaking the WeChat Pay API v3 and Alipay protocols, with
keys generated in the test. They check the platform's signatures the way the real gateways do
and produce signed answers and notifications."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from onestop.payments.contrib.alipay import sign_content
from onestop.payments.contrib.wechatpay import aes_encrypt, rsa_sign, rsa_verify

SHANGHAI = ZoneInfo("Asia/Shanghai")


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class _Server:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, answer = fake.handle(self.command, self.path, self.headers, body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    @contextmanager
    def running(self) -> Iterator[_Server]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


# --- WeChat Pay API v3 --------------------------------------------------------------------------

_AUTH = re.compile(r'(\w+)="([^"]*)"')


class FakeWechatPay(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.mchid = "1900000109"
        self.appid = "wxd678efh567hg6787"
        self.merchant_key = new_key()
        self.merchant_serial = "5157F09EFDC096DE15EBE81A47057A72"
        self.platform_key = new_key()
        self.platform_serial = "PLATFORM01"
        self.apiv3_key = secrets.token_hex(16)  # 32 characters
        self.orders: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}

    def options(self, **over: Any) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "mchid": self.mchid,
            "appid": self.appid,
            "serial_no": self.merchant_serial,
            "private_key": private_pem(self.merchant_key),
            "platform_public_key": public_pem(self.platform_key),
            "platform_serial": self.platform_serial,
            "apiv3_key": self.apiv3_key,
            **over,
        }

    def signed_headers(
        self, body: bytes, *, key: rsa.RSAPrivateKey | None = None, at: float | None = None
    ) -> dict[str, str]:
        timestamp = str(int(at if at is not None else time.time()))
        nonce = secrets.token_hex(16)
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(key or self.platform_key, message),
            "Wechatpay-Serial": self.platform_serial,
            "Content-Type": "application/json",
        }

    def _answer(self, status: int, data: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(data).encode()
        return status, self.signed_headers(body), body

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        auth = headers.get("Authorization", "")
        fields = dict(_AUTH.findall(auth))
        message = f"{method}\n{path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n"
        self.requests.append({"method": method, "path": path, "body": body, "auth": fields})
        if (
            not auth.startswith("WECHATPAY2-SHA256-RSA2048 ")
            or fields.get("mchid") != self.mchid
            or fields.get("serial_no") != self.merchant_serial
            or not rsa_verify(
                self.merchant_key.public_key(),
                message.encode() + body + b"\n",
                fields.get("signature", ""),
            )
        ):
            return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        url = urlsplit(path)
        if method == "POST" and url.path in (
            "/v3/pay/transactions/native",
            "/v3/pay/transactions/h5",
        ):
            data = json.loads(body)
            if data["mchid"] != self.mchid or data["appid"] != self.appid:
                return self._answer(400, {"code": "PARAM_ERROR", "message": "mchid"})
            self.orders[data["out_trade_no"]] = {**data, "trade_state": "NOTPAY"}
            if url.path.endswith("native"):
                return self._answer(
                    200, {"code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_hex(4)}
                )
            return self._answer(
                200, {"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=x"}
            )
        if method == "GET" and url.path.startswith("/v3/pay/transactions/out-trade-no/"):
            number = url.path.rsplit("/", 1)[-1]
            order = self.orders.get(number)
            if order is None:
                return self._answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            return self._answer(200, self._transaction(number))
        if method == "POST" and url.path == "/v3/refund/domestic/refunds":
            data = json.loads(body)
            refund_id = "50300" + secrets.token_hex(6)
            self.refunds[data["out_refund_no"]] = {**data, "refund_id": refund_id}
            return self._answer(
                200,
                {
                    "refund_id": refund_id,
                    "out_refund_no": data["out_refund_no"],
                    "status": "PROCESSING",
                    "amount": data["amount"],
                },
            )
        return self._answer(404, {"code": "NOT_FOUND", "message": path})

    def _transaction(self, number: str) -> dict[str, Any]:
        order = self.orders[number]
        data = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": number,
            "trade_state": order["trade_state"],
            "amount": {
                "total": order["amount"]["total"],
                "currency": "CNY",
                "payer_total": order["amount"]["total"],
                "payer_currency": "CNY",
            },
        }
        if order["trade_state"] == "SUCCESS":
            data["transaction_id"] = order["transaction_id"]
            data["success_time"] = order["success_time"]
        return data

    def pay(self, number: str) -> None:
        order = self.orders[number]
        order["trade_state"] = "SUCCESS"
        order["transaction_id"] = "4200000" + secrets.token_hex(8)
        order["success_time"] = datetime.now(SHANGHAI).isoformat(timespec="seconds")

    def notice(
        self,
        event: str,
        resource: dict[str, Any],
        *,
        key: rsa.RSAPrivateKey | None = None,
        at: float | None = None,
        apiv3_key: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        nonce = secrets.token_hex(6)
        associated = "transaction" if event.startswith("TRANSACTION") else "refund"
        envelope = {
            "id": secrets.token_hex(8),
            "create_time": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event,
            "summary": "支付成功",
            "resource": {
                "original_type": associated,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": aes_encrypt(
                    (apiv3_key or self.apiv3_key).encode(),
                    nonce,
                    associated,
                    json.dumps(resource).encode(),
                ),
                "associated_data": associated,
                "nonce": nonce,
            },
        }
        body = json.dumps(envelope).encode()
        return self.signed_headers(body, key=key, at=at), body

    def payment_notice(self, number: str, **kw: Any) -> tuple[dict[str, str], bytes]:
        return self.notice("TRANSACTION.SUCCESS", self._transaction(number), **kw)

    def refund_notice(self, out_refund_no: str) -> tuple[dict[str, str], bytes]:
        refund = self.refunds[out_refund_no]
        resource = {
            "mchid": self.mchid,
            "out_trade_no": refund["out_trade_no"],
            "transaction_id": self.orders[refund["out_trade_no"]]["transaction_id"],
            "out_refund_no": out_refund_no,
            "refund_id": refund["refund_id"],
            "refund_status": "SUCCESS",
            "success_time": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
            "amount": {
                "total": refund["amount"]["total"],
                "refund": refund["amount"]["refund"],
                "payer_total": refund["amount"]["total"],
                "payer_refund": refund["amount"]["refund"],
            },
        }
        return self.notice("REFUND.SUCCESS", resource)


# --- Alipay ---------------------------------------------------------------------------------------


class FakeAlipay(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.app_id = "2021000000000001"
        self.seller_id = "2088000000000001"
        self.app_key = new_key()
        self.alipay_key = new_key()
        self.trades: dict[str, dict[str, Any]] = {}

    def options(self, **over: Any) -> dict[str, Any]:
        return {
            "gateway": self.base_url + "/gateway.do",
            "app_id": self.app_id,
            "seller_id": self.seller_id,
            "private_key": private_pem(self.app_key),
            "alipay_public_key": public_pem(self.alipay_key),
            **over,
        }

    def verify_request(self, params: dict[str, str]) -> bool:
        return params.get("app_id") == self.app_id and rsa_verify(
            self.app_key.public_key(), sign_content(params), params.get("sign", "")
        )

    def _answer(
        self, method: str, node: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        raw = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        sign = rsa_sign(key or self.alipay_key, raw.encode())
        text = '{"' + method.replace(".", "_") + '_response":' + raw + ',"sign":"' + sign + '"}'
        return 200, {"Content-Type": "application/json;charset=utf-8"}, text.encode()

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        params = dict(parse_qsl(body.decode()))
        self.requests.append(params)
        api = params.get("method", "")
        if not self.verify_request(params):
            return self._answer(
                api,
                {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"},
            )
        biz = json.loads(params["biz_content"])
        if api == "alipay.trade.query":
            trade = self.trades.get(biz["out_trade_no"])
            if trade is None:
                return self._answer(
                    api,
                    {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"},
                )
            return self._answer(api, {"code": "10000", "msg": "Success", **trade})
        if api == "alipay.trade.refund":
            trade = self.trades[biz["out_trade_no"]]
            return self._answer(
                api,
                {
                    "code": "10000",
                    "msg": "Success",
                    "trade_no": trade["trade_no"],
                    "out_trade_no": biz["out_trade_no"],
                    "refund_fee": biz["refund_amount"],
                    "fund_change": "Y",
                },
            )
        return self._answer(api, {"code": "40004", "msg": "unknown method"})

    def pay(self, number: str, total_amount: str) -> dict[str, str]:
        trade = {
            "out_trade_no": number,
            "trade_no": "2026112322001" + secrets.token_hex(6),
            "trade_status": "TRADE_SUCCESS",
            "total_amount": total_amount,
            "send_pay_date": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        }
        self.trades[number] = trade
        return trade

    def notice(self, params: dict[str, str], *, key: rsa.RSAPrivateKey | None = None) -> bytes:
        params = {
            "notify_time": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": self.app_id,
            "seller_id": self.seller_id,
            "charset": "utf-8",
            "version": "1.0",
            **params,
        }
        params["sign_type"] = "RSA2"
        params["sign"] = rsa_sign(
            key or self.alipay_key, sign_content(params, exclude=("sign", "sign_type"))
        )
        return urlencode(params).encode()

    def payment_notice(self, number: str, **kw: Any) -> bytes:
        trade = self.trades[number]
        return self.notice(
            {
                "out_trade_no": number,
                "trade_no": trade["trade_no"],
                "trade_status": "TRADE_SUCCESS",
                "total_amount": trade["total_amount"],
                "gmt_payment": trade["send_pay_date"],
            },
            **kw,
        )
