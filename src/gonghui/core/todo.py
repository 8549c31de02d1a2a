# SPDX-License-Identifier: AGPL-3.0-or-later
"""The console overview's to-do list (概览 · 待办): each app registers what waits for a
person in its part (demands to map, claims to review, alerts, consultations closing), so the
overview shows counts with links for the signed-in role without core knowing any app.

An app registers a source in its ``AppConfig.ready``::

    from gonghui.core.todo import register_todo
    register_todo(my_todo)  # my_todo(user) -> list[TodoItem]

A source answers only within the user's scope (``restrict``) and returns nothing for a
role that does not do that work; an item with a count of 0 is not shown.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("gonghui.core.todo")


@dataclass(frozen=True)
class TodoItem:
    label: str  # what to do, in Chinese ("待人工归类的培训需求")
    count: int
    url: str  # the page where it is done, already filtered
    hint: str = ""  # one line of explanation


_SOURCES: list[Callable] = []


def register_todo(source: Callable) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def todo_items(user) -> list[TodoItem]:
    """Every registered source's items for ``user`` with something waiting, in order."""
    items: list[TodoItem] = []
    for source in _SOURCES:
        items.extend(item for item in source(user) if item.count)
    return items
