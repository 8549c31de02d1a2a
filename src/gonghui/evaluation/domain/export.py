# SPDX-License-Identifier: AGPL-3.0-or-later
"""The results workbook of one evaluation: figures only. Nothing in it names a person —
the answers it sums are stored without one."""

import io

from openpyxl import Workbook

from gonghui.core.spreadsheets import safe_cell

from ..enums import TextReview
from ..models import Evaluation, TextAnswer
from .results import plan_results
from .scores import plan_scores, scorecards


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _num(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def results_workbook(evaluation: Evaluation) -> bytes:
    plan = evaluation.plan
    card = plan_scores(plan)
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    r = plan_results(plan)
    rows = [
        ("培训方案", plan.title),
        ("结业日期", evaluation.completed_on.isoformat()),
        ("应评人数", card.eligible),
        ("答卷数（样本量）", card.responses),
        ("参评率%", _pct(card.response_rate)),
        ("是否达到公布门槛", "是" if card.published else f"否：{card.withheld_reason}"),
        ("综合指数（收缩后）", _num(card.overall_index, 1) if card.published else None),
        ("推荐值（NPS）", _num(card.recommendation.score, 1) if card.published else None),
        ("结业率%", _pct(r.completed.rate)),
        ("目标结业率%", r.target_completion),
        ("取证率%", _pct(r.certified.rate)),
        ("目标取证率%", r.target_certification),
        ("满意率%", _pct(r.satisfaction.rate) if card.published else None),
        ("目标满意度%", r.target_satisfaction),
    ]
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    dims = wb.create_sheet("维度得分")
    dims.append(
        ["对象", "维度", "评分数", "原始均分", "收缩后得分", "全会平均（先验）", "先验权重"]
    )
    cards = [card]
    trainer_ids = list(
        evaluation.targets.exclude(trainer=None).values_list("trainer_id", flat=True)
    )
    cards += list(
        scorecards("trainer", ids=trainer_ids, plans=type(plan).objects.filter(pk=plan.pk)).values()
    )
    for c in cards:
        for d in c.dimensions.values():
            if not d.n:
                continue
            shown = c.published
            dims.append([
                safe_cell(c.label), d.label, d.n,
                _num(d.raw) if shown else None, _num(d.shrunk) if shown else None,
                _num(d.prior.mean), d.prior.weight,
            ])  # fmt: skip
    texts = wb.create_sheet("文字意见（已审核公开）")
    texts.append(["对象", "题目", "意见"])
    approved = TextAnswer.objects.filter(
        target__evaluation=evaluation, review=TextReview.APPROVED
    ).select_related("target__trainer", "question")
    for a in approved:
        about = a.target.trainer.name if a.target.trainer_id else "课程与组织"
        texts.append([safe_cell(about), safe_cell(a.question.text), safe_cell(a.published_text)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
