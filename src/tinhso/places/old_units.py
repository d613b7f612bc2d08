"""The old-address converter's data cut down to the installation's province(s).

`vietnam-address-converter` ships all 63 old provinces as one 10 MB JSON string in
`vietnam_address_converter/data.py`; importing the package parses it (~50 MB of Python objects in every
process) and its first call indexes all of it (+30 MB, ~12 s of CPU here). An installation only needs the old
provinces that became its 2025 province(s): for Thái Nguyên (19), old Thái Nguyên and old Bắc Kạn, 281 of
10,358 mapping rows.

How it works
- `subset_build(data, province_names)` keeps, from the package's data, the mapping rows of every old
  province with a row going to one of those new provinces (old provinces were merged whole in 2025, so
  that is all the rows of those old provinces), re-numbers the rows and rewrites every mapping index for
  the new positions, and keeps the old provinces, districts and wards of those rows and the new
  provinces and wards they lead to (the new-format parser needs the new wards).
- The extraction runs in a subprocess (`python -m tinhso.places.old_units --out FILE --province 19`),
  so the web worker never loads the full data. Its JSON goes to `VAR_DIR/old-address-units.json`,
  with the package version, the province codes and FORMAT under the key "tinhso"; it is rebuilt when
  missing, unreadable, or when any of the three changed. A file lock keeps several workers starting
  together from building it more than once.
- `install()` puts a module holding the subset into `sys.modules["vietnam_address_converter.data"]`
  BEFORE the package is first imported. This is deliberate: the package's modules do
  `from .data import DEFAULT_DATA` at import, bind it as the default `data=` argument of their
  functions, and their lru_caches (the index built on the first call) only apply to DEFAULT_DATA
  itself; passing `data=` instead would rebuild the index on every call. With the subset installed
  as the data module, the package is unchanged and indexes only what we hold.
- Fail-safe: when the subset cannot be built or read, `install()` logs it and leaves the package to
  load its full data (conversion still works, with the old memory cost).

`settings.OLD_ADDRESS_PROVINCES` (env `TINHSO_OLD_ADDRESS_PROVINCES`: comma-separated 2025 province
codes, default the installation's `PROVINCE_CODE`; `all` for the whole country) says which provinces.
An address whose old province is not in the subset converts to nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any, Iterable

from .text import search_key

logger = logging.getLogger(__name__)

PACKAGE = "vietnam_address_converter"
DATA_MODULE = f"{PACKAGE}.data"
DIST_NAME = "vietnam-address-converter"
FORMAT = 1  # bump when subset_build changes what it keeps
FILE_NAME = "old-address-units.json"
BUILD_TIMEOUT = 300  # seconds; the extraction takes ~3 s of CPU on these machines
_DATA_KEYS = ("newProvinces", "newWards", "oldProvinces", "oldDistricts", "oldWards")

_lock = threading.Lock()
_state: dict[str, Any] = {"done": False, "installed": False}


class SubsetError(Exception):
    """The subset could not be built or read."""


# --- extraction (runs in the subprocess, or in tests on data passed in) -----------------------------------

def _key(name: str) -> str:
    """A province name without diacritics or "tỉnh" / "thành phố" (the two packages spell them differently)."""
    key = search_key(name)
    for prefix in ("thanh pho ", "tinh "):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def subset_build(data: dict[str, Any], province_names: Iterable[str]) -> dict[str, Any]:
    """The part of `data` (shaped like the package's DEFAULT_DATA) that leads into the named 2025 provinces."""
    wanted = {_key(n) for n in province_names}
    new_province_codes = {
        code for code, p in data["newProvinces"].items()
        if _key(p.get("name") or "") in wanted or _key(p.get("name_with_type") or "") in wanted
    }
    found = {_key(data["newProvinces"][c].get("name") or "") for c in new_province_codes}
    missing = sorted(wanted - found)
    if missing:
        raise SubsetError(f"no 2025 province named {missing} in {DIST_NAME}")
    rows = data["mapping"]["rows"]
    old_province_codes = {
        r["old"].get("province_code") for r in rows if r["new"].get("province_code") in new_province_codes
    }
    kept = [i for i, r in enumerate(rows) if r["old"].get("province_code") in old_province_codes]
    if not kept:
        raise SubsetError(f"no mapping rows lead into {sorted(wanted)}")
    position = {old: new for new, old in enumerate(kept)}
    new_rows = [rows[i] for i in kept]
    indexes = {}
    for name, index in data["mapping"]["indexes"].items():
        rewritten = {}
        for key, positions in index.items():
            moved = [position[p] for p in positions if p in position]
            if moved:
                rewritten[key] = moved
        indexes[name] = rewritten
    new_province_codes |= {r["new"].get("province_code") for r in new_rows}
    old_district_codes = {
        code for code, d in data["oldDistricts"].items() if d.get("parent_code") in old_province_codes
    } | {r["old"].get("district_code") for r in new_rows}
    old_ward_codes = {
        code for code, w in data["oldWards"].items() if w.get("parent_code") in old_district_codes
    } | {r["old"].get("ward_code") for r in new_rows}

    def pick(name: str, codes: set) -> dict:
        return {code: record for code, record in data[name].items() if code in codes}

    return {
        "mapping": {
            "meta": {**data["mapping"].get("meta", {}), "row_count": len(new_rows)},
            "rows": new_rows,
            "indexes": indexes,
        },
        "newProvinces": pick("newProvinces", new_province_codes),
        "newWards": {c: w for c, w in data["newWards"].items() if w.get("parent_code") in new_province_codes},
        "oldProvinces": pick("oldProvinces", old_province_codes),
        "oldDistricts": pick("oldDistricts", old_district_codes),
        "oldWards": pick("oldWards", old_ward_codes),
    }


def _province_names(codes: Iterable[str]) -> list[str]:
    """Our 2025 province codes (QĐ 19/2025) → names, from `vietnam-provinces` (the converter has its own codes)."""
    from vietnam_provinces import Province

    by_code = {f"{p.code.value:02d}": p.name for p in Province.iter_all()}
    names = []
    for code in codes:
        if code not in by_code:
            raise SubsetError(f"unknown 2025 province code {code!r}")
        names.append(by_code[code])
    return names


def package_version() -> str:
    from importlib.metadata import version

    return version(DIST_NAME)


def _meta(codes: Iterable[str]) -> dict[str, Any]:
    return {"format": FORMAT, "package_version": package_version(), "provinces": sorted(codes)}


def subset_write(*, out: Path, codes: list[str]) -> dict[str, Any]:
    """Build the subset for our province codes from the package's full data and write it (atomically)."""
    from vietnam_address_converter.data import DEFAULT_DATA  # the full data: only in the extraction process

    names = _province_names(codes)
    subset = subset_build(DEFAULT_DATA, names)
    subset["tinhso"] = {**_meta(codes), "province_names": names,
                        "old_provinces": sorted(p["name"] for p in subset["oldProvinces"].values())}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(subset, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, out)
    return subset["tinhso"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the old-address converter's data for some 2025 provinces.")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--province", action="append", required=True, help="2025 province code (e.g. 19); repeatable")
    args = parser.parse_args(argv)
    meta = subset_write(out=args.out, codes=args.province)
    print(json.dumps(meta, ensure_ascii=False))
    return 0


# --- the web / job process side ----------------------------------------------------------------------------

def provinces_wanted() -> list[str] | None:
    """The 2025 province codes to convert old addresses into; None for the whole country (the full data)."""
    from django.conf import settings

    codes = getattr(settings, "OLD_ADDRESS_PROVINCES", None)
    if codes is None:
        codes = [settings.PROVINCE_CODE]
    if isinstance(codes, str):
        codes = [codes]
    codes = sorted({str(c).strip() for c in codes if str(c).strip()})
    if not codes or "all" in codes:
        return None
    return codes


def subset_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / FILE_NAME


def _python() -> str:
    """This interpreter; under uwsgi sys.executable is uwsgi itself, then the environment's python3."""
    if sys.executable and Path(sys.executable).name.startswith("python"):
        return sys.executable
    for name in ("python3", "python"):
        candidate = Path(sys.prefix) / "bin" / name
        if candidate.exists():
            return str(candidate)
    return sys.executable


def _build_in_subprocess(path: Path, codes: list[str]) -> None:
    cmd = [_python(), "-m", "tinhso.places.old_units", "--out", str(path)]
    for code in codes:
        cmd += ["--province", code]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if proc.returncode != 0:
        raise SubsetError(f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    logger.info("Built the old-address subset for %s in %.1f s: %s", codes, time.perf_counter() - started, path)


def _read(path: Path, codes: list[str]) -> dict[str, Any] | None:
    """The subset in `path` if it is readable and built for these codes, this package version and FORMAT."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tinhso", {}).get("format") != FORMAT:
        return None
    meta = data["tinhso"]
    if meta.get("package_version") != package_version() or meta.get("provinces") != sorted(codes):
        return None
    if not data.get("mapping", {}).get("rows") or any(not isinstance(data.get(k), dict) for k in _DATA_KEYS):
        return None
    return data


@contextlib.contextmanager
def _file_lock(path: Path):
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def subset_load(*, path: Path, codes: list[str]) -> dict[str, Any]:
    """The subset for these province codes, rebuilt (in a subprocess) when missing or out of date."""
    data = _read(path, codes)
    if data is not None:
        return data
    with _file_lock(path):
        data = _read(path, codes)  # another process may have built it while we waited
        if data is None:
            _build_in_subprocess(path, codes)
            data = _read(path, codes)
    if data is None:
        raise SubsetError(f"{path} is not a valid subset for {codes} after rebuilding it")
    return data


def data_module(data: dict[str, Any], origin: str) -> types.ModuleType:
    """A stand-in for `vietnam_address_converter/data.py` (same names) holding `data`."""
    meta = data.pop("tinhso", {})
    module = types.ModuleType(DATA_MODULE, f"Subset of {DIST_NAME}'s data installed by tinhso.places.old_units.")
    module.__file__ = origin
    module.DEFAULT_DATA = data
    module.mapping = data["mapping"]
    for key in _DATA_KEYS:
        setattr(module, key, data[key])
    module.TINHSO_SUBSET = meta
    return module


def install() -> bool:
    """Make the converter use the subset for settings.OLD_ADDRESS_PROVINCES; call before importing it.

    True when the subset is (now) the package's data; False when the package uses its full data (the
    whole country was asked for, the package was imported before us, or the subset could not be made).
    Runs once per process; thread-safe.
    """
    with _lock:
        if _state["done"]:
            return _state["installed"]
        _state["done"] = True
        current = sys.modules.get(DATA_MODULE)
        if current is not None:
            _state["installed"] = hasattr(current, "TINHSO_SUBSET")
            if not _state["installed"]:
                logger.warning("%s was imported before tinhso.places.old_units.install(): it uses its full data",
                               PACKAGE)
            return _state["installed"]
        codes = None
        try:
            codes = provinces_wanted()
            if codes is None:
                return False
            path = subset_path()
            module = data_module(subset_load(path=path, codes=codes), str(path))
        except Exception:
            logger.exception("Could not make the old-address subset for %s: the converter loads its full data", codes)
            return False
        sys.modules[DATA_MODULE] = module
        _state["installed"] = True
        logger.info("Old-address converter limited to %s (%s)", module.TINHSO_SUBSET.get("province_names"),
                    ", ".join(module.TINHSO_SUBSET.get("old_provinces") or []))
        return True


def installed_subset() -> dict[str, Any] | None:
    """The metadata of the installed subset (package version, province codes and names), or None."""
    module = sys.modules.get(DATA_MODULE)
    return getattr(module, "TINHSO_SUBSET", None)


if __name__ == "__main__":
    sys.exit(main())
