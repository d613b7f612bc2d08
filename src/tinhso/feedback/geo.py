"""Where a report may be: the installation province's bounding box.

No commune boundaries are stored, so a point is checked against a rectangle that contains every commune
of the province. Thái Nguyên (code 19, after the 2025 merger with Bắc Kạn): latitude 21.30–22.75 N,
longitude 105.40–106.30 E (the old Thái Nguyên province spans about 21.32–22.05 N, 105.48–106.25 E and
the old Bắc Kạn about 21.80–22.74 N, 105.43–106.25 E, per their published extents), widened a little.
Another province may set `settings.FEEDBACK_BBOX = (south, west, north, east)`; without it the box of
Viet Nam's mainland is used."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings

BOXES = {
    "19": (Decimal("21.30"), Decimal("105.40"), Decimal("22.75"), Decimal("106.30")),
}
VIETNAM = (Decimal("8.18"), Decimal("102.14"), Decimal("23.39"), Decimal("109.46"))


def province_box() -> tuple[Decimal, Decimal, Decimal, Decimal]:
    custom = getattr(settings, "FEEDBACK_BBOX", None)
    if custom:
        return tuple(Decimal(str(v)) for v in custom)  # type: ignore[return-value]
    return BOXES.get(settings.PROVINCE_CODE, VIETNAM)


def inside_province(lat: Decimal, long: Decimal) -> bool:
    south, west, north, east = province_box()
    return south <= lat <= north and west <= long <= east
