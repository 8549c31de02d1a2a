# SPDX-License-Identifier: AGPL-3.0-or-later
from .activities import Activity, Consultation, Finding, Material, Registration
from .photos import ActivityPhoto, PositionPhoto
from .registry import Booking, DemandPoint, OpeningHours, Position, Service, ServiceHome

__all__ = [
    "Activity",
    "ActivityPhoto",
    "Booking",
    "Consultation",
    "DemandPoint",
    "Finding",
    "Material",
    "OpeningHours",
    "Position",
    "PositionPhoto",
    "Registration",
    "Service",
    "ServiceHome",
]
