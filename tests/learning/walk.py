"""Learning and the reading rooms in the scope walks (see tests/walk_extensions.py): a 平湖
course (published, so that only scope keeps it out of sight), a video, a question bank, a
reading room with a copy, a card, a loan and a hold, which no role of 海盐 may read or
change."""

import datetime as dt

from django.utils import timezone

from gonghui.learning.models import (
    Answer,
    BookCopy,
    Chapter,
    Course,
    CourseEnrollment,
    ExamAttempt,
    Hold,
    Lesson,
    LessonProgress,
    LibraryCard,
    Loan,
    PracticeCursor,
    Question,
    QuestionBank,
    ReadingRoom,
    ReviewItem,
    Title,
    Video,
)

MARK = "平湖"
MODELS = [Course, Chapter, Lesson, Video, CourseEnrollment, LessonProgress, QuestionBank,
          Question, Answer, ReviewItem, ExamAttempt, ReadingRoom, Title, BookCopy, LibraryCard,
          Loan, Hold, PracticeCursor]  # fmt: skip


def build(o) -> None:
    now = timezone.now()
    course = Course.objects.create(org_unit=o["root"], title="平湖焊接课", lecturer="平湖讲师",
                                   state="published", skill=o["skill"])  # fmt: skip
    chapter = Chapter.objects.create(course=course, title="平湖第一章", order=1)
    video = Video.objects.create(org_unit=o["root"], title="平湖视频", size=10, received=10,
                                 state="ready", duration=60, hls_prefix="hls/pinghu")  # fmt: skip
    lesson = Lesson.objects.create(course=course, chapter=chapter, title="平湖课时", kind="video",
                                   video=video, duration=60)  # fmt: skip
    enrollment = CourseEnrollment.objects.create(course=course, person=o["person"],
                                                 enrolled_at=now)  # fmt: skip
    LessonProgress.objects.create(enrollment=enrollment, lesson=lesson, updated_at=now)
    bank = QuestionBank.objects.create(org_unit=o["root"], title="平湖题库", skill=o["skill"],
                                       level="l5")  # fmt: skip
    question = Question.objects.create(bank=bank, kind="true_false", stem="平湖判断题",
                                       answer=[1], digest="pinghu")  # fmt: skip
    attempt = ExamAttempt.objects.create(
        person=o["person"],
        bank=bank,
        kind="mock",
        question_ids=[question.pk],
        started_at=now,
        deadline=now + dt.timedelta(hours=1),
        pass_mark=60,
    )
    room = ReadingRoom.objects.create(org_unit=o["union"], name="平湖书房")
    title = Title.objects.create(isbn="9787020002207", title="平湖红楼梦")
    copy = BookCopy.objects.create(room=room, title=title, barcode="PH000001", state="on_loan")
    spare = BookCopy.objects.create(room=room, title=title, barcode="PH000002")
    card = LibraryCard.objects.create(person=o["person"], number="PH0000000001", room=room,
                                      basis="member", issued_at=now)  # fmt: skip
    loan = Loan.objects.create(card=card, copy=copy, room=room, loaned_at=now,
                               due_on=dt.date(2030, 1, 1))  # fmt: skip
    hold = Hold.objects.create(card=card, title=title, room=room, placed_at=now)
    o.update(l_course=course, l_lesson=lesson, l_video=video, l_bank=bank, l_question=question,
             l_attempt=attempt, l_room=room, l_copy=copy, l_spare=spare, l_card=card,
             l_loan=loan, l_hold=hold)  # fmt: skip


def operations(o) -> list:
    c, v, b, q = o["l_course"].pk, o["l_video"].pk, o["l_bank"].pk, o["l_question"].pk
    a, r, loan = o["l_attempt"].pk, o["l_room"].pk, o["l_loan"].pk
    return [
        ("GET", "/api/learning/courses", None),
        ("GET", f"/api/learning/courses/{c}", None),
        ("POST", f"/api/learning/courses/{c}/enroll", {}),
        ("GET", "/api/learning/me/enrollments", None),
        ("POST", "/api/learning/heartbeats",
         {"beats": [{"lesson": o["l_lesson"].pk, "position": 10, "start": 0, "end": 10,
                     "at": 1}]}),
        ("GET", "/api/learning/banks", None),
        ("GET", f"/api/learning/banks/{b}/next", None),
        ("POST", f"/api/learning/questions/{q}/answer", {"given": [1]}),
        ("POST", f"/api/learning/banks/{b}/exams", {}),
        ("POST", f"/api/learning/exams/{a}/submit", {"answers": {str(q): [1]}}),
        ("POST", "/api/learning/videos", {"org_unit_id": o["root"].pk, "title": "越权",
                                          "size": 10}),
        ("GET", f"/api/learning/videos/{v}", None),
        ("POST", f"/api/learning/videos/{v}/content", None),
        ("GET", "/api/learning/library/rooms", None),
        ("POST", f"/api/learning/library/rooms/{r}/card", {}),
        ("GET", "/api/learning/library/me/loans", None),
        ("GET", "/api/learning/library/loans", None),
        ("POST", f"/api/learning/library/rooms/{r}/checkout",
         {"barcode": "PH000002", "card_number": "PH0000000001"}),
        ("POST", f"/api/learning/library/rooms/{r}/checkin", {"barcode": "PH000001"}),
        ("POST", f"/api/learning/library/loans/{loan}/renew", {}),
        ("POST", f"/api/learning/library/rooms/{r}/holds", {"isbn": "9787020002207"}),
    ]  # fmt: skip


def pages(o) -> dict:
    c, v, b = o["l_course"].pk, o["l_video"].pk, o["l_bank"].pk
    les, a, r, loan = o["l_lesson"].pk, o["l_attempt"].pk, o["l_room"].pk, o["l_loan"].pk
    return {
        "learning_console:index": ([], {}),
        "learning_console:course_new": ([], {"org_unit": o["l_course"].org_unit_id,
                                              "title": "走查课程", "hours": "1",
                                              "price_class": "free"}),
        "learning_console:course": ([c], {}),
        "learning_console:course_transition": ([c, "withdrawn"], {}),
        "learning_console:course_position": ([c], {"position": ""}),
        "learning_console:videos": ([], {}),
        "learning_console:banks": ([], {}),
        "learning_console:bank_import": ([b], {}),
        "learning_console:bank_errors": ([], {}),
        "learning_console:rooms": ([], {}),
        "learning_console:desk": ([r, "checkin"], {"barcode": "PH000001"}),
        "learning_console:loans": ([], {}),
        "learning_console:cards": ([], {}),
        "learning:home": ([], {}),
        "learning:course": ([c], {}),
        "learning:enroll": ([c], {}),
        "learning:lesson": ([les], {}),
        "learning:mark_read": ([les], {}),
        "learning:video_file": ([v, "master.m3u8"], {}),
        "learning:banks": ([], {}),
        "learning:practise": ([b], {"question": o["l_question"].pk, "given": "1"}),
        "learning:exam_start": ([b], {}),
        "learning:exam": ([a], {"q1": "1"}),
        "learning:library": ([], {}),
        "learning:library_card": ([r], {}),
        "learning:library_borrow": ([r], {"barcode": "PH000002"}),
        "learning:library_return": ([r], {"barcode": "PH000001"}),
        "learning:library_renew": ([loan], {}),
    }  # fmt: skip
