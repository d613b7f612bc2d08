"""Regenerate `commune-centroids.json` from the open dataset of the PyPI package `vietnamadminunits`.

Not imported by tinhso: a maintainer runs it when that dataset changes, e.g.

    pip download --no-deps -d /tmp/vau vietnamadminunits==1.0.4
    unzip -o /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl -d /tmp/vau
    python src/tinhso/ioc/data/extract_centroids.py /tmp/vau/vietnamadminunits/data/dataset.db

The package (MIT License, Copyright (c) 2025 Tran Ngoc Minh Hieu) ships, for each of the 3,321 communes of
the 2025 structure, one point (latitude, longitude) and an area in km². It ships no boundaries.
"""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

OUT = Path(__file__).with_name("commune-centroids.json")


def main(db_path: str) -> None:
    con = sqlite3.connect(db_path)
    rows = con.execute("SELECT wardCode, ward, provinceCode, wardLat, wardLon, wardAreaKm2 FROM admin_units "
                       "ORDER BY provinceCode, wardCode").fetchall()
    data = {
        "source": "vietnamadminunits 1.0.4 (PyPI), data/dataset.db, table admin_units",
        "license": "MIT License, Copyright (c) 2025 Tran Ngoc Minh Hieu",
        "what": "one approximate point (lat, lon, WGS84) and the area (km2) per commune of the 2025 structure; "
                "no boundaries",
        "columns": ["code", "name", "province_code", "lat", "lon", "area_km2"],
        "rows": [[c, n, p, round(lat, 4), round(lon, 4), round(area, 2) if area is not None else None]
                 for c, n, p, lat, lon, area in rows if lat is not None and lon is not None],
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("],[", "],\n["),
                   encoding="utf-8")
    print(f"{len(data['rows'])} communes -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
