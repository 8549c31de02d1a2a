# SPDX-License-Identifier: AGPL-3.0-or-later
"""The leadership dashboard (数据驾驶舱): every figure of one screen, for the viewer's subtree
and a period, as plain data that the page (ECharts), the API and the .xlsx export share.

Scope: the org units the viewer may see dashboards of (``("dashboard", "view")``), i.e. the
subtrees of their staff, auditor and department-liaison roles. Period: demands by the day
they were filed, plans by the day they were created; evaluation figures by the plans'.

Evaluation figures come from the evaluation app's scores (summary counters kept up to date
as answers arrive), never from who answered.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit
from gonghui.orgs.rules import roles_for
from gonghui.training.enums import DemandStatus, EnrollmentStatus, PlanState
from gonghui.training.models import (
    Certificate,
    CheckIn,
    Demand,
    DemandItem,
    Enrollment,
    Trainer,
    TrainingPlan,
)

from ..enums import RectificationStatus, Step
from ..models import Alert, Rectification

TOP_SKILLS = 12
TOP_RANKED = 10
TOP_RECOMMENDED = 5
#: How long score blocks stay cached at most (a new answer invalidates them at once).
EVAL_CACHE_SECONDS = 3600


#: The dates a statistics period may cover: no record of the platform is older, and dates
#: near the calendar's ends overflow once turned into times in UTC (year 1, year 9999).
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)
MAX_PERIOD_DAYS = 3660


@dataclass(frozen=True)
class Period:
    """A statistics period; constructing one checks it (the API, the page, its report and
    export, and the background refresh all build it here), so no caller can ask for an
    impossible one."""

    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self):
        if not (EARLIEST_DAY <= self.start <= LATEST_DAY):
            raise DomainError(
                _("起始日期须在 %(lo)s 至 %(hi)s 之间") % {"lo": EARLIEST_DAY, "hi": LATEST_DAY},
                field="start",
            )
        if not (EARLIEST_DAY <= self.end <= LATEST_DAY):
            raise DomainError(
                _("截止日期须在 %(lo)s 至 %(hi)s 之间") % {"lo": EARLIEST_DAY, "hi": LATEST_DAY},
                field="end",
            )
        if self.start > self.end:
            raise DomainError(_("起始日期不能晚于截止日期"), field="start")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise DomainError(_("统计期不超过十年"), field="start")

    @classmethod
    def last_months(cls, months: int = 12, *, today: dt.date | None = None) -> "Period":
        today = today or timezone.localdate()
        start = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
        return cls(start, today)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return lo, hi


@dataclass(frozen=True)
class Scope:
    """The subtrees whose figures a viewer sees (plain data, so a background task can
    recompute a viewer's figures without the viewer)."""

    paths: tuple[str, ...]
    everything: bool = False

    @classmethod
    def of(cls, user) -> "Scope":
        principal = principal_for(user)
        if principal.is_superuser:
            return cls((), True)
        return cls(tuple(principal.paths(roles_for("dashboard", "view"))))

    def units(self) -> QuerySet:
        return OrgUnit.objects.all() if self.everything else OrgUnit.objects.subtree_of(self.paths)

    def plans(self, period: Period) -> QuerySet:
        lo, hi = period.bounds()
        return TrainingPlan.objects.filter(
            org_unit__in=self.units().values("pk"), created_at__gte=lo, created_at__lt=hi
        )


def scope_units(user) -> QuerySet:
    """The org units whose figures the viewer sees."""
    return Scope.of(user).units()


def scoped_plans(user, period: Period) -> QuerySet:
    return Scope.of(user).plans(period)


def scoped_demands(user, period: Period) -> QuerySet:
    lo, hi = period.bounds()
    return Demand.objects.filter(
        org_unit__in=scope_units(user).values("pk"), created_at__gte=lo, created_at__lt=hi
    ).exclude(status=DemandStatus.WITHDRAWN)


# -- figures --------------------------------------------------------------------------------
def pipeline(demands: QuerySet, plans: QuerySet) -> list[dict[str, Any]]:
    """Demand → plan → enrolled → attended → completed → certificate, in people."""
    live = plans.exclude(state__in=[PlanState.CANCELLED, PlanState.DRAFT])
    enrolled = Enrollment.objects.filter(plan__in=live, status=EnrollmentStatus.ENROLLED)
    stages = [
        ("demand", "需求人数", demands.aggregate(n=Sum("headcount"))["n"] or 0),
        ("planned", "方案名额", live.aggregate(n=Sum("capacity"))["n"] or 0),
        ("enrolled", "报名人数", enrolled.count()),
        ("attended", "实际参训", CheckIn.objects.filter(session__plan__in=live)
         .values("session__plan_id", "person_id").distinct().count()),
        ("completed", "结业人数", enrolled.filter(completed=True).count()),
        ("certified", "取得证书", Certificate.objects.filter(plan__in=live).count()),
    ]  # fmt: skip
    return [{"key": k, "label": label, "value": v} for k, label, v in stages]


def demand_heatmap(demands: QuerySet) -> dict[str, Any]:
    """People wanting each of the top skills, per town (the demand's area)."""
    rows = list(
        demands.filter(skill__isnull=False)
        .values("skill_id", "skill__name", "area_id", "area__name")
        .annotate(n=Sum("headcount"))
        .order_by()
    )
    by_skill: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    by_town: dict[int, int] = defaultdict(int)
    towns: dict[int, str] = {}
    for r in rows:
        by_skill[r["skill_id"]] += r["n"]
        names[r["skill_id"]] = r["skill__name"]
        by_town[r["area_id"]] += r["n"]
        towns[r["area_id"]] = r["area__name"]
    skills = sorted(by_skill, key=lambda s: (-by_skill[s], names[s]))[:TOP_SKILLS]
    town_ids = sorted(towns, key=lambda t: (-by_town[t], towns[t]))
    cell = {(r["area_id"], r["skill_id"]): r["n"] for r in rows}
    return {
        "skills": [names[s] for s in skills],
        "towns": [towns[t] for t in town_ids],
        "cells": [
            [si, ti, cell.get((t, s), 0)]
            for ti, t in enumerate(town_ids)
            for si, s in enumerate(skills)
        ],
        "by_skill": [{"name": names[s], "value": by_skill[s]} for s in skills],
        "by_town": [{"name": towns[t], "value": by_town[t]} for t in town_ids],
        "max": max(cell.values(), default=0),
    }


def _rate(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _round(x: float | None, n: int = 1) -> float | None:
    return None if x is None else round(x, n)


def satisfaction_trend(plans: QuerySet) -> list[dict[str, Any]]:
    from gonghui.evaluation.domain.scores import monthly_satisfaction

    return [
        {"month": p.month, "responses": p.responses, "mean": _round(p.mean, 2),
         "ratings": p.satisfaction.n, "satisfied": p.satisfaction.yes,
         "satisfaction": _rate(p.satisfaction.rate),
         "lower_bound": _rate(p.satisfaction.lower_bound)}
        for p in monthly_satisfaction(plans=plans)
    ]  # fmt: skip


def ranking(cards) -> list[dict[str, Any]]:
    """Trainers or venues by overall index (shrunk), with their sample sizes; those whose
    sample is too small to publish are listed last, without a score."""
    cards = sorted(cards, key=lambda c: (not c.published, -(c.overall_index or 0), c.label))
    return [
        {"id": c.subject_id, "name": c.label, "responses": c.responses,
         "response_rate": _rate(c.response_rate), "published": c.published,
         "index": _round(c.overall_index) if c.published else None,
         "raw": _round(c.overall_raw) if c.published else None,
         "recommendation": _round(c.recommendation.score) if c.published else None,
         "withheld_reason": c.withheld_reason}
        for c in cards[:TOP_RANKED]
    ]  # fmt: skip


KIND_LABELS = {"trainer": "培训师", "venue": "阵地", "plan": "方案", "skill": "技能"}


def weak_spot_list(cards_by_kind: dict[str, list]) -> list[dict[str, Any]]:
    """Weak spots of trainers and venues, found on the score cards already computed by the
    evaluation app's own rule (``scores.weak_spots_in``). Worst first."""
    from gonghui.evaluation.domain.scores import weak_spots_in

    spots = [s for kind, cards in cards_by_kind.items() for s in weak_spots_in(kind, cards)]
    spots.sort(key=lambda s: (-s.gap, s.kind, s.subject_id, s.dimension))
    return [
        {"kind": s.kind, "kind_label": KIND_LABELS[s.kind], "id": s.subject_id, "name": s.label,
         "dimension": s.dimension_label, "dimension_code": s.dimension,
         "responses": s.responses, "shrunk": round(s.shrunk, 2),
         "federation_mean": round(s.federation_mean, 2), "gap": round(s.gap, 2),
         "evidence": s.evidence}
        for s in spots[:TOP_RANKED]
    ]  # fmt: skip


def rectification_figures(user) -> dict[str, Any]:
    qs = Rectification.objects.restrict(user)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    today = timezone.localdate()
    open_rows = qs.unresolved().select_related("plan", "org_unit").order_by("deadline")[:TOP_RANKED]
    return {
        "by_status": [
            {"key": s.value, "label": str(s.label), "value": counts.get(s.value, 0)}
            for s in RectificationStatus
        ],
        "overdue": qs.unresolved().filter(deadline__lt=today).count(),
        "open": [
            {
                "id": r.pk,
                "title": r.title,
                "unit": r.org_unit.name,
                "status": r.get_status_display(),
                "deadline": r.deadline.isoformat(),
                "overdue": r.deadline < today,
            }
            for r in open_rows
        ],
    }


def overdue_steps(user) -> dict[str, Any]:
    qs = Alert.objects.restrict(user).open()
    counts = dict(qs.values_list("step").annotate(n=Count("id")).values_list("step", "n"))
    return {
        "total": sum(counts.values()),
        "by_step": [
            {"key": s.value, "label": str(s.label), "value": counts.get(s.value, 0)} for s in Step
        ],
        "latest": [
            {
                "plan": a.plan.title,
                "unit": a.org_unit.name,
                "step": a.get_step_display(),
                "detail": a.detail,
                "due_at": timezone.localtime(a.due_at).date().isoformat(),
            }
            for a in qs.select_related("plan", "org_unit").order_by("due_at")[:TOP_RANKED]
        ],
    }


def reform_progress(user) -> list[dict[str, Any]]:
    from gonghui.reform.domain.queries import progress_by_category
    from gonghui.reform.models import ReformItem

    return progress_by_category(ReformItem.objects.restrict(user))


def recommendations(user, trainer_cards: dict) -> list[dict[str, Any]]:
    """The open demand items that most deserve a plan next (training's priority score), each
    with the best-rated trainers of its skill (published scores only, over the plans of the
    viewer's scope)."""
    items = list(
        DemandItem.objects.filter(
            area__in=scope_units(user).values("pk"), status=DemandItem.Status.OPEN
        )
        .select_related("skill", "area")
        .order_by("-priority", "id")[:TOP_RECOMMENDED]
    )
    skill_ids = {i.skill_id for i in items}
    trainers_by_skill: dict[int, list[int]] = defaultdict(list)
    for trainer_id, skill_id in Trainer.objects.filter(
        skills__in=skill_ids, active=True
    ).values_list("pk", "skills"):
        if skill_id in skill_ids:
            trainers_by_skill[skill_id].append(trainer_id)
    cards = trainer_cards
    out = []
    for item in items:
        ranked = sorted(
            (
                cards[t]
                for t in trainers_by_skill.get(item.skill_id, [])
                if t in cards and cards[t].published
            ),
            key=lambda c: (-(c.overall_index or 0), c.label),
        )[:3]
        out.append({
            "item_id": item.pk, "skill": item.skill.name, "level": item.get_level_display(),
            "area": item.area.name, "priority": round(item.priority, 1),
            "people": item.total_people,
            "trainers": [{"id": c.subject_id, "name": c.label, "index": round(c.overall_index, 1),
                          "responses": c.responses} for c in ranked],
        })  # fmt: skip
    return out


def kpis(demands: QuerySet, plans: QuerySet, stages: list[dict], trend: list[dict]) -> dict:
    values = {s["key"]: s["value"] for s in stages}
    completed_plans = plans.filter(state__in=[PlanState.COMPLETED, PlanState.ARCHIVED])
    ratings = sum(t["ratings"] for t in trend)
    satisfied = sum(t["satisfied"] for t in trend)
    enrolled = values["enrolled"]
    return {
        "demands": demands.count(),
        "demand_people": values["demand"],
        "plans": plans.exclude(state=PlanState.CANCELLED).count(),
        "completed_plans": completed_plans.count(),
        "enrolled": enrolled,
        "completion_rate": round(100 * values["completed"] / enrolled, 1) if enrolled else None,
        "certificates": values["certified"],
        "responses": sum(t["responses"] for t in trend),
        "satisfaction": round(100 * satisfied / ratings, 1) if ratings else None,
    }


def evaluation_fingerprint() -> tuple:
    """Changes whenever an answer arrives (a target's response count rises, or an
    enterprise rates), an evaluation is added, or the evaluation settings change: the
    cache key of the score blocks."""
    from gonghui.evaluation.models import EnterpriseRating, EvaluationSettings, Target

    agg = Target.objects.aggregate(n=Count("id"), responses=Sum("responses"), last=Max("id"))
    firms = EnterpriseRating.objects.aggregate(n=Count("id"), last=Max("id"))
    settings = EvaluationSettings.objects.order_by("pk").values_list("updated_at", flat=True)
    return (agg["n"], agg["responses"], agg["last"], firms["n"], firms["last"],
            str(settings.first()))  # fmt: skip


def _key(scope: Scope, period: Period, fingerprint, language: str) -> str:
    raw = repr((scope.everything, scope.paths, period, fingerprint, language))
    return "insight:eval:" + hashlib.sha256(raw.encode()).hexdigest()


def party_block(plans: QuerySet) -> dict[str, Any]:
    """Workers' and enterprises' scores side by side (evaluation's ``party_scores`` over
    the scope's plans), the trainers cut to the top ones."""
    from gonghui.evaluation.domain.enterprise import party_scores

    block = party_scores(plans)
    block["trainers"] = block["trainers"][:TOP_RANKED]
    return block


def compute_evaluation_blocks(scope: Scope, period: Period) -> dict[str, Any]:
    """Compute the score blocks and keep them in the cache (exact and latest entries)."""
    from gonghui.evaluation.domain.scores import scorecards

    language = translation.get_language()
    fingerprint = evaluation_fingerprint()
    plans = scope.plans(period)
    trainers = scorecards("trainer", plans=plans)
    venues = scorecards("venue", plans=plans)
    blocks = {
        "satisfaction": satisfaction_trend(plans),
        "trainers": ranking(trainers.values()),
        "venues": ranking(venues.values()),
        "weak_spots": weak_spot_list(
            {"trainer": list(trainers.values()), "venue": list(venues.values())}
        ),
        "parties": party_block(plans),
        "trainer_cards": trainers,
        "computed_at": timezone.now().isoformat(),
    }
    cache.set(_key(scope, period, fingerprint, language), blocks, EVAL_CACHE_SECONDS)
    cache.set(_key(scope, period, None, language), blocks, EVAL_CACHE_SECONDS)
    cache.delete(_key(scope, period, "refreshing", language))
    return blocks


def _schedule_refresh(scope: Scope, period: Period, language: str) -> None:
    """Recompute in the background, once at a time per scope and period."""
    if not cache.add(_key(scope, period, "refreshing", language), 1, 120):
        return
    from ..tasks import refresh_dashboard_task

    args = {"paths": list(scope.paths), "everything": scope.everything,
            "start": period.start.isoformat(), "end": period.end.isoformat(),
            "language": language}  # fmt: skip
    transaction.on_commit(lambda: refresh_dashboard_task.enqueue(**args))


def evaluation_blocks(user, period: Period) -> dict[str, Any]:
    """The figures computed from the evaluation scores: satisfaction trend, trainer and
    venue rankings, weak spots, workers' and enterprises' scores side by side, and the
    trainer cards behind the recommendations.

    They are the dearest part of the screen (score cards over every counter of the scope),
    so they are kept in the cache under the viewer's scope, the period and the evaluation
    fingerprint. A new answer changes the fingerprint: if the last blocks computed for this
    scope and period are younger than ``GONGHUI_DASHBOARD_STALE_SECONDS``, they are shown
    (marked with the time they were computed) while a background task recomputes them;
    otherwise they are recomputed at once.
    """
    scope = Scope.of(user)
    language = translation.get_language()
    cached = cache.get(_key(scope, period, evaluation_fingerprint(), language))
    if cached is not None:
        return {**cached, "stale": False}
    latest = cache.get(_key(scope, period, None, language))
    allowed = getattr(settings, "GONGHUI_DASHBOARD_STALE_SECONDS", 600)
    if latest is not None and allowed > 0:
        age = timezone.now() - dt.datetime.fromisoformat(latest["computed_at"])
        if age.total_seconds() <= allowed:
            _schedule_refresh(scope, period, language)
            return {**latest, "stale": True}
    return {**compute_evaluation_blocks(scope, period), "stale": False}


def dashboard(user, period: Period) -> dict[str, Any]:
    """Every figure of the dashboard for ``user`` in ``period``."""
    demands = scoped_demands(user, period)
    plans = scoped_plans(user, period)
    stages = pipeline(demands, plans)
    ev = evaluation_blocks(user, period)
    units = scope_units(user)
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": [u.name for u in units.filter(
            ~Q(parent__in=units.values("pk"))).order_by("path")[:5]],
        "kpis": kpis(demands, plans, stages, ev["satisfaction"]),
        "pipeline": stages,
        "demand": demand_heatmap(demands),
        "satisfaction": ev["satisfaction"],
        "trainers": ev["trainers"],
        "venues": ev["venues"],
        "weak_spots": ev["weak_spots"],
        "parties": ev["parties"],
        "rectifications": rectification_figures(user),
        "overdue": overdue_steps(user),
        "reform": reform_progress(user),
        "recommendations": recommendations(user, ev["trainer_cards"]),
        "scores_as_of": {
            "computed_at": ev["computed_at"],
            # What people read: Beijing time (TIME_ZONE), never the stored UTC offset.
            "shown": timezone.localtime(dt.datetime.fromisoformat(ev["computed_at"])).strftime(
                "%H:%M"
            ),
            "stale": ev["stale"],
        },
    }  # fmt: skip
