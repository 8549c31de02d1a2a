# SPDX-License-Identifier: AGPL-3.0-or-later
"""Models of the reform list (改革清单)."""

from .reform import Milestone, ReformItem, ReformStatusChange

__all__ = ["Milestone", "ReformItem", "ReformStatusChange"]
