# SPDX-License-Identifier: AGPL-3.0-or-later
"""The three-part assessment (“KPI绩效考核”“个人提升”“态度评价”三位一体) of one agreement in
one period, with every step of the calculation written out as the mutual-aid estimate does.

- KPI: the goals due by the end of the period, Σ weight × achievement / Σ weight.
- Personal improvement: the apprentice's exams passed (ledger), certificates issued and
  skill levels risen (training: the best certificate level of the period above the best
  held before it and the roster's 技能等级) in the period, ``IMPROVEMENT_PER_EXAM``,
  ``IMPROVEMENT_PER_CERTIFICATE`` and ``IMPROVEMENT_PER_LEVEL`` points each, at most 100.
- Attitude: the apprentice's published anonymous scores of the periods ending in the
  assessed dates (``scoring.attitude``: 1–5 mean ×20). Until one is published the part is
  left out, the other two weights are scaled up to 100 %, and the steps say why.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from django.db import connection

from gonghui.evaluation.domain import rounds
from gonghui.evaluation.enums import TargetKind
from gonghui.orgs.models import Person

from ..enums import Grade, PointSource
from ..models import Agreement, Goal, PointEntry, ScoringPeriod

IMPROVEMENT_PER_EXAM = 20
IMPROVEMENT_PER_CERTIFICATE = 30
GRADE_FLOORS = (
    (Decimal(90), Grade.EXCELLENT),
    (Decimal(75), Grade.GOOD),
    (Decimal(60), Grade.PASS),
)
ONE = Decimal("0.1")


@dataclass
class Assessment:
    kpi: Decimal | None
    improvement: Decimal
    attitude: Decimal | None
    total: Decimal
    grade: str
    steps: list[str] = field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label


def _r(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


#: Skill levels, lowest to highest (the roster's 技能等级 and the certificates' 等级).
LEVEL_RANK = {"": 0, "none": 0, "l5": 1, "l4": 2, "l3": 3, "l2": 4, "l1": 5}
IMPROVEMENT_PER_LEVEL = 20
#: ``attitude`` not given: read the published anonymous scores (``scoring.attitude``).
LOOKUP = object()


@cache
def _tables() -> dict[str, str]:
    from gonghui.training.models import Certificate

    from ..models import Apprentice, MentorshipProgramme

    models = {"programme": MentorshipProgramme, "apprentice": Apprentice, "person": Person,
              "entry": PointEntry, "certificate": Certificate, "goal": Goal,
              "period": ScoringPeriod}  # fmt: skip
    return {k: m._meta.db_table for k, m in models.items()}


#: The programme's weights, the apprentice's person and recorded level, the exams passed in
#: the period (ledger) and, from the training app's certificates, those issued in the period
#: and the best level held before and during it (levels "l1" … "l5" sort best first, so the
#: best is the smallest code): one row.
INPUTS_SQL = """SELECT pr.weight_kpi, pr.weight_improvement, pr.weight_attitude, pe.id,
  pe.skill_level,
  (SELECT COUNT(*) FROM {entry} e WHERE e.agreement_id = %s AND e.person_id = pe.id
     AND e.source = %s AND e.occurred_on BETWEEN %s AND %s),
  (SELECT COUNT(*) FROM {certificate} c WHERE c.person_id = pe.id
     AND c.issued_on BETWEEN %s AND %s),
  (SELECT MIN(c.level) FROM {certificate} c WHERE c.person_id = pe.id
     AND c.issued_on BETWEEN %s AND %s),
  (SELECT MIN(c.level) FROM {certificate} c WHERE c.person_id = pe.id AND c.issued_on < %s)
