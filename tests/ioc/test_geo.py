"""The map's points: every one of Thái Nguyên's 92 communes has one, inside the province."""
import pytest

from tinhso.feedback.geo import BOXES
from tinhso.ioc import geo

pytestmark = pytest.mark.django_db


def test_every_commune_of_thai_nguyen_has_a_point_inside_the_province():
    points = geo.commune_points("19")
    from tinhso.places.models import Commune

    codes = set(Commune.objects.filter(province_id="19").values_list("code", flat=True))
    assert len(codes) == 92
    assert set(points) == codes
    south, west, north, east = (float(v) for v in BOXES["19"])
    for p in points.values():
        assert south <= p.lat <= north and west <= p.lon <= east, p


def test_projection_keeps_north_up_and_fits_the_frame():
    pts = geo.project([{"lat": 22.4, "lon": 105.6, "area_km2": 100}, {"lat": 21.5, "lon": 106.0, "area_km2": 10}],
                      width=400, height=400)
    north, south = pts
    assert north["y"] < south["y"] and north["x"] < south["x"]
    assert all(0 <= p["x"] <= 400 and 0 <= p["y"] <= 400 for p in pts)
    assert north["r"] > south["r"]
