import pytest

from gonghui.evaluation.domain.evaluations import open_evaluation

from .factories import completed_plan


@pytest.fixture
def done(county):
    """A completed plan of 武原街道 (town_a) with 3 participants of union_a / ent_a, one
    trainer, and its evaluation opened by county staff."""
    d = completed_plan(county.town_a, people=3, union=county.union_a, enterprise=county.ent_a)
    d.evaluation = open_evaluation(d.plan, actor=county.users["federation_staff"])
    d.staff = county.users["federation_staff"]
    return d
