"""Benchmark: the working-day index against a day-by-day chinese_calendar loop.

Run with ``make bench`` (or ``scripts/bench.sh bench/bench_workdays.py``). It generates its own
inputs — random start dates in 2010–2026 (up to 30 November 2026, so that 20 working days stay
within the years the library covers) — and times:

* ``onestop.core.workdays.add_working_days(start, 20)``, the public function with its cache
  check, 1,000,000 calls;
* the yardstick: stepping one day at a time and calling ``chinese_calendar.is_workday`` on each
  day until 20 working days have passed, on the first inputs (fewer calls; rates compared).

Both must give the same dates. Acceptance: the index is at least 20× faster. Exits 1 if not.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings.test")
os.environ.setdefault("ONESTOP_VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

import chinese_calendar  # noqa: E402

from onestop.core import workdays  # noqa: E402

SPAN = 20
ACCEPTANCE_RATIO = 20.0
ONE_DAY = timedelta(days=1)


def make_inputs(count: int, seed: int) -> list[date]:
    rng = random.Random(seed)
    first, last = date(2010, 1, 1).toordinal(), date(2026, 11, 30).toordinal()
    return [date.fromordinal(rng.randint(first, last)) for _ in range(count)]


def naive_add(day: date, n: int) -> date:
    """The yardstick: walk day by day asking the library about each day."""
    while n:
        day += ONE_DAY
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


def timed(label: str, calls: int, run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    rate = calls / elapsed
    print(f"  {label:<52} {calls:>9,} calls {elapsed:8.3f} s {rate:>14,.0f} /s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1_000_000, help="index calls (default 1e6)")
    parser.add_argument("--naive-ops", type=int, default=5_000, help="yardstick calls")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    print(
        f"bench_workdays  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        f"  python {platform.python_version()}  nproc {os.cpu_count()}"
        f"  chinese_calendar {chinese_calendar.__version__}"
    )
    distinct = min(args.ops, 100_000)
    inputs = make_inputs(distinct, args.seed)
    repeats, rest = divmod(args.ops, distinct)

    build_start = time.perf_counter()
    workdays.calendar_invalidate()
    workdays.calendar()  # build the index once (reads the overrides from the database)
    build = time.perf_counter() - build_start
    print(f"  {'index build (2000–2100, with database read)':<52} {build:25.3f} s")

    naive_inputs = inputs[: args.naive_ops]
    expected = [naive_add(day, SPAN) for day in naive_inputs[:2000]]
    got = [workdays.add_working_days(day, SPAN) for day in naive_inputs[:2000]]
    if got != expected:
        print("FAIL: the index and the library disagree", file=sys.stderr)
        return 1

    add = workdays.add_working_days

    def run_index() -> None:
        for _ in range(repeats):
            for day in inputs:
                add(day, SPAN)
        for day in inputs[:rest]:
            add(day, SPAN)

    def run_naive() -> None:
        for day in naive_inputs:
            naive_add(day, SPAN)

    fast = timed(f"workdays.add_working_days(d, {SPAN})", args.ops, run_index)
    slow = timed(f"day-by-day chinese_calendar.is_workday, {SPAN} wd", len(naive_inputs), run_naive)

    # For information: a day-by-day walk whose per-day test is already O(1) (the index's own
    # flag), which shows how much of the gap is the library's slow per-call validation.
    cal = workdays.calendar()

    def run_walk() -> None:
        for day in naive_inputs:
            n = SPAN
            while n:
                day += ONE_DAY
                if cal.is_working_day(day):
                    n -= 1

    timed(f"day-by-day WorkCalendar.is_working_day, {SPAN} wd", len(naive_inputs), run_walk)

    # For information: the other day and time operations on the same inputs.
    between = workdays.working_days_between
    ends = [workdays.add_working_days(day, SPAN) for day in inputs]
    timed(
        "workdays.working_days_between(a, b)",
        len(inputs),
        lambda: [between(a, b) for a, b in zip(inputs, ends, strict=True)],
    )
    hours = workdays.OfficeHours.default()
    instants = [
        datetime(d.year, d.month, d.day, 9 + i % 9, (7 * i) % 60, tzinfo=workdays.SHANGHAI)
        for i, d in enumerate(inputs)
    ]
    add_time = workdays.add_working_time
    half_day = hours.working_days(0.5)
    timed(
        "workdays.add_working_time(t, 0.5 working day)",
        len(instants),
        lambda: [add_time(t, half_day, hours) for t in instants],
    )

    ratio = fast / slow
    verdict = "PASS" if ratio >= ACCEPTANCE_RATIO else "FAIL"
    target = f"acceptance >= {ACCEPTANCE_RATIO:.0f}x"
    print(f"  ratio index / day-by-day: {ratio:,.1f}x ({target}) {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
