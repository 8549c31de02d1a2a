"""Scores against values worked out by hand (in the comments) for hand-made samples."""

import math

import pytest

from gonghui.evaluation.domain import scores
from gonghui.evaluation.domain.evaluations import open_evaluation, submit_answers
from gonghui.evaluation.models import EvaluationSettings

from .factories import answers, completed_plan

Z = 1.96


def wilson_by_quadratic(yes: int, n: int) -> float:
    """The lower root of (p̂ − p)² = z² p (1 − p) / n, solved for p directly."""
    ph, k = yes / n, Z * Z / n
    a, b, c = 1 + k, -(2 * ph + k), ph * ph
    return (-b - math.sqrt(b * b - 4 * a * c)) / (2 * a)


def test_formulas_by_hand():
    # three ratings 5, 5, 4 shrunk towards 3.5 with the weight of 10 ratings: 49 / 13
    assert scores.bayesian_average(14, 3, 3.5, 10) == pytest.approx(49 / 13)
    assert scores.wilson_lower_bound(2, 3) == pytest.approx(0.2077, abs=1e-4)  # textbook
    for yes, n in [(8, 10), (0, 5), (5, 5), (37, 120)]:
        assert scores.wilson_lower_bound(yes, n) == pytest.approx(wilson_by_quadratic(yes, n))
    assert scores.wilson_lower_bound(0, 0) is None
    # 4 promoters (10, 10, 10, 9), 2 passives (8, 8), 2 detractors (6, 2) of 8: +25
    rec = scores.recommendation_score({10: 3, 9: 1, 8: 2, 6: 1, 2: 1})
    assert (rec.n, rec.promoters, rec.passives, rec.detractors) == (8, 4, 2, 2)
    assert rec.score == 25.0
    assert scores.recommendation_score({}).score is None


@pytest.fixture
def two_plans(county):
    """Plan A (3 of 3 answered, trainer T1, good) and plan B (2 of 2, trainer T2, poor);
    the prior weight is 2, two forms and 50 % are enough to publish."""
    EvaluationSettings.objects.create(prior_weight=2, min_responses=2, min_response_rate=50)
    staff = county.users["federation_staff"]
    a = completed_plan(county.town_a, people=3, union=county.union_a, title="A班")
    b = completed_plan(county.town_b, people=2, union=county.union_b, title="B班")
    for d in (a, b):
        d.evaluation = open_evaluation(d.plan, actor=staff)
    # A: course items 5/4/3 by person, trainer items 5/5/4, recommend 10/9/5, yes 1/1/0
    for p, r, tr, rec, y in zip(a.people, (5, 4, 3), (5, 5, 4), (10, 9, 5), (1, 1, 0), strict=True):
        form = answers(a.evaluation, rating=r, trainer_rating=tr, recommend=rec, yes=y)
        submit_answers(a.evaluation, person=p, answers=form)
    # B: course items 2/2, trainer items 1/2, recommend 3/8, yes 0/1
    for p, r, tr, rec, y in zip(b.people, (2, 2), (1, 2), (3, 8), (0, 1), strict=True):
        form = answers(b.evaluation, rating=r, trainer_rating=tr, recommend=rec, yes=y)
        submit_answers(b.evaluation, person=p, answers=form)
    return a, b


def test_priors_are_the_federation_means(two_plans):
    priors = scores.federation_priors()
    # course design (2 items): A 5,5,4,4,3,3 (24) + B 2,2,2,2 (8) = 32 / 10
    assert priors["course_design"] == scores.Prior(mean=3.2, weight=2, n=10)
    # trainer expertise (2 items): A 5,5,5,5,4,4 (28) + B 1,1,2,2 (6) = 34 / 10
    assert priors["trainer_expertise"].mean == pytest.approx(3.4)
    # organisation (1 item): A 5,4,3 + B 2,2 = 16 / 5
    assert priors["organisation"].mean == pytest.approx(3.2)


