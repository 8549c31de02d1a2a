import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.learning.domain import catalogue, practice, progress
from gonghui.learning.enums import CourseState, QuestionKind
from gonghui.learning.models import (
    Answer,
    Course,
    CourseEnrollment,
    LessonProgress,
    Question,
    ReviewItem,
)
from gonghui.training.domain.outcomes import growth_record
from tests.factories import PersonFactory, make_user


def test_subsidised_price_for_members_and_others(world):
    # 199.00 × 80 % = 159.20 paid by the subsidy; members pay 39.80, others the list price.
    assert catalogue.price_for(world.course, is_member=True) == (
        Decimal("39.80"),
        Decimal("159.20"),
    )
    assert catalogue.price_for(world.course, is_member=False) == (Decimal("199.00"), 0)
    enrollment = progress.enroll(world.course, actor=world.worker)
    assert (enrollment.price_paid, enrollment.subsidy) == (Decimal("39.80"), Decimal("159.20"))


def test_free_course_with_a_price_is_refused_and_nothing_written(world):
    before = Course.objects.count()
    with pytest.raises(DomainError, match="免费课程不应有价格"):
        catalogue.create_course(
            world.county.county,
            actor=world.staff,
            title="x",
            price_class="free",
            list_price=Decimal(10),
        )
    assert Course.objects.count() == before


def test_town_officer_cannot_publish_the_county_course(world):
    officer = world.county.users["union_officer_a"]
    with pytest.raises(PermissionDeniedError):
        catalogue.transition_course(world.course, actor=officer, to=CourseState.WITHDRAWN)
    world.course.refresh_from_db()
    assert world.course.state == CourseState.PUBLISHED


def test_heartbeats_resume_and_complete_out_of_order(world, client):
    progress.enroll(world.course, actor=world.worker)
    lid, now = world.lesson.pk, 1_700_000_000_000
    # 100 s lesson = 20 slices of 5 s. Beats arrive late and out of order.
    res = progress.record_heartbeats(
        world.worker,
        [
            {"lesson": lid, "position": 60, "start": 45, "end": 60, "at": now + 60_000},
            {"lesson": lid, "position": 30, "start": 0, "end": 30, "at": now + 30_000},
        ],
    )
    assert [r.ok for r in res] == [True, True]
    row = LessonProgress.objects.get(lesson=world.lesson)
    assert row.position == 60  # the latest client time wins, not the last beat received
    assert row.watched_ratio == pytest.approx(9 / 20)  # slices 0-5 and 9-11
    # The same range again counts nothing more.
    progress.record_heartbeats(
        world.worker, [{"lesson": lid, "position": 30, "start": 0, "end": 30, "at": now + 1}]
    )
    row.refresh_from_db()
    assert row.watched_ratio == pytest.approx(9 / 20) and row.position == 60
    res = progress.record_heartbeats(
        world.worker,
        [
            {"lesson": lid, "position": 90, "start": 30, "end": 45, "at": now + 90_000},
            {"lesson": lid, "position": 90, "start": 60, "end": 90, "at": now + 91_000},
        ],
    )
    row.refresh_from_db()
    assert row.watched_ratio == pytest.approx(18 / 20) and row.completed_at is not None
    assert res[-1].completed
    enrollment = CourseEnrollment.objects.get(person=world.worker.person)
    assert enrollment.completed_at is None  # the document lesson is still open
    progress.mark_read(world.doc, actor=world.worker)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None and enrollment.hours_credited == Decimal("2.0")
    assert progress.hours_of(world.worker.person) == Decimal("2.0")
    assert AuditEvent.objects.filter(action="learning.course.complete").count() == 1
    # The hours count in the training app's growth record (成长档案), page and API.
    record = growth_record(world.worker.person)
    assert [(e.title, e.hours) for e in record.learning] == [("焊接安全", Decimal("2.0"))]
    assert record.learning_hours == Decimal("2.0")
    client.force_login(world.worker)
    growth = client.get("/api/training/me/growth").json()
    assert (growth["learning_hours"], growth["learning"][0]["title"]) == ("2.0", "焊接安全")
    page = client.get("/t/me/").content.decode()
    assert "在线学时" in page and "焊接安全" in page and "2.0学时" in page


