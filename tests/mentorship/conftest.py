"""A group company's union running a mentor–apprentice programme (济钢-like), on the
shared county tree: union_a is the group union, union_b another town's union."""

import datetime as dt
from types import SimpleNamespace

import pytest

from gonghui.mentorship.domain import pool, programmes
from gonghui.mentorship.enums import MentorLevel
from gonghui.training.models import Skill
from tests.factories import MembershipFactory, PersonFactory, make_user

START = dt.date(2026, 1, 5)


def person_in(union, enterprise, name):
    return MembershipFactory(
        union=union, enterprise=enterprise, person=PersonFactory(name=name)
    ).person


@pytest.fixture
def world(county):
    officer = county.users["union_officer_a"]
    programme = programmes.create_programme(
        county.union_a, actor=officer, name="新型导师带徒", max_apprentices=3,
        agreement_months=12, weights=(50, 30, 20),
    )  # fmt: skip
    welder = Skill.objects.get(name="焊工")
    fitter = Skill.objects.get(name="钳工")
    people = {
        name: person_in(county.union_a, county.ent_a, name)
        for name in ("郑佳", "王师傅", "小刘", "小陈", "小周", "小吴", "小孙")
    }
    accounts = {name: make_user(f"u_{i}", person=p) for i, (name, p) in enumerate(people.items())}
    mentor = pool.apply_mentor(
        programme, actor=officer, person=people["郑佳"], skill=welder,
        level=MentorLevel.SENIOR_TECHNICIAN, department="炼钢厂",
    )  # fmt: skip
    pool.review_mentor(mentor, actor=officer, approve=True, on=START)
    mentor.refresh_from_db()
    return SimpleNamespace(
        county=county, officer=officer, programme=programme, welder=welder, fitter=fitter,
        people=people, accounts=accounts, mentor=mentor,
    )  # fmt: skip
