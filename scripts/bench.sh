#!/usr/bin/env bash
# Run the benchmarks: every bench/bench_*.py (or the files given as arguments) with the venv's
# Python. Each benchmark measures its own yardstick in the same run and reports a ratio or a
# target; a benchmark exits non-zero when its acceptance is not met.
#
# The SQLite benchmarks run with the test settings on an SQLite file in var/bench (migrated
# here), so they work on a fresh clone after `make venv`.
#
# The PostgreSQL benchmarks (those that read ONESTOP_BENCH_PG_URL) get a THROWAWAY PostgreSQL started through
# scripts/services.sh, as scripts/test.sh does (installed first when run as root on Debian,
# with pgbench from postgresql-client); its URL is exported as ONESTOP_BENCH_PG_URL, each
# benchmark creates its own databases on it, and the server is stopped and deleted on exit.
# Set ONESTOP_BENCH_PG_URL yourself to use another server (nothing is started then).
#
# Environment:
#   ONESTOP_BENCH_PG_PORT     first port tried for the throwaway PostgreSQL (default 55433)
#   ONESTOP_BENCH_PG_URL      an existing PostgreSQL server (superuser) instead of a throwaway one
#   ONESTOP_BENCH_REDIS_PORT  first port tried for the throwaway Redis (default 56380)
#   ONESTOP_BENCH_REDIS_URL   an existing Redis for the benchmarks that queue tasks
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
# shellcheck source=scripts/services.sh
source scripts/services.sh

# A benchmark needs PostgreSQL when it reads ONESTOP_BENCH_PG_URL (through bench/_pg.py).
needs_pg() {
  grep -q -e "ONESTOP_BENCH_PG_URL" -e "_pg.server_url" "$1"
}

if [ "$#" -gt 0 ]; then
  benches=("$@")
else
  benches=(bench/bench_*.py)
fi

# --- SQLite -----------------------------------------------------------------------------------
export ONESTOP_VAR_DIR=${ONESTOP_VAR_DIR:-$PWD/var/bench}
mkdir -p "$ONESTOP_VAR_DIR"
sqlite_env=(
  DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-onestop.config.settings.test}"
  ONESTOP_DATABASE_URL="sqlite:///$ONESTOP_VAR_DIR/bench.sqlite3"
)
pg_wanted=0
sqlite_wanted=0
for bench in "${benches[@]}"; do
  if needs_pg "$bench"; then pg_wanted=1; else sqlite_wanted=1; fi
done
if [ "$sqlite_wanted" = 1 ]; then
  echo "==> migrating the SQLite benchmark database ($ONESTOP_VAR_DIR/bench.sqlite3)"
  env "${sqlite_env[@]}" "$VENV/bin/python" manage.py migrate --noinput --skip-checks -v 0
fi

# --- PostgreSQL -------------------------------------------------------------------------------
pg_url=${ONESTOP_BENCH_PG_URL:-}
if [ "$pg_wanted" = 1 ] && [ -z "$pg_url" ]; then
  trap services_stop EXIT
  trap 'exit 130' INT TERM
  services_install_packages postgresql postgresql-contrib postgresql-client redis-server ||
    services_banner "INSTALLING POSTGRESQL FAILED: carrying on with what is there"
  if ONESTOP_TEST_PG_PORT=${ONESTOP_BENCH_PG_PORT:-55433} services_start_postgres; then
    pg_url=$ONESTOP_TEST_PG_URL
  else
    services_banner "PostgreSQL could not be started: the PostgreSQL benchmarks are NOT run"
  fi
  # A broker for the benchmarks that use one (bench_submit.py: tasks queued as in production).
  if [ -z "${ONESTOP_BENCH_REDIS_URL:-}" ] &&
    ONESTOP_TEST_REDIS_PORT=${ONESTOP_BENCH_REDIS_PORT:-56380} services_start_redis; then
    export ONESTOP_BENCH_REDIS_URL=$ONESTOP_TEST_REDIS_URL
  fi
fi

status=0
for bench in "${benches[@]}"; do
  echo "==> $bench"
  if needs_pg "$bench"; then
    if [ -z "$pg_url" ]; then
      echo "    NOT RUN: no PostgreSQL"
      status=1
      continue
    fi
    # The benchmark sets its own (production) settings and databases on this server.
    env -u DJANGO_SETTINGS_MODULE -u ONESTOP_DATABASE_URL ONESTOP_BENCH_PG_URL="$pg_url" \
      "$VENV/bin/python" "$bench" || status=1
  else
    env "${sqlite_env[@]}" "$VENV/bin/python" "$bench" || status=1
  fi
done
exit $status
