# SPDX-License-Identifier: AGPL-3.0-or-later
"""API schemas of the service network (names start with ``Network`` to stay unique across
the one OpenAPI document)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict


class _Plain(BaseModel):
    """A plain pydantic model for the "near me" read, the hot path of a worker's phone:
    validated wholly inside pydantic-core, without the per-object ``DjangoGetter`` wrapper
    a ninja ``Schema`` adds (about nine times cheaper for the ten rows of "near me"). Reads
    model objects by attribute too, so ``/positions`` serves the same class."""

    model_config = ConfigDict(from_attributes=True)


class NetworkServiceOut(_Plain):
    id: int
    name: str
    category: str
    pricing: str
    price: Decimal
    subsidy_rule: str
    bookable: bool
    slot_minutes: int
    slot_capacity: int


class NetworkPositionOut(_Plain):
    id: int
    org_unit_id: int
    home_id: int | None
    name: str
    kind: str
    address: str
    latitude: Decimal = Field(..., description="GCJ-02")
    longitude: Decimal = Field(..., description="GCJ-02")
    capacity: int
    accessible: bool
    contact: str
    venue_id: int | None = Field(None, description="对应的培训阵地（training venue）")
    active: bool


class NetworkPositionIn(Schema):
    org_unit_id: int
    home_id: int | None = None
    name: str = Field(..., max_length=100)
    kind: str
    address: str = Field(..., max_length=200)
    latitude: Decimal
    longitude: Decimal
    datum: str = Field("gcj02", description="gcj02（地图读取）或 wgs84（GPS，自动换算）")
    capacity: int = 0
    accessible: bool = False
    contact: str = Field("", max_length=100)


class NetworkPositionPatch(Schema):
    """The fields to change (any omitted field stays as it is); coordinates come in pairs."""

    name: str | None = Field(None, max_length=100)
    kind: str | None = None
    address: str | None = Field(None, max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    datum: str = Field("gcj02", description="gcj02（地图读取）或 wgs84（GPS，自动换算）")
    capacity: int | None = None
    accessible: bool | None = None
    contact: str | None = Field(None, max_length=100)
    active: bool | None = None


class NetworkNearOut(_Plain):
    position: NetworkPositionOut
    distance_m: float
    walk_minutes: float
    ebike_minutes: float
    services: list[NetworkServiceOut]


class NetworkCoveragePointOut(Schema):
    id: int
    name: str
    kind: str
    people: int
    nearest_m: float | None


class NetworkGapOut(Schema):
    point_id: int
    name: str
    gain: int
    points: int


class NetworkCoverageOut(Schema):
    mode: str
    radius_m: float
    detour: float
    people: int
    covered_people: int
    points: list[NetworkCoveragePointOut]
    gaps: list[NetworkGapOut]


class NetworkBookingIn(Schema):
    starts_at: dt.datetime
    waitlist: bool = False


class NetworkBookingOut(Schema):
    id: int
    service_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str


class NetworkActivityOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    title: str
    position_id: int | None
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    cap: int | None


class NetworkUtilisationOut(Schema):
    position_id: int
    name: str
    bookings: int
    visits: int
    no_shows: int
    hours_open: float
    hours_used: float
    rate: float
