# SPDX-License-Identifier: AGPL-3.0-or-later
"""The two seed contests' shapes, used by the console's "new contest" form and the demo:
沈阳市服务业工会's online fun sports meet and 北京市总工会's dance contest."""

import datetime as dt

from ..enums import EventKind, EventMode, RoundKind
from .contests import CriterionIn, EventIn, RoundIn, TierIn

M, J, X = EventKind.MEASURED, EventKind.JUDGED, EventKind.EXHIBITION
T, P = EventMode.TEAM, EventMode.INDIVIDUAL  # team, personal

SPORTS_EVENTS = [
    EventIn("跳绳", M, T, team_min=5, team_max=10, unit_label="个", per_unit=3),
    EventIn("踢毽球", M, T, team_min=3, team_max=6, unit_label="个", per_unit=3),
    EventIn("男子引体向上", M, P, sex="M", min_age=18, max_age=60, unit_label="个"),
    EventIn("颠球", M, P, min_age=18, max_age=60, unit_label="个"),
    EventIn("男子俯卧撑", M, P, sex="M", min_age=18, max_age=60, unit_label="个"),
    EventIn("女子仰卧起坐", M, P, sex="F", min_age=18, max_age=60, unit_label="个"),
    EventIn("平板支撑", M, P, min_age=18, max_age=60, unit_label="秒"),
    *(EventIn(n, X, T, team_min=1, team_max=20)
      for n in ("跑酷", "攀岩", "武术", "瑜伽", "太极拳", "健身操", "八段锦")),
]  # fmt: skip
SPORTS_TIERS = [
    TierIn("一等奖", share=10), TierIn("二等奖", share=20), TierIn("三等奖", share=30),
    TierIn("优秀展示奖", participation=True),
]  # fmt: skip

DANCE_EVENTS = [
    EventIn("舞蹈", J, T, team_min=1, team_max=40, per_unit=1,
            criteria=(CriterionIn("编排", 30), CriterionIn("技术", 30),
                      CriterionIn("表现力", 25), CriterionIn("主题", 15))),
]  # fmt: skip
#: The dance contest's tiers: gold 2, silver 4, bronze 6, excellent 6 (of 18 finalists).
DANCE_TIERS = [TierIn("金奖", quota=2), TierIn("银奖", quota=4), TierIn("铜奖", quota=6),
               TierIn("优秀奖", quota=6)]  # fmt: skip


def sports_rounds(upload_deadline: dt.datetime) -> list[RoundIn]:
    return [RoundIn("线上比赛", RoundKind.FINAL, 0, upload_deadline,
                    upload_deadline + dt.timedelta(days=7))]  # fmt: skip


def dance_rounds(upload_deadline: dt.datetime, finalists: int = 18) -> list[RoundIn]:
    return [
        RoundIn("复赛", RoundKind.SEMIFINAL, finalists, upload_deadline,
                upload_deadline + dt.timedelta(days=7)),
        RoundIn("决赛", RoundKind.FINAL, 0, upload_deadline + dt.timedelta(days=14),
                upload_deadline + dt.timedelta(days=21)),
    ]  # fmt: skip


def preset(kind: str, upload_deadline: dt.datetime) -> dict:
    if kind == "dance":
        return {"events": DANCE_EVENTS, "rounds": dance_rounds(upload_deadline),
                "tiers": DANCE_TIERS, "one_event_per_person": True}  # fmt: skip
    return {"events": SPORTS_EVENTS, "rounds": sports_rounds(upload_deadline),
            "tiers": SPORTS_TIERS, "one_event_per_person": False, "vote_open": True}  # fmt: skip


__all__ = ["preset"]
