"""Every write of the payments app.

Crediting is exactly-once: a notification is verified by its provider (signature, merchant and
app ids, timestamp) and then checked against the order (amount, currency) before anything
changes; the order row is locked, and the ledger's unique (provider, kind, external id) turns
every duplicate, replay or concurrent copy into a no-op.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Unit, User
from onestop.accounts.selectors import officer_scope_paths
from onestop.core import workdays
from onestop.core.audit import audit_log
from onestop.core.pii import lookup_hash

from .base import Notice, PayStart, Reply
from .choices import (
    OPEN_STATES,
    PAID_STATES,
    LedgerKind,
    MismatchKind,
    NoticeVerdict,
    OrderState,
    Purpose,
    RefundState,
)
from .errors import InvalidNotice, InvalidRequest, NotAllowed, NoticeNotReady, PaymentError
from .models import (
    Fine,
    LedgerEntry,
    PaymentNotice,
    PaymentOrder,
    ReconciliationItem,
    ReconciliationRun,
    Refund,
)
from .registry import get_provider

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "order_ttl_minutes": 120,
    "mop_up_after_minutes": 2,
    "refund_roles": ["approver", "unit_admin", "platform_admin"],
    "fine_surcharge_percent_per_day": 3,
}


def app_setting(name: str) -> Any:
    return getattr(settings, "ONESTOP_PAYMENTS", {}).get(name, DEFAULTS[name])


# --- callbacks to the owning app ------------------------------------------------------------

#: purpose → functions called (after commit) with the order id once an order is paid.
_paid_handlers: dict[str, list[Callable[[int], None]]] = {}


def paid_handler_register(purpose: str, handler: Callable[[int], None]) -> None:
    """Let the app that owns a purpose (e.g. cases for "case") react once an order is paid.
    Handlers run after commit, take the order id and must be idempotent."""
    handlers = _paid_handlers.setdefault(purpose, [])
    if handler not in handlers:
        handlers.append(handler)


def _run_paid_handlers(order_id: int, purpose: str) -> None:
    for handler in _paid_handlers.get(purpose, []):
        try:
            handler(order_id)
        except Exception:  # a failing consumer must not lose the payment
            logger.exception("paid handler %r failed for order %s", handler, order_id)


# --- orders -----------------------------------------------------------------------------------


def _new_number(prefix: str) -> str:
    day = timezone.localtime(timezone.now(), workdays.SHANGHAI)
    return f"{prefix}{day:%Y%m%d}{secrets.token_hex(6).upper()}"


@transaction.atomic
def payment_order_create(
    *,
    purpose: Purpose | str,
    reference: str,
    payer: User | None,
    amount_fen: int,
    description: str,
    unit: Unit | None = None,
    expires_at: datetime | None = None,
) -> PaymentOrder:
    """An order for ``purpose``/``reference``; idempotent: the live order (open or paid) of
    the same reference is returned instead of a second one."""
    if purpose not in Purpose.values:
        raise InvalidRequest(_("支付用途无效。"), code="bad_purpose")
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise InvalidRequest(_("支付金额须为正整数（分）。"), code="bad_amount")
    reference = str(reference)[:64]
    live = _live_order(purpose, reference)
    if live is not None:
        return live
    now = timezone.now()
    order = PaymentOrder(
        number=_new_number("PO"),
        purpose=purpose,
        reference=reference,
        description=description[:128],
        payer=payer,
        unit=unit,
        amount_fen=amount_fen,
        expires_at=expires_at or now + timedelta(minutes=app_setting("order_ttl_minutes")),
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        live = _live_order(purpose, reference)
        if live is None:
            raise
        return live
    audit_log(
        actor=payer,
        action="payments.order_create",
        obj=order,
        summary={"purpose": purpose, "reference": reference, "amount_fen": amount_fen},
        unit=unit,
    )
    return order


def _live_order(purpose: str, reference: str) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.filter(purpose=purpose, reference=reference)
        .exclude(state__in=[OrderState.CLOSED, OrderState.EXPIRED, OrderState.REFUNDED])
        .first()
    )


def payment_order_for_case(
    *, case_id: int, payer: User, amount_fen: int, description: str
) -> PaymentOrder:
    """The fee order of a case (收费): idempotent per case — the open or paid order of the case
    is returned if there is one. The order is scoped to the case's handling unit."""
    from onestop.cases.models import Case  # read only: the handling unit for staff scoping

    unit_id = Case.objects.filter(pk=case_id).values_list("handling_unit_id", flat=True).first()
    if unit_id is None:
        raise InvalidRequest(_("办件不存在。"), code="unknown_case")
    return payment_order_create(
        purpose=Purpose.CASE_FEE,
        reference=str(case_id),
        payer=payer,
        amount_fen=amount_fen,
        description=description,
        unit=Unit.objects.get(pk=unit_id),
    )


