from datetime import timedelta

import pytest
from celery import Celery
from django.test import override_settings

from onestop.core import jobs
from onestop.core.registry import Registry, RegistryError


class Sender:
    def send(self, to: str) -> str:
        raise NotImplementedError


class Other:
    pass


def make_registry() -> Registry[Sender]:
    registry: Registry[Sender] = Registry("sms", Sender)

    @registry.register("demo")
    class DemoSender(Sender):
        def __init__(self, prefix: str = "demo") -> None:
            self.prefix = prefix

        def send(self, to: str) -> str:
            return f"{self.prefix}:{to}"

    return registry


def test_registered_provider_is_found_and_configured_by_settings() -> None:
    registry = make_registry()
    assert registry.keys() == ["demo"]
    assert "demo" in registry
    with override_settings(ONESTOP_PROVIDERS={"sms": "demo"}):
        assert registry.configured(prefix="x").send("138") == "x:138"


def test_unknown_provider_names_the_registered_ones() -> None:
    registry = make_registry()
    with (
        override_settings(ONESTOP_PROVIDERS={"sms": "acme"}),
        pytest.raises(RegistryError, match="unknown sms provider 'acme'; registered: demo"),
    ):
        registry.configured()


def test_registering_a_class_of_the_wrong_base_is_refused() -> None:
    registry = make_registry()
    with pytest.raises(RegistryError, match="is not a Sender"):
        registry.register("other")(Other)  # type: ignore[arg-type]


def test_a_key_cannot_be_taken_twice() -> None:
    registry = make_registry()

    class Second(Sender):
        pass

    with pytest.raises(RegistryError, match="already registered"):
        registry.register("demo")(Second)


def test_periodic_jobs_enter_the_beat_schedule() -> None:
    jobs.periodic_job("test.sweep", "onestop.test.sweep", every=timedelta(minutes=5))
    app = Celery("probe")
    jobs.install_beat_schedule(app)
    assert app.conf.beat_schedule["test.sweep"]["schedule"] == timedelta(minutes=5)
    assert app.conf.beat_schedule["test.sweep"]["task"] == "onestop.test.sweep"
    with pytest.raises(ValueError):
        jobs.periodic_job("bad", "x")
