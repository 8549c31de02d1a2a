# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scores of the evaluation system: the read API that pages, the API and other apps use.

Everything here reads the anonymous answer counters (``RatingCounter``) and the response
counts of the targets; nothing reads who answered. The public, stable entry points are:

- ``plan_scores(plan)``, ``trainer_scores(trainer)``, ``venue_scores(venue)``,
  ``skill_scores(skill)`` → one ``ScoreCard``;
- ``scorecards(kind, ids=..., plans=...)`` → ``{subject id: ScoreCard}`` for many at once
  (``plans`` limits the evaluations counted, e.g. to a scope or a period);
- ``weak_spots(kind, ids=..., plans=...)`` → ``[WeakSpot]``, worst first; the same rule
  on cards already computed: ``weak_spots_in(kind, cards)``; its sentence: ``evidence``;
- ``federation_priors()`` → the prior of each dimension;
- ``monthly_satisfaction(plans=...)`` → ``[MonthPoint]`` by month of completion;
- the formulas ``bayesian_average``, ``wilson_lower_bound``, ``recommendation_score``.

Scales: rating items 1–5, the recommendation item 0–10, yes/no items 1/0. Definitions:

- raw dimension score: mean of all ratings of the dimension's items (1–5);
- shrunk score (Bayesian average): ``(sum + m × μ) / (n + m)`` where ``μ`` is the
  federation's mean of the dimension over every evaluation and ``m`` the prior weight
  (``EvaluationSettings.prior_weight``, a number of virtual average ratings); with no
  ratings anywhere μ is the scale's midpoint 3.0. Every ``DimensionScore`` carries its
  ``Prior`` so pages can show it;
- overall index (0–100): mean of the dimension scores present, mapped by ``(x − 1) / 4``;
  ``overall_index`` from the shrunk scores, ``overall_raw`` from the raw ones;
- recommendation score: % promoters (9–10) minus % detractors (0–6) among the answers to
  the 0–10 item, from −100 to 100;
- yes/no rates and satisfaction (share of ratings 4–5) come with the Wilson score
  interval's lower bound at 95 % (z = 1.96);
- sample size ``responses``: answered forms; ``response_rate`` = responses / eligible
  participants (attended at least one session);
- a card is ``published`` only with at least ``min_responses`` answers and a response rate
  of at least ``min_response_rate`` %; otherwise ``withheld_reason`` says why, and pages
  show no score for it.

Callers scope: pass subjects (or a ``plans`` queryset) already restricted to the viewer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth

from gonghui.training.models import Session, Skill, Trainer, TrainingPlan, Venue

from ..enums import TRAINER_DIMENSIONS, Dimension, ItemKind, TargetKind
from ..models import EvaluationSettings, RatingCounter, Target

Kind = Literal["plan", "trainer", "venue", "skill"]
KINDS: tuple[str, ...] = ("plan", "trainer", "venue", "skill")
#: The dimensions in which a weak spot is looked for, per kind of subject.
WEAK_SPOT_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "plan": tuple(Dimension.values),
    "skill": tuple(Dimension.values),
    "trainer": tuple(TRAINER_DIMENSIONS),
    "venue": (Dimension.VENUE,),
}
Z95 = 1.96
MIDPOINT = 3.0


# -- results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prior:
    """The federation mean a score is shrunk towards, and how strongly."""

    mean: float  # on the 1–5 scale
    weight: int  # m, in virtual ratings
    n: int  # ratings behind the mean (0: the scale's midpoint is used)


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    label: str
    n: int  # ratings
    raw: float | None  # mean rating, 1–5
    shrunk: float | None  # Bayesian average, 1–5
    prior: Prior
    distribution: dict[int, int] = field(default_factory=dict)  # rating → count

    @property
    def low_share(self) -> float | None:
        """Share of ratings of 1 or 2."""
        if not self.n:
            return None
        return (self.distribution.get(1, 0) + self.distribution.get(2, 0)) / self.n


@dataclass(frozen=True)
class Rate:
    """A yes/no share with its Wilson lower bound (95 %)."""

    yes: int
    n: int
    rate: float | None
    lower_bound: float | None


@dataclass(frozen=True)
class Recommendation:
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None  # −100…100