@transaction.atomic
def payment_start(
    *, order: PaymentOrder, actor: User | None, provider_key: str, notify_url: str, return_url: str
) -> PayStart:
    """The payer chose a provider: the order is ``paying`` and the provider says where to go."""
    locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    now = timezone.now()
    if locked.state in PAID_STATES:
        raise InvalidRequest(_("该订单已支付。"), code="already_paid")
    if locked.state not in OPEN_STATES or locked.expires_at <= now:
        raise InvalidRequest(_("该订单已关闭或已过期，请重新下单。"), code="order_closed")
    provider = get_provider(provider_key)
    started = provider.start(order=locked, notify_url=notify_url, return_url=return_url)
    locked.state = OrderState.PAYING
    locked.provider = provider_key
    locked.save(update_fields=["state", "provider", "updated_at"])
    audit_log(
        actor=actor,
        action="payments.order_start",
        obj=locked,
        summary={"provider": provider_key},
        unit=locked.unit,
    )
    return started


# --- notifications ------------------------------------------------------------------------------


def payment_notice_receive(*, provider_key: str, headers: Mapping[str, str], body: bytes) -> Reply:
    """Handle one asynchronous notification as the HTTP endpoint receives it and return the
    answer the gateway expects (a failure makes the gateway deliver it again later)."""
    provider = get_provider(provider_key)
    digest = hashlib.sha256(body).hexdigest()
    try:
        notices = provider.verify_notice(headers=headers, body=body)
    except InvalidNotice as exc:
        _record_notice(provider_key, None, NoticeVerdict.REJECTED, exc.code, digest)
        return provider.reply(ok=False, message=exc.code)
    ok = True
    message = ""
    for notice in notices:
        try:
            verdict = payment_notice_apply(provider_key=provider_key, notice=notice)
            _record_notice(provider_key, notice, verdict, "", digest)
        except NoticeNotReady as exc:
            _record_notice(provider_key, notice, NoticeVerdict.DEFERRED, exc.code, digest)
            ok, message = False, exc.code
        except InvalidNotice as exc:
            _record_notice(provider_key, notice, NoticeVerdict.REJECTED, exc.code, digest)
            ok, message = False, exc.code
    return provider.reply(ok=ok, message=message)


def _record_notice(
    provider_key: str, notice: Notice | None, verdict: str, reason: str, digest: str
) -> None:
    PaymentNotice.objects.create(
        provider=provider_key,
        kind=notice.kind if notice else "",
        order_number=notice.order_number[:64] if notice else "",
        external_id=notice.external_id[:64] if notice else "",
        amount_fen=notice.amount_fen if notice else None,
        verdict=verdict,
        reason=reason[:64],
        body_sha256=digest,
    )


def payment_notice_apply(*, provider_key: str, notice: Notice) -> NoticeVerdict:
    """Apply one verified notice (or a query result) exactly once."""
    if notice.kind == "payment":
        return _apply_payment(provider_key, notice)
    if notice.kind == "refund":
        return _apply_refund(provider_key, notice)
    raise InvalidNotice(code="unknown_kind")


