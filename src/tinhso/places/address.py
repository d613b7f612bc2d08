"""Old three-level addresses (xã, huyện, tỉnh before 1/7/2025) → 2025 commune, via `vietnam-address-converter`.

The converter works on the old provinces that became the installation's province(s) only
(`old_units.install()`, before the package is first imported: see old_units.py): ~3 MB per process and
~0.25 s to import and index, instead of ~80 MB and ~12 s of CPU for the whole country.
`address_index_warm_in_background()` still does that (and builds the subset file, in a subprocess, if it
is missing) in a daemon thread when a web process starts (see apps.py), so no request waits for it.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_warm_started = False
_ready = threading.Event()


def _convert_function():
    from . import old_units

    old_units.install()  # must come before the package's first import; once per process, cheap afterwards
    from vietnam_address_converter import convert_address_text

    return convert_address_text


def converter_convert(text: str) -> dict[str, Any]:
    """Run the package's converter (module-level cached indexes, thread-safe after the first build)."""
    convert_address_text = _convert_function()
    if _ready.is_set():
        return convert_address_text(text)
    with _lock:  # the first call builds the index: wait for a warm-up in progress instead of building twice
        result = convert_address_text(text)
        _ready.set()
        return result


def address_index_warm() -> None:
    with _lock:
        convert_address_text = _convert_function()
        convert_address_text("Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")
        _ready.set()


def _is_web_process() -> bool:
    flag = os.environ.get("TINHSO_WARM_ADDRESS_INDEX")
    if flag is not None and flag != "":
        return flag.strip().lower() in {"1", "true", "yes", "on"}
    if "pytest" in sys.modules:
        return False
    argv0 = os.path.basename(sys.argv[0]) if sys.argv else ""
    if any(server in argv0 for server in ("gunicorn", "uwsgi", "uvicorn", "daphne")) or "gunicorn" in sys.modules:
        return True
    if len(sys.argv) > 1 and sys.argv[1] == "runserver":
        # With the autoreloader, only the child process (RUN_MAIN=true) serves requests.
        return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
    return False


def address_index_warm_in_background() -> bool:
    """Start warming the converter's index in a daemon thread, once, in web processes only."""
    global _warm_started
    if _warm_started or not _is_web_process():
        return False
    _warm_started = True

    def run():
        try:
            address_index_warm()
        except Exception:  # warming is an optimisation: a failure must not stop the server
            logger.exception("Could not warm the old-address index")

    threading.Thread(target=run, name="tinhso-address-warm", daemon=True).start()
    return True
