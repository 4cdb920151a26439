"""The payment provider interface. A provider turns an order into a place where the payer
pays, verifies the gateway's asynchronous notifications, answers order queries and refunds.

Providers are looked up in ``payment_providers`` (``registry.py``) by key; their options come
from ``settings.ONESTOP_PAYMENTS[<key>]``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .models import PaymentOrder, Refund


@dataclass(frozen=True)
class PayStart:
    """Where the payer goes: a URL to redirect to, or a QR payload to show (WeChat native)."""

    redirect_url: str = ""
    qr_payload: str = ""


@dataclass(frozen=True)
class Notice:
    """A verified notification. ``kind`` is "payment" or "refund"; amounts in fen."""

    kind: str
    order_number: str
    external_id: str
    amount_fen: int
    currency: str = "CNY"
    at: datetime | None = None
    refund_number: str = ""


@dataclass(frozen=True)
class QueryResult:
    """What the provider says about an order: ``status`` is "paid", "unpaid" or "closed"."""

    status: str
    external_id: str = ""
    amount_fen: int = 0
    at: datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    """``status`` is "succeeded", "pending" or "failed"."""

    status: str
    provider_refund_id: str = ""


@dataclass(frozen=True)
class Reply:
    """The HTTP answer a gateway expects to a notification."""

    status: int
    body: str
    content_type: str = "text/plain"


class PaymentProvider(ABC):
    registry_key: ClassVar[str]
    label: ClassVar[Any]

    def __init__(self, **options: Any) -> None:
        self.options = options

    @abstractmethod
    def start(self, *, order: PaymentOrder, notify_url: str, return_url: str) -> PayStart: ...

    @abstractmethod
    def verify_notice(self, *, headers: Mapping[str, str], body: bytes) -> list[Notice]:
        """Verify and parse one notification; raise ``InvalidNotice`` if anything is off."""

    @abstractmethod
    def reply(self, *, ok: bool, message: str = "") -> Reply: ...

    @abstractmethod
    def query(self, *, order: PaymentOrder) -> QueryResult: ...

    @abstractmethod
    def refund(self, *, order: PaymentOrder, refund: Refund, notify_url: str) -> RefundResult: ...

    def statement(self, *, day: Any) -> str | None:
        """The provider's statement file for ``day`` as CSV text, if it can be fetched."""
        return None