def test_heartbeat_for_a_lesson_not_enrolled_is_refused_others_kept(world):
    other = catalogue.create_course(world.county.county, actor=world.staff, title="其他")
    ch = catalogue.add_chapter(other, actor=world.staff, title="一")
    stranger = catalogue.add_lesson(
        ch, actor=world.staff, title="x", kind="video", video=world.video
    )
    progress.enroll(world.course, actor=world.worker)
    res = progress.record_heartbeats(
        world.worker,
        [
            {"lesson": stranger.pk, "position": 10, "start": 0, "end": 10, "at": 1},
            {"lesson": world.lesson.pk, "position": 500, "start": 0, "end": 500, "at": 2},
            {"lesson": world.lesson.pk, "position": 10, "start": 0, "end": 10, "at": 3},
        ],
    )
    assert [(r.ok, r.message) for r in res] == [
        (False, "您未报名该课程，进度未记录"),
        (False, "播放位置超出课时长度"),
        (True, ""),
    ]
    assert not LessonProgress.objects.filter(lesson=stranger).exists()
    assert LessonProgress.objects.get(lesson=world.lesson).watched_ratio == pytest.approx(0.1)


def test_quiz_required_before_completion(world):
    world.lesson.quiz_bank = world.bank
    world.lesson.quiz_pass_mark = 60
    world.lesson.save()
    for i in range(3):
        Question.objects.create(
            bank=world.bank,
            kind=QuestionKind.TRUE_FALSE,
            stem=f"题{i}",
            answer=[1],
            digest=practice.stem_digest(f"题{i}"),
        )
    progress.enroll(world.course, actor=world.worker)
    progress.record_heartbeats(
        world.worker,
        [{"lesson": world.lesson.pk, "position": 100, "start": 0, "end": 100, "at": 1}],
    )
    row = LessonProgress.objects.get(lesson=world.lesson)
    assert row.watched_ratio == 1 and row.completed_at is None
    attempt = practice.start_attempt(
        world.bank, actor=world.worker, kind="quiz", lesson=world.lesson, seed=1
    )
    ids = attempt.question_ids
    # 2 of 3 right = 67 ≥ 60.
    answers = {str(ids[0]): [1], str(ids[1]): [1], str(ids[2]): [0]}
    attempt = practice.submit_attempt(attempt, actor=world.worker, answers=answers)
    assert (attempt.score, attempt.passed) == (67, True)
    row.refresh_from_db()
    assert row.quiz_passed and row.completed_at is not None


XLSX_HEAD = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]


def _xlsx(rows):
    from gonghui.core.spreadsheets import workbook_bytes

    return workbook_bytes([XLSX_HEAD, *rows], title="题库")


def test_import_questions_with_error_workbook(world):
    data = _xlsx(
        [
            ["单选", "焊接时应佩戴？", "手套", "护目镜", "", "", "B", ""],
            ["多选", "焊前应检查？", "电缆", "气瓶", "通风", "", "A、B、C", ""],
            ["判断", "可以在油桶上焊接。", "", "", "", "", "错", ""],
            ["填空", "电焊机外壳必须____。", "", "", "", "", "接地|保护接地", ""],
            ["单选", "没有答案的题", "甲", "乙", "", "", "", ""],
            ["单选", "焊接时应佩戴 ？", "手套", "护目镜", "", "", "B", ""],  # duplicate stem
            ["单选", "答案越界", "甲", "乙", "", "", "C", ""],
        ]
    )
    result = practice.import_questions(world.bank, data, actor=world.staff, name="q.xlsx")
    assert result.created == 4
    assert [(n, reason) for n, _c, reason in result.rejected] == [
        (6, "没有正确答案"),
        (7, "重复的题目（题库中或表内已有相同题干）"),
        (8, "答案应为已有选项的字母"),
    ]
    qs = {q.kind: q.answer for q in Question.objects.filter(bank=world.bank)}
    assert qs == {
        "single": [1],
        "multiple": [0, 1, 2],
        "true_false": [0],
        "fill": ["接地", "保护接地"],
    }
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(practice.error_workbook(result)))
    rows = list(wb.active.values)
    assert rows[0][0] == "行号" and rows[0][-1] == "错误原因" and rows[1][0] == 6


