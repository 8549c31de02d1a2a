import datetime as dt

import pytest
from django.utils import timezone

from gonghui.mentorship.demo import PLAN, build_mentorship_demo
from gonghui.mentorship.enums import AgreementState, MentorState, ProposalState
from gonghui.mentorship.models import Agreement, Award, AwardProposal, Mentor, PointEntry
from gonghui.orgs.enums import Role
from tests.factories import MembershipFactory, PersonFactory, make_user, user_with_role

pytestmark = pytest.mark.django_db


def test_demo_builds_a_programme_in_every_state_through_the_domain(county):
    union = county.union_a
    people = [
        MembershipFactory(union=union, enterprise=county.ent_a, person=PersonFactory()).person
        for _ in range(110)
    ]
    user_with_role(Role.UNION_OFFICER, union, username="union_officer")
    worker = make_user("worker", person=people[0])
    [line] = build_mentorship_demo(seed=7)
    assert line.startswith("Mentorship: ")
    states = {s: Agreement.objects.filter(state=s).count() for s in AgreementState.values}
    assert states == {s: n for s, n in PLAN}
    today = timezone.localdate()
    completed = Agreement.objects.filter(state=AgreementState.COMPLETED)
    # Seventeen pairs completed within one year of starting, all before today.
    assert all(a.completed_on <= today and (a.completed_on - a.starts_on).days <= 366
               for a in completed)  # fmt: skip
    assert Agreement.objects.get(apprentice__person=worker.person).state == "in_progress"
    assert Mentor.objects.filter(state=MentorState.REJECTED).exists()
    assert 50 <= Mentor.objects.filter(state=MentorState.APPROVED).count() <= 60
    passed = Award.objects.filter(passed_from__isnull=False)
    assert passed.exists() and all(a.person_id == a.agreement.mentor.person_id for a in passed)
    assert AwardProposal.objects.filter(state=ProposalState.PROPOSED).count() == 1
    # Nothing is dated in the future, and the ledger spans the year.
    assert not PointEntry.objects.filter(occurred_on__gt=today).exists()
    first = PointEntry.objects.order_by("occurred_on").first().occurred_on
    assert first < today - dt.timedelta(days=300)
    # A year of anonymous scores: the last period closed with some scores published, the
    # current one open and the demo worker asked to score in it.
    from gonghui.mentorship.domain import scoring
    from gonghui.mentorship.models import ScoringPeriod

    last, current = ScoringPeriod.objects.order_by("starts_on")
    assert (last.round.state, current.round.state) == ("closed", "open")
    assert any(s.published for _, _, s in scoring.period_result(last).scores)
    assert scoring.to_score(worker.person)
