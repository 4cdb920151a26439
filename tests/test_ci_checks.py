"""The CI gate: a run in which the Redis tests were skipped must not pass .ci/run's check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _summary(xml: Path, *require: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/junit_summary.py", str(xml), "--require", *require],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_skipped_redis_tests_fail_the_ci_check(tmp_path: Path) -> None:
    xml = tmp_path / "run.xml"
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "ONESTOP_REQUIRE_SERVICES"}}
    env.pop("ONESTOP_TEST_REDIS_URL", None)
    env.pop("ONESTOP_REDIS_URL", None)
    env["ONESTOP_VAR_DIR"] = str(tmp_path / "var")
    # A real pytest run of a Redis test with no Redis: skipped (locally), recorded in JUnit XML.
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/test_platform.py::test_readyz_checks_redis_when_configured",
            f"--junitxml={xml}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SERVICE MISSING" in run.stdout

    checked = _summary(xml, "redis")
    assert checked.returncode == 1, checked.stdout
    assert (
        "SKIPPED  tests.test_platform::test_readyz_checks_redis_when_configured" in checked.stdout
    )
    assert "the redis-marked tests did not all run and pass" in checked.stdout

    # A run without any browser test at all fails a check that requires them.
    assert _summary(xml, "browser").returncode == 1


def test_missing_results_file_fails_the_ci_check(tmp_path: Path) -> None:
    checked = _summary(tmp_path / "postgres.xml", "redis")
    assert checked.returncode == 1
    assert "did not happen" in checked.stdout
