"""Benchmark: the commitments dashboard (insights) with 1,000,000 cases in PostgreSQL.

Run with ``scripts/bench.sh bench/bench_insights.py`` (it starts a throwaway PostgreSQL and sets
``ONESTOP_BENCH_PG_URL``). What it does:

1. creates the database ``bench_insights`` on that server and migrates it (production
   settings), loads the shipped policy data (``policy_data_load``: the commitments and their
   targets);
2. builds, through the services, a city bureau with ``--sub-bureaus`` sub-bureaus of
   ``--stations`` police stations, one published item per station (promised limit 5 working
   days; every tenth item is tied to the ID card commitments, every tenth to the fire design
   review, every tenth to credit repair, so those metrics have data), verified applicants and
   two officers (at the bureau and at a station) with a confirmed TOTP device;
3. bulk-generates ``--cases`` cases spread evenly over the last 365 days with one
   ``INSERT … SELECT … FROM generate_series`` (as bench_inbox.py does): the newest 3 % are open,
   the rest mostly closed (some refused, withdrawn, revoked, terminated); decided cases have
   accepted/decided/closed timestamps, a promised due time 7 days after acceptance and ``on_time``
   set (about one in five is late, more in some units than others); channels and delivery modes
   mixed; then ``VACUUM ANALYZE``;
4. times the roll-up job: ``rollup_refresh(full=True)``, an incremental run with nothing
   changed, and an incremental run after touching ``--touch`` cases decided on one day
   (``updated_at`` and the decision time moved), checking that the touched cases were read;
5. times, through the whole Django stack with the test client (officers signed in with a
   verified TOTP device): the public summary ``/insights/``, the staff summary
   ``/work/insights/`` of the bureau and of the station officer, and one staff drill-down,
   ``--repeats`` times each cold (the metrics cache cleared before every request) and warm;
   p50/p99 and the number of SQL queries;
6. the yardstick: the raw aggregate over all cases that the roll-ups replace
   (``SELECT date(decided_at), handling_unit_id, item_version_id, count(*), sum(on_time::int)
   FROM cases_case GROUP BY 1, 2, 3``), and a consistency check of the roll-up totals against
   the raw cases.

The issue states no numeric target: the benchmark prints the numbers ("target: none stated")
and exits non-zero only on errors (a page that is not 200, roll-up totals that disagree with
the raw cases, an incremental run that misses the touched cases).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pg

OPEN_SHARE = 0.03
DAYS = 365
OFFICERS = {"bureau": "i-bureau", "station": "i-station"}
RAW_SQL = (
    "SELECT date(decided_at), handling_unit_id, item_version_id, count(*), sum(on_time::int) "
    "FROM cases_case GROUP BY 1, 2, 3"
)


def generate_cases(count: int, versions: list[Any], people: list[Any]) -> float:
    """Insert ``count`` cases over the last 365 days in one statement; the seconds it took
    (with VACUUM ANALYZE)."""
    import _casedata

    open_count = int(count * OPEN_SHARE)
    version_ids = ",".join(str(v.pk) for v in versions)
    unit_ids = ",".join(str(v.item.implementing_unit_id) for v in versions)
    person_ids = ",".join(str(p.pk) for p in people)
    nv, np_ = len(versions), len(people)
    step = DAYS * 86400 / count
    # g = 1 is the newest case, g = count about 365 days old.
    created = f"(now() - g * interval '{step:.6f} seconds')"
    open_state = (
        "CASE WHEN g % 20 < 4 THEN 'submitted' WHEN g % 20 < 9 THEN 'accepted' "
        "WHEN g % 20 < 17 THEN 'in_review' WHEN g % 20 < 19 THEN 'supplement_requested' "
        "ELSE 'suspended' END"
    )
    closed_state = (
        "CASE WHEN g % 100 < 92 THEN 'closed' WHEN g % 100 < 95 THEN 'refused' "
        "WHEN g % 100 < 98 THEN 'withdrawn' WHEN g % 100 < 99 THEN 'revoked' "
        "ELSE 'terminated' END"
    )
    state = f"(CASE WHEN g <= {open_count} THEN {open_state} ELSE {closed_state} END)"
    accepted = f"({state} NOT IN ('submitted', 'refused'))"
    decided = f"({state} IN ('closed', 'revoked'))"
    accepted_at = f"({created} + interval '1 hour')"
    # Handling time 0–199 hours plus up to 24 more hours depending on the item (so some units
    # are worse than others): later than the promised 7 days (168 h) for about one in six.
    handling = f"(((g * 37) % 200 + ((g % {nv}) % 7) * 4) * interval '1 hour')"
    decided_at = f"({accepted_at} + {handling})"
    promised = f"({accepted_at} + interval '7 days')"
    expressions = {
        "created_at": created,
        "updated_at": f"(CASE WHEN {decided} THEN {decided_at} + interval '1 day' "
        f"ELSE {created} END)",
        "number": (
            f"'TJ' || to_char({created} AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') "
            "|| lpad(g::text, 7, '0')"
        ),
        "item_version_id": f"(ARRAY[{version_ids}])[1 + g % {nv}]",
        "receiving_unit_id": f"(ARRAY[{unit_ids}])[1 + g % {nv}]",
        "handling_unit_id": f"(ARRAY[{unit_ids}])[1 + g % {nv}]",
        "applicant_id": f"(ARRAY[{person_ids}])[1 + (g::bigint * 7919) % {np_}]",
        "state": state,
        "form_data": """'{"address": "和平路1号", "floors": 3}'::jsonb""",
        "channel": "(CASE WHEN g % 3 = 0 THEN 'window' WHEN g % 7 = 0 THEN 'mobile' "
        "ELSE 'online' END)",
        # (g / 100) % 4, not g % 4: independent of the item (g % 100), so every item has both.
        "delivery": "(CASE WHEN (g / 100) % 4 = 0 THEN 'courier' ELSE 'window' END)",
        "submitted_at": created,
        "accepted_at": f"(CASE WHEN {accepted} THEN {accepted_at} END)",
        "statutory_due_at": f"(CASE WHEN {accepted} THEN {created} + interval '28 days' END)",
        "promised_due_at": f"(CASE WHEN {accepted} THEN {promised} END)",
        "paused_at": f"(CASE WHEN {state} IN ('supplement_requested', 'suspended') "
        f"THEN {created} + interval '1 day' END)",
        "decision": f"(CASE WHEN {decided} THEN 'approved' ELSE '' END)",
        "decided_at": f"(CASE WHEN {decided} THEN {decided_at} END)",
        "closed_at": f"(CASE WHEN {state} = 'closed' THEN {decided_at} + interval '1 day' END)",
        "on_time": f"(CASE WHEN {decided} THEN {decided_at} <= {promised} END)",
        "verification_code_hash": "md5(g::text) || md5((g + 1)::text)",
    }
    return _casedata.insert_cases(count, expressions)


def generate(args: argparse.Namespace) -> None:
    """Policy data, units, items, applicants, officers and the cases (module docstring)."""
    import _casedata
    from onestop.accounts.choices import Role
    from onestop.cases.models import Case
    from onestop.policy.models import Commitment
    from onestop.policy.services import policy_data_load

    started = time.perf_counter()
    loaded = policy_data_load(actor=None)
    units = _casedata.build_units(sub_bureaus=args.sub_bureaus, stations_per_sub=args.stations)
    versions = [
        _casedata.build_item(unit=station, n=i + 1, on_the_spot=i % 5 == 0)
        for i, station in enumerate(units.stations)
    ]
    links = {
        1: ("id-card-pickup-urban-15wd", "id-card-courier-urban-8wd"),
        2: ("fire-design-review-3wd",),
        3: ("credit-repair-review-10wd",),
    }
    for i, version in enumerate(versions):
        codes = links.get(i % 10)
        if codes:
            version.commitments.add(*Commitment.objects.filter(code__in=codes))
    people = _casedata.build_applicants(args.applicants)
    roles = [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR]
    _casedata.build_officer(unit=units.bureau, username=OFFICERS["bureau"], roles=roles)
    _casedata.build_officer(unit=units.stations[0], username=OFFICERS["station"], roles=roles)
    print(
        f"  data: {loaded.commitments_created} commitments, {len(units.stations)} stations/items, "
        f"{len(people)} applicants, 2 officers ({time.perf_counter() - started:.1f} s)"
    )
    seconds = generate_cases(args.cases, versions, people)
    total = Case.objects.count()
    print(f"  {total:,} cases generated in {seconds:.1f} s (INSERT … SELECT generate_series)")


def signed_in_client(officer: Any) -> Any:
    """A test client signed in as ``officer`` with the TOTP device verified (two-step login)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=officer).persistent_id
    session.save()
    return client


