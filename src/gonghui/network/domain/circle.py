# SPDX-License-Identifier: AGPL-3.0-or-later
"""The 15-minute service circle: which positions a workplace or a residential district
reaches within 15 minutes, the coverage of an area, and the gaps.

Travel model (no road network is deployed with Gonghui, so none is used): the straight-line
(great-circle) distance times a detour factor of 1.3 must not exceed what 15 minutes give —
on foot at 5 km/h (1,250 m of road, 962 m straight), by e-bike at 15 km/h (3,750 m of
road, 2,885 m straight). A deployment with OSRM or Valhalla could replace ``reach_m`` with
road travel times; nothing else would change.

Coverage is computed for many points against many positions with a spatial index: the
positions sorted by latitude, each point looking only at the positions within the latitude
band of its radius (``numpy.searchsorted``), then the haversine distance vectorised over
that band — see ``bench/network_coverage.py`` for the comparison with brute force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gonghui.core.geo import EARTH_RADIUS_M, degrees_box

from ..enums import TravelMode

MINUTES = 15
DETOUR = 1.3
#: Speeds in metres per minute.
SPEED_M_PER_MIN = {TravelMode.WALK: 5000 / 60, TravelMode.EBIKE: 15000 / 60}


def reach_m(mode: str = TravelMode.WALK, minutes: float = MINUTES) -> float:
    """Straight-line radius of the circle: road distance in ``minutes`` ÷ detour factor."""
    return SPEED_M_PER_MIN[mode] * minutes / DETOUR


def haversine_np(lat1, lon1, lat2, lon2):
    """Vectorised great-circle distance in metres (degrees in, broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def nearest_distances(points: np.ndarray, positions: np.ndarray, radius_m: float) -> np.ndarray:
    """For each point (n×2 lat, lon), the distance in metres to the nearest position
    (m×2) within ``radius_m``; ``inf`` when none is that close. Spatial index: positions
    sorted by latitude, each point scans only the band |Δlat| ≤ radius."""
    n = len(points)
    best = np.full(n, np.inf)
    if n == 0 or len(positions) == 0:
        return best
    order = np.argsort(positions[:, 0], kind="stable")
    plat, plon = positions[order, 0], positions[order, 1]
    dlat, _ = degrees_box(float(np.max(np.abs(points[:, 0]))), radius_m)
    lo = np.searchsorted(plat, points[:, 0] - dlat, side="left")
    hi = np.searchsorted(plat, points[:, 0] + dlat, side="right")
    # Process points in chunks by band width: gather (point, candidate) pairs in one array.
    widths = hi - lo
    chunk = 2_000_000
    start = 0
    while start < n:
        cum = np.cumsum(widths[start:])
        stop = start + max(1, int(np.searchsorted(cum, chunk, side="right")))
        stop = min(stop, n)
        w = widths[start:stop]
        total = int(w.sum())
        if total:
            owner = np.repeat(np.arange(start, stop), w)
            offsets = np.arange(total) - np.repeat(np.cumsum(w) - w, w)
            cand = lo[owner] + offsets
            d = haversine_np(points[owner, 0], points[owner, 1], plat[cand], plon[cand])
            d = np.where(d <= radius_m, d, np.inf)
            np.minimum.at(best, owner, d)
        start = stop
    return best


def brute_force_nearest(points: np.ndarray, positions: np.ndarray, radius_m: float) -> np.ndarray:
    """The same answer by brute force (every point against every position, in blocks);
    kept for the benchmark and the tests."""
    best = np.full(len(points), np.inf)
    block = max(1, 4_000_000 // max(len(positions), 1))
    for s in range(0, len(points), block):
        p = points[s : s + block]
        d = haversine_np(p[:, :1], p[:, 1:2], positions[None, :, 0], positions[None, :, 1])
        d = np.where(d <= radius_m, d, np.inf)
        best[s : s + block] = d.min(axis=1) if len(positions) else np.inf
    return best


@dataclass
class PointCoverage:
    id: int
    name: str
    kind: str
    latitude: float
    longitude: float
    people: int
    nearest_m: float | None  # None: no position within the circle

    @property
    def covered(self) -> bool:
        return self.nearest_m is not None


@dataclass
class Coverage:
    mode: str
    radius_m: float
    points: list[PointCoverage]

    @property
    def people(self) -> int:
        return sum(p.people for p in self.points)

    @property
    def covered_people(self) -> int:
        return sum(p.people for p in self.points if p.covered)

    @property
    def share(self) -> float:
        return self.covered_people / self.people if self.people else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for p in self.points:
            total, covered = out.get(p.kind, (0, 0))
            out[p.kind] = (total + p.people, covered + (p.people if p.covered else 0))
        return out


def coverage(points, positions, *, mode: str = TravelMode.WALK) -> Coverage:
    """Coverage of ``points`` (DemandPoint rows) by ``positions`` (Position rows)."""
    radius = reach_m(mode)
    pts = list(points)
    pos = list(positions)
    a = np.array([[float(p.latitude), float(p.longitude)] for p in pts]).reshape(-1, 2)
    b = np.array([[float(p.latitude), float(p.longitude)] for p in pos]).reshape(-1, 2)
    nearest = nearest_distances(a, b, radius)
    rows = [
        PointCoverage(
            id=p.pk,
            name=p.name,
            kind=p.kind,
            latitude=float(p.latitude),
            longitude=float(p.longitude),
            people=p.people,
            nearest_m=None if not np.isfinite(d) else round(float(d), 1),
        )
        for p, d in zip(pts, nearest, strict=True)
    ]
    return Coverage(mode=mode, radius_m=radius, points=rows)


@dataclass
class Gap:
    """A candidate site for a new position: placed at an uncovered point, it would bring
    ``gain`` uncovered people (at that point and its uncovered neighbours) into a circle."""

    point: PointCoverage
    gain: int
    points: int


def gaps(cov: Coverage, *, limit: int = 10) -> list[Gap]:
    """Uncovered points ranked greedily: the site that covers most uncovered people first,
    then the next among those still uncovered, and so on (candidate sites are the uncovered
    points themselves)."""
    uncovered = [p for p in cov.points if not p.covered]
    if not uncovered:
        return []
    xy = np.array([[p.latitude, p.longitude] for p in uncovered])
    people = np.array([p.people for p in uncovered], dtype=float)
    within = haversine_np(xy[:, None, 0], xy[:, None, 1], xy[None, :, 0], xy[None, :, 1])
    within = within <= cov.radius_m
    left = np.ones(len(uncovered), dtype=bool)
    out: list[Gap] = []
    while left.any() and len(out) < limit:
        gain = within[:, left] @ people[left]
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        reached = within[best] & left
        out.append(Gap(point=uncovered[best], gain=int(gain[best]), points=int(reached.sum())))
        left &= ~reached
    return out
