"""Old three-level addresses (xã, huyện, tỉnh before 1/7/2025) → 2025 commune, via `vietnam-address-converter`.

The converter works on the old provinces that became the installation's province(s) only
(`old_units.install()`, before the package is first imported: see old_units.py): ~3 MB per process and
~0.25 s to import and index, instead of ~80 MB and ~12 s of CPU for the whole country.
`address_index_warm_in_background()` still does that (and builds the subset file, in a subprocess, if it
is missing) in a daemon thread when a web process starts (see apps.py), so no request waits for it.

`old_address_targets(text)` is what selectors use: the package's answer, widened to every old ward the text
fits as well when the package's parser picked one of several (see `_old_ward_alternatives`).
"""
from __future__ import annotations

import logging
import os
import re
import sys
import threading
import unicodedata
from typing import Any

from .text import search_key

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


def _targets_of(conversion: dict[str, Any]) -> list[tuple[dict, dict]]:
    """(new_province, new_ward) records of one conversion: its result, or every candidate (a split old ward)."""
    res = conversion.get("result") or {}
    if res.get("new_ward") and res.get("new_province"):
        return [(res["new_province"], res["new_ward"])]
    return [(c["new_province"], c["new_ward"]) for c in conversion.get("candidates") or []
            if c.get("new_ward") and c.get("new_province")]


def old_address_targets(text: str) -> tuple[str, list[tuple[dict, dict]]]:
    """The street part of `text` and every (new_province, new_ward) the address may now be, most likely first.

    The package's parser keeps ONE old ward when several fit the text equally well (its set order breaks
    the tie, and its `conversion.match_level`/`confidence` then claim a full three-level match, 0.98), so a
    tie must be found again here: see `_old_ward_alternatives`. Several targets: a split old ward, or an
    old address that does not say which of several old wards it means (the citizen chooses), or a
    "xã, tỉnh" text that is also a 2025 address (`_new_format_reading`).
    """
    result = converter_convert(text)
    conversion = result.get("conversion") or {}
    street = (result.get("street_address") or "").strip()
    if conversion.get("status") in (None, "not_found", "invalid_input"):
        return street, []
    targets = _targets_of(conversion)
    try:
        alternatives, clashes = _old_ward_alternatives(text, conversion)
    except Exception:  # the package's internals changed (it is pinned): keep its own answer
        logger.exception("Could not check the old address %r for other matching wards", text)
        alternatives, clashes = None, 0
    if alternatives is not None:
        from vietnam_address_converter.conversion import convert_old_to_new

        targets = [t for old_input in alternatives for t in _targets_of(convert_old_to_new(old_input))]
    try:
        new_reading = _new_format_reading(text, result)
    except Exception:
        logger.exception("Could not check the 2025 reading of %r", text)
        new_reading = None
    if new_reading is not None:
        # It contradicts nothing written (see _new_format_reading): old readings that do give way to it.
        targets = [*(targets if not clashes else []), new_reading]
    unique, seen = [], set()
    for province, ward in targets:
        key = (province.get("code"), ward.get("code"))
        if key not in seen:
            seen.add(key)
            unique.append((province, ward))
    return street, unique


# --- several old wards fitting the same text ---------------------------------------------------------------
# Type words as citizens write them (with or without diacritics, abbreviated), at the start of a comma part.
_TYPE_WORD = re.compile(
    r"^(?:(?P<thi_tran>thị\s*trấn|thi\s+tran|tt)|(?P<thi_xa>thị\s*xã|thi\s+xa|tx)"
    r"|(?P<thanh_pho>thành\s*phố|thanh\s+pho|tp)|(?P<phuong>phường|phuong|p)|(?P<xa>xã|xa|x)"
    r"|(?P<huyen>huyện|huyen|h)|(?P<quan>quận|quan|q)|(?P<tinh>tỉnh|tinh|t))(?:\s*\.\s*|\s+)(?=\S)"
)
# Many thị xã became thành phố before 2025 (Sông Công, Phổ Yên, Bắc Kạn...): old papers say either.
_COMPATIBLE_TYPES = {frozenset({"thi_xa", "thanh_pho"})}


