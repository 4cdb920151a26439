"""The courier interface: create a waybill, verify the courier's signed tracking pushes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings

from onestop.core.registry import Registry

if TYPE_CHECKING:
    from .models import Shipment


@dataclass(frozen=True)
class Tracking:
    waybill_no: str
    external_id: str
    code: str  # TrackingCode
    at: datetime
    description: str
    location: str = ""
    signed_by: str = ""


@dataclass(frozen=True)
class PushReply:
    status: int
    body: str
    content_type: str = "application/json"


class CourierProvider(ABC):
    registry_key: ClassVar[str]
    label: ClassVar[Any]

    def __init__(self, **options: Any) -> None:
        self.options = options

    @abstractmethod
    def create_waybill(self, *, shipment: Shipment, sender: Mapping[str, str]) -> str:
        """Book the pickup; return the waybill number."""

    @abstractmethod
    def verify_push(self, *, headers: Mapping[str, str], body: bytes) -> list[Tracking]:
        """Verify a tracking push; raise ``InvalidPush`` if its signature or content is off."""

    @abstractmethod
    def reply(self, *, ok: bool, message: str = "") -> PushReply: ...


courier_providers: Registry[CourierProvider] = Registry(
    "courier",
    CourierProvider,  # type: ignore[type-abstract]
)


def get_courier(key: str | None = None) -> CourierProvider:
    from .contrib import demo, ems  # noqa: F401  (register the adapters)

    key = key or courier_providers.configured_key()
    options = getattr(settings, "ONESTOP_DELIVERY", {}).get(key, {})
    return courier_providers.get(key, **options)