def timed_page(
    client: Any, url: str, repeats: int, *, cold: bool
) -> tuple[list[float], int, float]:
    """Latencies of ``repeats`` GETs of ``url`` (cold: the cache cleared before each), the
    query count of one such request and the seconds its queries took."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    if not cold:
        client.get(url, secure=True)  # fills the cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    queries = len(ctx.captured_queries)
    sql_seconds = sum(float(q["time"]) for q in ctx.captured_queries)
    latencies = []
    for _ in range(repeats):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url, secure=True)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
    return latencies, queries, sql_seconds


def raw_aggregate(repeats: int) -> tuple[list[float], int]:
    """The yardstick: the aggregate over all cases that the roll-ups replace."""
    from django.db import connection

    latencies = []
    rows = 0
    with connection.cursor() as cursor:
        for _ in range(repeats):
            start = time.perf_counter()
            cursor.execute(RAW_SQL)
            rows = len(cursor.fetchall())
            latencies.append(time.perf_counter() - start)
    return latencies, rows


def touch_cases(count: int) -> tuple[int, str]:
    """Move the decision time of ``count`` cases decided on one day (30 days ago, Asia/Shanghai)
    by two hours and stamp ``updated_at``, as an officer's correction would; (rows, day)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ((now() AT TIME ZONE 'Asia/Shanghai') - interval '30 days')::date::text"
        )
        day = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE cases_case SET updated_at = now(), decided_at = decided_at + interval '2 hours'"
            ", closed_at = closed_at + interval '2 hours' WHERE id IN ("
            "SELECT id FROM cases_case WHERE decided_at IS NOT NULL AND accepted_at IS NOT NULL "
            "AND (decided_at AT TIME ZONE 'Asia/Shanghai')::date = %s::date "
            "ORDER BY id LIMIT %s)",
            [day, count],
        )
        return cursor.rowcount, day


