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
