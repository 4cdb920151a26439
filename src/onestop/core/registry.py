"""One small typed plugin registry for swappable providers.

Payments, SMS, couriers, signers and identity checks each create a ``Registry`` of their own base
class, register a demo provider that needs no network, and real vendor adapters beside it::

    sms_providers: Registry[SmsProvider] = Registry("sms", SmsProvider)

    @sms_providers.register("demo")
    class DemoSms(SmsProvider): ...

    provider = sms_providers.configured()   # the key in settings.ONESTOP_PROVIDERS["sms"]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class RegistryError(ImproperlyConfigured):
    pass


class Registry(Generic[T]):
    def __init__(self, module: str, base: type[T]) -> None:
        self.module = module
        self.base = base
        self._providers: dict[str, type[T]] = {}

    def register(self, key: str) -> Callable[[type[T]], type[T]]:
        def decorator(cls: type[T]) -> type[T]:
            if not issubclass(cls, self.base):
                raise RegistryError(
                    f"{cls.__name__} is not a {self.base.__name__} ({self.module} registry)"
                )
            if key in self._providers and self._providers[key] is not cls:
                raise RegistryError(f"{self.module} provider {key!r} is already registered")
            self._providers[key] = cls
            cls.registry_key = key  # type: ignore[attr-defined]
            return cls

        return decorator

    def keys(self) -> list[str]:
        return sorted(self._providers)

    def __contains__(self, key: object) -> bool:
        return key in self._providers

    def __iter__(self) -> Iterator[tuple[str, type[T]]]:
        return iter(sorted(self._providers.items()))

    def get_class(self, key: str) -> type[T]:
        try:
            return self._providers[key]
        except KeyError:
            known = ", ".join(self.keys()) or "none"
            raise RegistryError(
                f"unknown {self.module} provider {key!r}; registered: {known}"
            ) from None

    def get(self, key: str, **options: Any) -> T:
        return self.get_class(key)(**options)

    def configured_key(self) -> str:
        providers: dict[str, str] = getattr(settings, "ONESTOP_PROVIDERS", {})
        return providers.get(self.module, "demo")

    def configured(self, **options: Any) -> T:
        return self.get(self.configured_key(), **options)