def test_import_refused_for_another_units_staff(world):
    with pytest.raises(PermissionDeniedError):
        practice.import_questions(
            world.bank,
            _xlsx([["判断", "x", "", "", "", "", "对", ""]]),
            actor=world.county.users["union_officer_a"],
        )
    assert not Question.objects.filter(bank=world.bank).exists()


def test_practice_brings_back_the_wrong_ones(world):
    qs = [
        Question.objects.create(
            bank=world.bank, kind="true_false", stem=f"q{i}", answer=[1], digest=str(i)
        )
        for i in range(3)
    ]
    person = world.worker.person
    t0 = timezone.now()
    nxt = practice.next_question(world.bank, person=person, now=t0)
    assert (nxt.question, nxt.reason) == (qs[0], "new")
    practice.answer_question(qs[0], actor=world.worker, given=[0])  # wrong
    practice.answer_question(qs[1], actor=world.worker, given=[1])  # right
    # Right after: no item due yet, so the next unseen one.
    assert practice.next_question(world.bank, person=person).question == qs[2]
    # Two minutes later the wrong one (box 0, one minute) is due; the right one not (1 day).
    later = timezone.now() + dt.timedelta(minutes=2)
    nxt = practice.next_question(world.bank, person=person, now=later)
    assert (nxt.question, nxt.reason) == (qs[0], "review")
    item = ReviewItem.objects.get(person=person, question=qs[1])
    assert item.box == 1
    assert Answer.objects.filter(person=person).count() == 2


def test_mock_exam_late_submission_is_expired_and_answers_not_taken(world):
    for i in range(4):
        Question.objects.create(
            bank=world.bank, kind="true_false", stem=f"q{i}", answer=[1], digest=str(i)
        )
    attempt = practice.start_attempt(world.bank, actor=world.worker, seed=3)
    attempt.deadline = timezone.now() - dt.timedelta(minutes=1)
    attempt.save()
    attempt = practice.submit_attempt(
        attempt, actor=world.worker, answers={str(i): [1] for i in attempt.question_ids}
    )
    assert (attempt.state, attempt.score, attempt.passed) == ("expired", 0, False)
    assert not Answer.objects.exists()


def test_mock_exam_score_and_pass_mark(world):
    for i in range(4):
        Question.objects.create(
            bank=world.bank, kind="true_false", stem=f"q{i}", answer=[1], digest=str(i)
        )
    attempt = practice.start_attempt(world.bank, actor=world.worker, seed=3)
    ids = attempt.question_ids
    answers = {str(ids[0]): [1], str(ids[1]): [1], str(ids[2]): [1], str(ids[3]): [0]}
    attempt = practice.submit_attempt(attempt, actor=world.worker, answers=answers)
    assert (attempt.score, attempt.passed) == (75, True)  # 3/4, pass mark 75
    other = make_user("other_worker", person=PersonFactory(name="王五"))
    with pytest.raises(DomainError):
        practice.submit_attempt(attempt, actor=other, answers={})


def test_new_questions_skip_those_seen_in_an_exam(world):
    from gonghui.learning.models import PracticeCursor

    qs = [Question.objects.create(bank=world.bank, kind="true_false", stem=f"c{i}", answer=[1],
                                  digest=f"c{i}") for i in range(5)]  # fmt: skip
    person = world.worker.person
    far = timezone.now() - dt.timedelta(days=1)  # nothing is due yet at this time
    for q in qs[:2]:
        practice.answer_question(q, actor=world.worker, given=[1])
    practice.answer_question(qs[3], actor=world.worker, given=[1])  # as in an exam
    nxt = practice.next_question(world.bank, person=person, now=far)
    assert (nxt.question, nxt.reason) == (qs[2], "new")
    assert PracticeCursor.objects.get(person=person).seen_through == qs[2].pk - 1
    practice.answer_question(qs[2], actor=world.worker, given=[1])
    assert practice.next_question(world.bank, person=person, now=far).question == qs[4]
    practice.answer_question(qs[4], actor=world.worker, given=[0])
    nxt = practice.next_question(world.bank, person=person, now=far)
    # All seen, none due at that time: the one due soonest (the wrong one, box 0).
    assert (nxt.question, nxt.reason) == (qs[4], "ahead")
