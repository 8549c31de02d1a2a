# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console of online learning and the reading rooms: the dashboard (visits, learners,
completion, hours by skill and unit, popular and abandoned lessons), courses, videos
(resumable upload with transcoding progress), question banks (.xlsx import with the error
workbook), reading rooms with their desk (cards, lending, returns) and loans."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import private_files
from gonghui.core.console import console_page, paginate, run_form
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.private_files import Expired
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE
from gonghui.network.models import Position
from gonghui.orgs.models import OrgUnit, Person

from ..domain import catalogue, library, positions, practice, stats
from ..enums import CourseState
from ..models import Course, LibraryCard, Loan, QuestionBank, ReadingRoom, Video
from .forms import CourseForm, LessonForm


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


@console_page("course")
def index(request):
    courses = Course.objects.restrict(request.user).select_related("skill", "org_unit")
    page, query = paginate(request, courses)
    return render(request, "learning/console/index.html", {
        "page": page, "query": query, "stats": stats.learning_stats(courses),
        "section": "learning",
    })  # fmt: skip


def _units(user, kind: str) -> list[OrgUnit]:
    """Units of the user's scope where they may change ``kind`` (the forms' choices)."""
    principal = principal_for(user)
    return [u for u in OrgUnit.objects.restrict(user)[:200]
            if principal.covers(kind, "change", u)]  # fmt: skip


@console_page("course", "change")
def course_new(request):
    """A new course (a draft): its catalogue entry and price class; lessons are added on
    the course's page."""
    units = _units(request.user, "course")
    form = CourseForm(request.POST or None, units=units, positions=_positions(request.user))
    if request.method == "POST":
        course = run_form(form, lambda d: catalogue.create_course(
            form.units[d["org_unit"]], actor=request.user, **form.course_fields()))  # fmt: skip
        if course is not None:
            messages.success(request, _("课程已创建（草稿），请添加章节与课时后发布"))
            return redirect("learning_console:course", course.pk)
    return render(request, "learning/console/course_new.html",
                  {"form": form, "section": "learning"})  # fmt: skip


@console_page("course")
def course(request, course_id: int):
    c = get_object_or_404(Course.objects.restrict(request.user).select_related("skill"),
                          pk=course_id)  # fmt: skip
    runs = request.user.has_perm("learning.change_course", c)
    form = LessonForm(request.POST or None, course=c, user=request.user) if runs else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if run_form(form, lambda d: _add_lesson(c, d, request.user)) is not None:
            messages.success(request, _("课时已添加"))
            return redirect("learning_console:course", c.pk)
    lessons = [(lesson, stats.stop_points(lesson)) for lesson in
               c.lessons.select_related("chapter", "video")]  # fmt: skip
    return render(request, "learning/console/course.html", {
        "course": c, "lessons": lessons, "runs": runs, "form": form,
        "positions": _positions(request.user) if runs else [],
        "units": _units(request.user, "coursevideo") if runs else [], "section": "learning",
    })  # fmt: skip


def _add_lesson(course: Course, data: dict, user):
    """The chapter (an existing one, or a new one) and the lesson, all or nothing."""
    from django.db import transaction

    with transaction.atomic():
        if data.get("chapter"):
            chapter = course.chapters.get(pk=data["chapter"])
        else:
            chapter = catalogue.add_chapter(course, actor=user, title=data["new_chapter"])
        return catalogue.add_lesson(
            chapter, actor=user, title=data["title"], kind=data["kind"], video=data.get("video"),
            document=data.get("document") or "", live_url=data.get("live_url") or "",
            duration=data.get("duration") or 0,
        )  # fmt: skip


def _positions(user):
    """Active service positions the user may choose (the network's registry)."""
    return Position.objects.restrict(user, "browse").order_by("name", "id")


def _posted_position(request):
    """The position chosen in the form (None: none); False when it is not one to choose."""
    raw = request.POST.get("position", "").strip()
    if not raw:
        return None
    ok = raw.isdigit() and len(raw) <= 12
    found = _positions(request.user).filter(pk=int(raw)).first() if ok else None
    if found is None:
        messages.error(request, _("只能选择本地区在用的服务阵地"))
        return False
    return found


@console_page("course", "change")
@require_POST
def course_position(request, course_id: int):
    c = get_object_or_404(Course.objects.restrict(request.user, "change"), pk=course_id)
    position = _posted_position(request)
    if position is not False:
        _run(request, lambda: positions.place_course(c, actor=request.user, position=position),
             _("已设置所属阵地"))  # fmt: skip
    return redirect("learning_console:course", c.pk)


@console_page("course", "change")
@require_POST
def course_transition(request, course_id: int, to: str):
    c = get_object_or_404(Course.objects.restrict(request.user, "change"), pk=course_id)
    if to not in CourseState.values:
        raise PermissionDenied
    _run(request, lambda: catalogue.transition_course(c, actor=request.user, to=to),
         _("课程状态已更新"))  # fmt: skip
    return redirect("learning_console:course", c.pk)


@console_page("coursevideo")
def video_list(request):
    videos = Video.objects.restrict(request.user)
    page, query = paginate(request, videos)
    units = _units(request.user, "coursevideo")
    return render(
        request,
        "learning/console/videos.html",
        {"page": page, "query": query, "units": units, "section": "learning"},
    )


@console_page("questionbank")
def bank_list(request):
    banks = QuestionBank.objects.restrict(request.user).select_related("skill")
    page, query = paginate(request, banks)
    return render(request, "learning/console/banks.html",
                  {"page": page, "query": query, "section": "learning"})  # fmt: skip