def check_totals() -> list[str]:
    """Roll-up totals against the raw cases (a cheap consistency check, not the test suite's
    full comparison): submitted, decided, on time and late."""
    from django.db import connection
    from django.db.models import Sum

    from onestop.insights.models import CaseDaily

    sums = CaseDaily.objects.aggregate(
        submitted=Sum("submitted"),
        finished=Sum("finished"),
        on_time=Sum("on_time"),
        late=Sum("late"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE submitted_at IS NOT NULL), "
            "count(*) FILTER (WHERE decided_at IS NOT NULL AND accepted_at IS NOT NULL), "
            "count(*) FILTER (WHERE decided_at IS NOT NULL AND accepted_at IS NOT NULL "
            "AND decided_at <= promised_due_at), "
            "count(*) FILTER (WHERE decided_at IS NOT NULL AND accepted_at IS NOT NULL "
            "AND decided_at > promised_due_at) FROM cases_case WHERE number <> ''"
        )
        raw = dict(
            zip(("submitted", "finished", "on_time", "late"), cursor.fetchone(), strict=True)
        )
    problems = []
    for key, expected in raw.items():
        got = int(sums[key] or 0)
        marker = "ok" if got == expected else "MISMATCH"
        print(f"    {key:<10} roll-up {got:>10,}  raw {expected:>10,}  {marker}")
        if got != expected:
            problems.append(f"roll-up {key} {got} != raw {expected}")
    return problems


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--sub-bureaus", type=int, default=10)
    parser.add_argument("--stations", type=int, default=10, help="stations per sub-bureau")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=30, help="timed GETs per page and mode")
    parser.add_argument(
        "--touch", type=int, default=1000, help="cases changed before the incremental run"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the previous run's database (no generation)"
    )
    args = parser.parse_args()

    reuse = _pg.open_database("bench_insights", reuse=args.reuse)

    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from onestop.accounts.models import User
    from onestop.cases.models import Case
    from onestop.insights import services

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(
        f"bench_insights  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  python "
        f"{platform.python_version()}  nproc {os.cpu_count()}  PostgreSQL {pg_version}  {load()}"
    )
    print(f"  cache backend: {settings.CACHES['default']['BACKEND']}")
    if reuse:
        print(f"  reusing the previous run's database: {Case.objects.count():,} cases")
    else:
        generate(args)
    problems: list[str] = []

    # --- the roll-up job --------------------------------------------------------------------
    print("  roll-up job (services.rollup_refresh):")
    full = services.rollup_refresh(full=True)
    print(
        f"    full rebuild             {full.seconds:8.2f} s  ({full.cases:,} cases read, "
        f"{full.days} days, {full.rows:,} roll-up rows)"
    )
    idle = services.rollup_refresh()
    print(
        f"    incremental, no changes  {idle.seconds:8.2f} s  ({idle.cases:,} cases read, "
        f"{idle.days} days rebuilt)"
    )
    touched, day = touch_cases(args.touch)
    incremental = services.rollup_refresh()
    print(
        f"    incremental, {touched:,} cases of {day} changed  {incremental.seconds:8.2f} s  "
        f"({incremental.cases:,} cases read, {incremental.days} days, "
        f"{incremental.rows:,} rows rebuilt)"
    )
    if incremental.cases < touched:
        problems.append(f"incremental run read {incremental.cases} cases < {touched} touched")
    print("  roll-up totals against the raw cases:")
    problems += check_totals()
    raw, raw_rows = raw_aggregate(3)
    raw_p50 = _pg.percentile(raw, 50)
    print(f"  yardstick: raw GROUP BY over cases_case ({raw_rows:,} groups)  {_pg.summary_ms(raw)}")
    print(
        f"    full roll-up / raw aggregate: {full.seconds / raw_p50:.1f}x;  "
        f"incremental (1 day) / raw aggregate: {incremental.seconds / raw_p50:.2f}x"
    )

    # --- the pages --------------------------------------------------------------------------
    from django.test import Client

    officers = {scope: User.objects.get(username=name) for scope, name in OFFICERS.items()}
    bureau = signed_in_client(officers["bureau"])
    station = signed_in_client(officers["station"])
    sub = officers["bureau"].unit.children.order_by("path").first()
    drill = "/work/insights/on-time-rate/" + (f"?unit={sub.code}" if sub is not None else "")
    pages = [
        ("public summary /insights/", Client(HTTP_HOST="127.0.0.1"), "/insights/"),
        ("staff summary, bureau officer", bureau, "/work/insights/"),
        ("staff summary, station officer", station, "/work/insights/"),
        (f"staff drill-down {drill}", bureau, drill),
    ]
    # Production settings minus the static manifest (no collectstatic in a benchmark).
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    print(f"  pages ({args.repeats} GETs each; cold = metrics cache cleared before each GET):")
    worst_cold = 0.0
    with override_settings(STORAGES=storages):
        for label, client, url in pages:
            print(f"    {label}")
            for mode in ("cold", "warm"):
                try:
                    latencies, queries, sql = timed_page(
                        client, url, args.repeats, cold=mode == "cold"
                    )
                except RuntimeError as exc:
                    problems.append(str(exc))
                    print(f"      {mode}: {exc}")
                    continue
                if mode == "cold":
                    worst_cold = max(worst_cold, _pg.percentile(latencies, 99))
                print(
                    f"      {mode}  {queries:>3} queries ({sql * 1000:6.1f} ms SQL)  "
                    f"{_pg.summary_ms(latencies)}"
                )
    print(
        f"  worst cold page p99 {worst_cold * 1000:.1f} ms vs raw aggregate p50 "
        f"{raw_p50 * 1000:.1f} ms (a page that scanned the cases would cost at least that)"
    )
    print("  target: none stated (issue 10 asks for the dashboard p99 and the roll-up job time)")
    print(f"  {load()}")
    for problem in problems:
        print(f"  problem: {problem}")
    print("  ERRORS" if problems else "  OK (no errors)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
