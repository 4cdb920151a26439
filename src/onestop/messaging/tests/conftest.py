from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from onestop.messaging.defaults import templates_install
from onestop.messaging.models import MessageTemplate

from .fake_gateway import FakeGateway


@pytest.fixture
def templates(db: None) -> None:
    """The default templates (the data migration installs them; a flushed DB needs them back)."""
    templates_install(MessageTemplate)
    MessageTemplate.objects.filter(channel="sms").update(provider_template_code="SMS_100001")


@pytest.fixture
def gateway(templates: None) -> Iterator[FakeGateway]:
    with (
        FakeGateway(access_key_id="test-id", secret="test-secret") as fake,
        override_settings(
            ONESTOP_PROVIDERS={"sms": "aliyun"},
            ONESTOP_MESSAGING={
                "SMS_GATEWAY": {
                    "ENDPOINT": fake.url,
                    "ACCESS_KEY_ID": "test-id",
                    "ACCESS_KEY_SECRET": "test-secret",
                    "TIMEOUT": 2,
                },
                "RECEIPT_SECRET": "receipt-secret",
            },
        ),
    ):
        yield fake


@pytest.fixture
def world(unit_tree):  # type: ignore[no-untyped-def]
    from onestop.cases.tests.conftest import build_world

    return build_world(unit_tree)