@dataclass(frozen=True)
class ScoreCard:
    kind: str
    subject_id: int
    label: str
    evaluations: int
    responses: int  # sample size
    eligible: int
    response_rate: float | None  # 0–1
    dimensions: dict[str, DimensionScore]
    overall_raw: float | None  # 0–100
    overall_index: float | None  # 0–100, from the shrunk scores
    recommendation: Recommendation
    yes_no: dict[str, Rate]  # question code → rate
    satisfaction: Rate  # ratings of 4–5 among all ratings
    published: bool
    withheld_reason: str


@dataclass(frozen=True)
class WeakSpot:
    kind: str
    subject_id: int
    label: str
    dimension: str
    dimension_label: str
    responses: int
    n: int
    raw: float
    shrunk: float
    federation_mean: float
    gap: float  # federation mean − shrunk score
    low_share: float  # share of ratings of 1–2
    evidence: str


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM
    responses: int
    ratings: int
    mean: float | None
    satisfaction: Rate


# -- formulas -------------------------------------------------------------------------------
def bayesian_average(total: float, n: int, prior_mean: float, prior_weight: float) -> float:
    """``(total + m × μ) / (n + m)``: the mean of n ratings summing to ``total``, shrunk."""
    if n + prior_weight <= 0:
        raise ValueError("n + prior_weight must be positive")
    return (total + prior_weight * prior_mean) / (n + prior_weight)


def wilson_lower_bound(yes: int, n: int, z: float = Z95) -> float | None:
    """Lower bound of the Wilson score interval for ``yes`` successes in ``n`` trials."""
    if n <= 0:
        return None
    p = yes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + z2 / n))


def recommendation_score(counts: Mapping[int, int]) -> Recommendation:
    """Promoters (9–10) minus detractors (0–6), in percentage points of all answers."""
    n = sum(counts.values())
    promoters = sum(c for v, c in counts.items() if v >= 9)
    detractors = sum(c for v, c in counts.items() if v <= 6)
    score = 100 * (promoters - detractors) / n if n else None
    return Recommendation(n, promoters, n - promoters - detractors, detractors, score)


def rate(yes: int, n: int) -> Rate:
    return Rate(yes, n, yes / n if n else None, wilson_lower_bound(yes, n))


def to_index(score: float) -> float:
    """A 1–5 score on the 0–100 index scale."""
    return (score - 1) / 4 * 100


# -- priors ---------------------------------------------------------------------------------
def federation_priors(settings: EvaluationSettings | None = None) -> dict[str, Prior]:
    """Each dimension's mean rating over every evaluation of the federation."""
    settings = settings or EvaluationSettings.current()
    rows = (
        RatingCounter.objects.filter(kind=ItemKind.RATING)
        .exclude(dimension="")
        .values("dimension")
        .annotate(n=Sum("count"), total=Sum(F("count") * F("value")))
    )
    found = {r["dimension"]: (r["n"] or 0, r["total"] or 0) for r in rows}
    priors = {}
    for dim in Dimension.values:
        n, total = found.get(dim, (0, 0))
        mean = total / n if n else MIDPOINT
        priors[dim] = Prior(mean=mean, weight=settings.prior_weight, n=n)
    return priors


# -- gathering ------------------------------------------------------------------------------
@dataclass
class _Tally:
    """Counters of one subject, gathered before scoring."""

    evaluations: set = field(default_factory=set)
    responses: int = 0
    eligible: int = 0
    ratings: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    recommend: dict = field(default_factory=lambda: defaultdict(int))
    yes_no: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add_counter(self, kind: str, dimension: str, code: str, value: int, count: int) -> None:
        if kind == ItemKind.RATING and dimension:
            self.ratings[dimension][value] += count
        elif kind == ItemKind.RECOMMEND:
            self.recommend[value] += count
        elif kind == ItemKind.YES_NO:
            self.yes_no[code][0] += count if value else 0
            self.yes_no[code][1] += count

    def merge(self, other: _Tally) -> None:
        self.evaluations |= other.evaluations
        self.responses += other.responses
        self.eligible += other.eligible
        for dim, dist in other.ratings.items():
            for v, c in dist.items():
                self.ratings[dim][v] += c
        for v, c in other.recommend.items():
            self.recommend[v] += c
        for code, (y, n) in other.yes_no.items():
            self.yes_no[code][0] += y
            self.yes_no[code][1] += n


def _plans_filter(plans: QuerySet | None) -> dict:
    return {} if plans is None else {"target__evaluation__plan__in": plans.values("pk")}


def _counter_rows(key: str, filters: dict):
    return (
        RatingCounter.objects.filter(count__gt=0, **filters)  # counters start at zero
        .values(key, "kind", "dimension", "question__code", "value")
        .annotate(c=Sum("count"))
        .order_by()
    )


