"""Shared plumbing for the PostgreSQL benchmarks (bench_submit.py, bench_inbox.py).

``scripts/bench.sh`` starts a throwaway PostgreSQL (scripts/services.sh) and exports its URL as
``ONESTOP_BENCH_PG_URL``. Each benchmark creates its own database on that server (dropped first
if it exists), migrates it in a subprocess and then configures Django in its own process with
the same environment, so that the data it generates (encrypted with the PII keys, sessions signed
with the secret key) is what the server it starts reads.
"""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def server_url() -> str:
    """The PostgreSQL server URL from the environment, or exit 2 with a hint."""
    url = os.environ.get("ONESTOP_BENCH_PG_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "ONESTOP_BENCH_PG_URL (a PostgreSQL URL) is not set: run this benchmark with "
            "scripts/bench.sh, which starts a throwaway PostgreSQL.",
            file=sys.stderr,
        )
        sys.exit(2)
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def libpq_args(url: str) -> list[str]:
    """``-h``/``-p``/``-U`` arguments for the PostgreSQL client programs."""
    parts = urlsplit(url)
    return [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]


def recreate_database(url: str, name: str) -> str:
    """Drop (if present) and create database ``name`` on the server of ``url``; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(url, name)


def production_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """Environment for production settings (DEBUG off, secrets from the environment) on
    ``database_url``; the same values for this process, the migration and the server."""
    (var_dir / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT (whitenoise)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONESTOP_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "ONESTOP_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "onestop.config.settings.production",
            "ONESTOP_DATABASE_URL": database_url,
            "ONESTOP_VAR_DIR": str(var_dir),
            "ONESTOP_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "ONESTOP_SECRET_KEY": secrets.token_urlsafe(50),
            "ONESTOP_PII_KEYS": "k1:" + base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "ONESTOP_PII_HASH_KEY": secrets.token_urlsafe(50),
            "ONESTOP_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with ``env`` (call once, before importing models)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by the nearest-rank method; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float]) -> str:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return "no samples"
    return (
        f"p50 {percentile(ms, 50):7.1f} ms  p99 {percentile(ms, 99):7.1f} ms  "
        f"mean {statistics.fmean(ms):7.1f} ms  max {max(ms):7.1f} ms"
    )


def open_database(name: str, *, reuse: bool) -> bool:
    """The environment of benchmark database ``name`` (secrets in ``var/<name with dashes>``),
    set up for Django: the previous run's database and secrets when ``reuse`` and they exist
    (same data, no generation; migrations added since are applied), else a freshly created and
    migrated one. True when reused."""
    server = server_url()
    var_dir = ROOT / "var" / name.replace("_", "-")
    saved = var_dir / "env.json"
    reused = reuse and saved.exists()
    if reused:
        env = json.loads(saved.read_text())
        migrate(env)
    else:
        env = production_env(recreate_database(server, name), var_dir)
        migrate(env)
        saved.write_text(json.dumps(env))
        saved.chmod(0o600)
    setup_django(env)
    return reused
