"""Delivery-receipt callbacks from the SMS gateway.

The gateway (or the relay in front of it) POSTs a JSON list of receipts in the Alibaba Cloud
``SmsReport`` shape::

    [{"biz_id": "...", "out_id": "<our idempotency key>", "success": true,
      "err_code": "DELIVERED", "phone_number": "...", "report_time": "..."}]

signed with HMAC-SHA256 over the raw body under ``ONESTOP_MESSAGING["RECEIPT_SECRET"]``, hex in
the ``X-Onestop-Signature`` header. Unsigned or wrongly signed requests are refused (403) and
change nothing. A receipt must name both the gateway's id and our key to match a message.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..channels import sms_providers
from ..services import message_receipt_apply, receipt_verify

logger = logging.getLogger("onestop.messaging")
MAX_BODY = 1024 * 1024


@csrf_exempt
@require_POST
def sms_receipts(request: HttpRequest, provider: str) -> JsonResponse:
    if provider not in sms_providers:
        return JsonResponse({"code": 404, "msg": "unknown provider"}, status=404)
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return JsonResponse({"code": 413, "msg": "too large"}, status=413)
    if not receipt_verify(body=body, signature=request.headers.get("X-Onestop-Signature", "")):
        logger.warning("SMS receipt with a bad signature refused")
        return JsonResponse({"code": 403, "msg": "bad signature"}, status=403)
    try:
        receipts = json.loads(body.decode("utf-8"))
        if isinstance(receipts, dict):
            receipts = [receipts]
        if not isinstance(receipts, list):
            raise ValueError("not a list")
        applied = 0
        for receipt in receipts:
            message = message_receipt_apply(
                provider=f"sms:{provider}",
                provider_message_id=str(receipt["biz_id"]),
                out_id=str(receipt["out_id"]),
                delivered=bool(receipt.get("success")),
                error=str(receipt.get("err_code", "")),
            )
            applied += int(message is not None)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return JsonResponse({"code": 400, "msg": "malformed receipt"}, status=400)
    return JsonResponse({"code": 0, "msg": "成功", "applied": applied})
