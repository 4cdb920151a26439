"""Background jobs: a real Celery worker over Redis, and the in-process (eager) fallback."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT = 60  # seconds until the worker must have answered the first task
TASK_TIMEOUT = 30


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no worker log)"


def _database_url_for_worker() -> str | None:
    """The database the test process is connected to, as an ONESTOP_DATABASE_URL.

    On PostgreSQL this is the test database (test_onestop…), so the worker and the test see the
    same data. An in-memory SQLite test database cannot be shared with another process.
    """
    if connection.vendor != "postgresql":
        return None
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown first (SIGTERM), then kill the whole process group."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def celery_worker(
    redis_url: str, tmp_path: Path, artifacts_dir: Path, request: pytest.FixtureRequest
) -> Iterator[Worker]:
    """A real ``celery worker`` subprocess consuming a private queue on the test Redis."""
    queue = f"onestop-test-{uuid.uuid4().hex[:12]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ONESTOP_", "CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="onestop.config.settings.test",
        ONESTOP_REDIS_URL=redis_url,
        ONESTOP_VAR_DIR=str(tmp_path / "worker-var"),
        PYTHONPATH=str(ROOT / "src"),
    )
    # Copy the secrets so the worker could decrypt what the test process encrypted.
    for key in ("ONESTOP_PII_KEYS", "ONESTOP_PII_HASH_KEY", "ONESTOP_SECRET_KEY"):
        if key in os.environ:
            env[key] = os.environ[key]
    database_url = _database_url_for_worker()
    if database_url:
        env["ONESTOP_DATABASE_URL"] = database_url
    log = artifacts_dir / f"celery-worker-{request.node.name}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "onestop",
                "worker",
                "--pool=solo",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Worker(process=process, queue=queue, log=log)
    finally:
        _stop(process)


@pytest.fixture
def client_app(redis_url: str) -> Iterator[Celery]:
    """A Celery producer talking to the same Redis, as a web process in production would."""
    app = Celery("onestop-test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    try:
        yield app
    finally:
        app.close()


def _call(app: Celery, worker: Worker, timeout: float, **kwargs: object) -> dict:
    result = app.send_task("onestop.ping", kwargs=kwargs, queue=worker.queue)
    try:
        return result.get(timeout=timeout)
    except Exception as exc:
        alive = (
            "running" if worker.process.poll() is None else f"exited {worker.process.returncode}"
        )
        raise AssertionError(
            f"no answer from the Celery worker ({alive}) within {timeout}s: {exc!r}\n"
            f"--- worker log ---\n{worker.log_tail()}"
        ) from exc
    finally:
        result.forget()


@pytest.mark.redis
@pytest.mark.django_db
def test_worker_runs_task_sent_through_redis(celery_worker: Worker, client_app: Celery) -> None:
    started = time.monotonic()
    reply = _call(client_app, celery_worker, WORKER_START_TIMEOUT)
    assert reply["reply"] == "pong"
    # Executed by the worker process, not by this one.
    assert reply["pid"] == celery_worker.process.pid
    assert reply["pid"] != os.getpid()
    assert reply["vendor"] == connection.vendor
    # A second task on the warm worker is quick: the queue is really being consumed.
    second = _call(client_app, celery_worker, TASK_TIMEOUT)
    assert second["pid"] == celery_worker.process.pid
    assert time.monotonic() - started < WORKER_START_TIMEOUT + TASK_TIMEOUT


@pytest.mark.redis
@pytest.mark.postgres_only
@pytest.mark.django_db
def test_worker_uses_the_same_postgresql_database(
    celery_worker: Worker, client_app: Celery
) -> None:
    reply = _call(client_app, celery_worker, WORKER_START_TIMEOUT, check_database=True)
    assert reply["vendor"] == "postgresql"
    assert reply["database"] == connection.settings_dict["NAME"]
    assert reply["database"].startswith("test_")


def test_without_broker_tasks_run_in_process(tmp_path: Path) -> None:
    """With no ONESTOP_REDIS_URL, ``.delay()`` runs the task eagerly in the calling process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ONESTOP_", "CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="onestop.config.settings.test",
        ONESTOP_VAR_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT / "src"),
    )
    script = (
        "import json, os, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from onestop.portal.tasks import ping\n"
        "result = ping.delay()\n"
        "print(json.dumps({'eager': settings.CELERY_TASK_ALWAYS_EAGER,\n"
        "                  'broker': settings.CELERY_BROKER_URL,\n"
        "                  'result_type': type(result).__name__,\n"
        "                  'reply': result.get(timeout=5), 'pid': os.getpid()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert out["broker"] is None
    assert out["eager"] is True
    assert out["result_type"] == "EagerResult"
    assert out["reply"]["reply"] == "pong"
    assert out["reply"]["pid"] == out["pid"]