def test_plan_card_by_hand(two_plans):
    a, _ = two_plans
    card = scores.plan_scores(a.plan)
    assert (card.responses, card.eligible, card.response_rate) == (3, 3, 1.0)
    design = card.dimensions["course_design"]
    assert (design.n, design.raw) == (6, 4.0)
    assert design.shrunk == pytest.approx((24 + 2 * 3.2) / (6 + 2))  # 3.8
    assert design.distribution == {3: 2, 4: 2, 5: 2}
    org = card.dimensions["organisation"]
    assert org.shrunk == pytest.approx((12 + 2 * 3.2) / (3 + 2))  # 3.68
    expertise = card.dimensions["trainer_expertise"]
    assert expertise.raw == pytest.approx(28 / 6)
    assert expertise.shrunk == pytest.approx((28 + 2 * 3.4) / 8)  # 4.35
    # raw: four course dimensions at 4.0 and two trainer ones at 28/6 → mean → 0–100
    raw_mean = (4 * 4.0 + 2 * 28 / 6) / 6
    assert card.overall_raw == pytest.approx((raw_mean - 1) / 4 * 100)
    shrunk_mean = (3.8 * 3 + 3.68 + 4.35 * 2) / 6
    assert card.overall_index == pytest.approx((shrunk_mean - 1) / 4 * 100)
    # recommend 10, 9, 5: two promoters, one detractor of three
    assert card.recommendation.score == pytest.approx(100 / 3)
    met = card.yes_no["met_expectations"]
    assert (met.yes, met.n) == (2, 3)
    assert met.lower_bound == pytest.approx(wilson_by_quadratic(2, 3))
    # ratings of 4–5: course 7 + 7 of 21, trainer 4 + 4 + 4 of 12 → 26 of 33
    assert (card.satisfaction.yes, card.satisfaction.n) == (26, 33)
    assert card.published and card.withheld_reason == ""


def test_trainer_venue_and_skill_cards(two_plans):
    a, b = two_plans
    t1 = scores.trainer_scores(a.trainers[0])
    assert (t1.responses, t1.eligible) == (3, 3)
    assert t1.dimensions["course_design"].n == 0  # trainers carry only trainer items
    t2 = scores.trainer_scores(b.trainers[0])
    assert t2.dimensions["trainer_expertise"].shrunk == pytest.approx((6 + 2 * 3.4) / 6)
    venue_b = scores.venue_scores(b.venue)
    assert venue_b.dimensions["venue"].shrunk == pytest.approx((8 + 2 * 3.2) / (4 + 2))  # 2.4
    skill = scores.skill_scores(a.plan.skill)  # both plans teach the same skill
    assert (skill.responses, skill.eligible, skill.evaluations) == (5, 5, 2)
    assert skill.dimensions["course_design"].raw == pytest.approx(3.2)
    cards = scores.scorecards("trainer")
    assert sorted(cards) == sorted([a.trainers[0].pk, b.trainers[0].pk])


def test_weak_spots_name_the_poor_trainer_venue_and_plan(two_plans):
    a, b = two_plans
    spots = scores.weak_spots()
    found = {(s.kind, s.subject_id, s.dimension) for s in spots}
    assert ("trainer", b.trainers[0].pk, "trainer_expertise") in found
    assert ("venue", b.venue.pk, "venue") in found
    assert ("plan", b.plan.pk, "course_design") in found
    assert not any(s.subject_id == a.trainers[0].pk and s.kind == "trainer" for s in spots)
    t2 = next(s for s in spots if s.kind == "trainer" and s.dimension == "trainer_expertise")
    assert t2.gap == pytest.approx(3.4 - (6 + 2 * 3.4) / 6)
    assert t2.low_share == 1.0
    assert "低于全会平均3.40" in t2.evidence
    assert spots == sorted(spots, key=lambda s: -s.gap)
    assert scores.weak_spots("trainer", margin=5) == []


def test_publication_thresholds(county):
    EvaluationSettings.objects.create(min_responses=2, min_response_rate=50)
    staff = county.users["federation_staff"]
    few = completed_plan(county.town_a, people=4, union=county.union_a)
    low = completed_plan(county.town_a, people=5, union=county.union_a)
    for d, answering in ((few, 1), (low, 2)):
        d.evaluation = open_evaluation(d.plan, actor=staff)
        for p in d.people[:answering]:
            submit_answers(d.evaluation, person=p, answers=answers(d.evaluation))
    assert scores.plan_scores(few.plan).withheld_reason == "答卷1份，少于公布所需的2份"
    card = scores.plan_scores(low.plan)
    assert not card.published
    assert card.withheld_reason == "参评率40%，低于公布所需的50%"


def test_plans_argument_limits_what_is_counted(two_plans):
    from gonghui.training.models import TrainingPlan

    a, _ = two_plans
    only_a = TrainingPlan.objects.filter(pk=a.plan.pk)
    skill = scores.skill_scores(a.plan.skill, plans=only_a)
    assert (skill.responses, skill.evaluations) == (3, 1)
    months = scores.monthly_satisfaction()
    assert sum(m.responses for m in months) == 5
    assert sum(m.ratings for m in months) == 33 + 2 * 11
