# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of online learning and the workers' library, at the seed article's figures:

- 职学职工: 50 courses of the county federation (free, discounted and subsidised) on the
  demo skills, each with a video lesson (clips generated here with the FFmpeg of the
  imageio-ffmpeg wheel and transcoded to HLS through the domain — nothing downloaded) and
  a reading; 1,000,000 learning visits over the year (the platform's click counter);
- 会考吧: three question banks imported from a generated .xlsx through the domain;
- a year of learning by the union's members, replayed through the domain on the virtual
  clock: enrolments, heartbeats (some stop part-way), practice, mock exams;
- 南机·智慧书房: a reading room of the officer's union with a few hundred titles, cards
  without deposit and loans, lent and returned over SIP2 against a peer started on a thread
  for the set-up (``make demo`` runs ``manage.py sip2_peer`` beside the site, Procfile).
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.core.clock import virtual_time
from gonghui.core.spreadsheets import workbook_bytes
from gonghui.orgs.enums import Role
from gonghui.orgs.models import Membership, RoleAssignment
from gonghui.training.enums import Level
from gonghui.training.models import Skill

from ..domain import catalogue, library, practice, progress, videos
from ..domain.positions import place_course
from ..enums import CourseState, LessonKind, PriceClass
from ..models import LessonVisit
from ..sip2 import peer as sip2_peer

SUBSIDY_RULE = "在会会员参加技能提升课程，补贴80%（区人社局职业技能提升补贴）"
ORDER = 100  # after mentorship (a passed mock exam feeds the apprentice's 个人提升)
VISITS = 1_000_000
COURSES = 50
SIP2_PORT = 6001
TOPICS = ["安全操作规程", "岗位技能提升", "设备维护保养", "质量控制要点", "新工艺应用",
          "职业素养", "技能等级鉴定辅导", "现场急救常识", "数字化工具入门", "班组管理"]  # fmt: skip
LECTURERS = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]
BOOKS = ["红楼梦", "平凡的世界", "大国工匠", "钢铁是怎样炼成的", "活着", "围城", "边城",
         "人生", "呐喊", "骆驼祥子", "机械制图", "电工基础", "焊接技术", "数控编程入门",
         "家庭急救手册", "安全生产法释义", "班组长管理", "职工权益百问", "唐诗三百首",
         "论语"]  # fmt: skip


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _clip(path: Path, seconds: int, colour: str) -> Path:
    subprocess.run(  # noqa: S603 - the wheel's ffmpeg, our own arguments
        [videos.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size=320x240:rate=10:duration={seconds}", "-f", "lavfi", "-i",
         f"color=c={colour}:size=320x240:duration={seconds}", "-f", "lavfi", "-i",
         f"sine=frequency=330:duration={seconds}", "-filter_complex",
         "[0:v][1:v]blend=all_mode=average", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def _isbn(n: int) -> str:
    body = f"978730{n:06d}"
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(body)) % 10) % 10
    return body + str(check)


