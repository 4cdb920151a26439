"""Gates for tests that need external services, as a pytest plugin.

Tests marked ``redis`` need a Redis server (``make test`` starts one and passes its URL in
ONESTOP_TEST_REDIS_URL); tests marked ``browser`` need Debian's Chromium; tests marked
``postgres_only`` need the PostgreSQL run.

When a service is missing the test is skipped with a loud reason on a developer machine, but
FAILS when CI=true or ONESTOP_REQUIRE_SERVICES=1, so that CI can never go green by silently
skipping the integration tests. Marked tests are tagged in the JUnit XML
(``<property name="markers">``) for .ci/run to check.

Loaded by tests/conftest.py (and, from the root conftest.py, ``pytest_plugins``), so it applies
to marked tests anywhere in the suite.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium")
SERVICE_MARKERS = ("redis", "browser", "postgres_only")


def services_required() -> bool:
    """True in CI (CI=true) or when ONESTOP_REQUIRE_SERVICES=1."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"} or os.environ.get(
        "ONESTOP_REQUIRE_SERVICES", ""
    ).lower() in {"1", "true", "yes"}


def configured_redis_url() -> str | None:
    """The Redis the integration tests may use (started by ``make test``)."""
    return os.environ.get("ONESTOP_TEST_REDIS_URL") or os.environ.get("ONESTOP_REDIS_URL") or None


@cache
def _redis_problem() -> str | None:
    url = configured_redis_url()
    if not url:
        return "no Redis configured (set ONESTOP_TEST_REDIS_URL, or run `make test`)"
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"Redis at {host}:{port} is not reachable ({exc})"


@cache
def _browser_problem() -> str | None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        return f"Playwright is not installed ({exc})"
    return None


# reason -> number of tests that could not run for it, for the summary banner
_missing: dict[str, int] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = [m for m in SERVICE_MARKERS if item.get_closest_marker(m)]
        if names:
            # Recorded as <property name="markers"> in the JUnit XML, read by .ci/run.
            item.user_properties.append(("markers", ",".join(names)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (locally) or fail (CI) a test whose service is missing."""
    if item.get_closest_marker("postgres_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: runs in the PostgreSQL run of `make test`")
    problems = []
    if item.get_closest_marker("redis") and (problem := _redis_problem()):
        problems.append(problem)
    if item.get_closest_marker("browser") and (problem := _browser_problem()):
        problems.append(problem)
    if not problems:
        return
    reason = "; ".join(problems)
    _missing[reason] = _missing.get(reason, 0) + 1
    if services_required():
        pytest.fail(
            f"SERVICE MISSING (required because CI / ONESTOP_REQUIRE_SERVICES): {reason}",
            pytrace=False,
        )
    pytest.skip(f"!!! SERVICE MISSING — NOT TESTED: {reason}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _missing:
        return
    tr = terminalreporter
    tr.write_sep("#", "SERVICES MISSING — THESE TESTS DID NOT RUN", red=True, bold=True)
    for reason, count in _missing.items():
        tr.write_line(f"###  {count} test(s): {reason}", red=True, bold=True)
    verdict = "they FAILED (CI)" if services_required() else "they were SKIPPED"
    tr.write_line(f"###  {verdict}; `make test` starts PostgreSQL, Redis and Chromium.", red=True)
    tr.write_sep("#", red=True, bold=True)
