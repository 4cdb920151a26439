#!/usr/bin/env bash
# Run the benchmarks: every bench/bench_*.py (or the files given as arguments) with the venv's
# Python. Each benchmark measures its own yardstick in the same process and reports a ratio;
# a benchmark exits non-zero when its acceptance ratio is not met.
#
# Django is set up with the test settings on an SQLite file in var/bench (migrated here), so
# this works on a fresh clone after `make venv`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export ONESTOP_VAR_DIR=${ONESTOP_VAR_DIR:-$PWD/var/bench}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-onestop.config.settings.test}
export ONESTOP_DATABASE_URL=${ONESTOP_BENCH_DATABASE_URL:-sqlite:///$ONESTOP_VAR_DIR/bench.sqlite3}
mkdir -p "$ONESTOP_VAR_DIR"
echo "==> migrating the benchmark database ($ONESTOP_DATABASE_URL)"
"$VENV/bin/python" manage.py migrate --noinput --skip-checks -v 0

if [ "$#" -gt 0 ]; then
  benches=("$@")
else
  benches=(bench/bench_*.py)
fi
status=0
for bench in "${benches[@]}"; do
  echo "==> $bench"
  "$VENV/bin/python" "$bench" || status=1
done
exit $status