@transaction.atomic
def _apply_payment(provider_key: str, notice: Notice) -> NoticeVerdict:
    order = PaymentOrder.objects.select_for_update().filter(number=notice.order_number).first()
    if order is None:
        raise InvalidNotice(code="unknown_order")
    if notice.currency != order.currency:
        raise InvalidNotice(code="wrong_currency")
    if notice.amount_fen != order.amount_fen:
        raise InvalidNotice(code="amount_mismatch")
    if LedgerEntry.objects.filter(
        provider=provider_key, kind=LedgerKind.PAYMENT, external_id=notice.external_id
    ).exists():
        return NoticeVerdict.DUPLICATE
    now = timezone.now()
    try:
        with transaction.atomic():
            LedgerEntry.objects.create(
                order=order,
                provider=provider_key,
                kind=LedgerKind.PAYMENT,
                external_id=notice.external_id,
                amount_fen=notice.amount_fen,
                at=notice.at or now,
            )
    except IntegrityError:
        return NoticeVerdict.DUPLICATE
    if order.state in PAID_STATES:
        # a second, different payment of the same order: the money is real; staff refund it
        audit_log(
            actor=None,
            action="payments.double_payment",
            obj=order,
            summary={"external_id": notice.external_id, "amount_fen": notice.amount_fen},
            unit=order.unit,
        )
        return NoticeVerdict.CONFLICT
    late = order.state not in OPEN_STATES
    order.state = OrderState.PAID
    order.paid_fen = notice.amount_fen
    order.provider = provider_key
    order.provider_txn_id = notice.external_id
    order.paid_at = notice.at or now
    order.save()
    audit_log(
        actor=None,
        action="payments.order_paid",
        obj=order,
        summary={
            "provider": provider_key,
            "external_id": notice.external_id,
            "amount_fen": notice.amount_fen,
            "after_close": late,
        },
        unit=order.unit,
    )
    transaction.on_commit(lambda: _run_paid_handlers(order.pk, order.purpose))
    return NoticeVerdict.CREDITED


@transaction.atomic
def _apply_refund(provider_key: str, notice: Notice) -> NoticeVerdict:
    refund = (
        Refund.objects.select_for_update().filter(number=notice.refund_number).first()
        if notice.refund_number
        else Refund.objects.select_for_update()
        .filter(provider_refund_id=notice.external_id)
        .first()
    )
    if refund is None:
        raise NoticeNotReady(code="unknown_refund")
    order = PaymentOrder.objects.select_for_update().get(pk=refund.order_id)
    if order.number != notice.order_number:
        raise InvalidNotice(code="order_mismatch")
    if order.state not in PAID_STATES:
        raise NoticeNotReady(code="not_paid_yet")
    if notice.amount_fen != refund.amount_fen:
        raise InvalidNotice(code="amount_mismatch")
    return _refund_succeeded(provider_key, order, refund, notice.external_id, notice.at)


def _refund_succeeded(
    provider_key: str, order: PaymentOrder, refund: Refund, external_id: str, at: datetime | None
) -> NoticeVerdict:
    if (
        refund.state == RefundState.SUCCEEDED
        or LedgerEntry.objects.filter(
            provider=provider_key, kind=LedgerKind.REFUND, external_id=external_id
        ).exists()
    ):
        return NoticeVerdict.DUPLICATE
    now = timezone.now()
    LedgerEntry.objects.create(
        order=order,
        provider=provider_key,
        kind=LedgerKind.REFUND,
        external_id=external_id,
        amount_fen=-refund.amount_fen,
        at=at or now,
    )
    refund.state = RefundState.SUCCEEDED
    refund.provider_refund_id = external_id
    refund.succeeded_at = at or now
    refund.save()
    order.refunded_fen += refund.amount_fen
    order.state = (
        OrderState.REFUNDED if order.refunded_fen >= order.paid_fen else OrderState.PARTLY_REFUNDED
    )
    order.save()
    audit_log(
        actor=None,
        action="payments.refund_succeeded",
        obj=order,
        summary={"refund": refund.number, "amount_fen": refund.amount_fen},
        unit=order.unit,
    )
    return NoticeVerdict.CREDITED


# --- refunds ---------------------------------------------------------------------------------


def refund_allowed(actor: User | None, order: PaymentOrder) -> bool:
    if actor is None or not actor.is_authenticated or getattr(actor, "kind", "") != "staff":
        return False
    if not actor.role_codes() & set(app_setting("refund_roles")):
        return False
    if order.unit is None:
        return actor.is_superuser or actor.has_role("platform_admin")
    return any(order.unit.path.startswith(p) for p in officer_scope_paths(actor))


