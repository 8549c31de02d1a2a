import pytest

from gonghui.evaluation.domain import evaluations
from gonghui.evaluation.domain.evaluations import open_evaluation

from .factories import completed_plan


@pytest.fixture(autouse=True)
def answers_written_one_by_one(monkeypatch):
    """The figure and workflow tests count single forms, so each form is written as soon as
    it is held (a batch of one). The batching itself — k ≥ 2, shuffled, texts hidden until
    the batch is full or the evaluation closes — is tested in test_anonymity.py, which sets
    its own k. (Service settings refuse k < 2.)"""
    monkeypatch.setattr(evaluations, "answer_batch", lambda: 1)


@pytest.fixture
def done(county):
    """A completed plan of 武原街道 (town_a) with 3 participants of union_a / ent_a, one
    trainer, and its evaluation opened by county staff."""
    d = completed_plan(county.town_a, people=3, union=county.union_a, enterprise=county.ent_a)
    d.evaluation = open_evaluation(d.plan, actor=county.users["federation_staff"])
    d.staff = county.users["federation_staff"]
    return d
