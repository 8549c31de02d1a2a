"""Contests on phones: a union officer registers an entrant and uploads the video with the
resumable uploader, a judge declares and confirms the count, the organiser publishes and
the public awards page shows the result; then the dance contest at its real figures
(42 works → 18 finalists → gold 2, silver 4, bronze 6, excellent 6) on the public page."""

import io
import random
import subprocess

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import expect

from gonghui.contests.demo import build_dance
from gonghui.contests.domain import contests as c
from gonghui.contests.domain import judging, videos
from gonghui.contests.models import ContestAward, Video

from ..contests.conftest import meet  # noqa: F401 - the county meet fixture
from ..factories import PASSWORD, make_user
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _phone(chromium, live_server, user):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   has_touch=True, locale="zh-CN")  # fmt: skip
    context.set_default_timeout(120_000)  # a loaded test machine
    context.set_default_navigation_timeout(120_000)
    page = context.new_page()
    login(page, live_server, user.mobile, PASSWORD)
    return page


def test_register_upload_judge_and_publish_on_phones(chromium, live_server, meet, shot,  # noqa: F811
                                                     tmp_path, settings):  # fmt: skip
    m = meet
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    clip = tmp_path / "pushups.mp4"
    subprocess.run([videos.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                    "-i", "testsrc=duration=3:size=320x240:rate=15", "-pix_fmt", "yuv420p",
                    "-y", str(clip)], check=True, timeout=120)  # fmt: skip
    officer = _phone(chromium, live_server, m.officer_a)
    officer.goto(f"{live_server.url}/contests/")
    officer.click("a:has-text('报名与上传视频')")
    officer.select_option("select[name=event]", label="男子俯卧撑")
    officer.get_by_role("checkbox", name="甲0", exact=True).check()
    officer.click("button:has-text('提交报名')")
    expect(officer.locator("main")).to_contain_text("已报名")
    officer.click("a:has-text('上传视频')")
    # The upload script binds the form when the page has loaded; a click before that posts the
    # form without it (what a loaded machine did under -n 2).
    officer.wait_for_load_state("load")
    officer.set_input_files("input[type=file]", str(clip))
    officer.fill("input[name=claimed]", "52")
    officer.click("button:has-text('开始上传')")
    # As long as the context's other steps (120 s): FFmpeg on a loaded machine.
    expect(officer.locator("main")).to_contain_text("已就绪")
    shot(officer, "contests-phone-upload")
    video = Video.objects.get(state="ready")
    assert video.claimed_value == 52 and video.has_poster
    assert [m_.person.name for m_ in video.entry.members.all()] == ["甲0"]

    judge_user = m.judges[0]
    judge_user.set_mobile("13900006666")
    judge_user.save()
    judge = judging.invite_judge(m.ev["男子俯卧撑"], actor=m.staff, user=judge_user)
    jp = _phone(chromium, live_server, judge_user)
    jp.goto(f"{live_server.url}/contests/judge/{judge.pk}/")
    jp.click("button:has-text('提交声明')")
    c.transition(m.contest, actor=m.staff, to="judging")
    jp.goto(f"{live_server.url}/contests/judge/{judge.pk}/")
    jp.click(f"a:has-text('{video.entry.name}')")
    expect(jp.locator("main")).to_contain_text("自报成绩：52.00个")
    jp.fill("input[name=value]", "51")
    shot(jp, "contests-phone-score")
    jp.click("button:has-text('提交评分')")
    expect(jp.locator("main")).to_contain_text("已评 1 / 1")

    m.staff.set_mobile("13900006667")
    m.staff.save()
    desk = _phone(chromium, live_server, m.staff)
    desk.set_viewport_size({"width": 1366, "height": 900})
    desk.goto(f"{live_server.url}/console/contests/{m.contest.pk}/")
    desk.click("button:has-text('生成获奖结果')")
    desk.click("button:has-text('确认并公布获奖结果')")
    expect(desk.locator("h1")).to_contain_text("已公布")
    desk.goto(f"{live_server.url}/console/contests/{m.contest.pk}/standings/")
    expect(desk.locator("main")).to_contain_text("51.00→51.00")
    public = _phone(chromium, live_server, make_user("viewer", mobile="13900006668"))
    public.goto(f"{live_server.url}/contests/p/{m.contest.pk}/awards/")
    expect(public.locator("tbody")).to_contain_text("金奖")
    shot(public, "contests-phone-awards")