def _question_rows(skill: str, rng: random.Random) -> list[list]:
    rows = [["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]]
    for i in range(1, 31):
        kind = ("单选", "多选", "判断", "填空")[i % 4]
        stem = f"{skill}第{i}题：关于{TOPICS[i % len(TOPICS)]}的说法"
        if kind == "单选":
            rows.append([kind, stem + "，正确的是？", "选项一", "选项二", "选项三", "选项四",
                         "ABCD"[rng.randrange(4)], "见教材相关章节"])  # fmt: skip
        elif kind == "多选":
            rows.append([kind, stem + "，正确的有？", "要点一", "要点二", "要点三", "要点四",
                         "AC" if rng.random() < 0.5 else "BD", ""])  # fmt: skip
        elif kind == "判断":
            rows.append([kind, stem + "是否正确？", "", "", "", "", rng.choice(["对", "错"]), ""])
        else:
            rows.append([kind, stem + "：____", "", "", "", "", "规程|操作规程", ""])
    return rows


def build_learning_demo(*, seed: int, log=print) -> list[str]:
    User = get_user_model()
    staff = User.objects.filter(username="county_staff").first()
    officer = User.objects.filter(username="union_officer").first()
    worker = User.objects.filter(username="worker").first()
    staff_grant = RoleAssignment.objects.filter(user=staff, role=Role.FEDERATION_STAFF).first()
    officer_grant = RoleAssignment.objects.filter(user=officer, role=Role.UNION_OFFICER).first()
    if staff_grant is None or officer_grant is None:
        return []
    county, union = staff_grant.org_unit, officer_grant.org_unit
    rng = random.Random(seed * 37 + 19)  # noqa: S311 - synthetic data
    skills = list(Skill.objects.order_by("id")[:40])
    if not skills:
        return []
    real_now = timezone.now()
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)

    # Videos: two clips, transcoded through the domain (the queue is skipped, not the work).
    with tempfile.TemporaryDirectory() as tmp:
        clips = [
            videos.import_local_file(county, _clip(Path(tmp) / f"c{i}.mp4", secs, colour),
                                     actor=staff, title=title)
            for i, (secs, colour, title) in enumerate([(20, "navy", "安全操作示范"),
                                                       (30, "darkgreen", "设备点检演示")])
        ]  # fmt: skip

    # Question banks for three skills, imported from a generated workbook.
    banks = []
    for skill in skills[:3]:
        bank = practice.create_bank(county, actor=staff, title=f"{skill.name}初级题库",
                                    skill=skill, level=Level.L5, exam_size=10,
                                    exam_minutes=20, pass_mark=60)  # fmt: skip
        practice.import_questions(bank, workbook_bytes(_question_rows(skill.name, rng),
                                                       title="题库"), actor=staff)  # fmt: skip
        banks.append(bank)

    with virtual_time(real_now) as clock:
        clock.set(_at(start, 9))
        courses = []
        for n in range(COURSES):
            skill = skills[n % len(skills)]
            kind = (PriceClass.FREE, PriceClass.FREE, PriceClass.DISCOUNTED,
                    PriceClass.SUBSIDISED)[n % 4]  # fmt: skip
            price = {}
            if kind == PriceClass.DISCOUNTED:
                price = {"list_price": Decimal(99), "member_price": Decimal(49)}
            elif kind == PriceClass.SUBSIDISED:
                price = {"list_price": Decimal(300), "subsidy_percent": 80,
                         "subsidy_rule": SUBSIDY_RULE}  # fmt: skip
            course = catalogue.create_course(
                county, actor=staff, title=f"{skill.name}·{TOPICS[n % len(TOPICS)]}",
                summary=f"面向一线职工的{skill.name}课程，录播室录制。", skill=skill,
                lecturer=LECTURERS[n % len(LECTURERS)], level=Level.L5 if n % 3 else Level.L4,
                hours=Decimal(1 + n % 4), price_class=kind, tags=f"{skill.category},录播",
                **price,
            )  # fmt: skip
            chapter = catalogue.add_chapter(course, actor=staff, title="第一章")
            quiz = next((b for b in banks if b.skill_id == skill.pk), None)
            catalogue.add_lesson(chapter, actor=staff, title="视频讲解", kind=LessonKind.VIDEO,
                                 video=clips[n % 2], quiz_bank=quiz, quiz_size=5)  # fmt: skip
            catalogue.add_lesson(chapter, actor=staff, title="要点阅读", kind=LessonKind.DOCUMENT,
                                 document=f"{course.title}要点：\n一、遵守规程。\n二、注意安全。",
                                 duration=120)  # fmt: skip
            courses.append(catalogue.transition_course(course, actor=staff,
                                                       to=CourseState.PUBLISHED))  # fmt: skip

        # A year of learning by the union's members (accounts without a password).
        members = [m.person for m in Membership.objects.active().filter(union=union)
                   .select_related("person").order_by("person_id")[:120]]  # fmt: skip
        learners = []
        for person in members:
            user = User.objects.filter(person=person).first()
            if user is None:
                user = User(username=f"demo_person_{person.pk}", display_name=person.name,
                            person=person)  # fmt: skip
                user.set_unusable_password()
                user.save()
            learners.append(user)
        enrolled = completed = 0
        for day_offset in range(0, 360, 3):
            day = start + dt.timedelta(days=day_offset)
            clock.set(_at(day, 20))
            for user in rng.sample(learners, min(len(learners), 4)):
                course = rng.choice(courses)
                e = progress.enroll(course, actor=user)
                enrolled += 1
                video_lesson, doc_lesson = list(course.lessons.order_by("order"))
                duration = video_lesson.duration or 20
                share = rng.choice([0.3, 0.6, 1.0, 1.0, 1.0])
                end = duration * share
                progress.record_heartbeats(user, [{
                    "lesson": video_lesson.pk, "position": end, "start": 0, "end": end,
                    "at": int(clock().timestamp() * 1000)}])  # fmt: skip
                if share == 1.0:
                    progress.mark_read(doc_lesson, actor=user)
                    if video_lesson.quiz_bank_id:
                        attempt = practice.start_attempt(video_lesson.quiz_bank, actor=user,
                                                         kind="quiz", lesson=video_lesson,
                                                         seed=rng.randrange(10**6))  # fmt: skip
                        answers = {str(q.pk): q.answer for q in
                                   video_lesson.quiz_bank.questions.filter(
                                       pk__in=attempt.question_ids)}  # fmt: skip
                        practice.submit_attempt(attempt, actor=user, answers=answers)
                    e.refresh_from_db()
                    completed += e.completed_at is not None
            if day_offset % 15 == 0:
                for user in rng.sample(learners, min(len(learners), 3)):
                    bank = rng.choice(banks)
                    for _ in range(5):
                        nxt = practice.next_question(bank, person=user.person)
                        right = rng.random() < 0.7
                        given = nxt.question.answer if right else ["错答"]
                        practice.answer_question(nxt.question, actor=user, given=given)
                    attempt = practice.start_attempt(bank, actor=user, seed=rng.randrange(10**6))
                    answers = {str(q.pk): (q.answer if rng.random() < 0.75 else [])
                               for q in bank.questions.filter(
                                   pk__in=attempt.question_ids)}  # fmt: skip
                    practice.submit_attempt(attempt, actor=user, answers=answers)

        # The reading room, a 职工书屋 of the registry of positions, circulating over SIP2
        # with a peer on a thread of this process.
        room_position = _room_position(union, officer)
        room = library.create_room(union, actor=officer, name="南机·智慧书房",
                                   address="机务段职工活动中心二楼", opening_hours="9:00–21:00",
                                   sip2_institution="NCLIB", sip2_location="NJ01",
                                   loan_days=30, max_renewals=1,
                                   position=room_position)  # fmt: skip
        # Courses recorded at the main home's studio are that position's services.
        studio = _home_position(county)
        if studio is not None:
            for course in courses[:10]:
                place_course(course, actor=staff, position=studio)
        copies = []
        for i in range(300):
            name = BOOKS[i % len(BOOKS)] + (
                "" if i < len(BOOKS) else f"（第{i // len(BOOKS) + 1}辑）"
            )
            copies.append(library.add_copy(room, actor=officer, isbn=_isbn(i),
                                           barcode=f"NJ{i:06d}", title=name,
                                           author="佚名", publisher="人民出版社",
                                           shelf=f"A{i % 12 + 1}"))  # fmt: skip
        shelf = sip2_peer.Library()
        for c in copies:
            shelf.add_item(c.barcode, c.title.title)
        server = sip2_peer.serve_in_thread(shelf)
        room.sip2_address = f"127.0.0.1:{server.server_address[1]}"
        room.save(update_fields=["sip2_address"])
        loans = 0
        try:
            readers = learners[:60]
            cards = {}
            for user in readers:
                clock.set(_at(start + dt.timedelta(days=rng.randrange(30)), 11))
                cards[user.pk] = library.issue_card(room, actor=user, person=user.person)
            by_barcode = {c.barcode: c for c in copies}
            for day_offset in range(30, 360, 2):
                clock.set(_at(start + dt.timedelta(days=day_offset), 18))
                user = rng.choice(readers)
                open_loans = list(cards[user.pk].loans.filter(state="on_loan")
                                  .select_related("copy"))  # fmt: skip
                if open_loans and (len(open_loans) >= 3 or rng.random() < 0.3):
                    barcode = open_loans[0].copy.barcode
                    library.checkin(room, actor=user, barcode=barcode)
                    by_barcode[barcode].state = "available"
                else:
                    free = [c for c in copies[:80] if c.state == "available"]
                    if free:
                        copy = rng.choice(free)
                        library.checkout(room, actor=user, card=cards[user.pk],
                                         barcode=copy.barcode)  # fmt: skip
                        copy.state = "on_loan"
                        loans += 1
        finally:
            server.shutdown()
            server.server_close()
        room.sip2_address = f"127.0.0.1:{SIP2_PORT}"
        room.save(update_fields=["sip2_address"])

    # The platform's click counter (1,000,000 visits over the year), per lesson and day.
    lessons = [lesson for c in courses for lesson in c.lessons.all()]
    weights = [rng.paretovariate(1.5) for _ in lessons]
    total_w = sum(weights)
    shares = [int(VISITS * w / total_w) for w in weights]
    shares[0] += VISITS - sum(shares)
    rows = []
    for lesson, share in zip(lessons, shares, strict=True):
        days = sorted(rng.sample(range(365), 12))
        parts = [share // len(days)] * len(days)
        parts[-1] += share - sum(parts)
        rows += [LessonVisit(lesson=lesson, day=start + dt.timedelta(days=d), count=p)
                 for d, p in zip(days, parts, strict=True) if p]  # fmt: skip
    LessonVisit.objects.bulk_create(rows, batch_size=1000)
    worker_note = ""
    if worker is not None and getattr(worker, "person_id", None):
        progress.enroll(courses[0], actor=worker)
        worker_note = ", the demo worker enrolled in one"
    blended_note = _blended_plan(county, staff, worker, learners, courses, real_now, log)
    line = (
        f"Learning: {len(courses)} courses ({len(clips)} transcoded clips), {len(banks)} question "
        f"banks, {enrolled} enrolments ({completed} completed), {VISITS:,} visits{worker_note}; "
        f"reading room with {len(copies)} copies and {loans} loans over SIP2; phone pages at "
        f"/learn/, console at /console/learning/{blended_note}"
    )
    log(line)
    return [line]


def _room_position(union, officer):
    """The reading room's position (职工书屋) in the registry, near the demo's positions."""
    from gonghui.network.domain.positions import register_position
    from gonghui.network.enums import PositionKind
    from gonghui.network.models import Position

    near = Position.objects.filter(org_unit__path__startswith=union.path[:11]).first()
    lat = (near.latitude if near else Decimal("30.526000")) + Decimal("0.004")
    lon = (near.longitude if near else Decimal("120.942000")) + Decimal("0.004")
    return register_position(
        union, actor=officer, name="南机·智慧书房", kind=PositionKind.READING,
        address="机务段职工活动中心二楼", latitude=lat, longitude=lon, capacity=40,
        accessible=True, contact="书房管理员",
    )  # fmt: skip


def _home_position(county):
    """The main home's own position (kind 职工之家), if the network demo made one."""
    from gonghui.network.enums import PositionKind
    from gonghui.network.models import Position

    return (
        Position.objects.filter(org_unit__path__startswith=county.path, kind=PositionKind.HOME)
        .order_by("id")
        .first()
    )


def _blended_plan(county, staff, worker, learners, courses, real_now, log) -> str:
    """线上线下结合: a training plan of the county requiring two of the online courses
    before its practical session next week, open for enrolment; the demo worker enrolled
    and half-way through the first course, some learners done. Needs a second staff member
    to approve (``county_reviewer``, made by the training demo), a trainer and a venue."""
    from gonghui.core import blended
    from gonghui.training.domain import enrolment, plans
    from gonghui.training.enums import Mode
    from gonghui.training.models import Trainer, Venue

    User = get_user_model()
    reviewer = User.objects.filter(username="county_reviewer").first()
    trainer = Trainer.objects.filter(org_unit__path__startswith=county.path).first()
    venue = Venue.objects.filter(org_unit__path__startswith=county.path).first()
    if reviewer is None or trainer is None or venue is None:
        return ""
    online = [courses[8], courses[5]]  # a skill's 数字化工具入门, and 职业素养
    day = dt.timedelta(days=1)
    with virtual_time(real_now) as clock:
        clock.set(real_now - 20 * day)
        plan = plans.create_plan(
            county, actor=staff, title=f"{online[0].skill.name}·线上线下结合班",
            skill=online[0].skill, level=Level.L5, mode=Mode.MIXED, capacity=30,
            content="线上学理论（两门在线课程，首次课前学完），线下练实操。",
            target_completion_rate=90, target_certification_rate=80, target_satisfaction=90,
        )  # fmt: skip
        plans.set_online_courses(plan, actor=staff, keys=[str(c.pk) for c in online])
        module = plans.add_course(plan, actor=staff, title="实操训练", hours=Decimal(4))
        start = timezone.localtime(real_now + 7 * day).replace(hour=9, minute=0, second=0,
                                                               microsecond=0)  # fmt: skip
        plans.schedule_session(
            plan, actor=staff, trainer=trainer, venue=venue, course=module, starts_at=start,
            ends_at=start + dt.timedelta(hours=4), override_reason="演示：线上线下结合班",
        )  # fmt: skip
        plans.open_consultation(plan, actor=staff, closes_at=real_now - 11 * day)
        clock.set(real_now - 11 * day + dt.timedelta(minutes=5))
        plans.approve_plan(plan, actor=reviewer)
        plans.announce_plan(plan, actor=staff)
        plans.open_enrolment(plan, actor=staff)
        clock.set(real_now - 10 * day)
        people = [u for u in learners[:12] if u.pk != getattr(worker, "pk", None)]
        if worker is not None and getattr(worker, "person_id", None):
            people.append(worker)
        for user in people:
            enrolment.enroll_person(plan, person=user.person, actor=user)
        clock.set(real_now - 5 * day)
        for user in people[:6]:  # these have done the online part
            for course in online:
                progress.enroll(course, actor=user)
                for lesson in course.lessons.order_by("order"):
                    if lesson.kind == LessonKind.VIDEO:
                        at = int(clock().timestamp() * 1000)
                        progress.record_heartbeats(user, [{
                            "lesson": lesson.pk, "position": lesson.duration, "start": 0,
                            "end": lesson.duration, "at": at}])  # fmt: skip
                        if lesson.quiz_bank_id:
                            attempt = practice.start_attempt(
                                lesson.quiz_bank, actor=user, kind="quiz", lesson=lesson
                            )
                            answers = {str(q.pk): q.answer for q in lesson.quiz_bank.questions
                                       .filter(pk__in=attempt.question_ids)}  # fmt: skip
                            practice.submit_attempt(attempt, actor=user, answers=answers)
                    else:
                        progress.mark_read(lesson, actor=user)
        if worker is not None and getattr(worker, "person_id", None):
            progress.enroll(online[0], actor=worker)
            reading = online[0].lessons.filter(kind=LessonKind.DOCUMENT).first()
            progress.mark_read(reading, actor=worker)  # half of the first course
    done = len(people) - len(blended.incomplete(plan, [u.person_id for u in people]))
    return (
        f"; blended plan “{plan.title}” requiring {len(online)} online courses, "
        f"{len(people)} enrolled, {done} done online"
    )


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    ctx.lines += build_learning_demo(seed=ctx.seed, log=ctx.log)