def _type_of(name: str) -> str | None:
    """The administrative type a name starts with ("Phường Hương Sơn" → "phuong"), None when it names none."""
    match = _TYPE_WORD.match(unicodedata.normalize("NFC", name or "").strip().lower())
    return match.lastgroup if match else None


def _names(row_name: str | None, record: dict[str, Any] | None) -> list[str]:
    """A unit's full names ("Xã Hòa Phú"): the mapping row's and its record's. The package's data does not
    always agree with itself (row 69387 "Xã Hòa Phú", Chương Mỹ; record 69387 "Xã Hòa Chính") and its
    parser indexes both, so either may be what the citizen wrote."""
    return [n for n in (row_name, (record or {}).get("name_with_type")) if n]


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


def _written_name(raw: str) -> str:
    """A comma part as written, lower-case, without its type word: "P. Hương Sơn" → "hương sơn"."""
    raw = unicodedata.normalize("NFC", raw or "").strip().lower()
    typed = _TYPE_WORD.match(raw)
    return raw[typed.end():] if typed else raw


def _spelling(name: str) -> tuple:
    """Letters and tone of each syllable, wherever the tone mark sits ("Hoà" and "Hòa" are the same name)."""
    syllables = []
    for word in unicodedata.normalize("NFD", (name or "").lower()).split():
        tones = "".join(sorted(ch for ch in word if ch in _TONE_MARKS))
        syllables.append((unicodedata.normalize("NFC", "".join(ch for ch in word if ch not in _TONE_MARKS)), tones))
    return tuple(syllables)


def same_spelling(a: str, b: str) -> bool:
    """Same name, diacritics included (but not where the tone mark sits): "Xã Văn Lăng" is not "Xã Văn Lang"."""
    return _spelling(a) == _spelling(b)


def _part_clashes(token: dict[str, str] | None, names: list[str], *, with_diacritics: bool, spelling: bool) -> int:
    """How many things this comma part contradicts about a unit (full names `names`): the type word written
    ("Phường" for a thị trấn, "Thành phố" for a tỉnh) and, with `spelling` in a text written with diacritics,
    the name's diacritics ("Lộc Thành" for Lộc Thạnh: the package ignores diacritics, and even reads "Phương
    Sơn" and "Huyền Sơn" both as "Sơn"). A part that starts like a type word may also be a whole name ("Xa
    Dung", "H Bông", "Quan Sơn" are xã): read so when it is this unit's name."""
    if not token or not names:
        return 0
    raw = unicodedata.normalize("NFC", token["raw"] or "").strip().lower()
    typed = _TYPE_WORD.match(raw)
    types = {t for t in map(_type_of, names) if t}
    unit_names = [_written_name(name) for name in names]

    def is_its_name(written: str) -> bool:
        if with_diacritics:
            return any(_spelling(written) == _spelling(u) for u in unit_names)
        return any(search_key(written) == search_key(u) for u in unit_names)

    readings = [(typed.lastgroup, raw[typed.end():])] if typed else []
    readings.append((None, raw))
    best = None
    for kind, written in readings:
        if kind is None and typed and not is_its_name(written):
            continue
        clashes = int(bool(kind and types) and not any(
            kind == t or frozenset({kind, t}) in _COMPATIBLE_TYPES for t in types))
        if spelling and with_diacritics and not is_its_name(written):
            clashes += 1
        best = clashes if best is None else min(best, clashes)
    return best or 0


