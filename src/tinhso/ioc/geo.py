"""Where the communes are, as far as tinhso knows: one approximate point per commune, no boundaries.

No package on PyPI or npm that tinhso may use ships the boundaries of the 2025 communes. The PyPI package
`vietnamadminunits` (1.0.4, MIT) ships one point (latitude, longitude) and the area of each of the 3,321
communes of the 2025 structure; `data/commune-centroids.json` holds those columns (extracted by
`data/extract_centroids.py`, with the package's licence notice). The map of the IOC draws these points
as circles (area proportional to the commune's area) and says so: they are not boundaries.

Joined to tinhso's communes by code, else by name within the province (the package's code of one Thái
Nguyên commune, Xã Phú Lạc, differs from the code of `vietnam-provinces`).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).with_name("data") / "commune-centroids.json"
RADIUS_SHARE = 0.8
SOURCE = "vietnamadminunits 1.0.4 (MIT License, Copyright (c) 2025 Tran Ngoc Minh Hieu)"


@dataclass(frozen=True)
class Point:
    code: str
    name: str
    lat: float
    lon: float
    area_km2: float | None


@lru_cache(maxsize=1)
def _rows() -> tuple:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(tuple(r) for r in data["rows"])


@lru_cache(maxsize=4)
def _points_of(province_code: str) -> dict[str, Point]:
    from tinhso.places.models import Commune

    mine = [r for r in _rows() if r[2] == province_code]
    by_code = {r[0]: r for r in mine}
    by_name: dict[str, list] = {}
    for r in mine:
        by_name.setdefault(r[1], []).append(r)
    out = {}
    for code, name in Commune.objects.filter(province_id=province_code).values_list("code", "name"):
        r = by_code.get(code)
        if r is None or r[1] != name:
            same = by_name.get(name, [])
            r = same[0] if len(same) == 1 else (r if r is not None and r[1] == name else None)
        if r is not None:
            out[code] = Point(code, name, r[3], r[4], r[5])
    return out


def commune_points(province_code: str | None = None) -> dict[str, Point]:
    """{commune code: Point} for the communes of the province (default: the installation's) whose point
    is known."""
    return dict(_points_of(province_code or settings.PROVINCE_CODE))


def project(points: list[dict], *, width: float, height: float, margin: float = 24.0) -> list[dict]:
    """Plate carrée scaled by cos(mean latitude), fitted into width × height: adds "x", "y" and "r": the
    circle's area is proportional to the commune's (on the map's scale, shrunk to RADIUS_SHARE of the radius
    of a disc of the same area so that neighbours overlap less; at least 4 px)."""
    if not points:
        return []
    lats = [p["lat"] for p in points]
    lons = [p["lon"] for p in points]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    min_x, max_x = min(lons) * k, max(lons) * k
    min_y, max_y = min(lats), max(lats)
    span_x, span_y = max(max_x - min_x, 1e-6), max(max_y - min_y, 1e-6)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2
    km_per_degree = 111.32
    out = []
    for p in points:
        x = off_x + (p["lon"] * k - min_x) * scale
        y = off_y + (max_y - p["lat"]) * scale
        area = p.get("area_km2") or 0
        r = RADIUS_SHARE * math.sqrt(area / math.pi) / km_per_degree * scale if area else 0
        out.append({**p, "x": round(x, 1), "y": round(y, 1), "r": round(max(r, 4.0), 1)})
    return out
