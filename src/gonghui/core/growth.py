# SPDX-License-Identifier: AGPL-3.0-or-later
"""Entries of a worker's growth record (成长档案) kept by other apps: the training app shows
the record (``training.domain.outcomes.growth_record``), and an app whose activity belongs
in it registers a source, so the training app (and any other reader) reads them without
importing that app:

- online learning: completed courses with their hours (category ``LEARNING``);
- contests: published contest awards (category ``AWARD``, honour ``CONTEST``, with the
  level of the contest's organiser);
- mentorship: agreements as mentor or apprentice, assessment results, points totals
  (category ``MENTORSHIP``) and the awards recorded in agreements (``AWARD``).

The same registry is how one app learns another's honours: mentorship's reward linkage
reads ``honours(person)`` (contest awards of an apprentice pass on to the mentor) without
importing the contests app.

An app registers a source in its ``AppConfig.ready``::

    from gonghui.core.growth import register_growth_source
    register_growth_source(my_source, categories=(AWARD,))  # my_source(person) -> list[GrowthEntry]

A source answers for the person only (the caller has checked who may read the record).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

#: What an entry is (``GrowthEntry.category``).
LEARNING = "learning"  # learning credited with hours
AWARD = "award"  # an honour: contest award, innovation award …
MENTORSHIP = "mentorship"  # agreements, assessments, points of the mentorship app

#: What kind of honour an ``AWARD`` entry is (``GrowthEntry.honour``).
CONTEST = "contest"  # a skills or sports contest
MANAGEMENT_INNOVATION = "management_innovation"
TECHNICAL_INNOVATION = "technical_innovation"
OTHER_HONOUR = "other"

#: Levels of an honour, lowest first (``GrowthEntry.level``): the one vocabulary the apps
#: share. A contest takes the level of its organiser (a county federation's meet is 县级).
HONOUR_LEVELS = {
    "team": "班组级",
    "company": "公司级",
    "group": "集团级",
    "town": "乡镇（街道）级",
    "county": "县（区）级",
    "city": "市级",
    "province": "省级",
    "national": "国家级",
}


@dataclass(frozen=True)
class GrowthEntry:
    kind: str  # what it is, in Chinese ("在线学习", "竞赛获奖", "导师带徒")
    title: str  # e.g. the course's title, the award's name
    hours: Decimal  # learning hours credited (学时); 0 for anything else
    completed_at: dt.datetime  # when it was completed, awarded or last changed
    url: str = ""  # its page, if any
    category: str = LEARNING
    level: str = ""  # AWARD: a key of HONOUR_LEVELS
    honour: str = ""  # AWARD: CONTEST, MANAGEMENT_INNOVATION, …
    #: A stable key of the source's record ("contests.award:12"), so that a reader that
    #: acts on an entry (mentorship's reward linkage) acts once.
    ref: str = ""
    detail: str = ""  # one line shown under the title ("总分71.7，合格")

    @property
    def level_label(self) -> str:
        return HONOUR_LEVELS.get(self.level, "")


#: (source, the categories it answers for)
_SOURCES: list[tuple[Callable, tuple[str, ...]]] = []


def register_growth_source(source: Callable, *, categories: tuple[str, ...] = (LEARNING,)) -> None:
    """Register ``source(person) -> list[GrowthEntry]``, naming the categories of its
    entries (a reader of one category calls only the sources that give it)."""
    if all(s is not source for s, _c in _SOURCES):
        _SOURCES.append((source, tuple(categories)))


def growth_entries(person, *, category: str | None = None) -> list[GrowthEntry]:
    """Every registered source's entries for ``person`` (of ``category`` if given), latest
    first."""
    entries: list[GrowthEntry] = []
    for source, categories in _SOURCES:
        if category is None or category in categories:
            entries.extend(e for e in source(person) if category in (None, e.category))
    return sorted(entries, key=lambda e: e.completed_at, reverse=True)


def honours(person, *, exclude_prefix: str = "") -> list[GrowthEntry]:
    """``person``'s honours (``AWARD`` entries) from every source, latest first; a reader
    leaves out its own records with ``exclude_prefix`` (their ``ref`` prefix)."""
    return [
        e
        for e in growth_entries(person, category=AWARD)
        if not (exclude_prefix and e.ref.startswith(exclude_prefix))
    ]
