"""Fixtures for the cross-cutting tests; loads the service gate (tests/service_gate.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GATE = "tests.service_gate"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(GATE):
        config.pluginmanager.import_plugin(GATE)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the test Redis; the ``redis`` marker has already checked that it answers."""
    from tests.service_gate import configured_redis_url

    url = configured_redis_url()
    assert url, "redis-marked tests only run with a Redis URL"
    return url


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """var/test-artifacts (screenshots, worker logs): kept after the run for humans to look at."""
    root = Path(__file__).resolve().parents[1]
    path = Path(os.environ.get("ONESTOP_TEST_ARTIFACTS", root / "var" / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
