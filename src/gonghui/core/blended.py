# SPDX-License-Identifier: AGPL-3.0-or-later
"""The online part of a blended training plan (线上线下结合): online courses a plan requires,
done before its sessions and checked at completion (结业).

The training app holds the plan and decides what completion means; the app that holds the
online courses (``learning``) keeps which of its courses a plan requires and each learner's
progress. It registers one provider in its ``AppConfig.ready``, and training asks through
the functions below, so neither imports the other's internals (learning imports training's
models; training never imports learning)::

    from gonghui.core.blended import register_online_part
    register_online_part(MyProvider())

A provider answers for the plan and person it is given; the caller has checked who may ask.
With no provider registered (the learning app not installed) a plan has no online part.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class OnlineCourse:
    """A course a plan can require: ``key`` is the provider's id for it."""

    key: str
    title: str
    hours: Decimal
    url: str = ""  # its page for the learner


@dataclass(frozen=True)
class OnlineProgress:
    """One required course for one person: how far they are."""

    course: OnlineCourse
    enrolled: bool  # has the person started it (enrolled in the course)?
    lessons_done: int
    lessons: int
    done: bool  # completed by the provider's own completion rule

    @property
    def percent(self) -> int:
        if self.done:
            return 100
        return (100 * self.lessons_done) // self.lessons if self.lessons else 0


class OnlinePart(Protocol):
    def options(self, plan, user) -> list[OnlineCourse]:
        """Courses ``user`` may require of ``plan`` (published, in their view)."""

    def required(self, plan) -> list[OnlineCourse]:
        """The courses ``plan`` requires, in their order."""

    def set_required(self, plan, keys: list[str], *, user) -> list[OnlineCourse]:
        """Replace the plan's required courses by ``keys`` (checked against ``options``);
        raises ``DomainError`` for a key ``user`` may not choose."""

    def progress(self, plan, person) -> list[OnlineProgress]:
        """``person``'s progress in each course the plan requires."""

    def done_counts(self, plan, person_ids: list[int]) -> dict[int, int]:
        """How many of the plan's required courses each person completed (absent: 0)."""


_PROVIDER: list[OnlinePart] = []


def register_online_part(provider: OnlinePart) -> None:
    """Register the app holding online courses (one provider; registering again replaces)."""
    _PROVIDER[:] = [provider]


def available() -> bool:
    return bool(_PROVIDER)


def options(plan, user) -> list[OnlineCourse]:
    return _PROVIDER[0].options(plan, user) if _PROVIDER else []


def required(plan) -> list[OnlineCourse]:
    return _PROVIDER[0].required(plan) if _PROVIDER else []


def set_required(plan, keys: list[str], *, user) -> list[OnlineCourse]:
    if not _PROVIDER:
        return []
    return _PROVIDER[0].set_required(plan, keys, user=user)


def progress(plan, person) -> list[OnlineProgress]:
    return _PROVIDER[0].progress(plan, person) if _PROVIDER else []


def incomplete(plan, person_ids: list[int]) -> set[int]:
    """Of ``person_ids``, those who have not completed every course ``plan`` requires
    (nobody when the plan requires none)."""
    if not _PROVIDER:
        return set()
    wanted = len(required(plan))
    if not wanted:
        return set()
    done = _PROVIDER[0].done_counts(plan, list(person_ids))
    return {pk for pk in person_ids if done.get(pk, 0) < wanted}