def _comma_readings(tokens: list[dict[str, str]], index: dict[str, Any]):
    """Every ward-level reading the package's comma parser scores (its `_match_comma_separated_text_indexed`,
    same scores), as (score, level, candidate index, first token, token count); and the best score of its
    district- or province-only readings (None if none)."""
    from vietnam_address_converter.text import _candidate_ids_for_token as ids

    candidates = index["candidates"]
    wards, districts, provinces = index["ward_aliases"], index["district_aliases"], index["province_aliases"]
    readings, other = [], None
    for i in range(len(tokens)):
        remaining = len(tokens) - i
        if ids(provinces, tokens[i]):
            other = max(other or 0, 1000 + i)
        if remaining < 2:
            continue
        ward_ids = ids(wards, tokens[i])
        province_next = ids(provinces, tokens[i + 1])
        if ids(districts, tokens[i]) & province_next:
            other = max(other or 0, 2000 + i)
        for c in ward_ids & province_next:
            score = 2400 + i if candidates[c].get("district_aliases") else 2500 + i
            readings.append((score, "province_ward_name", c, i, 2))
        if remaining < 3:
            continue
        district_next = ids(districts, tokens[i + 1])
        province_third = ids(provinces, tokens[i + 2])
        full = ward_ids & district_next & province_third
        readings += [(3000 + i, "province_district_ward_name", c, i, 3) for c in full]
        readings += [(2450 + i, "province_ward_name", c, i, 3) for c in ward_ids & province_third]
        readings += [(2475 + i, "district_ward_name", c, i, 3) for c in ward_ids & district_next]
    return readings, other


def _reading_clashes(reading, tokens, candidate, data, with_diacritics: bool) -> int:
    """How many things the citizen wrote contradict this reading: a type word ("Phường" for a thị trấn,
    "Thành phố" for a tỉnh), or the ward name's diacritics."""
    from vietnam_address_converter.text import _alias_matches

    _, level, _, i, n = reading
    old = candidate["input"]
    ward = _names(old.get("ward_name"), data["oldWards"].get(old.get("ward_code")))
    district = _names(old.get("district_name"), data["oldDistricts"].get(old.get("district_code")))
    province = _names(old.get("province_name"), data["oldProvinces"].get(old.get("province_code")))

    def types(token, names):
        return _part_clashes(token, names, with_diacritics=with_diacritics, spelling=False)

    clashes = _part_clashes(tokens[i], ward, with_diacritics=with_diacritics, spelling=True)
    if level == "province_district_ward_name":
        return clashes + types(tokens[i + 1], district) + types(tokens[i + 2], province)
    if level == "district_ward_name":
        return clashes + types(tokens[i + 1], district)
    if n == 3:
        return clashes + types(tokens[i + 2], province)
    # "ward, X": the package reads X as the province; "Thành phố Thái Nguyên" is the district (the province
    # is a tỉnh), so X also counts as the district when it names this ward's district.
    second = tokens[i + 1]
    as_province = types(second, province)
    if as_province and _alias_matches(candidate.get("district_aliases") or set(), second):
        as_province = min(as_province, types(second, district))
    return clashes + as_province


def _path_readings(text: str, index: dict[str, Any], data: dict[str, Any]) -> list[tuple]:
    """The package's fallbacks when no comma reading exists (whole-path suffix, then substring), every tie kept."""
    from vietnam_address_converter.text import _find_admin_start_index, normalize_address_text

    start = _find_admin_start_index(text)
    found: list[int] = []
    if start is not None:
        found = list(index["normalized_paths"].get(normalize_address_text(text[start:].strip()), []))
    if not found:
        searchable = f" {normalize_address_text(text)} "
        positions = {}
        for c, candidate in enumerate(index["candidates"]):
            path = candidate.get("normalized_path") or ""
            position = searchable.find(f" {path} ") if path else -1
            if position != -1:
                positions[c] = position
        if positions:
            best = max(positions.values())
            found = [c for c, position in positions.items() if position == best]
    token = {"raw": text[start:]} if start is not None else None
    readings = []
    for c in found:
        old = index["candidates"][c]["input"]
        names = _names(old.get("ward_name"), data["oldWards"].get(old.get("ward_code")))
        readings.append((0, "path", c, _part_clashes(token, names, with_diacritics=not text.isascii(), spelling=False)))
    return readings