@transaction.atomic
def refund_create(
    *, actor: User, order: PaymentOrder, amount_fen: int, reason: str, notify_url: str = ""
) -> Refund:
    """Refund (part of) a paid order. Needs a refund role in the order's unit scope; audited."""
    locked = (
        PaymentOrder.objects.select_for_update(of=("self",)).select_related("unit").get(pk=order.pk)
    )
    if not refund_allowed(actor, locked):
        raise NotAllowed(_("退款须由有退款权限的民警办理。"), code="refund_role_required")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(_("请填写退款原因。"), code="reason_required")
    if locked.state not in (OrderState.PAID, OrderState.PARTLY_REFUNDED):
        raise InvalidRequest(_("该订单当前不能退款。"), code="not_refundable")
    pending = sum(r.amount_fen for r in locked.refunds.all() if r.state == RefundState.PENDING)
    if not isinstance(amount_fen, int) or not 0 < amount_fen <= locked.refundable_fen - pending:
        raise InvalidRequest(
            _("退款金额须大于 0 且不超过可退金额 %(max)s 元。"),
            code="bad_amount",
            max=f"{(locked.refundable_fen - pending) / 100:.2f}",
        )
    refund = Refund.objects.create(
        order=locked,
        number=_new_number("RF"),
        amount_fen=amount_fen,
        reason=reason[:200],
        requested_by=actor,
    )
    audit_log(
        actor=actor,
        action="payments.refund_create",
        obj=locked,
        summary={"refund": refund.number, "amount_fen": amount_fen, "reason": reason[:200]},
        unit=locked.unit,
    )
    result = get_provider(locked.provider).refund(
        order=locked, refund=refund, notify_url=notify_url
    )
    if result.status == "failed":
        refund.state = RefundState.FAILED
        refund.save(update_fields=["state", "updated_at"])
        return refund
    if result.provider_refund_id:
        refund.provider_refund_id = result.provider_refund_id
        refund.save(update_fields=["provider_refund_id", "updated_at"])
    if result.status == "succeeded":
        _refund_succeeded(locked.provider, locked, refund, result.provider_refund_id, None)
    return refund


# --- mop-up and expiry ------------------------------------------------------------------------


@dataclass
class MopUpResult:
    queried: int = 0
    credited: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)


def payment_mop_up(*, now: datetime | None = None) -> MopUpResult:
    """Settle orders whose notification never came: query the provider about every order that
    has been ``paying`` for a while; expire unpaid orders past their time. Safe to run twice."""
    now = now or timezone.now()
    result = MopUpResult()
    quiet = now - timedelta(minutes=app_setting("mop_up_after_minutes"))
    paying = PaymentOrder.objects.filter(state=OrderState.PAYING, updated_at__lte=quiet)
    for order in list(paying.order_by("pk")[:500]):
        result.queried += 1
        try:
            answer = get_provider(order.provider).query(order=order)
        except PaymentError as exc:
            result.errors.append(f"{order.number}: {exc.code}")
            continue
        PaymentOrder.objects.filter(pk=order.pk).update(queried_at=now)
        if answer.status == "paid":
            notice = Notice(
                kind="payment",
                order_number=order.number,
                external_id=answer.external_id,
                amount_fen=answer.amount_fen,
                at=answer.at,
            )
            try:
                if payment_notice_apply(provider_key=order.provider, notice=notice) == (
                    NoticeVerdict.CREDITED
                ):
                    result.credited += 1
            except PaymentError as exc:
                result.errors.append(f"{order.number}: {exc.code}")
        elif order.expires_at <= now and _expire(order.pk, now, only_states=[OrderState.PAYING]):
            result.expired += 1
    created = PaymentOrder.objects.filter(state=OrderState.CREATED, expires_at__lte=now)
    for pk in list(created.values_list("pk", flat=True)[:1000]):
        if _expire(pk, now, only_states=[OrderState.CREATED]):
            result.expired += 1
    return result


