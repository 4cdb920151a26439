"""The demo payment provider: a local cashier page and a gateway that lives in this database.

It behaves like a real gateway where it matters for the platform: the cashier (``/payments/
demo-cashier/<order>/``) records the trade on the gateway's own books (``DemoGatewayTrade``)
and the gateway then sends a signed asynchronous notification (HMAC-SHA256 over
``timestamp\\nnonce\\nbody\\n``) through the same entry point as the HTTP notify endpoint
(``services.payment_notice_receive``). On request the notification is delayed, sent several
times, or lost (so that the mop-up job has to query the gateway). Order queries, refunds and the
daily statement file are answered from the gateway's books.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import random
import secrets
import time
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import workdays

from ..base import Notice, PaymentProvider, PayStart, QueryResult, RefundResult, Reply
from ..choices import LedgerKind
from ..errors import InvalidNotice
from ..models import DemoGatewayDelivery, DemoGatewayTrade, yuan
from ..registry import payment_providers

if TYPE_CHECKING:
    from ..models import PaymentOrder, Refund

MERCHANT_ID = "DEMO-MCH-0001"
TIMESTAMP_WINDOW = 300  # seconds


def demo_secret() -> bytes:
    options = getattr(settings, "ONESTOP_PAYMENTS", {}).get("demo", {})
    if options.get("secret"):
        return str(options["secret"]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"onestop-demo-payment", "sha256").digest()


def sign(timestamp: str, nonce: str, body: bytes, secret: bytes | None = None) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    digest = hmac.new(secret or demo_secret(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_notice(
    payload: dict[str, Any], *, at: float | None = None, secret: bytes | None = None
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a notification as the demo gateway sends it."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(at if at is not None else time.time()))
    nonce = secrets.token_hex(8)
    headers = {
        "X-Demo-Timestamp": timestamp,
        "X-Demo-Nonce": nonce,
        "X-Demo-Signature": sign(timestamp, nonce, body, secret),
    }
    return headers, body


@payment_providers.register("demo")
class DemoProvider(PaymentProvider):
    label = _("演示支付（本地收银台）")

    def start(self, *, order: PaymentOrder, notify_url: str, return_url: str) -> PayStart:
        return PayStart(redirect_url=reverse("payments:demo-cashier", args=[order.number]))

    def verify_notice(self, *, headers: Mapping[str, str], body: bytes) -> list[Notice]:
        timestamp = headers.get("X-Demo-Timestamp", "")
        nonce = headers.get("X-Demo-Nonce", "")
        signature = headers.get("X-Demo-Signature", "")
        if not (timestamp and nonce and signature):
            raise InvalidNotice(code="unsigned")
        if not hmac.compare_digest(sign(timestamp, nonce, body), signature):
            raise InvalidNotice(code="bad_signature")
        try:
            age = abs(time.time() - int(timestamp))
        except ValueError:
            raise InvalidNotice(code="bad_timestamp") from None
        if age > TIMESTAMP_WINDOW:
            raise InvalidNotice(code="stale_timestamp")
        try:
            data = json.loads(body)
            if data["merchant_id"] != MERCHANT_ID:
                raise InvalidNotice(code="wrong_merchant")
            return [
                Notice(
                    kind=data["kind"],
                    order_number=str(data["order_number"]),
                    external_id=str(data["txn_id"]),
                    amount_fen=int(data["amount_fen"]),
                    currency=str(data["currency"]),
                    at=datetime.fromisoformat(data["at"]),
                    refund_number=str(data.get("refund_number", "")),
                )
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidNotice(code="malformed") from exc

    def reply(self, *, ok: bool, message: str = "") -> Reply:
        if ok:
            return Reply(200, '{"code":"SUCCESS"}', "application/json")
        return Reply(400, json.dumps({"code": "FAIL", "message": message}), "application/json")

    def query(self, *, order: PaymentOrder) -> QueryResult:
        trade = DemoGatewayTrade.objects.filter(
            order_number=order.number, kind=LedgerKind.PAYMENT, status="success"
        ).first()
        if trade is None:
            return QueryResult(status="unpaid")
        return QueryResult(
            status="paid", external_id=trade.txn_id, amount_fen=trade.amount_fen, at=trade.at
        )

    def refund(self, *, order: PaymentOrder, refund: Refund, notify_url: str) -> RefundResult:
        txn_id = "DR" + secrets.token_hex(10).upper()
        now = timezone.now()
        DemoGatewayTrade.objects.create(
            order_number=order.number,
            txn_id=txn_id,
            kind=LedgerKind.REFUND,
            refund_number=refund.number,
            amount_fen=refund.amount_fen,
            status="success",
            at=now,
        )
        _enqueue(
            {
                "kind": "refund",
                "order_number": order.number,
                "txn_id": txn_id,
                "refund_number": refund.number,
                "amount_fen": refund.amount_fen,
            },
            now=now,
        )
        return RefundResult(status="pending", provider_refund_id=txn_id)

    def statement(self, *, day: date) -> str:
        return statement_csv(day)


def statement_csv(day: date) -> str:
    """The gateway's statement for one Shanghai day, in the format reconciliation reads."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=workdays.SHANGHAI)
    rows = DemoGatewayTrade.objects.filter(
        status="success", at__gte=start, at__lt=start + timedelta(days=1)
    ).order_by("at", "pk")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STATEMENT_HEADER)
    for t in rows:
        writer.writerow(
            [
                timezone.localtime(t.at, workdays.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                t.txn_id,
                t.order_number,
                t.kind,
                yuan(t.amount_fen),
            ]
        )
    return out.getvalue()


STATEMENT_HEADER = ["trade_time", "txn_id", "order_number", "type", "amount_yuan"]


# --- the gateway side --------------------------------------------------------------------------


def _enqueue(
    payload: dict[str, Any],
    *,
    now: datetime,
    copies: int = 1,
    delay_seconds: int = 0,
    lost: bool = False,
) -> list[DemoGatewayDelivery]:
    payload = {**payload, "merchant_id": MERCHANT_ID, "currency": "CNY", "at": now.isoformat()}
    rows = []
    rng = random.Random()
    for _copy in range(copies):
        delay = rng.randint(0, delay_seconds) if delay_seconds else 0
        headers, body = signed_notice(payload)
        rows.append(
            DemoGatewayDelivery.objects.create(
                body=body.decode(),
                headers=headers,
                deliver_after=now + timedelta(seconds=delay),
                delivered_at=now if lost else None,
            )
        )
    immediate = [r.pk for r in rows if r.deliver_after <= now and not lost]
    if immediate:
        transaction.on_commit(lambda: deliver(ids=immediate))
    return rows


def gateway_pay(
    *,
    order: PaymentOrder,
    outcome: str,
    copies: int = 1,
    delay_seconds: int = 0,
) -> DemoGatewayTrade | None:
    """What the payer did at the cashier: ``pay``, ``pay_lost`` (paid, notification lost),
    ``fail``, ``cancel`` or ``leave`` (went away without paying: nothing happens)."""
    if outcome == "leave":
        return None
    now = timezone.now()
    status = "success" if outcome in {"pay", "pay_lost"} else outcome
    paid = DemoGatewayTrade.objects.filter(
        order_number=order.number, kind=LedgerKind.PAYMENT, status="success"
    ).first()
    if paid is not None:  # a gateway takes the money for an order once
        return paid
    trade = DemoGatewayTrade.objects.create(
        order_number=order.number,
        txn_id="DP" + secrets.token_hex(10).upper(),
        amount_fen=order.amount_fen,
        status=status,
        at=now,
    )
    if status == "success":
        _enqueue(
            {
                "kind": "payment",
                "order_number": order.number,
                "txn_id": trade.txn_id,
                "amount_fen": order.amount_fen,
            },
            now=now,
            copies=copies,
            delay_seconds=delay_seconds,
            lost=outcome == "pay_lost",
        )
    return trade


def deliver(*, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Deliver due notifications (the gateway's retry loop). Returns how many were accepted."""
    from ..services import payment_notice_receive

    now = now or timezone.now()
    qs = DemoGatewayDelivery.objects.filter(delivered_at__isnull=True)
    qs = qs.filter(pk__in=ids) if ids is not None else qs.filter(deliver_after__lte=now)
    accepted = 0
    for row in list(qs.order_by("deliver_after", "pk")):
        payload = json.loads(row.body)
        headers, body = signed_notice(payload)  # re-signed with a fresh timestamp, as gateways do
        reply = payment_notice_receive(provider_key="demo", headers=headers, body=body)
        row.attempts += 1
        if 200 <= reply.status < 300:
            row.delivered_at = now
            accepted += 1
        else:
            row.deliver_after = now + timedelta(seconds=min(3600, 15 * 2**row.attempts))
        row.save(update_fields=["attempts", "delivered_at", "deliver_after"])
    return accepted