def _target_rows(key: str, filters: dict):
    return (
        Target.objects.filter(**filters)
        .values(key, "evaluation_id", "responses", "evaluation__eligible")
        .order_by()
    )


def _tallies_by(key: str, *, counters: dict, targets: dict) -> dict[int, _Tally]:
    """Tallies keyed by ``key`` (a path from Target/RatingCounter to the subject id)."""
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for r in _target_rows(key, targets):
        t = tallies[r[key]]
        t.evaluations.add(r["evaluation_id"])
        t.responses += r["responses"]
        t.eligible += r["evaluation__eligible"]
    for r in _counter_rows(f"target__{key}", counters):
        tallies[r[f"target__{key}"]].add_counter(
            r["kind"], r["dimension"], r["question__code"], r["value"], r["c"]
        )
    return tallies


def _plan_tallies(ids: Iterable[int] | None, plans: QuerySet | None) -> dict[int, _Tally]:
    """Per plan: responses of the course target; counters of all its targets."""
    key = "evaluation__plan_id"
    targets: dict = {"kind": TargetKind.COURSE}
    counters: dict = {}
    if ids is not None:
        targets[f"{key}__in"] = list(ids)
        counters[f"target__{key}__in"] = list(ids)
    if plans is not None:
        targets["evaluation__plan__in"] = plans.values("pk")
        counters.update(_plans_filter(plans))
    return _tallies_by(key, counters=counters, targets=targets)


def _trainer_tallies(ids: Iterable[int] | None, plans: QuerySet | None) -> dict[int, _Tally]:
    targets: dict = {"kind": TargetKind.TRAINER}
    counters: dict = {"target__kind": TargetKind.TRAINER}
    if ids is not None:
        targets["trainer_id__in"] = list(ids)
        counters["target__trainer_id__in"] = list(ids)
    if plans is not None:
        targets["evaluation__plan__in"] = plans.values("pk")
        counters.update(_plans_filter(plans))
    return _tallies_by("trainer_id", counters=counters, targets=targets)


def _grouped(plan_groups: dict[int, set[int]], plans: QuerySet | None) -> dict[int, _Tally]:
    """Tallies of subjects made of plans (venues, skills): the plans' tallies summed."""
    all_plans = {p for group in plan_groups.values() for p in group}
    per_plan = _plan_tallies(all_plans, plans)
    out: dict[int, _Tally] = {}
    for subject, group in plan_groups.items():
        tally = _Tally()
        for plan_id in group:
            if plan_id in per_plan:
                tally.merge(per_plan[plan_id])
        out[subject] = tally
    return out


def _evaluated_plans(plans: QuerySet | None) -> QuerySet:
    qs = TrainingPlan.objects.filter(evaluation__isnull=False)
    return qs if plans is None else qs.filter(pk__in=plans.values("pk"))


def _venue_tallies(ids: Iterable[int] | None, plans: QuerySet | None) -> dict[int, _Tally]:
    rows = Session.objects.filter(
        plan__in=_evaluated_plans(plans).values("pk"), venue__isnull=False
    )
    if ids is not None:
        rows = rows.filter(venue_id__in=list(ids))
    groups: dict[int, set[int]] = defaultdict(set)
    for venue_id, plan_id in rows.values_list("venue_id", "plan_id").distinct():
        groups[venue_id].add(plan_id)
    return _grouped(groups, plans)


def _skill_tallies(ids: Iterable[int] | None, plans: QuerySet | None) -> dict[int, _Tally]:
    rows = _evaluated_plans(plans)
    if ids is not None:
        rows = rows.filter(skill_id__in=list(ids))
    groups: dict[int, set[int]] = defaultdict(set)
    for plan_id, skill_id in rows.values_list("pk", "skill_id"):
        groups[skill_id].add(plan_id)
    return _grouped(groups, plans)


_TALLIES = {
    "plan": _plan_tallies,
    "trainer": _trainer_tallies,
    "venue": _venue_tallies,
    "skill": _skill_tallies,
}
_MODELS = {"plan": TrainingPlan, "trainer": Trainer, "venue": Venue, "skill": Skill}


