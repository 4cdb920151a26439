"""The payment provider registry (``settings.ONESTOP_PROVIDERS["payment"]``, default "demo")."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from onestop.core.registry import Registry

from .base import PaymentProvider

payment_providers: Registry[PaymentProvider] = Registry(
    "payment",
    PaymentProvider,  # type: ignore[type-abstract]
)


def provider_options(key: str) -> dict[str, Any]:
    options: dict[str, Any] = getattr(settings, "ONESTOP_PAYMENTS", {}).get(key, {})
    return dict(options)


def get_provider(key: str | None = None) -> PaymentProvider:
    """The provider ``key`` (default: the configured one) with its options from settings."""
    _load_contrib()
    key = key or payment_providers.configured_key()
    return payment_providers.get(key, **provider_options(key))


def _load_contrib() -> None:
    from .contrib import alipay, demo, wechatpay  # noqa: F401
