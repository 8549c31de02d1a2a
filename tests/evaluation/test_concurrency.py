"""Answers arriving at the same instant, each on its own connection (see the training
rush test for how SQLite and PostgreSQL are set up): no count is lost, and a person who
taps "submit" twice at once is counted once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from gonghui.core.errors import DomainError
from gonghui.evaluation.domain.evaluations import open_evaluation, submit_answers
from gonghui.evaluation.enums import TargetKind
from gonghui.evaluation.models import Participation, RatingCounter, Target

from ..training.test_enrolment_concurrency import OwnConnections
from .factories import answers, completed_plan

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE = 6


def test_simultaneous_answers_lose_nothing_and_count_a_double_tap_once(
    county, transactional_db, tmp_path
):
    d = completed_plan(county.town_a, people=PEOPLE, union=county.union_a)
    evaluation = open_evaluation(d.plan, actor=county.users["federation_staff"])
    form = answers(evaluation, rating=4)
    own = OwnConnections(tmp_path)
    calls = [*d.people, d.people[0]]  # the first person twice
    barrier = threading.Barrier(len(calls))

    def answer(person):
        barrier.wait(timeout=60)
        try:
            return submit_answers(evaluation, person=person, answers=form)
        except DomainError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        results = [f.result() for f in [pool.submit(own.call, answer, p) for p in calls]]
    assert sorted(map(str, results)) == sorted(["2"] * PEOPLE + ["duplicate"])

    def read():
        course = Target.objects.get(evaluation=evaluation, kind=TargetKind.COURSE)
        venue = RatingCounter.objects.get(
            target=course, question__code="venue", value=4, channel="online"
        )
        return course.responses, venue.count, Participation.objects.count()

    assert own.in_thread(read) == (PEOPLE, PEOPLE, 2 * PEOPLE)
