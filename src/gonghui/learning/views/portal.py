# SPDX-License-Identifier: AGPL-3.0-or-later
"""The worker's phone pages: find a course, watch a lesson (progress resumes), practise,
take a mock exam, and the reading room (card, borrow, return, renew)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import http_range
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.middleware import ContentSecurityPolicyMiddleware
from gonghui.training.enums import Level
from gonghui.training.models import Skill

from ..domain import catalogue, library, practice, progress, videos
from ..enums import AttemptState, PriceClass
from ..models import (
    Course,
    CourseEnrollment,
    ExamAttempt,
    Lesson,
    LibraryCard,
    Loan,
    Question,
    QuestionBank,
    ReadingRoom,
    Video,
)


def _person_id(request) -> int:
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise PermissionDenied
    return person_id


def _run(request, call, ok: str = ""):
    try:
        result = call()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    if ok:
        messages.success(request, ok)
    return result


def home(request):
    """The catalogue; without signing in, the published courses not marked 仅限登录."""
    q = request.GET
    courses = catalogue.search_courses(
        Course.objects.restrict(request.user).select_related("skill"), text=q.get("q", ""),
        skill_id=q.get("skill") or None, level=q.get("level", ""),
        price_class=q.get("price", ""),
    )[:50]  # fmt: skip
    mine = CourseEnrollment.objects.restrict(request.user, "own").select_related("course")[:20]
    person_id = getattr(request.user, "person_id", None)
    hours = progress.hours_of(request.user.person) if person_id else None
    return render(request, "learning/portal/home.html", {
        "courses": courses, "mine": mine, "hours": hours, "q": q, "levels": Level.choices,
        "prices": PriceClass.choices, "skills": Skill.objects.filter(
            pk__in=Course.objects.restrict(request.user).values("skill_id")),
    })  # fmt: skip


def course(request, course_id: int):
    c = get_object_or_404(Course.objects.restrict(request.user).select_related("skill", "position"),
                          pk=course_id)  # fmt: skip
    person_id = getattr(request.user, "person_id", None)
    enrollment = CourseEnrollment.objects.filter(course=c, person_id=person_id).first()
    done = {}
    if enrollment:
        done = {p.lesson_id: p for p in enrollment.progress.all()}
    lessons = [(lesson, done.get(lesson.pk)) for lesson in c.lessons.select_related("chapter")]
    member = person_id is not None and progress.union_of(request.user.person) is not None
    paid, subsidy = catalogue.price_for(c, is_member=member)
    return render(request, "learning/portal/course.html", {
        "course": c, "enrollment": enrollment, "lessons": lessons, "paid": paid,
        "subsidy": subsidy,
    })  # fmt: skip


@login_required
@require_POST
def enroll(request, course_id: int):
    _person_id(request)
    c = get_object_or_404(Course.objects.restrict(request.user), pk=course_id)
    _run(request, lambda: progress.enroll(c, actor=request.user), _("报名成功，开始学习吧"))
    return redirect("learning:course", c.pk)


def _lesson_for_learner(request, lesson_id: int) -> Lesson:
    lesson = get_object_or_404(
        Lesson.objects.filter(course__in=Course.objects.restrict(request.user)).select_related(
            "course", "video"
        ),
        pk=lesson_id,
    )
    return lesson


@login_required
def lesson(request, lesson_id: int):
    _person_id(request)
    les = _lesson_for_learner(request, lesson_id)
    try:
        row = progress.progress_row(les, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learning:course", les.course_id)
    progress.count_visit(les)
    response = render(
        request,
        "learning/portal/lesson.html",
        {"lesson": les, "row": row, "percent": round(row.watched_ratio * 100)},
    )
    # hls.js plays through Media Source Extensions: the video element's source is a blob:
    # URL, which the site's policy (media from our own origin only) would refuse.
    response["Content-Security-Policy"] = (
        ContentSecurityPolicyMiddleware.POLICY + "; media-src 'self' blob:"
    )
    return response


@login_required
@require_POST
def mark_read(request, lesson_id: int):
    les = _lesson_for_learner(request, lesson_id)
    _run(request, lambda: progress.mark_read(les, actor=request.user), _("已记录学习完成"))
    return redirect("learning:course", les.course_id)


@login_required
def video_file(request, video_id: int, name: str):
    """A file of a video's HLS set, for those who may see a course using it (staff of the
    video's unit too); with HTTP Range, streamed, never read whole into memory."""
    visible = Lesson.objects.filter(video_id=video_id,
                                    course__in=Course.objects.restrict(request.user))  # fmt: skip
    video = Video.objects.filter(pk=video_id).first()
    if video is None or not (
        visible.exists() or Video.objects.restrict(request.user).filter(pk=video_id).exists()
    ):
        raise Http404
    try:
        fh, size = videos.open_file(video, name)
    except DomainError:
        raise Http404 from None
    content_type = {"m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t",
                    "jpg": "image/jpeg"}[name.rsplit(".", 1)[1]]  # fmt: skip
    try:
        span = http_range.parse_range(request.headers.get("Range"), size)
    except http_range.RangeNotSatisfiable as exc:
        fh.close()
        return http_range.not_satisfiable(exc)
    first, last = (span.first, span.last) if span else (0, size - 1)
    response = StreamingHttpResponse(
        videos.iter_range(fh, first, last), status=206 if span else 200, content_type=content_type
    )
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if span:
        response["Content-Range"] = span.content_range
    return response


