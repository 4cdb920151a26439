"""Benchmark: the daily expiry-reminder sweep on PostgreSQL at provincial scale.

Run with ``ONESTOP_BENCH_DATABASE_URL=postgres://... scripts/bench.sh bench/bench_reminders.py``
(the register tables of that database are EMPTIED: use a throwaway benchmark database). On
SQLite it prints a notice and exits 0 (the sweep's set-based path is PostgreSQL's).

It generates the register with ``generate_series`` (documents of the six types, an encrypted
holder mobile, spread expiry dates), with DUE documents (default 100,000) due today scattered
evenly over the whole table, and measures in the same run:

* the yardstick: a raw SQL scan of exactly the due rows (``SELECT ... WHERE doc_type = ANY(...)
  AND expires_on = today + 30``, every row fetched by the client);
* ``reminders_sweep``: scanning the due rows in batches, writing one threshold row and one
  outbox message per document and moving each document to its next threshold.

first at SMALL total documents (default 1,000,000), then at LARGE (default 10,000,000) with the
same number due. Targets (exit 1 if missed): >= 50,000 due records/s scanned and enqueued; peak
RSS <= 300 MB; sweep time at LARGE <= 1.3 x sweep time at SMALL.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings.test")
os.environ.setdefault("ONESTOP_VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from onestop.messaging.defaults import templates_install  # noqa: E402
from onestop.messaging.models import (  # noqa: E402
    Message,
    MessageTemplate,
    RegisterDocument,
    ReminderSent,
    ReminderSweepRun,
)
from onestop.messaging.reminders import reminders_sweep  # noqa: E402

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


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def execute(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def generate(first: int, last: int, *, stride: int, today: object, token: str) -> None:
    """Rows first..last; a row is due today when id % stride == 0 (it expires in 30 days, a
    threshold of every type), else it expires 200..1199 days ahead (no threshold today)."""
    doc = RegisterDocument._meta.db_table
    types = "ARRAY[" + ",".join(f"'{t}'" for t in TYPES) + "]"
    step = 1_000_000
    # Bulk load without the secondary indexes, then build them (as a real import would).
    execute(f"ALTER TABLE {doc} DROP CONSTRAINT IF EXISTS unique_register_document")
    execute("DROP INDEX IF EXISTS regdoc_due_idx")
    for start in range(first, last + 1, step):
        end = min(last, start + step - 1)
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
        print(f"    generated rows up to {end:,}", flush=True)
    execute(f"SELECT setval(pg_get_serial_sequence('{doc}', 'id'), %s)", [last])
    execute(f"CREATE INDEX regdoc_due_idx ON {doc} (doc_type, expires_on, id)")
    execute(
        f"ALTER TABLE {doc} ADD CONSTRAINT unique_register_document UNIQUE (doc_type, number_hash)"
    )
    print("    indexes built", flush=True)


def reset(*, stride: int, total: int, today: object) -> None:
    """Forget earlier sweeps; make exactly the rows with id % stride == 0 due today."""
    doc = RegisterDocument._meta.db_table
    execute(f"TRUNCATE {ReminderSent._meta.db_table}")
    execute(f"DELETE FROM {Message._meta.db_table} WHERE kind = 'reminder'")  # noqa: S608 - table names from the models
    execute(f"TRUNCATE {ReminderSweepRun._meta.db_table}")
    execute(
        f"UPDATE {doc} SET expires_on = %s::date + 200 + ((id * 7919) %% 1000)::int "  # noqa: S608
        f"WHERE expires_on < %s::date + 200",
        [today, today],
    )
    execute(
        f"UPDATE {doc} SET expires_on = %s::date + 30 WHERE id %% %s = 0 AND id <= %s",  # noqa: S608 - table names from the models
        [today, stride, total],
    )
    execute(f"VACUUM ANALYZE {doc}")
    execute(f"VACUUM ANALYZE {Message._meta.db_table}")


def raw_scan(today: object) -> tuple[int, float]:
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


def measure(label: str, total: int, due: int, today: object, now: datetime) -> float:
    rows, raw_seconds = raw_scan(today)
    assert rows == due, (rows, due)
    start = time.perf_counter()
    result = reminders_sweep(today=today, now=now)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    assert result.scanned == due and result.enqueued == due, result
    print(
        f"  {label:<6} {total:>12,} documents  {due:>9,} due   sweep {seconds:7.2f} s "
        f"{due / seconds:>10,.0f} due/s   raw scan {raw_seconds:6.2f} s "
        f"{due / raw_seconds:>10,.0f} rows/s   sweep/raw {seconds / raw_seconds:5.1f}x   "
        f"peak RSS {rss_mb():.0f} MB",
        flush=True,
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse rows generated earlier")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench_reminders: needs PostgreSQL (set ONESTOP_BENCH_DATABASE_URL); skipped")
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]  # type: ignore[index]
    print(
        f"bench_reminders  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  python "
        f"{platform.python_version()}  nproc {os.cpu_count()}  PostgreSQL {version}"
    )
    templates_install(MessageTemplate)
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(tz).replace(hour=10, minute=0, second=0, microsecond=0)
    today = now.date()
    token = RegisterDocument._meta.get_field("holder_mobile").encrypt_value("13900000000")  # type: ignore[attr-defined]
    doc = RegisterDocument._meta.db_table

    existing = RegisterDocument.objects.count()
    if not args.keep or existing not in (args.small, args.large):
        print(f"  emptying the register ({existing:,} rows) and generating {args.small:,}")
        execute(f"TRUNCATE {doc} CASCADE")
        execute(f"DELETE FROM {Message._meta.db_table} WHERE kind = 'reminder'")  # noqa: S608 - table names from the models
        generate(1, args.small, stride=args.small // args.due, today=today, token=token)
        existing = args.small
    timings = {}
    if existing == args.small:
        reset(stride=args.small // args.due, total=args.small, today=today)
        timings["small"] = measure("small", args.small, args.due, today, now)
        print(f"  generating rows {args.small + 1:,}..{args.large:,}")
        generate(args.small + 1, args.large, stride=10**12, today=today, token=token)
    # Same number due, now scattered over the whole (larger) table.
    reset(stride=args.large // args.due, total=args.large, today=today)
    timings["large"] = measure("large", args.large, args.due, today, now)
    if "small" not in timings:
        print("  (rows kept from an earlier run at LARGE size: no growth figure)")
        return 0

    rate = args.due / timings["large"]
    growth = timings["large"] / timings["small"]
    peak = rss_mb()
    print(
        f"  due records/s at {args.large:,}: {rate:,.0f} (target >= {TARGET_RATE:,})   "
        f"growth {args.small:,} -> {args.large:,}: {growth:.2f}x (target <= {TARGET_GROWTH})   "
        f"peak RSS {peak:.0f} MB (target <= {TARGET_RSS_MB})"
    )
    ok = rate >= TARGET_RATE and growth <= TARGET_GROWTH and peak <= TARGET_RSS_MB
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
