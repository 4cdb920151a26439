"""Benchmark: the daily expiry-reminder sweep on PostgreSQL at provincial scale.

Run with ``scripts/bench.sh bench/bench_reminders.py`` (a throwaway PostgreSQL is started; or set
``ONESTOP_BENCH_PG_URL`` to a server of your own: the benchmark creates and DROPS its databases
``bench_reminders_<N>`` on it). ``--reuse`` keeps the databases (and secrets) of the previous run
when their register still has the right size, so the slow generation runs once; migrations are
applied to a kept database first, so a new index is built on it.

Each size (SMALL, default 1,000,000 documents, and LARGE, default 10,000,000) lives in its own
database, generated with ``generate_series`` (documents of the six types, an encrypted holder
mobile, expiries 200..1,199 days ahead) with DUE documents (default 100,000) due today (30 days
to expiry, a threshold of every type) scattered evenly over the whole table. Each size is measured
in a child process of its own (so its peak RSS is the sweep's, not the generator's), in the same
run:

* the yardstick: a raw SQL scan of exactly the due rows (``SELECT ... WHERE doc_type = ANY(...)
  AND expires_on = today + 30``, every row fetched by the client);
* ``reminders_sweep``: every due row scanned, its threshold recorded once and its outbox message
  written (both in one statement per batch);
* the same sweep run again (it must enqueue nothing: the once-only guard at scale).

Targets (exit 1 if missed): >= 50,000 due records/s scanned and enqueued at LARGE; peak RSS
<= 300 MB; sweep time at LARGE <= 1.3 x sweep time at SMALL (the same number due).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pg

TARGET_RATE = 50_000
TARGET_RSS_MB = 300
TARGET_GROWTH = 1.3
TYPES = [
    "id_card",
    "driving_licence",
    "vehicle_licence",
    "annual_inspection",
    "residence_permit",
    "exit_entry",
]


# --- the child: one database, one size --------------------------------------------------------


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def execute(sql: str, params: list[object] | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def secondary_indexes(table: str) -> list[tuple[str, str, str | None, str | None]]:
    """(index name, CREATE INDEX text, constraint name, constraint text) of the table's indexes
    other than the primary key, so a bulk load can drop and rebuild whatever the migrations made."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid), con.conname, pg_get_constraintdef(con.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            LEFT JOIN pg_constraint con
                ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname""",
            [table],
        )
        return list(cursor.fetchall())


def generate(total: int, *, stride: int, today: object, token: str) -> None:
    """Rows 1..total; a row is due today when id % stride == 0 (it expires in 30 days), else it
    expires 200..1199 days ahead (no threshold today)."""
    from onestop.messaging.models import Message, RegisterDocument

    doc = RegisterDocument._meta.db_table
    types = "ARRAY[" + ",".join(f"'{t}'" for t in TYPES) + "]"
    execute(f"TRUNCATE {doc} CASCADE")
    execute(f"TRUNCATE {Message._meta.db_table} CASCADE")
    # Bulk load without the secondary indexes, then build them (as a real import would).
    indexes = secondary_indexes(doc)
    for name, _definition, constraint, _text in indexes:
        if constraint:
            execute(f'ALTER TABLE {doc} DROP CONSTRAINT "{constraint}"')
        else:
            execute(f'DROP INDEX "{name}"')
    step = 1_000_000
    for start in range(1, total + 1, step):
        end = min(total, start + step - 1)
        execute(
            f"""INSERT INTO {doc} (id, doc_type, number_hash, number_masked, holder_name,
                holder_mobile, holder_mobile_hash, holder_mobile_masked, language, expires_on,
                source, updated_at)
            SELECT i, ({types})[1 + i %% 6], md5(i::text) || md5('n' || i::text),
                'SYN*' || lpad((i %% 10000)::text, 4, '0'), '王伟', %s,
                md5('m' || i::text) || md5('h' || i::text),
                '139****' || lpad((i %% 10000)::text, 4, '0'),
                'zh-hans',
                CASE WHEN i %% %s = 0 THEN %s::date + 30
                     ELSE %s::date + 200 + ((i * 7919) %% 1000)::int END,
                'bench', now()
            FROM generate_series(%s::bigint, %s::bigint) AS i""",  # noqa: S608 - table names from the models
            [token, stride, today, today, start, end],
        )
        print(f"    generated rows up to {end:,}", file=sys.stderr, flush=True)
    execute(f"SELECT setval(pg_get_serial_sequence('{doc}', 'id'), %s)", [total])
    for name, definition, constraint, text in indexes:
        if constraint:
            execute(f'ALTER TABLE {doc} ADD CONSTRAINT "{constraint}" {text}')
        else:
            execute(definition)
        print(f"    built {name}", file=sys.stderr, flush=True)


def reset(*, stride: int, total: int, today: object) -> None:
    """Forget earlier sweeps; make exactly the rows with id % stride == 0 due today."""
    from onestop.messaging.models import Message, RegisterDocument, ReminderSent, ReminderSweepRun

    doc = RegisterDocument._meta.db_table
    execute(f"TRUNCATE {ReminderSent._meta.db_table}")
    execute(f"DELETE FROM {Message._meta.db_table} WHERE kind = 'reminder'")  # noqa: S608 - table names from the models
    execute(f"TRUNCATE {ReminderSweepRun._meta.db_table}")
    execute(
        f"UPDATE {doc} SET expires_on = %s::date + 200 + ((id * 7919) %% 1000)::int "  # noqa: S608
        f"WHERE expires_on < %s::date + 200 AND id %% %s <> 0",
        [today, today, stride],
    )
    execute(
        f"UPDATE {doc} SET expires_on = %s::date + 30 "  # noqa: S608 - table names from the models
        f"WHERE id %% %s = 0 AND id <= %s AND expires_on <> %s::date + 30",
        [today, stride, total, today],
    )
    for model in (RegisterDocument, ReminderSent, Message):
        execute(f"VACUUM ANALYZE {model._meta.db_table}")
    execute("CHECKPOINT")


def raw_scan(today: object) -> tuple[int, float]:
    from django.db import connection

    from onestop.messaging.models import RegisterDocument

    doc = RegisterDocument._meta.db_table
    start = time.perf_counter()
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT id, doc_type, expires_on, holder_name, number_masked, holder_mobile_hash,
                holder_mobile_masked, language FROM {doc}
            WHERE doc_type = ANY(%s) AND expires_on = %s::date + 30""",  # noqa: S608 - table names from the models
            [TYPES, today],
        )
        while batch := cursor.fetchmany(5000):
            rows += len(batch)
    return rows, time.perf_counter() - start