# -- scoring --------------------------------------------------------------------------------
def publication(
    responses: int, eligible: int, settings: EvaluationSettings | None = None
) -> tuple[bool, str]:
    """Whether figures with this sample may be shown, and if not, why (in Chinese)."""
    settings = settings or EvaluationSettings.current()
    if responses < settings.min_responses:
        return False, f"答卷{responses}份，少于公布所需的{settings.min_responses}份"
    share = 100 * responses / eligible if eligible else 0
    if share < settings.min_response_rate:
        return False, f"参评率{share:.0f}%，低于公布所需的{settings.min_response_rate}%"
    return True, ""


def _card(
    kind: str,
    subject_id: int,
    label: str,
    tally: _Tally,
    priors: dict[str, Prior],
    settings: EvaluationSettings,
) -> ScoreCard:
    dims: dict[str, DimensionScore] = {}
    for dim in Dimension:
        dist = dict(sorted(tally.ratings.get(dim.value, {}).items()))
        n = sum(dist.values())
        total = sum(v * c for v, c in dist.items())
        prior = priors[dim.value]
        dims[dim.value] = DimensionScore(
            dimension=dim.value,
            label=str(dim.label),
            n=n,
            raw=total / n if n else None,
            shrunk=bayesian_average(total, n, prior.mean, prior.weight) if n else None,
            prior=prior,
            distribution=dist,
        )
    raw = [d.raw for d in dims.values() if d.raw is not None]
    shrunk = [d.shrunk for d in dims.values() if d.shrunk is not None]
    all_ratings = [(v, c) for d in dims.values() for v, c in d.distribution.items()]
    published, reason = publication(tally.responses, tally.eligible, settings)
    return ScoreCard(
        kind=kind,
        subject_id=subject_id,
        label=label,
        evaluations=len(tally.evaluations),
        responses=tally.responses,
        eligible=tally.eligible,
        response_rate=tally.responses / tally.eligible if tally.eligible else None,
        dimensions=dims,
        overall_raw=to_index(sum(raw) / len(raw)) if raw else None,
        overall_index=to_index(sum(shrunk) / len(shrunk)) if shrunk else None,
        recommendation=recommendation_score(tally.recommend),
        yes_no={code: rate(y, n) for code, (y, n) in sorted(tally.yes_no.items())},
        satisfaction=rate(sum(c for v, c in all_ratings if v >= 4), sum(c for _, c in all_ratings)),
        published=published,
        withheld_reason=reason,
    )


def scorecards(
    kind: Kind, *, ids: Iterable[int] | None = None, plans: QuerySet | None = None
) -> dict[int, ScoreCard]:
    """Score cards of every subject of ``kind`` with evaluations (or of ``ids``), counting
    only the evaluations of ``plans`` when given. Subjects without evaluations are left
    out unless named in ``ids`` (then they get an empty card)."""
    if kind not in _TALLIES:
        raise ValueError(f"unknown kind {kind!r}")
    ids = None if ids is None else list(ids)
    settings = EvaluationSettings.current()
    priors = federation_priors(settings)
    tallies = _TALLIES[kind](ids, plans)
    wanted = set(tallies) | set(ids or ())
    labels = dict(
        _MODELS[kind]
        .objects.filter(pk__in=wanted)
        .values_list("pk", "title" if kind == "plan" else "name")
    )
    return {
        sid: _card(kind, sid, labels.get(sid, ""), tallies.get(sid, _Tally()), priors, settings)
        for sid in sorted(wanted)
        if sid in labels
    }


def _one(kind: Kind, obj, plans: QuerySet | None) -> ScoreCard:
    return scorecards(kind, ids=[obj.pk], plans=plans)[obj.pk]


def plan_scores(plan: TrainingPlan) -> ScoreCard:
    """The plan's card: its course and all its trainers' items; sample = course forms."""
    return _one("plan", plan, None)


def trainer_scores(trainer: Trainer, *, plans: QuerySet | None = None) -> ScoreCard:
    """The trainer's card over every plan evaluated (or those of ``plans``)."""
    return _one("trainer", trainer, plans)


def venue_scores(venue: Venue, *, plans: QuerySet | None = None) -> ScoreCard:
    """The card of the plans held (at least partly) at the venue."""
    return _one("venue", venue, plans)


def skill_scores(skill: Skill, *, plans: QuerySet | None = None) -> ScoreCard:
    """The card of the plans teaching the skill."""
    return _one("skill", skill, plans)