@console_page("questionbank", "change")
@require_POST
def bank_import(request, bank_id: int):
    bank = get_object_or_404(QuestionBank.objects.restrict(request.user, "change"), pk=bank_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择题库表格（.xlsx）"))
        return redirect("learning_console:banks")
    result = _run(request, lambda: practice.import_questions(bank, upload, actor=request.user,
                                                              name=upload.name))  # fmt: skip
    if result is not None:
        if result.rejected:
            import datetime as dt

            name = private_files.save(practice.error_workbook(result), area="learning",
                                      ttl=dt.timedelta(days=1))  # fmt: skip
            request.session["learning_errors"] = name
            messages.warning(request, _("导入{n}题；{m}行有误未导入，请下载错误清单修改后重新导入")
                             .format(n=result.created, m=len(result.rejected)))  # fmt: skip
        else:
            messages.success(request, _("导入{n}题").format(n=result.created))
    return redirect("learning_console:banks")


@console_page("questionbank", "change")
def bank_errors(request):
    name = request.session.get("learning_errors", "")
    try:
        data = private_files.read(name)
    except Expired:
        messages.error(request, _("错误清单已过期"))
        return redirect("learning_console:banks")
    response = HttpResponse(io.BytesIO(data).getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="errors.xlsx"'
    return response


# -- reading rooms ------------------------------------------------------------------------------
@console_page("readingroom")
def rooms(request):
    visible = ReadingRoom.objects.restrict(request.user).select_related("org_unit", "position")
    page, query = paginate(request, visible)
    runs = set(ReadingRoom.objects.restrict(request.user, "change").filter(
        pk__in=[r.pk for r in page.object_list]).values_list("pk", flat=True))  # fmt: skip
    return render(request, "learning/console/rooms.html", {
        "page": page, "query": query, "reading": stats.reading_stats(page.object_list),
        "runs": runs, "positions": _positions(request.user) if runs else [],
        "section": "library",
    })  # fmt: skip


def _desk_room(request, room_id: int) -> ReadingRoom:
    return get_object_or_404(ReadingRoom.objects.restrict(request.user, "change"), pk=room_id)


@console_page("readingroom", "change")
@require_POST
def desk(request, room_id: int, action: str):
    room = _desk_room(request, room_id)
    post = request.POST
    if action == "checkout":
        card = LibraryCard.objects.restrict(request.user).filter(
            number=post.get("card", "").strip()).first()  # fmt: skip
        if card is None:
            messages.error(request, _("读者证号不存在"))
        else:
            _run(
                request,
                lambda: library.checkout(
                    room, actor=request.user, card=card, barcode=post.get("barcode", "")
                ),
                _("已借出"),
            )
    elif action == "position":
        position = _posted_position(request)
        if position is not False:
            _run(request, lambda: positions.place_room(room, actor=request.user,
                                                       position=position),
                 _("已设置所属阵地"))  # fmt: skip
        return redirect("learning_console:rooms")
    elif action == "checkin":
        _run(
            request,
            lambda: library.checkin(room, actor=request.user, barcode=post.get("barcode", "")),
            _("已归还"),
        )
    elif action == "copy":
        _run(
            request,
            lambda: library.add_copy(
                room,
                actor=request.user,
                isbn=post.get("isbn", ""),
                barcode=post.get("barcode", ""),
                title=post.get("title", ""),
                author=post.get("author", ""),
                publisher=post.get("publisher", ""),
                shelf=post.get("shelf", ""),
            ),
            _("已入藏"),
        )
    elif action == "marc":
        upload = request.FILES.get("file")
        if upload is None or upload.size > 20 * 1024 * 1024:
            messages.error(request, _("请选择CNMARC书目文件（ISO 2709，20 MB以内）"))
        else:
            result = _run(request, lambda: library.import_cnmarc(room, upload.read(),
                                                                 actor=request.user))  # fmt: skip
            if result is not None:
                messages.success(request, _("新书目{t}种，入藏{c}册").format(
                    t=result.titles, c=result.copies))  # fmt: skip
                for number, what, why in result.rejected[:20]:
                    messages.error(request, _("第{n}条记录（{w}）未导入：{r}").format(
                        n=number, w=what or "—", r=why))  # fmt: skip
    elif action == "card":
        person = Person.objects.restrict(request.user).filter(pk=post.get("person") or 0).first()
        if person is None:
            messages.error(request, _("请选择范围内的职工"))
        else:
            _run(request, lambda: library.issue_card(room, actor=request.user, person=person),
                 _("读者证已办理"))  # fmt: skip
    else:
        raise PermissionDenied
    return redirect("learning_console:loans")


@console_page("loan")
def loans(request):
    visible = Loan.objects.restrict(request.user).select_related("copy__title", "card", "room")
    if request.GET.get("overdue"):
        from django.utils import timezone

        visible = visible.filter(state="on_loan", due_on__lt=timezone.localdate())
    page, query = paginate(request, visible)
    return render(request, "learning/console/loans.html", {
        "page": page, "query": query, "section": "library",
        "desk_rooms": ReadingRoom.objects.restrict(request.user, "change"),
    })  # fmt: skip


@console_page("librarycard")
def cards(request):
    visible = LibraryCard.objects.restrict(request.user).select_related("person", "room")
    page, query = paginate(request, visible)
    return render(request, "learning/console/cards.html",
                  {"page": page, "query": query, "section": "library"})  # fmt: skip
