"""SMS through a cloud gateway in the shape of Alibaba Cloud SMS (``dysmsapi`` ``SendSms``).

The request is an RPC call signed with HMAC-SHA1 over the sorted, percent-encoded parameters
("signature version 1.0"); the message text is the gateway-side template ``TemplateCode``
filled with ``TemplateParam`` (JSON). ``OutId`` carries our idempotency key: the gateway (and
our fake) returns the same ``BizId`` for a repeated ``OutId``, so a retry after a crash does not
send a second SMS. Tencent Cloud SMS differs only in names (``TemplateId``, ``SessionContext``)
and signature (TC3-HMAC-SHA256); an adapter for it would sit beside this one.

Outcome mapping: ``Code == "OK"`` → accepted (waiting for the delivery receipt); codes in
``PERMANENT_CODES`` → permanent failure; any other code, an HTTP 5xx or a refused connection →
temporary failure; a timeout after the request left → undetermined (retried with the same OutId).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

from ..channels import Outgoing, SendResult, SmsProvider, sms_providers
from ..choices import MessageStatus
from ..conf import gateway_conf

PERMANENT_CODES = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.ACCOUNT_NOT_EXISTS",
}


def percent_encode(value: str) -> str:
    return urllib.parse.quote(str(value), safe="~")


def sign(params: dict[str, str], secret: str, *, method: str = "POST") -> str:
    """The signature of ``params`` (without ``Signature``) as the gateway computes it."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_params(
    *, conf: dict[str, Any], mobile: str, template_code: str, params: dict[str, Any], out_id: str
) -> dict[str, str]:
    query = {
        "AccessKeyId": conf["ACCESS_KEY_ID"],
        "Action": "SendSms",
        "Format": "JSON",
        "OutId": out_id,
        "PhoneNumbers": mobile,
        "RegionId": "cn-hangzhou",
        "SignName": conf["SIGN_NAME"],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": template_code,
        "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    query["Signature"] = sign(query, conf["ACCESS_KEY_SECRET"])
    return query


@sms_providers.register("aliyun")
class AliyunSmsProvider(SmsProvider):
    gateway = "aliyun"

    def __init__(self) -> None:
        self.conf = gateway_conf()

    def send(self, out: Outgoing) -> SendResult:
        if not out.template_code:
            return SendResult(MessageStatus.PERMANENT_FAILURE, error="no gateway template code")
        query = signed_params(
            conf=self.conf,
            mobile=out.address,
            template_code=out.template_code,
            params={k: str(v) for k, v in out.params.items()},
            out_id=out.key,
        )
        data = urllib.parse.urlencode(query).encode()
        endpoint = str(self.conf["ENDPOINT"])
        if not endpoint.startswith(("https://", "http://")):
            return SendResult(MessageStatus.PERMANENT_FAILURE, error="gateway endpoint not http(s)")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            endpoint,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            # The endpoint comes from settings (https in production, a local fake in tests).
            with urllib.request.urlopen(request, timeout=self.conf["TIMEOUT"]) as response:  # noqa: S310
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            status = (
                MessageStatus.TEMPORARY_FAILURE
                if exc.code >= 500 or exc.code == 429
                else MessageStatus.PERMANENT_FAILURE
            )
            return SendResult(status, error=f"HTTP {exc.code}")
        except TimeoutError:
            return SendResult(MessageStatus.UNDETERMINED, error="gateway timeout")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                return SendResult(MessageStatus.UNDETERMINED, error="gateway timeout")
            return SendResult(MessageStatus.TEMPORARY_FAILURE, error=str(exc.reason)[:200])
        except (OSError, ValueError) as exc:
            return SendResult(MessageStatus.UNDETERMINED, error=str(exc)[:200])
        code = str(payload.get("Code", ""))
        if code == "OK":
            return SendResult(MessageStatus.SENDING, provider_message_id=str(payload["BizId"]))
        status = (
            MessageStatus.PERMANENT_FAILURE
            if code in PERMANENT_CODES
            else MessageStatus.TEMPORARY_FAILURE
        )
        return SendResult(status, error=f"{code}: {payload.get('Message', '')}"[:200])
