"""A county meet on the shared test tree: the county federation organises, union A and
union B register; judges are accounts of their own (one of them a member of union A)."""

import datetime as dt
import secrets
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gonghui.contests.domain import contests as c
from gonghui.contests.enums import ContestState, EventKind, EventMode, RoundKind
from gonghui.contests.models import Video
from tests.factories import MembershipFactory, PersonFactory, make_user

DAY = dt.timedelta(days=1)


def members(union, enterprise, n, *, sex="M", birth=dt.date(1990, 1, 1), prefix="员工"):
    return [
        MembershipFactory(union=union, enterprise=enterprise,
                          person=PersonFactory(name=f"{prefix}{i}", sex=sex, birth=birth)).person
        for i in range(n)
    ]  # fmt: skip


def ready_video(entry, **kw):
    """A video row as the upload leaves it (the upload itself is tested in test_videos)."""
    return Video.objects.create(
        key=secrets.token_hex(16), entry=entry, round=entry.round, length=1000, offset=1000,
        state="ready", completed_at=kw.pop("at", timezone.now()), duration=30, **kw,
    )  # fmt: skip


def rounds(n=1, advance=(0,)):
    now = timezone.now()
    kinds = [RoundKind.SEMIFINAL, RoundKind.FINAL] if n == 2 else [RoundKind.FINAL]
    return [
        c.RoundIn(name=["复赛", "决赛"][i] if n == 2 else "决赛", kind=kinds[i], advance=advance[i],
                  upload_deadline=now + (3 * i + 2) * DAY, scoring_deadline=now + (3 * i + 3) * DAY)
        for i in range(n)
    ]  # fmt: skip


DANCE = c.EventIn(
    name="舞蹈", kind=EventKind.JUDGED, mode=EventMode.TEAM, team_min=1, team_max=20,
    criteria=(c.CriterionIn("编排", 30), c.CriterionIn("技术", 30), c.CriterionIn("表现力", 25),
              c.CriterionIn("主题", 15)),
)  # fmt: skip
PUSHUPS = c.EventIn(name="男子俯卧撑", kind=EventKind.MEASURED, sex="M", min_age=18, max_age=55,
                    unit_label="个")  # fmt: skip
ROPE = c.EventIn(name="跳绳", kind=EventKind.MEASURED, mode=EventMode.TEAM, team_min=3,
                 team_max=5, unit_label="个")  # fmt: skip
YOGA = c.EventIn(name="瑜伽", kind=EventKind.EXHIBITION, mode=EventMode.TEAM, team_max=10)
TIERS = [c.TierIn("金奖", quota=2), c.TierIn("银奖", quota=4), c.TierIn("铜奖", quota=6),
         c.TierIn("优秀奖", quota=6), c.TierIn("展示奖", participation=True)]  # fmt: skip


@pytest.fixture
def meet(county):
    staff = county.users["federation_staff"]
    contest = c.create_contest(
        county.county, actor=staff, name="海盐县职工线上趣味运动会",
        events=[PUSHUPS, ROPE, YOGA, DANCE],
        rounds=rounds(), tiers=TIERS, one_event_per_person=True, vote_open=True,
        previous_label="2020年户外运动会", previous_participants=3,
    )  # fmt: skip
    c.transition(contest, actor=staff, to=ContestState.REGISTRATION)
    ev = {e.name: e for e in contest.events.all()}
    a = members(county.union_a, county.ent_a, 8, prefix="甲")
    b = members(county.union_b, county.ent_b, 8, prefix="乙")
    judges = [make_user(f"judge{i}", display_name=f"评委{i}") for i in range(3)]
    return SimpleNamespace(
        county=county, staff=staff, contest=contest, ev=ev, a=a, b=b, judges=judges,
        officer_a=county.users["union_officer_a"],
    )  # fmt: skip
