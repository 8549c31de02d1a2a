import pytest
from django.db.models import Sum
from django.utils import timezone

from gonghui.learning.demo import COURSES, VISITS, build_learning_demo
from gonghui.learning.models import (
    Course,
    CourseEnrollment,
    LessonProgress,
    LessonVisit,
    LibraryCard,
    Loan,
    PlanCourse,
    Question,
    QuestionBank,
    ReadingRoom,
    Video,
)
from gonghui.orgs.enums import Role
from gonghui.training.domain import plans
from gonghui.training.models import Enrollment
from tests.factories import MembershipFactory, PersonFactory, make_user, user_with_role
from tests.training.factories import TrainerFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_courses_activity_and_a_reading_room(county, tmp_path, settings):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    people = [MembershipFactory(union=county.union_a, enterprise=county.ent_a,
                                person=PersonFactory()).person for _ in range(70)]  # fmt: skip
    user_with_role(Role.FEDERATION_STAFF, county.county, username="county_staff")
    user_with_role(Role.UNION_OFFICER, county.union_a, username="union_officer")
    worker = make_user("worker", person=people[0])
    user_with_role(Role.FEDERATION_STAFF, county.county, username="county_reviewer")
    TrainerFactory(org_unit=county.county)
    VenueFactory(org_unit=county.county)
    [line] = build_learning_demo(seed=7, log=lambda _m: None)
    assert line.startswith("Learning: 50 courses")
    assert Course.objects.filter(state="published").count() == COURSES
    assert set(Video.objects.values_list("state", flat=True)) == {"ready"}
    assert {p: Course.objects.filter(price_class=p).count()
            for p in ("free", "discounted", "subsidised")} == {"free": 26, "discounted": 12,
                                                                "subsidised": 12}  # fmt: skip
    assert [b.questions.count() for b in QuestionBank.objects.all()] == [30, 30, 30]
    assert Question.objects.filter(kind="multiple").count() == 3 * 8
    assert LessonVisit.objects.aggregate(n=Sum("count"))["n"] == VISITS
    enrolments = CourseEnrollment.objects.count()
    done = CourseEnrollment.objects.filter(completed_at__isnull=False).count()
    assert 0 < done < enrolments
    # Some learners stopped part-way: the dashboard has abandoned lessons to show.
    assert LessonProgress.objects.filter(watched_ratio__gt=0, watched_ratio__lt=0.9).exists()
    room = ReadingRoom.objects.get()
    # The room is a 职工书屋 of the registry of positions, listed on the position's page.
    assert (room.position.name, room.position.kind) == ("南机·智慧书房", "reading")
    assert room.sip2_address == "127.0.0.1:6001" and room.copies.count() == 300
    assert LibraryCard.objects.count() == 60
    loans = Loan.objects.all()
    assert loans.count() > 50 and all(loan.sip2_ref.startswith("SIP2") for loan in loans)
    assert loans.filter(state="returned").exists() and loans.filter(state="on_loan").exists()
    now = timezone.now()
    assert not CourseEnrollment.objects.filter(enrolled_at__gt=now).exists()
    assert not Loan.objects.filter(loaned_at__gt=now).exists()
    # 线上线下结合: a plan open for enrolment requiring two online courses.
    [plan] = {pc.plan for pc in PlanCourse.objects.select_related("plan")}
    assert plan.state == "enrolling" and plan.mode == "mixed"
    required = [pc.course_id for pc in PlanCourse.objects.filter(plan=plan)]
    assert len(required) == 2
    assert Enrollment.objects.filter(plan=plan, person=worker.person, status="enrolled").exists()
    assert [r.percent for r in plans.online_part(plan, worker.person)] == [50, 0]
    enrolled = list(Enrollment.objects.filter(plan=plan).values_list("person_id", flat=True))
    done = sum(
        CourseEnrollment.objects.filter(
            person_id=p, course_id__in=required, completed_at__isnull=False
        ).count()
        == 2
        for p in enrolled
    )
    assert len(enrolled) == 12 and done >= 6
    assert f"{len(enrolled)} enrolled, {done} done online" in line
