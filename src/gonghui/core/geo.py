# SPDX-License-Identifier: AGPL-3.0-or-later
"""Coordinates on the ground: great-circle distance, the check that a point lies in China,
and WGS-84 → GCJ-02 conversion (the "Mars" datum every map published in China uses).

Distances are straight lines on the sphere (haversine, mean Earth radius); an app that
turns them into travel times multiplies by a detour factor and says so. No network access,
no map service: the formulas are the published ones.
"""

from __future__ import annotations

import math
from decimal import Decimal

from .errors import DomainError

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

#: A generous box around China's territory (mainland, Hainan, Taiwan, the South China Sea
#: islands reach further south but carry no union service positions).
CHINA_LAT = (3.8, 53.6)
CHINA_LON = (73.5, 135.1)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def degrees_box(lat: float, radius_m: float) -> tuple[float, float]:
    """Half-sizes (Δlat, Δlon) in degrees of a box that holds every point within
    ``radius_m`` of a point at latitude ``lat`` (for a bounding-box prefilter)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(abs(lat) + dlat)), 1e-6)
    return dlat, dlon


def in_china(lat: float, lon: float) -> bool:
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]


def check_coordinates(lat, lon, *, field: str = "latitude") -> tuple[Decimal, Decimal]:
    """Latitude and longitude as 6-decimal Decimals, or a Chinese ``DomainError``: not
    numbers, outside China, or swapped (latitude given as longitude)."""
    try:
        flat, flon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise DomainError("请填写数字形式的经纬度", field=field) from None
    if not (math.isfinite(flat) and math.isfinite(flon)):
        raise DomainError("请填写数字形式的经纬度", field=field)
    if not in_china(flat, flon):
        if in_china(flon, flat):
            raise DomainError("纬度和经度似乎填反了：纬度在前（约18至54），经度在后（约73至135）",
                              field=field)  # fmt: skip
        raise DomainError("坐标不在中国境内，请核对经纬度", field=field)
    return Decimal(f"{flat:.6f}"), Decimal(f"{flon:.6f}")


# -- WGS-84 → GCJ-02 ------------------------------------------------------------------------
# The published conversion (Krasovsky 1940 ellipsoid parameters). Outside China GCJ-02 is
# WGS-84 unchanged.
_A = 6378245.0
_EE = 0.00669342162296594323


def _lat_shift(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _lon_shift(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """A GPS (WGS-84) point as GCJ-02 (what 高德/腾讯 maps show); unchanged outside China."""
    if not in_china(lat, lon):
        return lat, lon
    dlat = _lat_shift(lon - 105.0, lat - 35.0)
    dlon = _lon_shift(lon - 105.0, lat - 35.0)
    rad = math.radians(lat)
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon
