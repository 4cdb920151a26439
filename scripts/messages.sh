#!/usr/bin/env bash
# make messages: refresh every app's English catalogue (src/onestop/<app>/locale/en) from the
# Chinese source strings, then compile them. Translate the new empty msgstr entries, run again.
set -euo pipefail
cd "$(dirname "$0")/../src/onestop"
ADMIN=../../${VENV:-.venv}/bin/django-admin
for dir in */locale; do
  app=${dir%/locale}
  (cd "$app" && "../$ADMIN" makemessages -l en --ignore 'tests/*' --ignore 'migrations/*' -v0)
  (cd "$app" && "../$ADMIN" compilemessages -l en -v0)
  printf '%-12s ' "$app"; msgfmt --statistics -o /dev/null "$app/locale/en/LC_MESSAGES/django.po"
done
