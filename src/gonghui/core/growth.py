# SPDX-License-Identifier: AGPL-3.0-or-later
"""Entries of a worker's growth record (成长档案) kept by other apps: the training app shows
the record (``training.domain.outcomes.growth_record``), and an app whose activity belongs
in it (online learning's completed courses with their hours) registers a source, so the
training app reads them without importing that app (which imports training).

An app registers a source in its ``AppConfig.ready``::

    from gonghui.core.growth import register_growth_source
    register_growth_source(my_source)  # my_source(person) -> list[GrowthEntry]

A source answers for the person only (the caller has checked who may read the record).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class GrowthEntry:
    kind: str  # what it is, in Chinese ("在线学习")
    title: str  # e.g. the course's title
    hours: Decimal  # learning hours credited (学时)
    completed_at: dt.datetime
    url: str = ""  # its page, if any


_SOURCES: list[Callable] = []


def register_growth_source(source: Callable) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def growth_entries(person) -> list[GrowthEntry]:
    """Every registered source's entries for ``person``, latest first."""
    entries: list[GrowthEntry] = []
    for source in _SOURCES:
        entries.extend(source(person))
    return sorted(entries, key=lambda e: e.completed_at, reverse=True)
