#!/usr/bin/env bash
# The whole test suite, twice: on SQLite (the embedded default) and on PostgreSQL, with a real
# Redis for the Celery tests and Debian's Chromium for the browser tests.
#
# Run as root on a fresh Debian machine it installs what is missing (PostgreSQL, Redis,
# Chromium, CJK fonts, gettext), then starts THROWAWAY PostgreSQL and Redis instances on
# loopback that are stopped and deleted on exit.
#
# Environment:
#   CI=true / ONESTOP_REQUIRE_SERVICES=1   a missing service fails the run instead of skipping
#   ONESTOP_TEST_RUNS="sqlite postgres"    which runs to do (default both)
#   ONESTOP_SCREENSHOTS=1                  refresh docs/screenshots/ from the browser tests
#   PYTEST_ARGS="-x -k foo"                extra pytest arguments for every run
#   arguments to this script are passed to pytest as well
# Results: var/test-results/<run>.xml (JUnit), var/test-artifacts/ (screenshots, worker logs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
[[ "$PY" = /* ]] || PY="$ROOT/$PY"
# shellcheck source=scripts/services.sh
source scripts/services.sh

PACKAGES=(postgresql postgresql-contrib redis-server chromium chromium-driver fonts-noto-cjk gettext libreoffice-calc-nogui poppler-utils poppler-data)
RUNS=${ONESTOP_TEST_RUNS:-sqlite postgres}
RESULTS="$ROOT/var/test-results"
STARTED=$(date +%s)

if [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; then
  export ONESTOP_REQUIRE_SERVICES=1
fi
REQUIRE=${ONESTOP_REQUIRE_SERVICES:-0}

trap services_stop EXIT
trap 'exit 130' INT TERM

if ! services_install_packages "${PACKAGES[@]}"; then
  services_banner "INSTALLING DEBIAN PACKAGES FAILED (${PACKAGES[*]}): carrying on with what is there"
fi

# --- services -------------------------------------------------------------------------------
problems=()
if ! services_start_postgres; then
  problems+=("PostgreSQL could not be started: the PostgreSQL run is NOT done")
  ONESTOP_TEST_PG_URL=""
fi
if ! services_start_redis; then
  problems+=("Redis could not be started: the Celery/Redis tests will not run")
  ONESTOP_TEST_REDIS_URL=""
fi
if [ ! -x /usr/bin/chromium ] && [ -z "${ONESTOP_CHROMIUM:-}" ]; then
  problems+=("Chromium (/usr/bin/chromium) is missing: the browser tests will not run")
fi
if [ "${#problems[@]}" -gt 0 ]; then
  if [ "$REQUIRE" = "1" ]; then
    services_banner "SERVICES MISSING — THIS RUN WILL FAIL (CI / ONESTOP_REQUIRE_SERVICES=1)" \
      "${problems[@]}"
  else
    services_banner "SERVICES MISSING — PART OF THE SUITE WILL NOT RUN" "${problems[@]}" \
      "Run \`make test\` as root (or install: ${PACKAGES[*]})."
  fi
fi

# --- translations ---------------------------------------------------------------------------
if compgen -G "src/onestop/locale" >/dev/null || compgen -G "src/onestop/*/locale" >/dev/null; then
  if command -v msgfmt >/dev/null 2>&1; then
    echo "==> compiling translations"
    (cd src/onestop && DJANGO_SETTINGS_MODULE=onestop.config.settings.test \
      ONESTOP_VAR_DIR="$ROOT/var/test-var" "$PY" -m django compilemessages \
      --verbosity 0)
  else
    services_banner "gettext (msgfmt) is missing: translations NOT compiled"
    [ "$REQUIRE" = "1" ] && exit 1
  fi
fi

# --- the runs -------------------------------------------------------------------------------
mkdir -p "$RESULTS" "$ROOT/var/test-artifacts"
rm -f "$RESULTS"/*.xml
# Secrets generated for the tests go to their own directory, not the demo's var/.
export ONESTOP_VAR_DIR="$ROOT/var/test-var"
export ONESTOP_TEST_REDIS_URL
# The suite itself runs with tasks in-process (no broker); the Redis tests use
# ONESTOP_TEST_REDIS_URL explicitly. Make sure a developer's shell does not leak in.
unset ONESTOP_REDIS_URL ONESTOP_CELERY_BROKER_URL ONESTOP_CELERY_RESULT_BACKEND \
  ONESTOP_DATABASE_URL DJANGO_SETTINGS_MODULE
read -r -a extra_args <<<"${PYTEST_ARGS:-}"

declare -A outcome
status=0
for run in $RUNS; do
  case "$run" in
    sqlite)
      title="SQLite run"
      db_url=""
      ;;
    postgres)
      title="PostgreSQL run"
      db_url=$ONESTOP_TEST_PG_URL
      if [ -z "$db_url" ]; then
        services_banner "PostgreSQL run: NOT DONE (PostgreSQL could not be started)"
        outcome[$run]="NOT RUN (no PostgreSQL)"
        [ "$REQUIRE" = "1" ] && status=1
        continue
      fi
      ;;
    *)
      echo "unknown run '$run' in ONESTOP_TEST_RUNS (sqlite, postgres)" >&2
      exit 2
      ;;
  esac
  echo
  echo "================================================================================"
  echo "=== $title"
  echo "================================================================================"
  run_started=$(date +%s)
  set +e
  env ${db_url:+ONESTOP_DATABASE_URL="$db_url"} \
    "$PY" -m pytest -p no:cacheprovider -rfEs \
    --junitxml="$RESULTS/$run.xml" -o junit_suite_name="onestop-$run" \
    "${extra_args[@]}" "$@"
  rc=$?
  set -e
  seconds=$(($(date +%s) - run_started))
  case $rc in
    0) outcome[$run]="passed (${seconds}s)" ;;
    5)
      outcome[$run]="FAILED: pytest collected NO tests (exit 5)"
      status=1
      ;;
    *)
      outcome[$run]="FAILED (pytest exit $rc, ${seconds}s)"
      status=1
      ;;
  esac
done

# --- summary --------------------------------------------------------------------------------
echo
echo "================================================================================"
echo "=== make test summary ($(($(date +%s) - STARTED))s)"
for run in $RUNS; do
  printf '===   %-10s %s\n' "$run:" "${outcome[$run]:-not run}"
done
echo "================================================================================"
for run in $RUNS; do
  if [ -f "$RESULTS/$run.xml" ]; then
    "$PY" scripts/junit_summary.py "$RESULTS/$run.xml" --label "$run" || true
  fi
done
for problem in "${problems[@]}"; do
  echo "===   !!! $problem"
done
echo "================================================================================"
exit $status