FROM {programme} pr, {apprentice} ap JOIN {person} pe ON pe.id = ap.person_id
WHERE pr.id = %s AND ap.id = %s"""
GOALS_SQL = """SELECT weight, score FROM {goal} WHERE agreement_id = %s AND due_on <= %s
ORDER BY due_on, id"""
PERIODS_SQL = "SELECT round_id FROM {period} WHERE programme_id = %s AND ends_on BETWEEN %s AND %s"


def _inputs(agreement: Agreement, start: dt.date, end: dt.date) -> tuple[tuple, list, list]:
    """Everything the assessment reads, in three SQL statements written once: the row of
    ``INPUTS_SQL``, the goals due (weight, score) and the apprentice's anonymous scores of
    the periods ending in ``start``–``end`` (the evaluation app's statement and rule).

    The ORM built the same four queries at about a millisecond each on the loaded machine,
    8× the statements themselves at 1,000,000 ledger entries (bench/mentorship_points.py);
    the statements are plain lookups by index, so writing them once costs nothing in
    portability (SQLite and PostgreSQL alike)."""
    names = _tables()
    with connection.cursor() as cur:
        cur.execute(INPUTS_SQL.format(**names), [
            agreement.pk, PointSource.EXAM_PASSED, start, end, start, end, start, end, start,
            agreement.programme_id, agreement.apprentice_id,
        ])  # fmt: skip
        row = cur.fetchone()
        cur.execute(GOALS_SQL.format(**names), [agreement.pk, end])
        goals = cur.fetchall()
        sql, params = rounds.person_scores_sql(
            row[3], TargetKind.APPRENTICE, PERIODS_SQL.format(**names),
            [agreement.programme_id, start, end],
        )  # fmt: skip
        cur.execute(sql, params)
        scores = rounds.person_scores_from_rows(row[3], TargetKind.APPRENTICE, cur.fetchall())
    return row, goals, scores


def assess(
    agreement: Agreement, *, start: dt.date, end: dt.date, attitude: Any = LOOKUP
) -> Assessment:
    """``attitude`` (0–100) overrides the published anonymous score of the period; by default
    it is read from the scoring periods ending in ``start``–``end``."""
    steps: list[str] = []
    row, goals, scores = _inputs(agreement, start, end)
    (w_kpi, w_improvement, w_attitude, _person, recorded, exams, certificates, best_in,
     best_before) = row  # fmt: skip
    if goals:
        weight = sum(w for w, _ in goals)
        achieved = sum(Decimal(w) * Decimal(score or 0) for w, score in goals)
        kpi = _r(achieved / weight)
        parts = "＋".join(f"{w}%×{score or 0}" for w, score in goals)
        steps.append(f"KPI：到期目标{len(goals)}项，({parts})÷{weight}% = {kpi}")
    else:
        kpi = None
        steps.append("KPI：本期没有到期的目标，不计入")

    before = max(LEVEL_RANK.get(recorded or "", 0), LEVEL_RANK.get(best_before or "", 0))
    risen = max(0, LEVEL_RANK.get(best_in or "", 0) - before)
    raw = (
        exams * IMPROVEMENT_PER_EXAM
        + certificates * IMPROVEMENT_PER_CERTIFICATE
        + risen * IMPROVEMENT_PER_LEVEL
    )
    improvement = Decimal(min(raw, 100))
    steps.append(
        f"个人提升：通过考试{exams}次×{IMPROVEMENT_PER_EXAM} ＋ 取得证书{certificates}本"
        f"×{IMPROVEMENT_PER_CERTIFICATE} ＋ 技能等级提升{risen}级×{IMPROVEMENT_PER_LEVEL}"
        f" = {raw}" + ("，按100封顶" if raw > 100 else "")
    )
    if attitude is LOOKUP:
        from .scoring import attitude_of

        found = attitude_of(scores)
        attitude = found.score
        steps.append(found.step)
    elif attitude is None:
        steps.append("态度评价：本期尚无公布的无记名评分，不计入")
    else:
        attitude = _r(Decimal(attitude))
        steps.append(f"态度评价：无记名评分 {attitude}")

    weights = [
        (kpi, w_kpi, "KPI"),
        (improvement, w_improvement, "个人提升"),
        (attitude, w_attitude, "态度评价"),
    ]
    counted = [(v, w, name) for v, w, name in weights if v is not None and w > 0]
    total_weight = sum(w for _, w, _ in counted)
    if total_weight == 0:
        total = Decimal(0)
        steps.append("总分：没有可计入的部分，记0分")
    else:
        total = _r(sum(Decimal(w) * v for v, w, _ in counted) / total_weight)
        formula = "＋".join(f"{v}×{w}%" for v, w, _ in counted)
        scale = "" if total_weight == 100 else f"，权重按计入部分的{total_weight}%折算为100%"
        steps.append(f"总分：({formula})÷{total_weight}% = {total}{scale}")
    grade = next((g for floor, g in GRADE_FLOORS if total >= floor), Grade.FAIL)
    steps.append(f"等级：{Grade(grade).label}（优秀≥90，良好≥75，合格≥60）")
    return Assessment(kpi, improvement, attitude, total, grade, steps)
