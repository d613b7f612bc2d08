#!/bin/sh
# Install everything into .venv, migrate, load the demo province and serve http://127.0.0.1:8000
cd "$(dirname "$0")"
EXTRAS=""
. scripts/env.sh
export DJANGO_SETTINGS_MODULE=tinhso.settings
# The address printed with the demo logins, in QR codes and e-mails: where this server listens, unless set.
export TINHSO_PUBLIC_URL="${TINHSO_PUBLIC_URL:-http://${TINHSO_BIND:-127.0.0.1:8000}}"
.venv/bin/tinhso migrate --noinput
.venv/bin/tinhso collectstatic --noinput >/dev/null
.venv/bin/tinhso demo
.venv/bin/tinhso run_huey --quiet >var/jobs.log 2>&1 &
jobs_pid=$!
# Stand-ins for the national services this machine cannot reach (population registry, identity provider).
if [ -z "${TINHSO_REGISTRY_URL:-}" ]; then
  .venv/bin/python -m tools.registry_standin --port 8091 --token standin-token >var/registry.log 2>&1 &
  registry_pid=$!
  export TINHSO_REGISTRY_URL=http://127.0.0.1:8091 TINHSO_REGISTRY_TOKEN=standin-token
fi
if [ -z "${TINHSO_OIDC_SERVER_URL:-}" ]; then
  .venv/bin/python -m tools.oidc_standin --port 8092 --client-id tinhso --client-secret standin-secret >var/oidc.log 2>&1 &
  oidc_pid=$!
  export TINHSO_OIDC_SERVER_URL=http://127.0.0.1:8092 TINHSO_OIDC_CLIENT_ID=tinhso TINHSO_OIDC_CLIENT_SECRET=standin-secret
fi
trap 'kill $jobs_pid ${registry_pid:-} ${oidc_pid:-} 2>/dev/null' EXIT INT TERM
echo "→ Tỉnh số đang chạy tại http://${TINHSO_BIND:-127.0.0.1:8000} (Ctrl+C để dừng)"
.venv/bin/gunicorn tinhso.wsgi:application --bind "${TINHSO_BIND:-127.0.0.1:8000}" --workers "${TINHSO_WORKERS:-2}" \
  --access-logfile - --error-logfile -
