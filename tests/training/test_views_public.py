import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.training.domain import checkin, plans
from gonghui.training.enums import PlanState
from gonghui.training.models import CheckIn, Enrollment, Session, Skill, Trainer, Venue

from ..factories import MembershipFactory, make_user
from .factories import age_consultation, approver


@pytest.fixture
def plan(county):
    t = county
    staff = t.users["federation_staff"]
    skill = Skill.objects.create(name="公告测试技能", category="测试", levels=["l5"])
    trainer = Trainer.objects.create(name="陈老师", org_unit=t.county, title="高级技师")
    trainer.skills.add(skill)
    venue = Venue.objects.create(
        name="县职工服务中心", address="海盐县武原街道枣园路1号", capacity=30, org_unit=t.county
    )
    p = plans.create_plan(
        t.county,
        actor=staff,
        title="中式面点师培训班",
        skill=skill,
        level="l5",
        capacity=1,
        target_completion_rate=90,
        target_certification_rate=80,
        target_satisfaction=90,
        content="面点制作基础",
        subsidy_per_person=Decimal("600"),
    )
    plans.add_course(p, actor=staff, title="发面与成型", hours=Decimal("6"))
    start = timezone.now() + dt.timedelta(days=10)
    plans.schedule_session(
        p,
        actor=staff,
        trainer=trainer,
        venue=venue,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    plans.open_consultation(p, actor=staff, closes_at=timezone.now() + dt.timedelta(days=3))
    age_consultation(p)
    plans.approve_plan(p, actor=approver(t.county), close_early=True)
    plans.announce_plan(p, actor=staff)
    plans.open_enrolment(p, actor=staff)
    return p


def test_announcement_is_public_and_complete(client, plan):
    res = client.get(f"/t/plans/{plan.pk}/")
    assert res.status_code == 200
    text = res.content.decode()
    for expected in (
        "中式面点师培训班",
        "陈老师",
        "海盐县武原街道枣园路1号",
        "剩余",
        "我要报名",
        "向社会公告培训内容",
        "共收到意见 0 条",
    ):
        assert expected in text
    assert client.get(f"/t/plans/{plan.pk}/notice/").status_code == 200
    qr = client.get(f"/t/plans/{plan.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    # A standalone SVG served to <img> must declare its namespace or browsers draw nothing.
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content.split(b">", 1)[0]


def test_draft_plans_are_not_public(client, county, plan):
    draft = plans.create_plan(
        county.county,
        actor=county.users["federation_staff"],
        title="草稿方案",
        skill=plan.skill,
        level="l5",
        capacity=5,
        target_completion_rate=1,
        target_certification_rate=1,
        target_satisfaction=1,
    )
    assert client.get(f"/t/plans/{draft.pk}/").status_code == 404
    assert "草稿方案" not in client.get("/t/plans/").content.decode()


def test_enrol_from_phone_then_waitlist(client, county, plan):
    client.force_login(county.worker_a)
    res = client.post(f"/t/plans/{plan.pk}/enrol/", follow=True)
    assert "报名成功" in res.content.decode()
    other = MembershipFactory(union=county.union_a).person
    user = make_user("w2", person=other)
    client.force_login(user)
    res = client.post(f"/t/plans/{plan.pk}/enrol/", follow=True)
    assert "名额已满，您已进入候补第1位" in res.content.decode()
    statuses = sorted(Enrollment.objects.filter(plan=plan).values_list("status", flat=True))
    assert statuses == ["enrolled", "waitlisted"]


def test_ineligible_worker_sees_the_reason(client, county, plan):
    outsider = make_user("no_person")
    client.force_login(outsider)
    res = client.get(f"/t/plans/{plan.pk}/enrol/")
    assert "您的账号尚未关联职工信息" in res.content.decode()
    res = client.post(f"/t/plans/{plan.pk}/enrol/", follow=True)
    assert Enrollment.objects.count() == 0


def test_checkin_by_scanning_the_screen(client, county, plan):
    session = Session.objects.get(plan=plan)
    Enrollment.objects.create(plan=plan, person=county.member_a.person, status="enrolled", seat=1)
    staff = county.users["federation_staff"]
    client.force_login(staff)
    screen = client.get(f"/t/sessions/{session.pk}/screen/")
    assert screen.status_code == 200 and b"<svg" in screen.content
    client.force_login(county.users["town_staff_a"])
    assert client.get(f"/t/sessions/{session.pk}/screen/").status_code == 403
    # The worker scans during the session window with the code on the screen.
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    session.refresh_from_db()
    client.force_login(county.worker_a)
    stale = client.post(f"/t/checkin/{session.pk}/AAAAAAAA/")
    assert "签到码已过期，请扫描现场屏幕上的最新二维码" in stale.content.decode()
    code = checkin.current_code(session)
    res = client.post(f"/t/checkin/{session.pk}/{code}/")
    assert "签到成功" in res.content.decode()
    assert CheckIn.objects.filter(session=session, person=county.member_a.person).count() == 1
    assert plan.state == PlanState.ENROLLING
