import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from gonghui.training.domain import plans
from gonghui.training.domain.reminders import send_session_reminders
from gonghui.training.models import Enrollment, Session, Skill, Trainer, Venue
from gonghui.training.models.notice import Notification

from .factories import age_consultation, approver


def test_enrolled_people_are_reminded_once_the_day_before(county):
    t = county
    staff = t.users["federation_staff"]
    skill = Skill.objects.create(name="提醒测试技能", category="测试", levels=["l5"])
    trainer = Trainer.objects.create(name="周老师", org_unit=t.county)
    trainer.skills.add(skill)
    venue = Venue.objects.create(
        name="县职工服务中心", address="海盐县武原街道", capacity=30, org_unit=t.county
    )
    plan = plans.create_plan(
        t.county,
        actor=staff,
        title="养老护理员培训班",
        skill=skill,
        level="l5",
        capacity=5,
        target_completion_rate=90,
        target_certification_rate=80,
        target_satisfaction=90,
        subsidy_per_person=Decimal("0"),
    )
    plans.add_course(plan, actor=staff, title="照护基础", hours=Decimal("4"))
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    start = tomorrow.replace(hour=19, minute=0, second=0, microsecond=0)
    plans.schedule_session(
        plan,
        actor=staff,
        trainer=trainer,
        venue=venue,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    later = start + dt.timedelta(days=3)
    plans.schedule_session(
        plan,
        actor=staff,
        trainer=trainer,
        venue=venue,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
    )
    plans.open_consultation(plan, actor=staff, closes_at=timezone.now() + dt.timedelta(hours=1))
    age_consultation(plan)
    plans.approve_plan(plan, actor=approver(t.county), close_early=True)
    plans.announce_plan(plan, actor=staff)
    plans.open_enrolment(plan, actor=staff)
    Enrollment.objects.create(plan=plan, person=t.member_a.person, status="enrolled", seat=1)
    Enrollment.objects.create(
        plan=plan, person=t.member_b.person, status="waitlisted", waitlist_position=1
    )
    assert send_session_reminders() == 1
    assert send_session_reminders() == 0  # once per person and session
    out = io.StringIO()
    call_command("send_session_reminders", stdout=out)
    assert out.getvalue() == "0 reminders written\n"
    notice = Notification.objects.get(kind="reminder")
    first = Session.objects.filter(plan=plan).order_by("starts_at").first()
    assert notice.person == t.member_a.person
    assert notice.text == (
        "开课提醒：“养老护理员培训班”将于明天19:00开课，地点：县职工服务中心（海盐县武原街道），请准时签到。"
    )
    assert notice.url == f"/t/plans/{plan.pk}/#session-{first.pk}"
