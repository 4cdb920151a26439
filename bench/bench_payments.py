"""Benchmark: exactly-once crediting of payment notifications under concurrency, PostgreSQL.

Run with ``scripts/bench.sh bench/bench_payments.py`` (or directly with ONESTOP_BENCH_PG_URL set
to a PostgreSQL server URL; a database ``onestop_bench_payments`` is created on it, dropped
first if present).

It generates NOTICES (default 10,000) demo-gateway notifications for orders that are waiting
for their payment: 70% distinct valid payments, 25% duplicates of those (the same notification
delivered again, as a gateway retries), 5% forged (signed with a wrong key, or with the amount
changed after signing), shuffled, and 4 worker processes deliver them: each signs a notification
as the gateway does when it sends it (so that no timestamp goes stale on a slow machine) and
hands it to ``payments.services.payment_notice_receive``, the entry point of the HTTP notify
endpoint: signature and timestamp check, row lock on the order, the ledger's unique
transaction id, audit event and notice log, all on PostgreSQL.

Yardstick, same run, same workers, same order of rows: the bare minimum any correct crediting
needs, one transaction per notification that locks the order row (``SELECT ... FOR UPDATE``)
and updates it. Reported: throughput of both and their ratio.

Checks (exit 1 if any fails): every valid payment credited exactly once (ledger rows = distinct
valid payments, credited total = their total), every forgery rejected, every duplicate
acknowledged without effect; and ratio >= TARGET_RATIO.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import queue
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import _pg  # noqa: E402

WORKERS = 4
TARGET_RATIO = 0.2
DB_NAME = "onestop_bench_payments"


def _worker(
    env: dict[str, str], path: str, mode: str, ready: object, go: object, out: object
) -> None:
    _pg.setup_django(env)
    from django.db import connection, transaction
    from django.utils import timezone

    from onestop.payments.contrib import demo
    from onestop.payments.models import PaymentOrder
    from onestop.payments.services import payment_notice_receive

    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    connection.ensure_connection()
    ready.put(os.getpid())  # type: ignore[attr-defined]
    go.wait()  # type: ignore[attr-defined]
    start = time.perf_counter()
    statuses: dict[int, int] = {}
    for row in rows:
        if mode == "full":
            # the gateway signs each delivery as it sends it (a retry carries a fresh timestamp)
            secret = b"stolen-or-guessed" if row["forgery"] == "key" else None
            headers, body = demo.signed_notice(row["payload"], secret=secret)
            if row["forgery"] == "tamper":
                body = body.replace(b'"amount_fen": ', b'"amount_fen": 1', 1)
            reply = payment_notice_receive(provider_key="demo", headers=headers, body=body)
            statuses[reply.status] = statuses.get(reply.status, 0) + 1
        else:
            with transaction.atomic():
                order = PaymentOrder.objects.select_for_update().get(number=row["order"])
                PaymentOrder.objects.filter(pk=order.pk).update(queried_at=timezone.now())
    out.put((time.perf_counter() - start, statuses))  # type: ignore[attr-defined]
    connection.close()


def run_workers(env: dict[str, str], chunks: list[str], mode: str) -> tuple[float, dict[int, int]]:
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_worker, args=(env, path, mode, ready, go, out)) for path in chunks]
    for p in procs:
        p.start()
    waiting = len(procs)
    while waiting:
        try:
            ready.get(timeout=1)
            waiting -= 1
        except queue.Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                for p in procs:
                    p.kill()
                raise SystemExit(
                    f"a worker failed to start (exit code {dead[0].exitcode})"
                ) from None
    start = time.perf_counter()
    go.set()
    statuses: dict[int, int] = {}
    for _ in procs:
        _elapsed, got = out.get(timeout=1800)
        for k, v in got.items():
            statuses[k] = statuses.get(k, 0) + v
    wall = time.perf_counter() - start
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"worker failed with exit code {p.exitcode}")
    return wall, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    server = _pg.server_url()
    db_url = _pg.recreate_database(server, DB_NAME)
    var_dir = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    env = _pg.production_env(db_url, var_dir)
    _pg.migrate(env)
    _pg.setup_django(env)

    from django.db import connection
    from django.db.models import Count, Sum
    from django.utils import timezone

    from onestop.accounts.services import unit_create
    from onestop.payments.choices import NoticeVerdict, OrderState
    from onestop.payments.contrib import demo
    from onestop.payments.models import LedgerEntry, PaymentNotice, PaymentOrder

    rng = random.Random(args.seed)
    total = args.notices
    forged_n = total * 5 // 100
    dup_n = total * 25 // 100
    valid_n = total - forged_n - dup_n

    unit = unit_create(
        actor=None,
        code="BENCH",
        name="基准测试单位",
        kind="bureau",
        region_code="120000",
        parent=None,
    )
    now = timezone.now()
    orders = [
        PaymentOrder(
            number=f"POBENCH{i:08d}",
            purpose="service",
            reference=f"B{i}",
            description="刻章",
            unit=unit,
            amount_fen=rng.randint(100, 50_000),
            state=OrderState.PAYING,
            provider="demo",
            expires_at=now + timezone.timedelta(hours=2),
        )
        for i in range(valid_n)
    ]
    PaymentOrder.objects.bulk_create(orders, batch_size=2000)
    expected_total = sum(o.amount_fen for o in orders)

    def payload(o: PaymentOrder, **over: object) -> dict[str, object]:
        return {
            "kind": "payment",
            "merchant_id": demo.MERCHANT_ID,
            "order_number": o.number,
            "txn_id": f"DPB{o.number}",
            "amount_fen": o.amount_fen,
            "currency": "CNY",
            "at": now.isoformat(),
            **over,
        }

    # the yardstick's rows: the same distribution of order numbers (valid, duplicate, forged)
    picks = [o.number for o in orders] + [
        rng.choice(orders).number for _ in range(dup_n + forged_n)
    ]
    rng.shuffle(picks)
    yard_dir = Path(tempfile.mkdtemp(prefix="bench-payments-yard-"))
    yard_chunks = []
    for w in range(WORKERS):
        path = yard_dir / f"w{w}.jsonl"
        path.write_text("\n".join(json.dumps({"order": n}) for n in picks[w::WORKERS]))
        yard_chunks.append(str(path))
    connection.close()
    yard_wall, _ = run_workers(env, yard_chunks, "yardstick")

    t_gen = time.perf_counter()
    valid = [{"order": o.number, "payload": payload(o), "forgery": ""} for o in orders]
    rows = list(valid)
    rows += [dict(rng.choice(valid)) for _ in range(dup_n)]
    for i in range(forged_n):
        o = rng.choice(orders)
        if i % 2:  # signed with a key that is not the gateway's
            rows.append({"order": o.number, "payload": payload(o), "forgery": "key"})
        else:  # signed by the gateway, amount changed afterwards
            rows.append(
                {"order": o.number, "payload": payload(o, txn_id=f"FORGED{i}"), "forgery": "tamper"}
            )
    rng.shuffle(rows)
    chunk_dir = Path(tempfile.mkdtemp(prefix="bench-payments-chunks-"))
    chunks = []
    for w in range(WORKERS):
        path = chunk_dir / f"w{w}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows[w::WORKERS]))
        chunks.append(str(path))
    gen_s = time.perf_counter() - t_gen

    full_wall, statuses = run_workers(env, chunks, "full")

    ledger = LedgerEntry.objects.aggregate(n=Count("pk"), s=Sum("amount_fen"))
    verdicts = dict(PaymentNotice.objects.values_list("verdict").annotate(n=Count("pk")))
    paid = PaymentOrder.objects.filter(state=OrderState.PAID).count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    full_rate = total / full_wall
    yard_rate = total / yard_wall
    ratio = full_rate / yard_rate
    print(
        f"machine: {platform.machine()} nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, PostgreSQL {pg_version}"
    )
    print(
        f"notifications: {total} ({valid_n} distinct valid, {dup_n} duplicates, "
        f"{forged_n} forged), shuffled, {WORKERS} worker processes; generated in {gen_s:.1f} s"
    )
    print(f"yardstick (lock + update per notification): {yard_rate:8.0f} /s  ({yard_wall:.1f} s)")
    print(f"payment_notice_receive:                    {full_rate:8.0f} /s  ({full_wall:.1f} s)")
    print(f"ratio {ratio:.2f} (target >= {TARGET_RATIO})")
    print(f"HTTP answers: {statuses}; verdicts: {verdicts}")
    print(
        f"ledger rows {ledger['n']} (expected {valid_n}), credited total {ledger['s']} fen "
        f"(expected {expected_total}); paid orders {paid}"
    )

    ok = True
    checks = {
        "exactly once (rows)": ledger["n"] == valid_n,
        "exactly once (total)": ledger["s"] == expected_total,
        "every order paid": paid == valid_n,
        "every forgery rejected": verdicts.get(NoticeVerdict.REJECTED, 0) == forged_n,
        "every duplicate acknowledged": verdicts.get(NoticeVerdict.DUPLICATE, 0) == dup_n,
        "answers": statuses.get(200, 0) == valid_n + dup_n and statuses.get(400, 0) == forged_n,
        "ratio": ratio >= TARGET_RATIO,
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
        ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
