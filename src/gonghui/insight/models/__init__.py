# SPDX-License-Identifier: AGPL-3.0-or-later
"""Models of supervision, on-site inspections and quality control."""

from .inspection import Inspection, InspectionPhoto
from .quality import QualityRule, Rectification, RectificationEvent
from .supervision import Alert, StepLimit

__all__ = [
    "Alert",
    "Inspection",
    "InspectionPhoto",
    "QualityRule",
    "Rectification",
    "RectificationEvent",
    "StepLimit",
]
