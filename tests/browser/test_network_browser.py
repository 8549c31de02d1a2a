"""The service network in a browser. On a phone, a worker finds a service near their
workplace, books a slot, checks in by the position's QR page and registers for an activity;
at a desk, staff register a position, see coverage and gaps on the map page, record a
campaign's materials and open its printable report."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.network.domain import activities
from gonghui.network.enums import ActivityKind, BookingState, PointKind
from gonghui.network.models import Booking, DemandPoint, Material, Position

from ..factories import PASSWORD
from ..network.conftest import LAT, LON, net  # noqa: F401 - the network fixture
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


def _until(page, expression: str, seconds: float = 30) -> None:
    """Poll ``expression`` through ``evaluate`` (``wait_for_function`` evaluates a string with
    the page's own eval, which the Content Security Policy forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.25)


def test_worker_finds_books_checks_in_and_registers(phone, live_server, net, shot):  # noqa: F811
    DemandPoint.objects.create(
        org_unit=net.county.union_a,
        kind=PointKind.WORKPLACE,
        enterprise=net.county.ent_a,
        name="某厂",
        latitude=LAT - 0.002,
        longitude=LON,
        people=50,
    )
    start = timezone.now() + dt.timedelta(days=2)
    act = activities.create_activity(
        net.county.town_a,
        actor=net.staff,
        kind=ActivityKind.LECTURE,
        title="看懂财务报表",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        position=net.legal,
        cap=30,
    )
    login(phone, live_server, net.worker.mobile, PASSWORD)
    phone.goto(f"{live_server.url}/network/")
    expect(phone.locator("main")).to_contain_text("职工法律服务站")
    expect(phone.locator("main")).to_contain_text("步行约3.5分钟")
    expect(phone.locator("main")).to_contain_text("看懂财务报表")
    shot(phone, "network-phone-near")
    phone.click("a:has-text('职工法律服务站') >> nth=0")
    select = phone.locator(f"select[name=s{net.lawyer.pk}-starts_at]")
    select.select_option(index=0)
    phone.locator(f"form[action$='/services/{net.lawyer.pk}/book/'] button").click()
    expect(phone.locator("main")).to_contain_text("预约成功")
    booking = Booking.objects.get(person=net.person)
    assert booking.state == BookingState.BOOKED
    # At the position, during the slot: scan the QR code (its URL) and confirm.
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(minutes=55)
    )
    phone.goto(f"{live_server.url}/network/checkin/{net.legal.checkin_token}/")
    phone.click("button:has-text('确认签到')")
    expect(phone.locator("main")).to_contain_text("签到成功")
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_IN
    phone.goto(f"{live_server.url}/network/activities/{act.pk}/")
    phone.click("button:has-text('报名参加')")
    expect(phone.locator("main")).to_contain_text("报名成功")
    assert act.registrations.filter(person=net.person).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(phone, "network-phone-activity")


