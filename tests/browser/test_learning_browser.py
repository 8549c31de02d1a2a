"""Online learning and the reading room on a phone: find a course, enrol, watch a lesson
(HLS through hls.js; progress resumes after a reload), practise, take a mock exam; get a
card, borrow and return a book with the SIP2 peer process running."""

import subprocess
import time

import pytest
from playwright.sync_api import expect

from gonghui.learning.domain import library, videos
from gonghui.learning.models import ExamAttempt, LessonProgress, Loan, Question

from ..factories import PASSWORD
from ..learning.conftest import sip2_peer, world  # noqa: F401 - fixtures
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _clip(path):
    subprocess.run(
        [
            videos.ffmpeg(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=15:duration=12",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=12",
            "-shortest",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


def _until(page, expression: str, seconds: float = 90) -> None:
    """Poll ``expression`` in the page (``wait_for_function`` evaluates through the page's
    own script, which the CSP forbids; ``evaluate`` goes through the debugging protocol)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.25)


def test_learning_and_library_on_a_phone(phone, live_server, world, sip2_peer, shot, tmp_path):  # noqa: F811
    w = world
    video = videos.import_local_file(w.county.county, _clip(tmp_path / "c.mp4"), actor=w.staff,
                                     title="焊前检查演示")  # fmt: skip
    w.lesson.video, w.lesson.duration = video, int(video.duration)
    w.lesson.save()
    for i in range(4):
        Question.objects.create(bank=w.bank, kind="true_false", stem=f"焊接判断题{i}",
                                answer=[1], digest=str(i))  # fmt: skip
    page = phone
    # Generous waits: the shared machine may be busy (the transcoding above is not timed).
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(90_000)
    login(page, live_server, w.worker.mobile, PASSWORD)

    # Find a course and enrol.
    page.goto(f"{live_server.url}/learn/")
    page.fill("input[name=q]", "焊接")
    page.click("button:has-text('查找')")
    page.click("a:has-text('焊接安全')")
    expect(page.locator("main")).to_contain_text("您需支付 39.80 元")
    page.click("button:has-text('报名学习')")
    expect(page.locator("main")).to_contain_text("报名成功")
    shot(page, "learning-phone-course")

    # Watch part of the lesson; the player reports progress when paused.
    page.click("a:has-text('焊前检查')")
    _until(page, "document.getElementById('player').readyState >= 2")
    page.evaluate(
        "(() => { const v = document.getElementById('player'); v.muted = true; "
        "return v.play(); })()"
    )
    _until(page, "document.getElementById('player').currentTime > 4")
    page.evaluate("document.getElementById('player').pause()")
    _until(page, "document.body.dataset.beats >= 1")
    row = LessonProgress.objects.get(lesson=w.lesson)
    assert row.position > 4 and row.watched_ratio > 0.3
    # Another visit resumes where the learner stopped.
    page.reload()
    expect(page.locator("#progress-note")).to_contain_text("继续")
    start = float(page.get_attribute("#player", "data-start"))
    assert start == pytest.approx(row.position, abs=0.2)
    _until(page, f"document.getElementById('player').currentTime >= {start - 1}")  # fmt: skip
    shot(page, "learning-phone-lesson")

    # Practise, then a mock exam.
    page.goto(f"{live_server.url}/learn/practice/")
    page.click("a:has-text('练习')")
    page.check("input[name=given][value='1']")
    page.click("button:has-text('提交答案')")
    expect(page.locator("main")).to_contain_text("回答正确")
    page.goto(f"{live_server.url}/learn/practice/")
    page.click("button:has-text('模拟考试')")
    expect(page.locator("#timer")).not_to_have_text("--:--")
    for radio in page.locator("input[type=radio][value='1']").all():
        radio.check()
    shot(page, "learning-phone-exam")
    page.click("button:has-text('交卷')")
    expect(page.locator("main")).to_contain_text("得分 100")
    assert ExamAttempt.objects.get().passed

    # The reading room, circulating over SIP2 with a peer process.
    copy = library.add_copy(w.room, actor=w.officer, isbn="9787020002207", title="红楼梦",
                            barcode="NJ000001")  # fmt: skip
    w.room.sip2_address = sip2_peer([copy.barcode])
    w.room.sip2_institution = "NCLIB"
    w.room.save()
    page.goto(f"{live_server.url}/learn/library/")
    page.click("button:has-text('免押金办证')")
    expect(page.locator("main")).to_contain_text("读者证已办理")
    page.fill("input[name=barcode] >> nth=0", "NJ000001")
    page.click("button:has-text('借书')")
    expect(page.locator("main")).to_contain_text("借阅成功")
    expect(page.locator(".loans")).to_contain_text("红楼梦")
    shot(page, "learning-phone-library")
    page.fill("input[name=barcode] >> nth=1", "NJ000001")
    page.click("button:has-text('还书')")
    expect(page.locator("main")).to_contain_text("已归还")
    loan = Loan.objects.get()
    assert loan.state == "returned" and loan.sip2_ref.startswith("SIP2")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_create_a_course_through_the_form_and_a_worker_takes_it(
    chromium,
    live_server,
    world,  # noqa: F811 - the fixture imported above
    shot,
):
    """The console's course-creation form at 1440×900: a subsidised course at a home's
    position, a chapter and a document lesson added on its page, published; then a worker
    at 390×844 finds it, sees the member price (199.00 × 80 % subsidy → 39.80) and the
    position, enrols and reads the lesson."""
    from decimal import Decimal

    from gonghui.learning.models import Course, CourseEnrollment
    from gonghui.network.domain.positions import register_position
    from gonghui.network.enums import PositionKind

    w = world
    home = register_position(
        w.county.county, actor=w.staff, name="城北职工之家", kind=PositionKind.HOME,
        address="武原街道", latitude=Decimal("30.52"), longitude=Decimal("120.94"),
    )  # fmt: skip
    desk_context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(60_000)
    login(desk, live_server, w.staff.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/learning/courses/new/")
    desk.select_option("#id_org_unit", str(w.county.county.pk))
    desk.fill("#id_title", "电工安全入门")
    desk.fill("#id_summary", "低压电工上岗前的安全知识。")
    desk.fill("#id_lecturer", "王建国")
    desk.fill("#id_hours", "1.5")
    desk.select_option("#id_price_class", "subsidised")
    desk.fill("#id_list_price", "199.00")
    desk.fill("#id_subsidy_percent", "80")
    desk.fill("#id_subsidy_rule", "在会会员由县人社局补贴80%")
    desk.fill("#id_tags", "电工,安全")
    desk.select_option("#id_position", str(home.pk))
    shot(desk, "learning-console-course-new")
    desk.click("button:has-text('创建课程')")
    expect(desk.locator("main")).to_contain_text("课程已创建（草稿）")
    course = Course.objects.get(title="电工安全入门")
    assert (course.state, course.position_id, course.list_price) == (
        "draft", home.pk, Decimal("199.00"))  # fmt: skip
    expect(desk.locator("#course-position")).to_contain_text("城北职工之家")

    # A chapter and a lesson, through the form on the course's page.
    desk.fill("#id_new_chapter", "第一章 安全须知")
    desk.fill("#id_title", "停电作业五步")
    desk.select_option("#id_kind", "document")
    desk.fill("#id_document", "停电、验电、接地、悬挂标示牌、装设遮栏。")
    desk.fill("#id_duration", "300")
    desk.click("button:has-text('添加课时')")
    expect(desk.locator("main")).to_contain_text("课时已添加")
    expect(desk.locator("table")).to_contain_text("停电作业五步")
    desk.click("button:has-text('发布')")
    expect(desk.locator("main")).to_contain_text("课程状态已更新")
    course.refresh_from_db()
    assert course.state == "published"
    assert [(c.title, [lesson.title for lesson in c.lessons.all()])
            for c in course.chapters.all()] == [("第一章 安全须知", ["停电作业五步"])]  # fmt: skip
    shot(desk, "learning-console-course-page")
    assert desk.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    desk_context.close()

    # The worker on a phone.
    phone_context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    )  # fmt: skip
    page = phone_context.new_page()
    page.set_default_timeout(60_000)
    login(page, live_server, w.worker.mobile, PASSWORD)
    page.goto(f"{live_server.url}/learn/")
    page.fill("input[name=q]", "电工安全")
    page.click("button:has-text('查找')")
    page.click("a:has-text('电工安全入门')")
    expect(page.locator("main")).to_contain_text("您需支付 39.80 元")
    expect(page.locator("#course-position")).to_contain_text("城北职工之家")
    expect(page.locator("main")).to_contain_text("停电作业五步")
    page.click("button:has-text('报名学习')")
    expect(page.locator("main")).to_contain_text("报名成功")
    page.click("a:has-text('停电作业五步')")
    expect(page.locator("main")).to_contain_text("停电、验电、接地")
    page.click("button:has-text('我已读完')")
    expect(page.locator("main")).to_contain_text("已完成，计入1.5学时")
    enrolment = CourseEnrollment.objects.get(course=course, person=w.worker.person)
    assert enrolment.completed_at is not None and enrolment.hours_credited == Decimal("1.5")
    assert (enrolment.price_paid, enrolment.subsidy) == (Decimal("39.80"), Decimal("159.20"))
    shot(page, "learning-phone-new-course")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone_context.close()
