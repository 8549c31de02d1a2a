"""线上线下结合: a training plan requiring online courses, through ``core.blended``.

The figures are counted by hand from the scenario: three workers enrolled in a blended plan
with one session and two online courses (焊接安全: two lessons, 焊接工艺基础: one):
张三 attends and finishes both, 王五 attends and has read one lesson of 焊接安全, 赵六
finishes both but does not come. Only 张三 completes: 1/3 = 33.3 %; one person (王五)
attended enough but lacks the online part."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.learning.domain import catalogue, progress
from gonghui.learning.enums import CourseState, LessonKind
from gonghui.learning.models import PlanCourse
from gonghui.training.domain import checkin, enrolment, plans
from gonghui.training.enums import Level, Mode, PlanState
from gonghui.training.models import CheckIn, Enrollment, PlanEvent, Session

from ..training.factories import TrainerFactory, VenueFactory, age_consultation, approver, worker


@pytest.fixture
def blend(world):
    staff = world.staff
    second = catalogue.create_course(
        world.county.county, actor=staff, title="焊接工艺基础", skill=world.welder,
        level=Level.L5, hours=Decimal("1.5"),
    )  # fmt: skip
    chapter = catalogue.add_chapter(second, actor=staff, title="第一章")
    reading = catalogue.add_lesson(
        chapter, actor=staff, title="焊缝", kind=LessonKind.DOCUMENT, document="焊缝种类。",
        duration=30,
    )  # fmt: skip
    second = catalogue.transition_course(second, actor=staff, to=CourseState.PUBLISHED)
    plan = plans.create_plan(
        world.county.county, actor=staff, title="焊工线上线下结合班", skill=world.welder,
        level=Level.L5, mode=Mode.MIXED, capacity=10, target_completion_rate=90,
        target_certification_rate=80, target_satisfaction=90,
    )  # fmt: skip
    world.second, world.reading, world.plan = second, reading, plan
    return world


def _finish(course, user):
    progress.enroll(course, actor=user)
    for lesson in course.lessons.all():
        if lesson.kind == LessonKind.VIDEO:
            beat = {"lesson": lesson.pk, "position": 100, "start": 0, "end": 100, "at": 1}
            assert progress.record_heartbeats(user, [beat])[0].ok
        else:
            progress.mark_read(lesson, actor=user)


def _keys(*courses):
    return [str(c.pk) for c in courses]


def test_staff_set_the_online_courses_with_a_timeline_line_and_audit(blend):
    chosen = plans.set_online_courses(
        blend.plan, actor=blend.staff, keys=_keys(blend.course, blend.second)
    )
    assert [c.title for c in chosen] == ["焊接安全", "焊接工艺基础"]
    assert [c.hours for c in chosen] == [Decimal("2.0"), Decimal("1.5")]
    assert chosen[0].url == f"/learn/courses/{blend.course.pk}/"
    event = PlanEvent.objects.get(plan=blend.plan, kind="online_courses")
    assert event.summary == "线上课程：焊接安全、焊接工艺基础"
    audit_row = AuditEvent.objects.get(action="plan.online_courses")
    assert audit_row.after == {"courses": _keys(blend.course, blend.second)}
    # The same choice again writes nothing more; an empty choice clears it.
    plans.set_online_courses(blend.plan, actor=blend.staff, keys=_keys(blend.course, blend.second))
    assert PlanEvent.objects.filter(kind="online_courses").count() == 1
    plans.set_online_courses(blend.plan, actor=blend.staff, keys=[])
    assert PlanCourse.objects.count() == 0
    assert PlanEvent.objects.filter(kind="online_courses").last().summary == "取消线上课程要求"


def test_refusals_write_nothing(blend):
    staff = blend.staff
    onsite = plans.create_plan(
        blend.county.county, actor=staff, title="线下班", skill=blend.welder, level=Level.L5,
        capacity=5, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=90,
    )  # fmt: skip
    with pytest.raises(DomainError, match="线下培训方案不能要求线上课程"):
        plans.set_online_courses(onsite, actor=staff, keys=_keys(blend.course))
    draft = catalogue.create_course(blend.county.county, actor=staff, title="未发布课程")
    with pytest.raises(DomainError, match="只能选择本地区已发布"):
        plans.set_online_courses(blend.plan, actor=staff, keys=_keys(blend.course, draft))
    with pytest.raises(DomainError, match="所选线上课程不存在"):
        plans.set_online_courses(blend.plan, actor=staff, keys=["x1"])
    with pytest.raises(PermissionDeniedError):
        plans.set_online_courses(blend.plan, actor=blend.officer, keys=_keys(blend.course))
    assert PlanCourse.objects.count() == 0
    assert not PlanEvent.objects.filter(kind="online_courses").exists()
    assert not AuditEvent.objects.filter(action="plan.online_courses").exists()


def _run(blend):
    """The plan through its workflow with one session starting in ten minutes (check-in
    is open), three workers enrolled."""
    staff, plan = blend.staff, blend.plan
    plans.set_online_courses(plan, actor=staff, keys=_keys(blend.course, blend.second))
    module = plans.add_course(plan, actor=staff, title="实操", hours=Decimal("4"))
    trainer = TrainerFactory(org_unit=blend.county.county)
    trainer.skills.add(blend.welder)
    start = timezone.now() + dt.timedelta(minutes=10)
    plans.schedule_session(
        plan, actor=staff, trainer=trainer, venue=VenueFactory(org_unit=blend.county.county),
        course=module, starts_at=start, ends_at=start + dt.timedelta(hours=2),
    )  # fmt: skip
    plans.open_consultation(plan, actor=staff, closes_at=timezone.now() + dt.timedelta(days=3))
    age_consultation(plan)
    plans.approve_plan(plan, actor=approver(blend.county.county), close_early=True)
    plans.announce_plan(plan, actor=staff)
    plans.open_enrolment(plan, actor=staff)
    wang = worker(blend.county.union_a, name="王五")
    zhao = worker(blend.county.union_a, name="赵六")
    zhang = (blend.worker.person, blend.worker)
    for person, user in (zhang, wang, zhao):
        enrolment.enroll_person(plan, person=person, actor=user)
    return zhang, wang, zhao


def test_completion_needs_attendance_and_the_online_part(blend):
    (zhang, zhang_user), (wang, wang_user), (_zhao, zhao_user) = _run(blend)
    plan = blend.plan
    with pytest.raises(DomainError, match="不能再修改内容"):  # announced: the deal is public
        plans.set_online_courses(plan, actor=blend.staff, keys=[])
    _finish(blend.course, zhang_user)
    _finish(blend.second, zhang_user)
    progress.enroll(blend.course, actor=wang_user)
    progress.mark_read(blend.doc, actor=wang_user)  # one of 焊接安全's two lessons
    _finish(blend.course, zhao_user)
    _finish(blend.second, zhao_user)

    rows = plans.online_part(plan, wang)
    assert [(r.course.title, r.enrolled, r.lessons_done, r.lessons, r.done, r.percent)
            for r in rows] == [("焊接安全", True, 1, 2, False, 50),
                               ("焊接工艺基础", False, 0, 1, False, 0)]  # fmt: skip
    assert [r.percent for r in plans.online_part(plan, zhang)] == [100, 100]

    plans.start_plan(plan, actor=blend.staff)
    session = plan.sessions.get()
    # Check-in records presence whether or not the online part is done.
    for person, user in ((zhang, zhang_user), (wang, wang_user)):
        checkin.check_in_by_code(
            session, person=person, code=checkin.current_code(session), actor=user
        )
    assert CheckIn.objects.filter(session=session).count() == 2
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    plans.complete_plan(plan, actor=blend.staff)
    completed = set(
        Enrollment.objects.filter(plan=plan, completed=True).values_list("person__name", flat=True)
    )
    assert completed == {"张三"}
    event = plan.events.get(kind="state.completed")
    assert event.figures == {
        "completed": 1,
        "enrolled": 3,
        "completion_rate": 33.3,
        "target": 90,
        "online_incomplete": 1,
    }
    assert event.summary == (
        "结业：1/3人完成培训（结业率33.3%）；1人出勤达标但线上课程未完成，未能结业"
    )
    assert plan.state == PlanState.COMPLETED


def test_worker_sees_the_online_part_and_check_in_says_what_is_left(blend, client):
    (_, _), (wang, wang_user), _ = _run(blend)
    progress.enroll(blend.course, actor=wang_user)
    progress.mark_read(blend.doc, actor=wang_user)
    client.force_login(wang_user)
    page = client.get("/t/me/").content.decode()
    assert "线上课程" in page and "请在首次课前学完" in page
    assert f'href="/learn/courses/{blend.course.pk}/"' in page
    assert "已学1/2课时" in page and "已学0/1课时" in page
    assert re.search(r'<progress value="50" max="100"', page)
    assert "去报名学习" in page  # 焊接工艺基础 not started
    # At the venue: check-in is recorded, and the page says what completion still needs.
    session = blend.plan.sessions.get()
    blend.plan.refresh_from_db()
    plans.start_plan(blend.plan, actor=blend.staff)
    code = checkin.current_code(session)
    res = client.post(f"/t/checkin/{session.pk}/{code}/")
    body = res.content.decode()
    assert "签到成功" in body and "您还有2门线上课程未完成" in body
    assert CheckIn.objects.filter(session=session, person=wang).exists()
    # A plan without an online part shows none of it.
    PlanCourse.objects.all().delete()
    assert "请在首次课前学完" not in client.get("/t/me/").content.decode()


def test_console_form_sets_and_refuses(blend, client):
    client.force_login(blend.staff)
    url = f"/console/training/plans/{blend.plan.pk}/"
    page = client.get(url).content.decode()
    assert "线上课程（线上线下结合）" in page and "焊接工艺基础（1.5学时）" in page
    res = client.post(url + "online/", {"online_courses": [str(blend.second.pk)]})
    assert res.status_code == 302
    assert list(PlanCourse.objects.values_list("course__title", flat=True)) == ["焊接工艺基础"]
    page = client.get(url).content.decode()
    assert "已报名者完成线上部分 0/0" in page
    res = client.post(url + "online/", {"online_courses": ["999999"]})
    assert res.status_code == 400  # not an offered choice: the form refuses it
    assert "999999" in res.content.decode()
    assert list(PlanCourse.objects.values_list("course__title", flat=True)) == ["焊接工艺基础"]
    client.force_login(blend.officer)  # a union officer may not change the county's plan
    res = client.post(url + "online/", {"online_courses": []})
    assert res.status_code in (403, 404)
    assert PlanCourse.objects.count() == 1
