"""The proposal engine on a small hand-made case: which mode, time, place, trainer, venue
and dates it proposes, each worked out here by hand (or by an independent formula)."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.training.domain import plans, proposal
from gonghui.training.domain.analysis import rebuild_demand_items
from gonghui.training.enums import DemandStatus, Mode, Party, PlanState, TimeSlot
from gonghui.training.models import (
    Course,
    Demand,
    DemandItem,
    PlanEvent,
    Session,
    TrainerQualification,
    TrainingPlan,
)

from ..factories import MembershipFactory, PersonFactory, make_user
from .factories import PlanFactory, TrainerFactory, VenueFactory, skill

TZ = timezone.get_fixed_timezone(8 * 60)


def _worker_demand(union, area, skill_, *, mode, time, place=""):
    person = MembershipFactory(union=union, person=PersonFactory()).person
    return Demand.objects.create(
        party=Party.WORKER, org_unit=union, area=area, person=person, skill=skill_,
        level="l5", mode=mode, preferred_time=time, place=place, status=DemandStatus.MATCHED,
    )  # fmt: skip


@pytest.fixture
def case(county):
    t = county
    t.staff = t.users["federation_staff"]
    t.skill = skill("叉车司机")
    s = t.skill
    # 武原 (town A): 5 workers and an enterprise asking for 6.
    for mode, time, place in [
        (Mode.MIXED, TimeSlot.WEEKEND, "武原"),
        (Mode.MIXED, TimeSlot.WEEKEND, "武原"),
        (Mode.MIXED, TimeSlot.WEEKEND, ""),
        (Mode.ONSITE, TimeSlot.WEEKDAY_EVENING, "县城"),
        (Mode.ONSITE, TimeSlot.FLEXIBLE, ""),
    ]:
        _worker_demand(t.union_a, t.town_a, s, mode=mode, time=time, place=place)
    Demand.objects.create(
        party=Party.ENTERPRISE, org_unit=t.union_a, area=t.town_a, enterprise=t.ent_a, skill=s,
        level="l5", headcount=6, status=DemandStatus.MATCHED,
    )  # fmt: skip
    # 沈荡 (town B): 2 workers.
    _worker_demand(t.union_b, t.town_b, s, mode=Mode.MIXED, time=TimeSlot.WEEKEND)
    _worker_demand(t.union_b, t.town_b, s, mode=Mode.ONSITE, time=TimeSlot.WEEKDAY_EVENING)
    # The county's department: 10 people, 300 yuan each.
    Demand.objects.create(
        party=Party.DEPARTMENT, org_unit=t.county, area=t.county, department=t.dept, skill=s,
        level="l5", headcount=10, subsidy_per_person=Decimal("300"),
        policy_basis="海人社〔2026〕12号", status=DemandStatus.MATCHED,
    )  # fmt: skip
    rebuild_demand_items(actor=t.staff)
    t.items = list(DemandItem.objects.filter(skill=s).order_by("area__path"))
    assert [i.total_people for i in t.items] == [10, 11, 2]  # county, 武原, 沈荡

    far = dt.date(2099, 12, 31)
    t.t1 = TrainerFactory(name="甲老师", org_unit=t.county)
    TrainerQualification.objects.create(
        trainer=t.t1, skill=s, level="l4", certificate_number="TZ-001", issuer="嘉兴市人社局",
        expires_on=far,
    )  # fmt: skip
    t.t2 = TrainerFactory(name="乙老师", org_unit=t.county, skills=[s])
    t.t3 = TrainerFactory(name="丙老师", org_unit=t.county, skills=[s])
    TrainerQualification.objects.create(
        trainer=t.t3, skill=s, level="l5", certificate_number="TZ-002", issuer="嘉兴市人社局",
        expires_on=dt.date(2020, 1, 1),
    )  # fmt: skip
    t.t4 = TrainerFactory(
        name="丁老师", org_unit=t.county, skills=[s], available_slots=[TimeSlot.WEEKDAY_EVENING]
    )
    TrainerQualification.objects.create(trainer=t.t4, skill=s, level="l3", expires_on=far)
    t.t5 = TrainerFactory(name="戊老师", org_unit=t.county)  # no forklift skill
    t.v1 = VenueFactory(name="武原阵地", org_unit=t.town_a, capacity=30,
                        latitude=Decimal("30.520000"), longitude=Decimal("120.940000"))  # fmt: skip
    t.v2 = VenueFactory(name="沈荡阵地", org_unit=t.town_b, capacity=40,
                        latitude=Decimal("30.600000"), longitude=Decimal("120.800000"))  # fmt: skip
    t.v3 = VenueFactory(name="县中心小教室", org_unit=t.county, capacity=10,
                        latitude=Decimal("30.525000"), longitude=Decimal("120.945000"))  # fmt: skip
    return t


def _km(a, b):
    """Independent distance: equirectangular approximation (good to metres at this scale)."""
    lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(lat)
    dy = math.radians(b[0] - a[0])
    return 6371.0 * math.hypot(dx, dy)


def test_choices_on_a_hand_made_case(case):
    t = case
    # 甲老师 is already teaching on the first Saturday morning.
    busy = PlanFactory(org_unit=t.county, state=PlanState.RUNNING)
    Session.objects.create(
        plan=busy, trainer=t.t1, venue=t.v2, checkin_secret="x",
        starts_at=dt.datetime(2026, 9, 19, 9, tzinfo=TZ),
        ends_at=dt.datetime(2026, 9, 19, 12, tzinfo=TZ),
    )  # fmt: skip
    p = proposal.propose(t.items, actor=t.staff, start_on=dt.date(2026, 9, 19))

    # Mode: of 7 workers, 4 want mixed (3 in 武原, 1 in 沈荡).
    assert p.mode.value == Mode.MIXED
    assert p.mode.reason == "57%的职工希望线上线下结合（4/7人）"
    # Time: 6 workers state one (1 is flexible): 4 weekends, 2 weekday evenings.
    assert p.time_slot.value == TimeSlot.WEEKEND
    assert p.time_slot.reason == "表明时间的职工中67%希望周末（4/6人），另有1人时间灵活"
    # Place: 11 of 23 people are in 武原; the items span the county, which organises.
    assert p.place.label == "武原街道"
    assert p.place.reason == "48%的需求来自武原街道（11/23人）；职工填写的地点以“武原”最多（2人）"
    assert p.org_unit == t.county
    assert p.people == 23

    # Trainers: 甲 50 (valid 中级 ≥ 初级) + 20 (no evaluation) + 10 (no load) = 80;
    # 乙 20 + 20 + 10 = 50; 丙 (certificate expired, skill listed) 50; 丁 is not free at
    # weekends; 戊 lacks the skill and is not proposed.
    points = {o.trainer.name: (o.points, o.available) for o in p.trainers}
    assert points["甲老师"] == (80, True)
    assert points["乙老师"] == (50, True) and points["丙老师"] == (50, True)
    assert points["丁老师"][1] is False
    assert "戊老师" not in points
    assert p.trainer.trainer == t.t1
    assert "持有叉车司机中级证书（嘉兴市人社局 TZ-001" in p.trainer.reason
    assert "证书已过期" in next(o.reason for o in p.trainers if o.trainer == t.t3)

    # Venues: a class of 23 fits 武原 (30) and 沈荡 (40), not the 10-seat room. The demand's
    # centre: 武原 at 武原阵地 (weight 11), 沈荡 at 沈荡阵地 (2), the county at the mean of all
    # three venues (10).
    pts = {"v1": (30.52, 120.94), "v2": (30.60, 120.80), "v3": (30.525, 120.945)}
    county_c = tuple(sum(v[i] for v in pts.values()) / 3 for i in (0, 1))
    centre = tuple((11 * pts["v1"][i] + 2 * pts["v2"][i] + 10 * county_c[i]) / 23 for i in (0, 1))
    d1, d2 = _km(centre, pts["v1"]), _km(centre, pts["v2"])
    assert d1 < d2
    assert p.venue.venue == t.v1
    assert p.venue.reason == f"距武原街道需求集中处约{round(d1, 1):g}公里；容纳30人，满足每班23人"
    assert [o.venue for o in p.venues] == [t.v1, t.v2, t.v3]
    assert p.capacity.value == 23 and p.classes == 1

    # Dates: 初级 = 1 + 2 + 3 + 1 + 1 = 8 blocks of 3 hours, two a weekend day. From Saturday
    # 19 September 2026 (official calendar): 20 Sept is a working Sunday (调休), 26-27 Sept the
    # Mid-autumn holiday, 3-4 Oct National Day, 10 Oct a working Saturday; 甲老师 is busy on
    # 19 Sept at 9:00.
    expected = [
        (19, 9, 14), (11, 10, 9), (11, 10, 14), (17, 10, 9), (17, 10, 14), (18, 10, 9),
        (18, 10, 14), (24, 10, 9),
    ]  # fmt: skip
    got = [
        (s.starts_at.astimezone(TZ).day, s.starts_at.astimezone(TZ).month,
         s.starts_at.astimezone(TZ).hour)
        for s in p.sessions
    ]  # fmt: skip
    assert got == expected
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=3) for s in p.sessions)
    skipped = dict(p.skipped)
    assert skipped[dt.date(2026, 9, 20)] == "调休上班日"
    assert skipped[dt.date(2026, 9, 26)] == "中秋节假期"
    assert skipped[dt.date(2026, 10, 3)] == "国庆节假期"
    assert skipped[dt.date(2026, 10, 10)] == "调休上班日"
    assert skipped[dt.date(2026, 9, 19)] == "09:00培训师甲老师已有安排"
    assert "避开中秋节假期、国庆节假期、调休上班日" in p.schedule.reason
    assert [c[1] for c in p.courses] == [Decimal(3), Decimal(6), Decimal(9), Decimal(3),
                                         Decimal(3)]  # fmt: skip

    # Money: 24 hours × 30 yuan; the department's 300 yuan per person.
    assert p.cost.value == Decimal("720.00")
    assert p.subsidy.value == Decimal("300.00")
    assert "海人社〔2026〕12号" in p.subsidy.reason
    assert p.complete
    # Nothing was written.
    assert not TrainingPlan.objects.exclude(pk=busy.pk).exists()


def test_day_status_follows_the_official_calendar_and_says_when_it_cannot():
    assert proposal.day_status(dt.date(2026, 10, 1), TimeSlot.WEEKDAY_DAY) == (
        False, "法定节假日（国庆节）", True)  # fmt: skip
    assert proposal.day_status(dt.date(2026, 10, 9), TimeSlot.WEEKDAY_EVENING) == (True, "", True)
    assert proposal.day_status(dt.date(2026, 10, 10), TimeSlot.WEEKEND)[1] == "调休上班日"
    # A year the package does not know: only fixed-date holidays, and it says so.
    assert proposal.day_status(dt.date(2099, 10, 2), TimeSlot.WEEKDAY_DAY)[0] is False
    assert proposal.day_status(dt.date(2099, 10, 9), TimeSlot.WEEKDAY_DAY) == (True, "", False)


def test_propose_plan_writes_the_draft_with_its_reasons(case):
    t = case
    start = timezone.localdate() + dt.timedelta(days=30)
    plan = proposal.propose_plan(t.items, actor=t.staff, start_on=start)
    assert plan.state == PlanState.DRAFT
    assert plan.mode == Mode.MIXED and plan.capacity == 23
    assert plan.subsidy_per_person == Decimal("300.00")
    assert Course.objects.filter(plan=plan).count() == 5
    sessions = list(plan.sessions.all())
    assert len(sessions) == 8
    assert {s.trainer_id for s in sessions} == {t.t1.pk}
    assert {s.venue_id for s in sessions} == {t.v1.pk}
    assert all(timezone.localtime(s.starts_at).weekday() >= 5 for s in sessions)
    assert set(plan.items.all()) == set(t.items)
    reasons = {r["key"]: r for r in plan.proposal["reasons"]}
    assert reasons["mode"]["reason"] == "57%的职工希望线上线下结合（4/7人）"
    assert reasons["trainer"]["value"] == "甲老师"
    assert reasons["venue"]["value"] == "武原阵地"
    proposed = PlanEvent.objects.get(plan=plan, kind="proposed")
    assert proposed.summary.startswith("根据需求清单中的3个需求项（")
    assert set(proposed.figures["items"]) == {i.pk for i in t.items}
    assert PlanEvent.objects.filter(plan=plan, kind="proposal").exists()
    assert set(Demand.objects.filter(item__in=t.items).values_list("status", flat=True)) == {
        DemandStatus.PLANNED
    }


def test_a_trainer_without_the_skill_needs_an_override_reason(case):
    t = case
    start = timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(DomainError) as exc:
        proposal.propose_plan(t.items, actor=t.staff, start_on=start, trainer=t.t5)
    assert exc.value.code == "unqualified"
    assert "戊老师未登记“叉车司机”技能或资质" in exc.value.message
    assert not TrainingPlan.objects.exists() and not Session.objects.exists()
    plan = proposal.propose_plan(
        t.items, actor=t.staff, start_on=start, trainer=t.t5, override_reason="甲老师病假"
    )
    assert set(plan.sessions.values_list("trainer_id", flat=True)) == {t.t5.pk}
    event = PlanEvent.objects.get(plan=plan, kind="trainer_override")
    assert event.summary == "人工指定未登记“叉车司机”技能的培训师戊老师：甲老师病假"


def test_a_plan_from_no_item_says_so(case):
    t = case
    plan = plans.create_plan(
        t.county, actor=t.staff, title="临时班", skill=t.skill, level="l5", capacity=5,
        target_completion_rate=80, target_certification_rate=60, target_satisfaction=90,
    )  # fmt: skip
    assert PlanEvent.objects.get(plan=plan, kind="proposed").summary == (
        "未依据需求清单，由工作人员直接拟定方案"
    )


def test_demanders_are_told_and_parties_invited(case):
    from gonghui.training.enums import InviteKind
    from gonghui.training.models import ConsultationInvite, Notification

    from .factories import age_consultation, approver

    t = case
    start = timezone.localdate() + dt.timedelta(days=30)
    plan = proposal.propose_plan(t.items, actor=t.staff, start_on=start)
    plans.open_consultation(plan, actor=t.staff, closes_at=timezone.now() + dt.timedelta(days=7))
    workers = set(
        Demand.objects.filter(item__in=t.items, party=Party.WORKER).values_list("person", flat=True)
    )
    assert len(workers) == 7
    told = Notification.objects.filter(kind="demand_plan")
    assert set(told.values_list("person", flat=True)) == workers
    assert told.count() == 7 and "正在征求意见" in told.first().text
    invites = ConsultationInvite.objects.filter(consultation__plan=plan)
    assert set(invites.values_list("kind", "enterprise", "department", "org_unit")) == {
        (InviteKind.UNION, None, None, t.county.pk),
        (InviteKind.ENTERPRISE, t.ent_a.pk, None, None),
        (InviteKind.DEPARTMENT, None, t.dept.pk, None),
        (InviteKind.UNION, None, None, t.union_a.pk),
        (InviteKind.UNION, None, None, t.union_b.pk),
    }
    # A union officer and the trainer may give opinions, tagged by party.
    officer = plans.submit_opinion(plan, actor=t.users["union_officer_a"], stance="support")
    assert officer.party == "union"
    t.t1.account = t.users["trainer"]
    t.t1.save()
    by_trainer = plans.submit_opinion(
        plan, actor=t.users["trainer"], stance="comment", text="建议增加夜间场地实操"
    )
    assert by_trainer.party == "trainer"
    expert = make_user("expert1")  # an invited expert: any active account
    with pytest.raises(PermissionDeniedError):  # not invited yet
        plans.submit_opinion(plan, actor=expert, stance="support")
    plans.invite_expert(plan, actor=t.staff, user=expert, note="市技师学院")
    assert plans.submit_opinion(plan, actor=expert, stance="support").party == "expert"
    plans.reply_to_opinion(by_trainer, actor=t.staff, reply="已采纳")
    age_consultation(plan)
    with pytest.raises(DomainError):
        plans.approve_plan(plan, actor=t.staff, close_early=True)  # the drafter
    plans.approve_plan(plan, actor=approver(t.county), close_early=True)
    plans.announce_plan(plan, actor=t.staff)
    plans.open_enrolment(plan, actor=t.staff)
    assert Notification.objects.filter(kind="demand_plan").count() == 14
    assert Notification.objects.filter(kind="demand_plan", text__contains="开放报名").count() == 7


def test_decision_support_names_missing_evidence_and_next_plans(case, client):
    from gonghui.training.domain import decision

    t = case
    done = PlanFactory(org_unit=t.county, state=PlanState.COMPLETED)
    Session.objects.create(
        plan=done, trainer=t.t1, venue=t.v1, checkin_secret="x",
        starts_at=dt.datetime(2026, 3, 7, 9, tzinfo=TZ),
        ends_at=dt.datetime(2026, 3, 7, 12, tzinfo=TZ),
    )  # fmt: skip
    rows = decision.missing_evidence(t.staff)
    said = {(r["name"], r["missing"]) for r in rows}
    assert ("甲老师", "仅1期培训、0份评价，评分尚不能公布") in said
    assert ("乙老师", "未登记资质证书") in said
    assert ("丙老师", "有资质证书已过期") in said
    assert (done.title, "已结业但未录入任何成果") in said
    assert not any(r["kind"] == "阵地" for r in rows)  # all three venues have coordinates
    nexts = decision.next_plans(t.staff)
    assert [n["item"] for n in nexts] == sorted(t.items, key=lambda i: (-i.priority, i.pk))
    assert {n["together"] for n in nexts} == {",".join(str(i.pk) for i in nexts_items(nexts))}
    client.force_login(t.staff)
    page = client.get("/console/training/decision/").content.decode()
    assert "建议安排督查听课" in page and f"items={nexts[0]['ids']}" in page


def nexts_items(nexts):
    return [n["item"] for n in nexts]
