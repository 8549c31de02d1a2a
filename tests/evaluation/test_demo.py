"""The evaluation demo on a small county: built once for the module (rolled back after)."""

from io import StringIO

import pytest
from django.db import transaction

from gonghui.evaluation.demo import build_evaluation_demo
from gonghui.evaluation.domain import scores
from gonghui.evaluation.domain.evaluations import pending_for
from gonghui.evaluation.enums import Channel, EvaluationState, FollowUpState, TextReview
from gonghui.evaluation.models import Evaluation, FollowUp, RatingCounter, TextAnswer
from gonghui.orgs.demo import DEFAULT_SEED, build_demo
from gonghui.training.demo import TrainingScale, build_training_demo
from gonghui.training.enums import PlanState
from gonghui.training.models import TrainingPlan
from tests.conftest import fast_hashing


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The county, its training and the evaluations (the other apps' demos left out)."""
    with django_db_blocker.unblock(), fast_hashing(), transaction.atomic():
        out = StringIO()
        build_demo(people=400, seed=DEFAULT_SEED, log=out.write)
        build_training_demo(seed=DEFAULT_SEED, scale=TrainingScale.scaled(0.3), log=out.write)
        lines = build_evaluation_demo(seed=DEFAULT_SEED, log=out.write)
        yield "\n".join(lines)
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_every_completed_plan_is_evaluated_on_every_channel(loaded):
    evaluated = TrainingPlan.objects.filter(state__in=(PlanState.COMPLETED, PlanState.ARCHIVED))
    assert Evaluation.objects.count() == evaluated.count() >= 2
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("channel", flat=True)) == set(
        Channel.values
    )
    assert Evaluation.objects.filter(state=EvaluationState.OPEN).exists()
    assert Evaluation.objects.filter(state=EvaluationState.CLOSED).exists()
    assert "Evaluations:" in loaded


def test_demo_plants_a_weak_trainer_and_venue(loaded):
    spots = scores.weak_spots()
    assert {"trainer", "venue"} <= {s.kind for s in spots}


def test_worker_has_a_pending_evaluation_and_contact_a_follow_up(loaded):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    worker = users.get(username="worker")
    assert pending_for(worker.person).count() == 1
    contact = users.get(username="enterprise_contact")
    from gonghui.evaluation.domain.followups import for_enterprise_contact

    mine = for_enterprise_contact(contact)
    assert mine.filter(state=FollowUpState.REQUESTED).exists()
    assert FollowUp.objects.filter(state=FollowUpState.ANSWERED).exists()


def test_texts_were_reviewed(loaded):
    reviews = set(TextAnswer.objects.values_list("review", flat=True))
    assert TextReview.APPROVED in reviews
