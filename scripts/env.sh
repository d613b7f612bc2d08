# Shared by run.sh and test.sh: make sure Python >= 3.11 and the project's virtual environment exist.
# Usage: EXTRAS=test; . scripts/env.sh   (EXTRAS: "" or "test")
set -eu
PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Cần Python ≥ 3.11 (không thấy '$PY'). Trên Debian/Ubuntu: sudo apt-get install python3 python3-venv" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Cần Python ≥ 3.11; máy này có $("$PY" --version 2>&1). Đặt biến PYTHON=/đường/dẫn/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || { echo "Không tạo được môi trường ảo. Trên Debian/Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
fi
EXTRAS="${EXTRAS:-}"
stamp=".venv/.installed-${EXTRAS:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "→ Cài đặt các gói Python vào .venv ..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ -n "$EXTRAS" ]; then .venv/bin/python -m pip install --quiet -e ".[$EXTRAS]"; else .venv/bin/python -m pip install --quiet -e .; fi
  touch "$stamp"
fi
# WeasyPrint (PDF slips and letters) needs Pango and the DejaVu fonts from the system.
missing=""
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then missing="$missing $lib"; fi
done
[ -d /usr/share/fonts/truetype/dejavu ] || missing="$missing fonts-dejavu-core"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "→ Cài thư viện hệ thống cho PDF (Pango, HarfBuzz, DejaVu) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; }
  else
    echo "Thiếu thư viện hệ thống để tạo PDF:$missing" >&2
    echo "Hãy chạy: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" >&2
    exit 1
  fi
fi
