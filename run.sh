#!/bin/sh
# Install everything into .venv, migrate, load the demo province and serve http://127.0.0.1:8000
cd "$(dirname "$0")"
EXTRAS=""
. scripts/env.sh
export DJANGO_SETTINGS_MODULE=tinhso.settings
.venv/bin/tinhso migrate --noinput
.venv/bin/tinhso collectstatic --noinput >/dev/null
.venv/bin/tinhso demo
.venv/bin/tinhso run_huey --quiet >var/jobs.log 2>&1 &
jobs_pid=$!
trap 'kill $jobs_pid 2>/dev/null' EXIT INT TERM
echo "→ Tỉnh số đang chạy tại http://127.0.0.1:8000 (Ctrl+C để dừng)"
.venv/bin/gunicorn tinhso.wsgi:application --bind "${TINHSO_BIND:-127.0.0.1:8000}" --workers "${TINHSO_WORKERS:-2}" \
  --access-logfile - --error-logfile -
