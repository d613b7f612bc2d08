#!/bin/sh
# Install everything (with the test tools) into .venv and run the whole test suite.
# Extra arguments go to pytest (e.g. ./test.sh tests/workcal -x). DATABASE_URL selects the database.
cd "$(dirname "$0")"
EXTRAS="test"
. scripts/env.sh
export DJANGO_SETTINGS_MODULE=tinhso.settings
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "→ Cài Chromium của Debian cho kiểm thử trình duyệt ..."
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) \
      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
  else
    echo "Không có /usr/bin/chromium: hãy chạy 'sudo apt-get install chromium' để chạy kiểm thử trình duyệt." >&2
  fi
fi
.venv/bin/lint-imports --no-cache >/dev/null || { .venv/bin/lint-imports --no-cache; exit 1; }
exec .venv/bin/python -m pytest "$@"