def weak_spots(
    kind: Kind | None = None,
    *,
    ids: Iterable[int] | None = None,
    plans: QuerySet | None = None,
    margin: float | None = None,
) -> list[WeakSpot]:
    """Dimensions in which a plan, trainer, venue or skill is clearly below the federation:
    at least ``min_responses`` forms, and a shrunk score below the federation's mean by at
    least ``margin`` (default ``EvaluationSettings.weak_margin``). Shrinking first means a
    handful of low ratings does not make a weak spot. Worst (largest gap) first."""
    kinds = [kind] if kind else ["trainer", "venue", "plan"]
    spots: list[WeakSpot] = []
    for k in kinds:
        spots += weak_spots_in(k, scorecards(k, ids=ids, plans=plans).values(), margin=margin)
    spots.sort(key=lambda s: (-s.gap, s.kind, s.subject_id, s.dimension))
    return spots


def weak_spots_in(
    kind: str, cards: Iterable[ScoreCard], *, margin: float | None = None
) -> list[WeakSpot]:
    """The weak spots found on score cards already computed (same rule as ``weak_spots``),
    for callers that hold the cards; worst first."""
    settings = EvaluationSettings.current()
    margin = float(settings.weak_margin if margin is None else Decimal(str(margin)))
    spots: list[WeakSpot] = []
    for card in cards:
        if card.responses < settings.min_responses:
            continue
        for dim in WEAK_SPOT_DIMENSIONS[kind]:
            d = card.dimensions[dim]
            if d.shrunk is None or d.raw is None:
                continue
            gap = d.prior.mean - d.shrunk
            if gap < margin:
                continue
            spots.append(
                WeakSpot(
                    kind=kind,
                    subject_id=card.subject_id,
                    label=card.label,
                    dimension=dim,
                    dimension_label=d.label,
                    responses=card.responses,
                    n=d.n,
                    raw=d.raw,
                    shrunk=d.shrunk,
                    federation_mean=d.prior.mean,
                    gap=gap,
                    low_share=d.low_share or 0.0,
                    evidence=evidence(d, gap, card.responses),
                )
            )
    spots.sort(key=lambda s: (-s.gap, s.kind, s.subject_id, s.dimension))
    return spots


def evidence(d: DimensionScore, gap: float, responses: int) -> str:
    """The sentence that backs a weak spot (in Chinese)."""
    low = (d.low_share or 0) * 100
    return (
        f"{d.label}：{d.n}个评分均值{d.raw:.2f}，收缩后{d.shrunk:.2f}，"
        f"低于全会平均{d.prior.mean:.2f}达{gap:.2f}分；"
        f"{low:.0f}%的评分为1–2分（{responses}份答卷）"
    )


_evidence = evidence  # the first published name, kept for callers


def monthly_satisfaction(*, plans: QuerySet | None = None) -> list[MonthPoint]:
    """Per month of completion: forms, ratings, mean rating and satisfaction (4–5 share)."""
    month = TruncMonth("target__evaluation__completed_on")
    counters = (
        RatingCounter.objects.filter(kind=ItemKind.RATING, count__gt=0, **_plans_filter(plans))
        .exclude(dimension="")
        .annotate(month=month)
        .values("month", "value")
        .annotate(c=Sum("count"))
        .order_by()
    )
    dist: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in counters:
        dist[f"{r['month']:%Y-%m}"][r["value"]] += r["c"]
    target_filter: dict = {"kind": TargetKind.COURSE}
    if plans is not None:
        target_filter["evaluation__plan__in"] = plans.values("pk")
    responses: dict[str, int] = defaultdict(int)
    for r in (
        Target.objects.filter(**target_filter)
        .annotate(month=TruncMonth("evaluation__completed_on"))
        .values("month")
        .annotate(n=Sum("responses"))
        .order_by()
    ):
        responses[f"{r['month']:%Y-%m}"] += r["n"]
    out = []
    for m in sorted(set(dist) | set(responses)):
        d = dist.get(m, {})
        n = sum(d.values())
        total = sum(v * c for v, c in d.items())
        good = sum(c for v, c in d.items() if v >= 4)
        out.append(MonthPoint(m, responses.get(m, 0), n, total / n if n else None, rate(good, n)))
    return out


def trainer_scores_for_proposal(ids: list[int]) -> dict[int, dict]:
    """The trainers' overall index (from the shrunk scores), sample and whether it is
    published, for training's proposal engine."""
    cards = scorecards("trainer", ids=ids)
    return {
        pk: {"index": c.overall_index, "responses": c.responses, "published": c.published,
             "withheld_reason": c.withheld_reason}
        for pk, c in cards.items()
    }  # fmt: skip
