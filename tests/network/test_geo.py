"""core.geo: distances, the China check, WGS-84 → GCJ-02 (values worked independently)."""

import math

import pytest

from gonghui.core.errors import DomainError
from gonghui.core.geo import check_coordinates, haversine_m, wgs84_to_gcj02


def test_haversine_along_a_meridian_is_the_arc_length():
    # 0.009° of latitude on a sphere of radius 6,371,008.8 m: R·π/180·0.009.
    expected = 6_371_008.8 * math.pi / 180 * 0.009
    assert haversine_m(30.5, 120.9, 30.509, 120.9) == pytest.approx(expected, abs=1e-6)
    assert round(expected, 2) == 1000.76


def test_haversine_beijing_shanghai():
    # Great-circle distance between (39.9042, 116.4074) and (31.2304, 121.4737): ~1,067 km.
    assert haversine_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1_067_000, rel=0.005)


def test_gcj02_matches_the_published_conversion():
    # The example in the README of the widely used coordtransform library (wgs84togcj02 of
    # lng 128.543, lat 37.065), computed there independently of this code.
    lat, lon = wgs84_to_gcj02(37.065, 128.543)
    assert lat == pytest.approx(37.065651049489816, abs=1e-9)
    assert lon == pytest.approx(128.54820547949757, abs=1e-9)


def test_gcj02_leaves_points_outside_china_alone():
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)


def test_coordinates_outside_china_or_swapped_are_refused():
    with pytest.raises(DomainError, match="填反"):
        check_coordinates(120.9, 30.5)
    with pytest.raises(DomainError, match="不在中国境内"):
        check_coordinates(48.85, 2.35)
    with pytest.raises(DomainError, match="数字"):
        check_coordinates("北纬", 120)
    lat, lon = check_coordinates("30.5", 120.9)
    assert (str(lat), str(lon)) == ("30.500000", "120.900000")