def _new_format_reading(text: str, result: dict[str, Any]) -> tuple[dict, dict] | None:
    """The 2025 commune a "xã, tỉnh" text names, when the package also reads it so (its `input_type` "new").

    "Phường Trung Thành, Tỉnh Thái Nguyên" is the 2025 format as well as an old ward without its district:
    both readings are plausible. The package's 2025 reading ignores type words and diacritics like its old
    one ("Phường Tân Thành" → Xã Tân Thành, "Văn Lăng" → Xã Văn Lang), so it counts only when a part of the
    text names that commune with no other type word and, when the text has diacritics, the same ones, and a
    later part names the province with no other type word ("Thành phố Thái Nguyên" is the old city; the
    package also matched "Thành Phố Hà Giang" to Tỉnh Hà Tĩnh).
    """
    from vietnam_address_converter.normalize import normalize_vietnamese_name
    from vietnam_address_converter.text import _split_address_tokens

    converted = result.get("converted") or {}
    ward, province = converted.get("ward"), converted.get("province")
    if result.get("input_type") != "new" or not ward or not province:
        return None
    wanted = normalize_vietnamese_name(ward.get("name"))
    province_key = normalize_vietnamese_name(province.get("name"))
    tokens = _split_address_tokens(text)
    ward_names, province_names = _names(None, ward), _names(None, province)
    with_diacritics = not text.isascii()
    for k, token in enumerate(tokens):
        if wanted not in (token["key"], token["loose_key"]):
            continue
        if _part_clashes(token, ward_names, with_diacritics=with_diacritics, spelling=True):
            continue
        named = [t for t in tokens[k + 1:] if province_key in (t["key"], t["loose_key"])]
        if not named or any(_part_clashes(t, province_names, with_diacritics=with_diacritics, spelling=False)
                            for t in named):
            continue  # no part names the province, or "…, Thành phố Thái Nguyên": the old city (the province is a tỉnh)
        return province, ward
    return None


def _old_ward_alternatives(text: str, conversion: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, int]:
    """The old wards (as conversion inputs) `text` may mean when the package's pick is not the only fit,
    and how many things written the best of them contradicts.

    None to keep the package's answer: it did not read an old ward (district-level, new-format address), or
    the ward it picked is the only one that fits. Otherwise, of the old wards that fit the text as well as
    its pick (same parser score), those contradicting the fewest things the citizen wrote (type words:
    "Phường", "Thị trấn", "Thành phố" / "Tỉnh"...; the ward name's diacritics, when the text has some); and
    when even they contradict something, also the lower-scored readings that contradict less.
    """
    from vietnam_address_converter.data import DEFAULT_DATA as data
    from vietnam_address_converter.text import _split_address_tokens, _text_candidate_index

    picked = (conversion.get("input") or {}).get("ward_code")
    if not picked:
        return None, 0
    index = _text_candidate_index()  # the package's own (cached) index: nothing is built twice
    candidates = index["candidates"]
    tokens = _split_address_tokens(text)
    readings, other = _comma_readings(tokens, index)
    if readings:
        top = max(r[0] for r in readings)
        if other is not None and other > top:
            return None, 0
        with_diacritics = not text.isascii()
        scored = [(r, _reading_clashes(r, tokens, candidates[r[2]], data, with_diacritics)) for r in readings]
        tied = [(r, c) for r, c in scored if r[0] == top]
        least = min(c for _, c in tied)
        kept = [r for r, c in tied if c == least]
        floor = min(c for _, c in scored)
        if floor < least:
            kept += [r for r, c in scored if c == floor]
        least = min(least, floor)
        tied_codes = {candidates[r[2]]["input"].get("ward_code") for r, _ in tied}
    else:
        paths = _path_readings(text, index, data)
        if not paths:
            return None, 0
        least = min(p[3] for p in paths)
        kept = [p for p in paths if p[3] == least]
        tied_codes = {candidates[p[2]]["input"].get("ward_code") for p in paths}
    if picked not in tied_codes:  # we did not reproduce the package's reading: keep its answer
        logger.warning("Old address %r: the package's reading was not reproduced; kept as it is", text)
        return None, 0
    order = sorted(kept, key=lambda r: (-r[0], r[2]))  # best score first, then the data's order (not the pick's)
    inputs, seen = [], set()
    for r in order:
        old = candidates[r[2]]["input"]
        if old.get("ward_code") not in seen:
            seen.add(old.get("ward_code"))
            inputs.append(old)
    if [old.get("ward_code") for old in inputs] == [picked]:
        return None, least
    return inputs, least


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