def child(total: int, due: int) -> dict[str, Any]:
    from django.db import connection

    from onestop.messaging.defaults import templates_install
    from onestop.messaging.models import MessageTemplate, RegisterDocument
    from onestop.messaging.reminders import reminders_sweep

    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(tz).replace(hour=10, minute=0, second=0, microsecond=0)
    today = now.date()
    stride = total // due
    templates_install(MessageTemplate)
    existing = RegisterDocument.objects.count()
    generated = existing != total
    if generated:
        print(f"  generating {total:,} documents (was {existing:,})", file=sys.stderr, flush=True)
        field = RegisterDocument._meta.get_field("holder_mobile")
        token = field.encrypt_value("13900000000")  # type: ignore[attr-defined]
        generate(total, stride=stride, today=today, token=token)
    reset(stride=stride, total=total, today=today)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]  # type: ignore[index]
    rows, raw_seconds = raw_scan(today)
    assert rows == due, (rows, due)
    start = time.perf_counter()
    result = reminders_sweep(today=today, now=now)
    seconds = time.perf_counter() - start
    assert result.scanned == due and result.enqueued == due, result
    start = time.perf_counter()
    again = reminders_sweep(today=today, now=now)
    again_seconds = time.perf_counter() - start
    assert again.scanned == due and again.enqueued == 0, again
    return {
        "total": total,
        "due": due,
        "seconds": seconds,
        "raw_seconds": raw_seconds,
        "again_seconds": again_seconds,
        "batches": result.batches,
        "rss_mb": rss_mb(),
        "generated": generated,
        "pg": version,
    }


# --- the parent: databases, children, the verdict ---------------------------------------------


def database_exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the previous run's databases (no generation)"
    )
    parser.add_argument(
        "--only", choices=["small", "large"], help="measure one size only (no growth figure)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        _pg.setup_django(dict(os.environ))
        print(json.dumps(child(args.child, args.due)), flush=True)
        return 0

    server = _pg.server_url()
    var_dir = _pg.ROOT / "var" / "bench-reminders"
    saved = var_dir / "env.json"
    reuse = args.reuse and saved.exists()
    base = (
        json.loads(saved.read_text())
        if reuse
        else _pg.production_env(_pg.with_database(server, "postgres"), var_dir)
    )
    saved.write_text(json.dumps(base))
    saved.chmod(0o600)
    print(
        f"bench_reminders  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  python "
        f"{platform.python_version()}  nproc {os.cpu_count()}  load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    sizes = [("small", args.small), ("large", args.large)]
    results: dict[str, dict[str, Any]] = {}
    for label, total in sizes:
        if args.only and label != args.only:
            continue
        name = f"bench_reminders_{total}"
        if reuse and database_exists(server, name):
            url = _pg.with_database(server, name)
        else:
            url = _pg.recreate_database(server, name)
        env = {**base, "ONESTOP_DATABASE_URL": url}
        _pg.migrate(env)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(total), "--due", str(args.due)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        r = results[label] = json.loads(out.strip().splitlines()[-1])
        print(
            f"  {label:<6} {total:>12,} documents  {r['due']:>9,} due   "
            f"sweep {r['seconds']:7.2f} s "
            f"{r['due'] / r['seconds']:>9,.0f} due/s   raw scan {r['raw_seconds']:6.2f} s "
            f"{r['due'] / r['raw_seconds']:>10,.0f} rows/s   sweep/raw "
            f"{r['seconds'] / r['raw_seconds']:5.1f}x   re-run {r['again_seconds']:5.2f} s "
            f"(0 enqueued)   peak RSS {r['rss_mb']:.0f} MB   PostgreSQL {r['pg']}"
            f"{'   (generated)' if r['generated'] else ''}   load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    peak = max(r["rss_mb"] for r in results.values())
    ok = peak <= TARGET_RSS_MB
    line = f"  peak RSS {peak:.0f} MB (target <= {TARGET_RSS_MB})"
    if "large" in results:
        rate = args.due / results["large"]["seconds"]
        ok = ok and rate >= TARGET_RATE
        line += f"   due records/s at {args.large:,}: {rate:,.0f} (target >= {TARGET_RATE:,})"
    if "small" in results and "large" in results:
        growth = results["large"]["seconds"] / results["small"]["seconds"]
        ok = ok and growth <= TARGET_GROWTH
        line += f"   growth {args.small:,} -> {args.large:,}: {growth:.2f}x"
        line += f" (target <= {TARGET_GROWTH})"
    else:
        ok = False
        line += "   (one size only: no growth figure)"
    print(line)
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
