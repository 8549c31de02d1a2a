"""The training demo: a small county (300 people) gets a scaled-down year of training,
built once for the module; the tests check the invariants the domain promises."""

import datetime as dt
import itertools
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gonghui.core.clock import virtual_time
from gonghui.core.models import AuditEvent
from gonghui.orgs.demo.accounts import ACCOUNTS
from gonghui.orgs.models import Membership
from gonghui.training.demo import TrainingScale
from gonghui.training.demo.plans import STATE_MIX, state_counts
from gonghui.training.domain.analysis import TERMS
from gonghui.training.domain.demands import area_for
from gonghui.training.domain.plans import COMPLETION_ATTENDANCE
from gonghui.training.enums import DemandStatus, EnrollmentStatus, Party, PlanState
from gonghui.training.models import (
    Certificate,
    CheckIn,
    Demand,
    DemandItem,
    Enrollment,
    Notification,
    PlanEvent,
    Session,
    Trainer,
    TrainingPlan,
    Venue,
)
from tests.conftest import fast_hashing

PEOPLE = 300
FACTOR = 0.3
SCALE = TrainingScale.scaled(FACTOR)


# First in the module: it needs an empty database, before the module's demo is built.
def test_no_training_flag(db):
    call_command("demo", people=20, no_training=True, stdout=StringIO())
    assert not TrainingPlan.objects.exists()
    assert not Demand.objects.exists()
    assert not AuditEvent.objects.filter(action="demo.training").exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build once; everything is rolled back after the module."""
    with django_db_blocker.unblock(), fast_hashing(), transaction.atomic():
        out = StringIO()
        started = timezone.now()
        call_command("demo", people=PEOPLE, training_scale=FACTOR, upto="mentorship", stdout=out)
        yield {"output": out.getvalue(), "started": started, "ended": timezone.now()}
        transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def test_scale_and_state_mix():
    assert TrainingScale.scaled(FACTOR) == TrainingScale(
        demands=900, plans=12, trainers=36, venues=12
    )
    assert TrainingScale.scaled(1) == TrainingScale()
    assert state_counts(40) == dict(STATE_MIX)
    assert state_counts(9) == {state: 1 for state, _ in STATE_MIX}
    counts = state_counts(SCALE.plans)
    assert sum(counts.values()) == SCALE.plans
    assert min(counts.values()) == 1
    with pytest.raises(ValueError):
        state_counts(8)


def test_virtual_clock_is_restored_even_on_error():
    real = timezone.now
    moment = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))
    with pytest.raises(RuntimeError), virtual_time(moment + dt.timedelta(days=1)) as clock:
        clock.set(moment)
        assert timezone.now() == moment
        assert timezone.localdate() == dt.date(2026, 3, 1)
        clock.set(moment + dt.timedelta(days=5))  # never past the real end
        assert timezone.now() == moment + dt.timedelta(days=1)
        raise RuntimeError
    assert timezone.now is real


def test_resources_as_configured(built):
    assert Trainer.objects.count() == SCALE.trainers
    assert Venue.objects.count() == SCALE.venues
    assert all(t.skills.exists() for t in Trainer.objects.all())
    demo_trainer = Trainer.objects.get(account__username="trainer")
    assert demo_trainer.name == "俞海燕"
    for venue in Venue.objects.all():
        assert venue.capacity >= 40
        assert Decimal("30.3") < venue.latitude < Decimal("30.7")
        assert Decimal("120.6") < venue.longitude < Decimal("121.1")
        assert venue.address.startswith("浙江省嘉兴市海盐县")
    # The training demo adds no account that can log in.
    users = get_user_model().objects.all()
    assert sorted(u.username for u in users if u.has_usable_password()) == sorted(
        a.username for a in ACCOUNTS
    )


def test_plans_in_every_state_with_a_timeline(built):
    states = Counter(TrainingPlan.objects.values_list("state", flat=True))
    assert states == state_counts(SCALE.plans)
    ended = built["ended"]
    for plan in TrainingPlan.objects.prefetch_related("events"):
        events = list(plan.events.order_by("at", "id"))
        assert events, plan
        assert events[0].kind == "proposed"
        assert all(e.at <= ended for e in events)
        assert [e.at for e in events] == sorted(e.at for e in events)
        transitions = [e for e in events if e.kind.startswith("state.")]
        if plan.state == PlanState.DRAFT:
            assert transitions == []
        else:
            assert transitions[-1].to_state == plan.state
            for older, newer in itertools.pairwise(transitions):
                assert older.to_state == newer.from_state
    # The history is a year long, not the minute the demo took.
    first = PlanEvent.objects.order_by("at").first().at
    assert (built["started"] - first).days > 100


def test_capacity_never_exceeded_and_seats_unique(built):
    for plan in TrainingPlan.objects.all():
        rows = list(plan.enrollments.exclude(status=EnrollmentStatus.CANCELLED))
        seats = [e.seat for e in rows if e.status == EnrollmentStatus.ENROLLED]
        assert len(seats) <= plan.capacity, plan
        assert len(seats) == len(set(seats))
        assert all(1 <= s <= plan.capacity for s in seats)
        positions = sorted(e.waitlist_position for e in rows if e.status == "waitlisted")
        assert positions == list(range(1, len(positions) + 1))
        if positions:
            assert len(seats) == plan.capacity  # nobody waits while a seat is free
        people = [e.person_id for e in rows]
        assert len(people) == len(set(people))
    assert Enrollment.objects.filter(status=EnrollmentStatus.WAITLISTED).exists()
    assert Enrollment.objects.filter(promoted_at__isnull=False).exists()
    assert Notification.objects.filter(kind=Notification.Kind.PROMOTED).exists()


def test_no_trainer_or_venue_double_booked(built):
    booked = defaultdict(list)
    for s in Session.objects.exclude(plan__state=PlanState.CANCELLED):
        booked["trainer", s.trainer_id].append((s.starts_at, s.ends_at))
        if s.venue_id:
            booked["venue", s.venue_id].append((s.starts_at, s.ends_at))
    assert booked
    for spans in booked.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start
    for s in Session.objects.select_related("plan", "venue"):
        assert s.venue is None or s.venue.capacity >= s.plan.capacity


def test_attendance_and_the_80_percent_rule(built):
    for checkin in CheckIn.objects.select_related("session"):
        s = checkin.session
        assert s.starts_at - dt.timedelta(minutes=30) <= checkin.at <= s.ends_at
        assert Enrollment.objects.filter(
            plan_id=s.plan_id, person_id=checkin.person_id, status=EnrollmentStatus.ENROLLED
        ).exists()
    assert CheckIn.objects.filter(method="manual").exclude(reason="").exists()
    done = TrainingPlan.objects.filter(state__in=[PlanState.COMPLETED, PlanState.ARCHIVED])
    assert done.exists()
    for plan in done:
        sessions = plan.sessions.count()
        assert not plan.sessions.filter(held=False).exists()
        for e in plan.enrollments.filter(status=EnrollmentStatus.ENROLLED):
            attended = CheckIn.objects.filter(session__plan=plan, person=e.person).count()
            assert e.completed == (Decimal(attended) / sessions >= COMPLETION_ATTENDANCE)
    running = TrainingPlan.objects.filter(state=PlanState.RUNNING)
    assert CheckIn.objects.filter(session__plan__in=running).exists()
    now = built["ended"]
    assert not CheckIn.objects.filter(session__starts_at__gt=now).exists()


def test_certificates_belong_to_completers(built):
    certificates = list(Certificate.objects.select_related("plan"))
    assert certificates
    for cert in certificates:
        assert cert.plan is not None
        assert cert.plan.state in (PlanState.COMPLETED, PlanState.ARCHIVED)
        assert Enrollment.objects.filter(
            plan=cert.plan, person_id=cert.person_id, status=EnrollmentStatus.ENROLLED,
            completed=True,
        ).exists()  # fmt: skip
        assert (cert.skill_id, cert.level) == (cert.plan.skill_id, cert.plan.level)
        assert cert.issued_on <= timezone.localdate(built["ended"])
        assert Decimal(60) <= cert.score <= Decimal(100)
    assert len({(c.issuer, c.number) for c in certificates}) == len(certificates)


def test_demands_as_the_domain_makes_them(built):
    parties = Counter(Demand.objects.values_list("party", flat=True))
    assert sum(parties.values()) == SCALE.demands
    assert parties[Party.WORKER] > parties[Party.ENTERPRISE] > parties[Party.DEPARTMENT] > 0
    areas = {}
    for d in Demand.objects.filter(party=Party.WORKER).select_related("org_unit"):
        membership = Membership.objects.active().get(person_id=d.person_id)
        assert (d.org_unit_id, d.enterprise_id) == (membership.union_id, membership.enterprise_id)
        if d.org_unit_id not in areas:
            areas[d.org_unit_id] = area_for(d.org_unit).pk
        assert d.area_id == areas[d.org_unit_id]
        assert d.created_at < built["started"]
        if d.status == DemandStatus.MATCHED:
            assert d.skill_id is not None and d.match_method in ("picked", "auto", "staff")
        if d.status == DemandStatus.UNMATCHED:
            assert d.skill_id is None and d.free_text
    assert Demand.objects.filter(match_method="auto").exists()
    assert Demand.objects.filter(status=DemandStatus.UNMATCHED).exists()
    assert not Demand.objects.filter(party=Party.DEPARTMENT, policy_basis="").exists()
    stamps = Demand.objects.values_list("created_at", flat=True)
    assert (max(stamps) - min(stamps)).days > 200


def test_demand_items_with_priorities(built):
    items = list(DemandItem.objects.all())
    assert items
    for item in items:
        assert item.priority > 0
        assert set(item.priority_terms) == set(TERMS)
        total = sum(t["points"] for t in item.priority_terms.values())
        assert round(total, 2) == pytest.approx(item.priority)
    counted = Demand.objects.filter(status=DemandStatus.MATCHED)
    assert not counted.filter(item__isnull=True).exists()
    planned = DemandItem.objects.filter(status=DemandItem.Status.PLANNED)
    assert planned.exists()
    assert all(i.plans.exists() for i in planned)


def test_consultation_versions_and_opinions(built):
    consulted = TrainingPlan.objects.exclude(state=PlanState.DRAFT).exclude(consultation=None)
    assert consulted.exists()
    for plan in consulted:
        assert plan.versions.count() >= 2  # 初稿 and 征求意见稿
    past = consulted.exclude(state__in=[PlanState.CONSULTATION, PlanState.CANCELLED])
    for plan in past:
        opinions = plan.consultation.opinions
        assert not opinions.exclude(stance="support").filter(reply="").exists()


def test_demo_accounts_have_something_to_see(built):
    worker = get_user_model().objects.get(username="worker")
    mine = Enrollment.objects.filter(person=worker.person_id).select_related("plan")
    assert {e.plan.state for e in mine} >= {PlanState.COMPLETED, PlanState.ENROLLING}
    assert Certificate.objects.filter(person=worker.person_id).exists()
    assert Demand.objects.filter(person=worker.person_id, submitted_by=worker).count() == 2
    assert Session.objects.filter(trainer__account__username="trainer").exists()
    assert "Training: public announcements at /t/plans/" in built["output"]
    assert AuditEvent.objects.filter(action="demo.training").count() == 1


def test_public_pages_show_the_plans(built, client):
    response = client.get("/t/plans/")
    assert response.status_code == 200
    plan = TrainingPlan.objects.filter(state=PlanState.ENROLLING).first()
    assert plan.title in response.content.decode()
    assert client.get(f"/t/plans/{plan.pk}/").status_code == 200
