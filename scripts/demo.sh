#!/usr/bin/env bash
# make demo: migrate, load the demo data and serve both portals on SQLite.
# A second run reuses .venv, the database and the secrets in var/ and starts in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY="$VENV/bin/python"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-onestop.config.settings.dev}

if [ -d src/onestop/locale ] && command -v msgfmt >/dev/null 2>&1; then
  "$PY" manage.py compilemessages -v0 --ignore='.venv/*' >/dev/null 2>&1 || true
fi
echo "==> migrating the database (${ONESTOP_DATABASE_URL:-SQLite in var/})"
"$PY" manage.py migrate --no-input -v0
echo "==> loading the shipped demo data"
"$PY" manage.py demo_load
# a year of backdated activity for the commitments dashboard, once (var/ keeps the marker)
ACTIVITY_MARK=${ONESTOP_VAR_DIR:-var}/demo-activity.done
if [ ! -e "$ACTIVITY_MARK" ]; then
  echo "==> generating a year of demo activity (first run only)"
  "$PY" manage.py demo_activity --scale 0.1
  "$PY" manage.py insights_refresh --full --report
  touch "$ACTIVITY_MARK"
fi
echo
echo "==> serving http://$HOST:$PORT/   staff portal: http://$HOST:$PORT/work/   admin: /admin/   API: /api/docs/"
exec "$PY" manage.py runserver --noreload "$HOST:$PORT"
