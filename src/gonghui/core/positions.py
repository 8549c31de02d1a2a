# SPDX-License-Identifier: AGPL-3.0-or-later
"""What other apps offer at a service position (阵地): the network app keeps the registry
of positions, and an app whose things belong to a position (online learning's courses
recorded at a home, its reading rooms) registers a source, so the position's pages list
them without the network app importing that app (which imports network's models).

An app registers a source in its ``AppConfig.ready``::

    from gonghui.core.positions import register_position_source
    register_position_source(my_source)  # my_source(position, user, *, console) -> [...]

A source lists only what ``user`` may see (its own scope kinds); ``console`` asks for the
staff pages' links rather than the phone's.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PositionOffer:
    kind: str  # what it is, in Chinese ("在线课程", "职工书房")
    title: str
    url: str = ""
    note: str = ""  # e.g. the course's hours, the room's opening hours


_SOURCES: list[Callable] = []


def register_position_source(source: Callable) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def position_offers(position, user, *, console: bool = False) -> list[PositionOffer]:
    """Every registered source's offers at ``position`` that ``user`` may see."""
    offers: list[PositionOffer] = []
    for source in _SOURCES:
        offers.extend(source(position, user, console=console))
    return offers