def test_staff_register_coverage_and_campaign_report(desk, live_server, net, shot):  # noqa: F811
    DemandPoint.objects.create(
        org_unit=net.county.town_a,
        kind=PointKind.RESIDENTIAL,
        name="城北小区",
        latitude=LAT + 0.03,
        longitude=LON,
        people=1200,
    )
    DemandPoint.objects.create(
        org_unit=net.county.town_a,
        kind=PointKind.RESIDENTIAL,
        name="南湖新村",
        latitude=LAT - 0.05,
        longitude=LON,
        people=800,
    )
    login(desk, live_server, net.staff.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/network/positions/new/")
    desk.select_option("select[name=org_unit]", label="武原街道总工会")
    desk.fill("input[name=name]", "职工书屋")
    desk.select_option("select[name=kind]", label="职工书屋")
    desk.fill("input[name=address]", "城北路8号")
    desk.fill("input[name=latitude]", str(LAT + 0.03))
    desk.fill("input[name=longitude]", str(LON))
    desk.fill("input[name=capacity]", "30")
    desk.click("button:has-text('登记')")
    expect(desk.locator("main")).to_contain_text("已登记服务阵地")
    assert Position.objects.filter(name="职工书屋").count() == 1
    # A photo of the new position, from the desk's file picker.
    desk.set_input_files("input[name=photo]", files=[{
        "name": "门口.png", "mimeType": "image/png", "buffer": _png(),
    }])  # fmt: skip
    desk.fill("input[name=caption]", "书屋入口")
    desk.click("button:has-text('上传照片')")
    expect(desk.locator("main")).to_contain_text("照片已上传")
    expect(desk.locator(".network-photos img")).to_have_count(1)
    desk.goto(f"{live_server.url}/console/network/coverage/")
    # 城北小区 (1,200) is now covered by the new 书屋; 南湖新村 (800, 5.6 km south) is the gap.
    expect(desk.locator("#kpi-people")).to_have_text("2000")
    expect(desk.locator("#kpi-covered")).to_have_text("1200")
    expect(desk.locator("#coverage-map")).to_have_attribute("data-rendered", "1")
    gap = desk.locator("tr:has-text('南湖新村')")
    expect(gap).to_contain_text("800")
    shot(desk, "network-console-coverage")
    gap.locator("button:has-text('提为改革事项')").click()
    expect(desk.locator("main")).to_contain_text(
        "已提为改革事项（草稿）：在南湖新村附近新建服务阵地"
    )
    from gonghui.reform.models import ReformItem

    assert ReformItem.objects.filter(title__contains="南湖新村").count() == 1

    start = timezone.now() + dt.timedelta(days=1)
    booth = activities.create_activity(
        net.county.town_a,
        actor=net.staff,
        kind=ActivityKind.CAMPAIGN,
        title="网络安全宣传周",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        place="城北广场",
    )
    desk.goto(f"{live_server.url}/console/network/activities/{booth.pk}/")
    desk.fill("input[name=m-name]", "工会法宣传册")
    desk.fill("input[name=m-stock]", "1200")
    desk.click("button:has-text('登记资料')")
    expect(desk.locator("main")).to_contain_text("已保存")
    desk.fill("input[name=o-count]", "1300")
    desk.click("button:has-text('记录发放')")
    expect(desk.locator("main")).to_contain_text("库存仅剩1200份")
    assert Material.objects.get().handed_out == 0
    desk.fill("input[name=o-count]", "1050")
    desk.click("button:has-text('记录发放')")
    expect(desk.locator("#handed-out")).to_have_text("1050")
    desk.goto(f"{live_server.url}/console/network/activities/{booth.pk}/report/")
    expect(desk.locator("#report-handed-out")).to_have_text("1050")
    shot(desk, "network-console-report")
    # Printed, the report is the report alone: no navigation.
    desk.emulate_media(media="print")
    expect(desk.locator(".network-report")).to_be_visible()
    expect(desk.locator("nav").first).to_be_hidden()


def _photo(size, colour) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_phone_activity_gallery(phone, chromium, live_server, net, settings, tmp_path, shot):  # noqa: F811
    """At 390×844 a worker opens an activity and sees its photos as a grid of thumbnails,
    taps one to see it large and pages to the next; nothing is fetched from elsewhere. A
    person out of the activity's scope fetches neither the page nor the photos."""
    from gonghui.network.domain import photos

    settings.MEDIA_ROOT = tmp_path
    start = timezone.now() + dt.timedelta(days=1)
    act = activities.create_activity(
        net.county.town_a, actor=net.staff, kind=ActivityKind.THEMED, title="劳动最光荣",
        starts_at=start, ends_at=start + dt.timedelta(hours=2), position=net.legal,
    )  # fmt: skip
    shots = [
        photos.add_activity_photo(act, actor=net.staff, caption=caption, data=_photo(size, colour))
        for caption, size, colour in (
            ("合影", (1600, 1200), (200, 40, 40)),
            ("劳模分享", (1200, 1600), (40, 120, 200)),
            ("现场", (1600, 900), (40, 160, 60)),
            ("颁奖", (1000, 1000), (220, 180, 30)),
        )
    ]
    elsewhere = []
    phone.on(
        "request", lambda r: None if r.url.startswith(live_server.url) else elsewhere.append(r.url)
    )
    login(phone, live_server, net.worker.mobile, PASSWORD)
    phone.goto(f"{live_server.url}/network/activities/{act.pk}/")
    grid = phone.locator(".network-gallery img")
    expect(grid).to_have_count(4)
    expect(phone.locator("#photos-heading")).to_contain_text("4张")
    # Every thumbnail loaded — the small rendition (400 px on the longer side), not the photo.
    _until(
        phone,
        "[...document.querySelectorAll('.network-gallery img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
    )
    natural = grid.evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert natural == [[400, 300], [300, 400], [400, 225], [400, 400]]
    # Three to a row on the phone, no sideways scrolling.
    boxes = [grid.nth(i).bounding_box() for i in range(4)]
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"] < boxes[3]["y"]
    assert 100 <= boxes[0]["width"] <= 130 and boxes[0]["width"] == boxes[0]["height"]
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(phone, "network-phone-activity-gallery")
    # Tap the second: it opens large, at the phone's width.
    grid.nth(1).tap()
    expect(phone.locator("#photo-position")).to_have_text("第2张，共4张")
    big = phone.locator(".network-photo-large img")
    _until(phone, "document.querySelector('.network-photo-large img').naturalWidth > 0")
    assert big.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1200, 1600]
    assert big.bounding_box()["width"] <= 390
    expect(phone.locator(".network-photo-large figcaption")).to_contain_text("劳模分享")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(phone, "network-phone-activity-photo")
    phone.locator("a[rel=next]").tap()
    expect(phone.locator("#photo-position")).to_have_text("第3张，共4张")
    phone.locator("a:has-text('返回')").tap()
    expect(phone.locator(".network-gallery img")).to_have_count(4)
    assert elsewhere == []

    # Out of scope: someone with no membership in this federation.
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   has_touch=True, locale="zh-CN")  # fmt: skip
    other = context.new_page()
    login(other, live_server, net.county.users["nobody"].mobile, PASSWORD)
    for path in (f"/network/activities/{act.pk}/",
                 f"/network/activities/{act.pk}/photos/{shots[0].pk}/",
                 f"/network/photos/activity/{shots[0].pk}/thumb/",
                 f"/network/photos/activity/{shots[0].pk}/"):  # fmt: skip
        assert other.request.get(live_server.url + path).status == 404, path
    context.close()