def test_the_dance_contest_awards_come_out_two_four_six_six(chromium, live_server, shot):
    for i in range(1, 8):  # the demo's judges (the sports meet's part makes them)
        make_user(f"judge{i}", display_name=f"评委{i}")
    out = build_dance(random.Random(5), make_password(PASSWORD), None)
    dance = out["contest"]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   locale="zh-CN")  # fmt: skip
    context.set_default_timeout(120_000)
    context.set_default_navigation_timeout(120_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/contests/p/{dance.pk}/finalists/")
    expect(page.locator("main ol li")).to_have_count(18)
    page.goto(f"{live_server.url}/contests/p/{dance.pk}/awards/")
    for tier, n in (("金奖", 2), ("银奖", 4), ("铜奖", 6), ("优秀奖", 6)):
        expect(page.locator(f"tbody tr:has(strong:text-is('{tier}'))")).to_have_count(n)
    assert ContestAward.objects.filter(contest=dance).count() == 18
    shot(page, "contests-dance-awards")


def test_bulk_registration_on_a_phone_from_a_list_and_an_xlsx(chromium, live_server, meet, shot,  # noqa: F811
                                                              tmp_path):  # fmt: skip
    from openpyxl import Workbook, load_workbook

    from gonghui.contests.models import Entry

    m = meet
    page = _phone(chromium, live_server, m.officer_a)
    page.goto(f"{live_server.url}/contests/{m.contest.pk}/unit/")
    page.click("a:has-text('批量报名')")
    expect(page.locator("h1")).to_contain_text(m.contest.name)
    # A list typed on the phone with one bad line: checked in place, nothing written.
    page.fill("textarea[name=rows]", "跳绳，，甲一队，甲0、甲1、甲2\n男子俯卧撑，，，甲0")
    page.click("button:has-text('检查')")
    bad = page.locator("#bulk-result li.bulk-bad")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("第2行")
    expect(bad).to_contain_text("每人限报一项：甲0已报名其他项目")
    assert not Entry.objects.exists()
    # The page fits the phone's width (no sideways scrolling), the result included.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "contests-phone-bulk-refused")
    # The template downloads from the page and is filled in on a computer.
    with page.expect_download() as download:
        page.click("a:has-text('下载报名表模板')")
    template = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert [c.value for c in template["报名名单"][1]] == ["项目", "单位", "队名", "成员"]
    wb = Workbook()
    wb.active.append(["项目", "单位", "队名", "成员"])
    wb.active.append(["跳绳", None, "甲一队", "甲0、甲1、甲2"])
    wb.active.append(["男子俯卧撑", None, None, "甲3"])
    path = tmp_path / "报名表.xlsx"
    wb.save(path)
    page.fill("textarea[name=rows]", "")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('检查')")
    expect(page.locator("#bulk-result")).to_contain_text("2行均可报名，尚未提交")
    assert not Entry.objects.exists()
    page.click("button:has-text('提交报名')")
    expect(page.locator("#bulk-result")).to_contain_text("已报名2项")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "contests-phone-bulk-saved")
    teams = {e.event.name: sorted(p.person.name for p in e.members.all())
             for e in Entry.objects.select_related("event")}  # fmt: skip
    assert teams == {"跳绳": ["甲0", "甲1", "甲2"], "男子俯卧撑": ["甲3"]}
