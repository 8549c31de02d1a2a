# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads shared by the pages and the API: what a user may see, and score cards shaped
for display (figures withheld below the publication thresholds)."""

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gonghui.core.errors import PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.training.models import Skill, Trainer, TrainingPlan, Venue

from ..models import Evaluation
from . import scores


def visible_evaluations(user, action: str = "view") -> QuerySet[Evaluation]:
    return Evaluation.objects.restrict(user, action).select_related("plan", "plan__org_unit")


def visible_plans(user) -> QuerySet[TrainingPlan]:
    """Plans whose evaluation the user may read: the universe their figures count."""
    return TrainingPlan.objects.filter(evaluation__in=visible_evaluations(user).values("pk"))


def own_trainer(user) -> Trainer | None:
    uid = principal_for(user).user_id
    return Trainer.objects.filter(account_id=uid).first() if uid else None


def card_for(user, kind: str, subject_id: int) -> scores.ScoreCard:
    """The score card of a subject the user may see (else Http404 / PermissionDenied).

    A trainer's own card counts every plan; other cards count the plans whose evaluation
    the user may read."""
    principal = principal_for(user)
    mine = own_trainer(user)
    if kind == "trainer" and mine is not None and mine.pk == subject_id:
        return scores.trainer_scores(mine)
    if not principal.may("evaluation", "view"):
        raise PermissionDeniedError("无权查看评价结果")
    plans = visible_plans(user)
    if kind == "plan":
        obj = plans.filter(pk=subject_id).first()
    elif kind == "trainer":
        obj = Trainer.objects.restrict(user, "view").filter(pk=subject_id).first()
    elif kind == "venue":
        obj = Venue.objects.restrict(user, "view").filter(pk=subject_id).first()
    elif kind == "skill":  # the catalogue is shared: a skill of no visible plan is not found
        obj = Skill.objects.filter(pk=subject_id, plans__in=plans.values("pk")).first()
    else:
        raise Http404
    if obj is None:
        raise Http404
    if kind == "plan":
        return scores.plan_scores(obj)
    return scores.scorecards(kind, ids=[obj.pk], plans=plans)[obj.pk]  # type: ignore[arg-type]


def card_data(card: scores.ScoreCard) -> dict[str, Any]:
    """A card as plain data; below the thresholds only the sample sizes and the reason."""
    data = asdict(card)
    data["dimensions"] = list(data["dimensions"].values())
    data["yes_no"] = [{"code": k, **v} for k, v in data["yes_no"].items()]
    for d in data["dimensions"]:
        d["distribution"] = [{"value": v, "count": c} for v, c in d["distribution"].items()]
    if not card.published:
        data["overall_raw"] = data["overall_index"] = None
        data["recommendation"] = None
        data["satisfaction"] = None
        data["yes_no"] = []
        for d in data["dimensions"]:
            d["raw"] = d["shrunk"] = None
            d["distribution"] = []
    return data


def ranking(user, kind: str) -> list[scores.ScoreCard]:
    """Published cards of a kind within the user's plans, best overall index first."""
    cards = scores.scorecards(kind, plans=visible_plans(user)).values()  # type: ignore[arg-type]
    shown = [c for c in cards if c.published and c.overall_index is not None]
    return sorted(shown, key=lambda c: (-(c.overall_index or 0), c.subject_id))
