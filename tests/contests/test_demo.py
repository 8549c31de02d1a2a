"""The demo part at the seed articles' figures."""

import pytest

from gonghui.contests.demo import build_contests_demo
from gonghui.contests.domain import stats
from gonghui.contests.models import Contest, ContestAward, Entry

pytestmark = pytest.mark.django_db


def test_demo_loads_both_seed_contests_at_their_real_figures():
    import time

    t0 = time.perf_counter()
    lines = build_contests_demo(seed=7, log=lambda s: None)
    elapsed = time.perf_counter() - t0
    meet = Contest.objects.get(name="沈阳市服务业工会首届职工线上趣味运动会")
    s = stats.contest_stats(meet)
    assert (s.units_total, s.units_registered, s.units_uploaded) == (100, 99, 87)
    assert s.uploaded_share == 87.0
    assert s.participants == 1580 and s.previous_participants == 1000
    sel = meet.selections.get()
    assert Entry.objects.filter(contest=sel).count() == 17
    assert Entry.objects.filter(contest=sel).values("unit").distinct().count() == 13
    assert Entry.objects.filter(contest=meet, source__contest=sel).count() == 3
    dance = Contest.objects.get(name__contains="舞蹈大赛")
    assert Entry.objects.filter(contest=dance).count() == 42
    assert Entry.objects.filter(contest=dance, round__kind="final").count() == 18
    tiers = [ContestAward.objects.filter(contest=dance, tier__name=t).count()
             for t in ("金奖", "银奖", "铜奖", "优秀奖")]  # fmt: skip
    assert tiers == [2, 4, 6, 6]
    assert dance.state == meet.state == "published"
    assert len(lines) == 2
    print(f"contests demo part: {elapsed:.1f} s")