# -- practice and exams -------------------------------------------------------------------------
@login_required
def banks(request):
    return render(request, "learning/portal/banks.html", {
        "banks": QuestionBank.objects.restrict(request.user).select_related("skill"),
        "attempts": ExamAttempt.objects.restrict(request.user, "own").select_related("bank")[:10],
    })  # fmt: skip


def _bank(request, bank_id: int) -> QuestionBank:
    return get_object_or_404(QuestionBank.objects.restrict(request.user), pk=bank_id)


@login_required
def practise(request, bank_id: int):
    _person_id(request)
    bank = _bank(request, bank_id)
    result = None
    if request.method == "POST":
        question = get_object_or_404(Question.objects.filter(bank=bank),
                                     pk=request.POST.get("question"))  # fmt: skip
        given = request.POST.getlist("given")
        outcome = _run(request, lambda: practice.answer_question(question, actor=request.user,
                                                                  given=given))  # fmt: skip
        if outcome:
            result = {"question": question, "correct": outcome[0]}
    nxt = practice.next_question(bank, person=request.user.person)
    return render(request, "learning/portal/practise.html",
                  {"bank": bank, "next": nxt, "result": result})  # fmt: skip


@login_required
@require_POST
def exam_start(request, bank_id: int):
    _person_id(request)
    bank = _bank(request, bank_id)
    attempt = _run(request, lambda: practice.start_attempt(bank, actor=request.user))
    if attempt is None:
        return redirect("learning:banks")
    return redirect("learning:exam", attempt.pk)


@login_required
def exam(request, attempt_id: int):
    attempt = get_object_or_404(ExamAttempt.objects.restrict(request.user, "own")
                                .select_related("bank"), pk=attempt_id)  # fmt: skip
    if request.method == "POST" and attempt.state == AttemptState.RUNNING:
        answers = {str(qid): request.POST.getlist(f"q{qid}") for qid in attempt.question_ids}
        done = _run(request, lambda: practice.submit_attempt(attempt, actor=request.user,
                                                              answers=answers))  # fmt: skip
        return redirect("learning:exam", (done or attempt).pk)
    by_id = Question.objects.in_bulk(attempt.question_ids)
    questions = [(by_id[i], f"q{i}") for i in attempt.question_ids if i in by_id]
    return render(request, "learning/portal/exam.html",
                  {"attempt": attempt, "questions": questions})  # fmt: skip


# -- library ---------------------------------------------------------------------------------
@login_required
def library_home(request):
    person_id = getattr(request.user, "person_id", None)
    card = LibraryCard.objects.filter(person_id=person_id).first() if person_id else None
    return render(request, "learning/portal/library.html", {
        "card": card, "rooms": ReadingRoom.objects.restrict(request.user).select_related(
            "position"),
        "loans": Loan.objects.restrict(request.user, "own").select_related(
            "copy__title", "room")[:30],
    })  # fmt: skip


def _room(request, room_id: int) -> ReadingRoom:
    return get_object_or_404(ReadingRoom.objects.restrict(request.user), pk=room_id)


@login_required
@require_POST
def library_card(request, room_id: int):
    _person_id(request)
    room = _room(request, room_id)
    _run(
        request,
        lambda: library.issue_card(room, actor=request.user, person=request.user.person),
        _("读者证已办理"),
    )
    return redirect("learning:library")


@login_required
@require_POST
def library_borrow(request, room_id: int):
    person_id = _person_id(request)
    room = _room(request, room_id)
    card = LibraryCard.objects.filter(person_id=person_id).first()
    if card is None:
        messages.error(request, _("请先办理读者证"))
    else:
        _run(request, lambda: library.checkout(room, actor=request.user, card=card,
                                               barcode=request.POST.get("barcode", "")),
             _("借阅成功"))  # fmt: skip
    return redirect("learning:library")


@login_required
@require_POST
def library_return(request, room_id: int):
    _person_id(request)
    room = _room(request, room_id)
    _run(
        request,
        lambda: library.checkin(room, actor=request.user, barcode=request.POST.get("barcode", "")),
        _("已归还"),
    )
    return redirect("learning:library")


@login_required
@require_POST
def library_renew(request, loan_id: int):
    loan = get_object_or_404(Loan.objects.restrict(request.user, "own"), pk=loan_id)
    _run(request, lambda: library.renew(loan, actor=request.user), _("续借成功"))
    return redirect("learning:library")
