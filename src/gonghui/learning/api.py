# SPDX-License-Identifier: AGPL-3.0-or-later
"""Learning API under /api/learning: the catalogue, enrolment, progress heartbeats, practice
and exams, video upload (resumable), and the reading rooms' circulation. Same scope, rules
and errors as the pages."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.orgs.models import OrgUnit

from .domain import catalogue, library, practice, progress, videos
from .models import (
    Course,
    CourseEnrollment,
    ExamAttempt,
    LibraryCard,
    Loan,
    Question,
    QuestionBank,
    ReadingRoom,
    Title,
    Video,
)
from .schemas import (
    LearningAnswerIn,
    LearningAnswerOut,
    LearningAttemptIn,
    LearningAttemptOut,
    LearningBankOut,
    LearningBeatOut,
    LearningBeatsIn,
    LearningCourseDetailOut,
    LearningCourseOut,
    LearningEnrollmentOut,
    LearningNextOut,
    LearningVideoIn,
    LearningVideoOut,
    LibraryCardOut,
    LibraryCheckinIn,
    LibraryCheckoutIn,
    LibraryHoldIn,
    LibraryHoldOut,
    LibraryLoanOut,
    LibraryRoomOut,
)

router = Router(tags=["在线学习与职工书房"])


class LearningCourseQuery(Schema):
    q: str = ""
    skill_id: int | None = None
    level: str = ""
    price_class: str = ""
    tag: str = ""


def _learner(request) -> None:
    if getattr(request.auth, "person_id", None) is None:
        raise PermissionDeniedError("该账号未关联职工身份")


@router.get("/courses", response=list[LearningCourseOut], summary="课程目录（搜索与筛选）")
@paginate(Page)
def list_courses(request, filters: Query[LearningCourseQuery]):
    return catalogue.search_courses(
        Course.objects.restrict(request.auth), text=filters.q, skill_id=filters.skill_id,
        level=filters.level, price_class=filters.price_class, tag=filters.tag,
    )  # fmt: skip


@router.get("/courses/{course_id}", response=LearningCourseDetailOut, summary="课程详情")
def get_course(request, course_id: int):
    return get_object_or_404(Course.objects.restrict(request.auth), pk=course_id)


@router.post("/courses/{course_id}/enroll", response={201: LearningEnrollmentOut},
             summary="报名课程")  # fmt: skip
def enroll(request, course_id: int):
    _learner(request)
    course = get_object_or_404(Course.objects.restrict(request.auth), pk=course_id)
    return Status(201, progress.enroll(course, actor=request.auth))


@router.get("/me/enrollments", response=list[LearningEnrollmentOut], summary="我的课程")
@paginate(Page)
def my_enrollments(request):
    return CourseEnrollment.objects.restrict(request.auth, "own")


@router.post("/heartbeats", response=list[LearningBeatOut], summary="上报学习进度（批量）")
def heartbeats(request, payload: LearningBeatsIn):
    _learner(request)
    results = progress.record_heartbeats(request.auth, [b.dict() for b in payload.beats])
    if results and not any(r.enrolled for r in results):
        raise Http404(progress.NOT_ENROLLED)  # none of the lessons is the caller's
    return results


@router.get("/banks", response=list[LearningBankOut], summary="题库")
@paginate(Page)
def list_banks(request):
    return QuestionBank.objects.restrict(request.auth)


@router.get("/banks/{bank_id}/next", response=LearningNextOut, summary="练习：下一题")
def next_question(request, bank_id: int):
    _learner(request)
    bank = get_object_or_404(QuestionBank.objects.restrict(request.auth), pk=bank_id)
    nxt = practice.next_question(bank, person=request.auth.person)
    return {"reason": nxt.reason, "question": nxt.question}


@router.post("/questions/{question_id}/answer", response=LearningAnswerOut, summary="练习：作答")
def answer(request, question_id: int, payload: LearningAnswerIn):
    _learner(request)
    banks = QuestionBank.objects.restrict(request.auth).values("pk")
    question = get_object_or_404(Question.objects.filter(bank__in=banks), pk=question_id)
    correct, item = practice.answer_question(question, actor=request.auth, given=payload.given)
    return {"correct": correct, "answer": question.answer, "explanation": question.explanation,
            "box": item.box, "due_at": item.due_at}  # fmt: skip


def _attempt_out(attempt: ExamAttempt, with_questions: bool) -> ExamAttempt:
    attempt.with_questions = with_questions
    return attempt


@router.post("/banks/{bank_id}/exams", response={201: LearningAttemptOut}, summary="开始模拟考试")
def start_exam(request, bank_id: int):
    _learner(request)
    bank = get_object_or_404(QuestionBank.objects.restrict(request.auth), pk=bank_id)
    return Status(201, _attempt_out(practice.start_attempt(bank, actor=request.auth), True))


@router.post("/exams/{attempt_id}/submit", response=LearningAttemptOut, summary="交卷")
def submit_exam(request, attempt_id: int, payload: LearningAttemptIn):
    _learner(request)
    attempt = get_object_or_404(ExamAttempt.objects.restrict(request.auth, "own"), pk=attempt_id)
    attempt = practice.submit_attempt(attempt, actor=request.auth, answers=payload.answers)
    return _attempt_out(attempt, False)


@router.post("/videos", response={201: LearningVideoOut}, summary="开始上传视频（可续传）")
def start_video(request, payload: LearningVideoIn):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.org_unit_id)
    return Status(201, videos.start_upload(unit, actor=request.auth, title=payload.title,
                                           size=payload.size))  # fmt: skip


@router.get("/videos/{video_id}", response=LearningVideoOut, summary="视频状态与转码进度")
def get_video(request, video_id: int):
    return get_object_or_404(Video.objects.restrict(request.auth), pk=video_id)


@router.post("/videos/{video_id}/content", response=LearningVideoOut,
             summary="上传视频数据块（Upload-Offset请求头为起始字节）")  # fmt: skip
def put_video_chunk(request: HttpRequest, video_id: int):
    video = get_object_or_404(Video.objects.restrict(request.auth, "change"), pk=video_id)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        length = int(request.headers.get("Content-Length", ""))
    except ValueError:
        raise DomainError("请提供Upload-Offset与Content-Length请求头", code="invalid") from None
    return videos.receive_chunk(video, actor=request.auth, offset=offset, stream=request,
                                length=length)  # fmt: skip


# -- library ---------------------------------------------------------------------------------
@router.get("/library/rooms", response=list[LibraryRoomOut], summary="职工书房")
@paginate(Page)
def list_rooms(request):
    return ReadingRoom.objects.restrict(request.auth)


@router.post("/library/rooms/{room_id}/card", response={201: LibraryCardOut},
             summary="自助办证（免押金）")  # fmt: skip
def issue_card(request, room_id: int):
    _learner(request)
    room = get_object_or_404(ReadingRoom.objects.restrict(request.auth), pk=room_id)
    return Status(201, library.issue_card(room, actor=request.auth, person=request.auth.person))


@router.get("/library/me/loans", response=list[LibraryLoanOut], summary="我的借阅")
@paginate(Page)
def my_loans(request):
    return Loan.objects.restrict(request.auth, "own").select_related("copy__title")


@router.get("/library/loans", response=list[LibraryLoanOut], summary="借阅记录")
@paginate(Page)
def list_loans(request):
    return Loan.objects.restrict(request.auth).select_related("copy__title")


@router.post("/library/rooms/{room_id}/checkout", response={201: LibraryLoanOut}, summary="借书")
def checkout(request, room_id: int, payload: LibraryCheckoutIn):
    room = get_object_or_404(ReadingRoom.objects.restrict(request.auth), pk=room_id)
    cards = LibraryCard.objects.restrict(request.auth)
    if payload.card_number:
        card = get_object_or_404(cards, number=payload.card_number.strip())
    else:
        card = get_object_or_404(cards.filter(person_id=getattr(request.auth, "person_id", None)))
    return Status(201, library.checkout(room, actor=request.auth, card=card,
                                        barcode=payload.barcode))  # fmt: skip


@router.post(
    "/library/rooms/{room_id}/checkin", response=LibraryLoanOut, summary="还书（通借通还）"
)
def checkin(request, room_id: int, payload: LibraryCheckinIn):
    room = get_object_or_404(ReadingRoom.objects.restrict(request.auth), pk=room_id)
    return library.checkin(room, actor=request.auth, barcode=payload.barcode)


@router.post("/library/loans/{loan_id}/renew", response=LibraryLoanOut, summary="续借")
def renew(request, loan_id: int):
    loan = get_object_or_404(Loan.objects.restrict(request.auth), pk=loan_id)
    return library.renew(loan, actor=request.auth)


@router.post("/library/rooms/{room_id}/holds", response={201: LibraryHoldOut}, summary="预约图书")
def place_hold(request, room_id: int, payload: LibraryHoldIn):
    _learner(request)
    room = get_object_or_404(ReadingRoom.objects.restrict(request.auth), pk=room_id)
    card = get_object_or_404(LibraryCard.objects.restrict(request.auth, "own"))
    title = get_object_or_404(Title, isbn=library.normalise_isbn(payload.isbn))
    return Status(201, library.place_hold(title, actor=request.auth, card=card, room=room))