@transaction.atomic
def _expire(pk: int, now: datetime, *, only_states: list[str]) -> bool:
    order = PaymentOrder.objects.select_for_update().get(pk=pk)
    if order.state not in only_states:
        return False
    order.state = OrderState.EXPIRED
    order.closed_at = now
    order.save(update_fields=["state", "closed_at", "updated_at"])
    audit_log(actor=None, action="payments.order_expire", obj=order, unit=order.unit)
    return True


@transaction.atomic
def payment_order_close(*, order: PaymentOrder, actor: User | None) -> PaymentOrder:
    """Close an unpaid order (the payer or the owning app gave up on it)."""
    locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if locked.state not in OPEN_STATES:
        raise InvalidRequest(_("只有未支付的订单可以关闭。"), code="not_open")
    locked.state = OrderState.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "closed_at", "updated_at"])
    audit_log(actor=actor, action="payments.order_close", obj=locked, unit=locked.unit)
    return locked


# --- fines ------------------------------------------------------------------------------------


def fine_code_hash(decision_number: str, code: str) -> str:
    return lookup_hash(f"{decision_number.strip()}:{code.strip()}", kind="fine_verification")


def fine_surcharge_fen(fine: Fine, on: date) -> int:
    """加处罚款 (Administrative Penalty Law art. 72): 3% of the fine per day after the due date,
    never more than the fine itself; fractions of a fen are dropped."""
    days = (on - fine.due_on).days
    if days <= 0:
        return 0
    percent = app_setting("fine_surcharge_percent_per_day")
    return min(fine.amount_fen, fine.amount_fen * percent * days // 100)


@transaction.atomic
def fine_create(
    *,
    actor: User | None,
    decision_number: str,
    verification_code: str,
    kind: str,
    party_name: str,
    amount_fen: int,
    decided_on: date,
    unit: Unit,
    facts: str = "",
    due_days: int = 15,
) -> Fine:
    """Record a penalty decision payable online (normally fed by the enforcement system)."""
    if amount_fen <= 0:
        raise InvalidRequest(_("罚款金额须为正数。"), code="bad_amount")
    fine = Fine.objects.create(
        decision_number=decision_number.strip(),
        verification_code_hash=fine_code_hash(decision_number, verification_code),
        kind=kind,
        party_name=party_name,
        facts=facts,
        amount_fen=amount_fen,
        decided_on=decided_on,
        due_on=decided_on + timedelta(days=due_days),
        unit=unit,
    )
    audit_log(actor=actor, action="payments.fine_create", obj=fine, unit=unit)
    return fine


@transaction.atomic
def fine_order_create(*, fine: Fine, now: datetime | None = None) -> PaymentOrder:
    """The order paying ``fine`` with today's surcharge. It expires at local midnight, when the
    surcharge grows; an unpaid order of an earlier day is closed and replaced."""
    now = now or timezone.now()
    today = timezone.localtime(now, workdays.SHANGHAI).date()
    total = fine.amount_fen + fine_surcharge_fen(fine, today)
    live = _live_order(Purpose.FINE, fine.decision_number)
    if live is not None:
        if live.state in PAID_STATES or live.amount_fen == total:
            return live
        payment_order_close(order=live, actor=None)
    midnight = datetime.combine(today + timedelta(days=1), time.min, tzinfo=workdays.SHANGHAI)
    ttl = now + timedelta(minutes=app_setting("order_ttl_minutes"))
    return payment_order_create(
        purpose=Purpose.FINE,
        reference=fine.decision_number,
        payer=None,
        amount_fen=total,
        description=str(_("罚款 %(number)s") % {"number": fine.decision_number}),
        unit=fine.unit,
        expires_at=min(midnight, ttl),
    )


# --- reconciliation ---------------------------------------------------------------------------

_TYPES = {
    "payment": LedgerKind.PAYMENT,
    "支付": LedgerKind.PAYMENT,
    "refund": LedgerKind.REFUND,
    "退款": LedgerKind.REFUND,
}


def parse_statement(text: str) -> list[tuple[str, str, str, int]]:
    """Rows ``(kind, external_id, order_number, fen)`` of a statement CSV (header
    ``trade_time,txn_id,order_number,type,amount_yuan``; refund amounts positive)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    needed = {"txn_id", "order_number", "type", "amount_yuan"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise InvalidRequest(
            _("对账单格式不正确：须包含列 %(columns)s。"),
            code="bad_statement",
            columns="trade_time,txn_id,order_number,type,amount_yuan",
        )
    rows: list[tuple[str, str, str, int]] = []
    for line, row in enumerate(reader, start=2):
        try:
            kind = _TYPES[row["type"].strip()]
            amount = Decimal(row["amount_yuan"].strip())
            fen = int((amount * 100).to_integral_exact())
            if amount * 100 != fen:
                raise InvalidOperation
        except (KeyError, InvalidOperation, AttributeError):
            raise InvalidRequest(
                _("对账单第 %(line)s 行无法识别。"), code="bad_statement_row", line=line
            ) from None
        rows.append((kind, row["txn_id"].strip(), row["order_number"].strip(), abs(fen)))
    return rows


@transaction.atomic
def reconciliation_run(
    *, actor: User | None, provider_key: str, day: date, statement: str
) -> ReconciliationRun:
    """Compare the provider's statement for ``day`` with the platform's ledger and record every
    row: matched, or the kind of mismatch (for staff to resolve)."""
    rows = parse_statement(statement)
    start = datetime.combine(day, time.min, tzinfo=workdays.SHANGHAI)
    ledger = {
        (e.kind, e.external_id): e
        for e in LedgerEntry.objects.filter(
            provider=provider_key, at__gte=start, at__lt=start + timedelta(days=1)
        ).select_related("order")
    }
    run = ReconciliationRun.objects.create(
        provider=provider_key, day=day, created_by=actor, statement_rows=len(rows)
    )
    items = []
    seen = set()
    for kind, external_id, order_number, fen in rows:
        key = (kind, external_id)
        seen.add(key)
        entry = ledger.get(key)
        if entry is None:
            # maybe credited on another day (a late notification): still on the platform
            entry = (
                LedgerEntry.objects.filter(
                    provider=provider_key, kind=kind, external_id=external_id
                )
                .select_related("order")
                .first()
            )
        if entry is None:
            mismatch = MismatchKind.MISSING_ON_PLATFORM
        elif abs(entry.amount_fen) != fen:
            mismatch = MismatchKind.AMOUNT
        elif entry.order.number != order_number:
            mismatch = MismatchKind.ORDER
        else:
            mismatch = MismatchKind.MATCHED
        items.append(
            ReconciliationItem(
                run=run,
                kind=mismatch,
                ledger_kind=kind,
                external_id=external_id,
                order_number=order_number,
                purpose=entry.order.purpose if entry else "",
                platform_fen=abs(entry.amount_fen) if entry else None,
                statement_fen=fen,
            )
        )
    for key, entry in ledger.items():
        if key not in seen:
            items.append(
                ReconciliationItem(
                    run=run,
                    kind=MismatchKind.MISSING_IN_STATEMENT,
                    ledger_kind=entry.kind,
                    external_id=entry.external_id,
                    order_number=entry.order.number,
                    purpose=entry.order.purpose,
                    platform_fen=abs(entry.amount_fen),
                )
            )
    ReconciliationItem.objects.bulk_create(items)
    run.mismatches = sum(1 for i in items if i.kind != MismatchKind.MATCHED)
    run.save(update_fields=["mismatches"])
    audit_log(
        actor=actor,
        action="payments.reconcile",
        obj=run,
        summary={"rows": len(rows), "mismatches": run.mismatches, "day": day.isoformat()},
    )
    return run


def reconciliation_daily(*, day: date | None = None) -> list[ReconciliationRun]:
    """Reconcile yesterday for every provider whose statement can be fetched."""
    from .registry import payment_providers

    get_provider()  # loads the adapters
    day = day or timezone.localtime(timezone.now(), workdays.SHANGHAI).date() - timedelta(days=1)
    runs = []
    for key, _cls in payment_providers:
        try:
            text = get_provider(key).statement(day=day)
        except PaymentError:
            logger.warning("statement of %s for %s could not be fetched", key, day)
            continue
        if text is not None:
            runs.append(reconciliation_run(actor=None, provider_key=key, day=day, statement=text))
    return runs
