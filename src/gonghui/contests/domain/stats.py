# SPDX-License-Identifier: AGPL-3.0-or-later
"""Statistics: units registered and with videos, share of the eligible union's units,
workers taking part by sex, age band and unit, against the previous edition."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from gonghui.orgs.enums import MEMBER_HOLDING_KINDS, Sex
from gonghui.orgs.models import OrgUnit

from ..enums import EntryState, VideoState
from ..models import Contest, Entry, EntryMember, Video
from .registration import age_on

AGE_BANDS = ((0, 29, "30岁以下"), (30, 39, "30–39岁"), (40, 49, "40–49岁"), (50, 200, "50岁及以上"))


@dataclass
class ContestStats:
    units_total: int
    units_registered: int
    units_uploaded: int
    participants: int
    entries: int
    by_sex: dict[str, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)
    by_unit: list[tuple[str, int, int, bool]] = field(
        default_factory=list
    )  # name, entries, people, video
    previous_label: str = ""
    previous_participants: int | None = None

    @property
    def uploaded_share(self) -> float:
        return round(100 * self.units_uploaded / self.units_total, 1) if self.units_total else 0.0

    @property
    def growth(self) -> int | None:
        if self.previous_participants is None:
            return None
        return self.participants - self.previous_participants


def _family(contest: Contest) -> list[int]:
    """The contest and the selection contests held for it by its units."""
    return [contest.pk, *contest.selections.values_list("pk", flat=True)]


def contest_stats(contest: Contest, *, on: dt.date | None = None) -> ContestStats:
    on = on or timezone.localdate()
    family = _family(contest)
    entries = Entry.objects.filter(contest=contest, state=EntryState.REGISTERED)
    # Units of the eligible union that hold members (the industry union's grassroots units).
    root = contest.eligible_union
    units_total = (
        OrgUnit.objects.filter(path__startswith=root.path, kind__in=MEMBER_HOLDING_KINDS,
                               depth=root.depth + 1).count()
    )  # fmt: skip
    registered = set(entries.values_list("unit_id", flat=True))
    uploaded = set(
        Video.objects.filter(entry__contest=contest, state=VideoState.READY,
                             entry__state=EntryState.REGISTERED)
        .values_list("entry__unit_id", flat=True)
    )  # fmt: skip
    people = (
        EntryMember.objects.filter(entry__contest_id__in=family,
                                   entry__state=EntryState.REGISTERED)
        .values_list("person_id", "person__sex", "person__birth_date").distinct()
    )  # fmt: skip
    seen: dict[int, tuple[str, dt.date]] = {pid: (sex, b) for pid, sex, b in people}
    by_sex = Counter(Sex(s).label for s, _ in seen.values())
    by_age: Counter = Counter()
    for _sex, birth in seen.values():
        age = age_on(birth, on)
        by_age[next(label for lo, hi, label in AGE_BANDS if lo <= age <= hi)] += 1
    unit_people: dict[int, set[int]] = {}
    for unit_id, pid in EntryMember.objects.filter(
        entry__contest=contest, entry__state=EntryState.REGISTERED
    ).values_list("entry__unit_id", "person_id"):
        unit_people.setdefault(unit_id, set()).add(pid)
    unit_entries = Counter(entries.values_list("unit_id", flat=True))
    names = dict(OrgUnit.objects.filter(pk__in=registered).values_list("pk", "name"))
    by_unit = sorted(
        ((names[u], unit_entries[u], len(unit_people.get(u, ())), u in uploaded)
         for u in registered),
        key=lambda r: (-r[2], r[0]),
    )  # fmt: skip
    return ContestStats(
        units_total=units_total, units_registered=len(registered), units_uploaded=len(uploaded),
        participants=len(seen), entries=entries.count(), by_sex=dict(by_sex),
        by_age={label: by_age.get(label, 0) for _lo, _hi, label in AGE_BANDS}, by_unit=by_unit,
        previous_label=(contest.previous.name if contest.previous else contest.previous_label),
        previous_participants=(
            contest_stats(contest.previous).participants if contest.previous
            else contest.previous_participants
        ),
    )  # fmt: skip


def stats_rows(contest: Contest, s: ContestStats) -> list[list]:
    rows: list[list] = [
        [contest.name], [],
        ["指标", "数值"],
        ["行业（范围）内基层工会数", s.units_total],
        ["报名基层工会数", s.units_registered],
        ["上传视频基层工会数", s.units_uploaded],
        ["上传视频工会占比%", s.uploaded_share],
        ["参赛作品/队伍数", s.entries],
        ["参与职工人数（含单位选拔赛）", s.participants],
    ]  # fmt: skip
    if s.previous_participants is not None:
        rows.append([f"上届（{s.previous_label}）参与人数", s.previous_participants])
        rows.append(["较上届增加", s.growth])
    rows += [[], ["性别", "人数"], *([k, v] for k, v in s.by_sex.items())]
    rows += [[], ["年龄段", "人数"], *([k, v] for k, v in s.by_age.items())]
    rows += [[], ["参赛单位", "作品/队伍", "参赛人数", "已上传视频"]]
    rows += [[n, e, p, "是" if v else "否"] for n, e, p, v in s.by_unit]
    return rows
