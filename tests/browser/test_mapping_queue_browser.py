"""The staff mapping queue in a desktop browser: identical wishes shown once with three
suggestions and the words that decided them; one click maps them all; the skill search
finds 叉车司机 for 叉车; 无法对应 with a reason."""

import pytest
from playwright.sync_api import expect

from gonghui.training.enums import DemandStatus, Party
from gonghui.training.models import Demand

from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _demand(county, text):
    return Demand.objects.create(
        party=Party.WORKER, person=county.member_a.person, org_unit=county.union_a,
        area=county.town_a, free_text=text, status=DemandStatus.UNMATCHED,
    )  # fmt: skip


def test_queue_suggests_and_maps_identical_texts_at_once(desk, live_server, county, shot):
    for text in ["在仓库开车搬货"] * 5 + [
        "在仓库 开车搬货！",
        "想学开飞机",
        "想学开飞机",
        "堆高机",
    ]:
        _demand(county, text)
    login(desk, live_server, county.users["federation_staff"].mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/training/demands/")

    rows = desk.locator("#queue section.map-row")
    expect(rows).to_have_count(3)
    first = rows.nth(0)
    expect(first.locator(".map-text strong")).to_have_text("“在仓库开车搬货”")
    expect(first.locator("[data-role=count]")).to_have_text("6 条相同")
    buttons = first.locator(".suggestion button")
    expect(buttons).to_have_text(["叉车司机", "仓储管理员", "车工"])
    expect(first.locator(".suggestion .evidence").first).to_contain_text("仓库")
    shot(desk, "training-console-mapping-queue")

    buttons.first.click()
    expect(desk.locator(".flash-success")).to_contain_text("（6条）归入叉车司机")
    assert Demand.objects.filter(skill__name="叉车司机", status="matched").count() == 6
    expect(desk.locator("#queue section.map-row")).to_have_count(2)

    # The search box of a wish without a useful suggestion finds 叉车司机 for 叉车.
    row = desk.locator("#queue section.map-row", has_text="堆高机")
    row.locator("summary").click()
    row.locator("input[name=skill_name]").fill("叉车")
    pick = row.locator(".skill-pick")
    expect(pick).to_contain_text("叉车司机")
    row.locator("button:has-text('归类')").click()
    expect(desk.locator(".flash-success")).to_contain_text("“堆高机”（1条）归入叉车司机")

    # 无法对应 with a reason, for both identical wishes.
    row = desk.locator("#queue section.map-row", has_text="想学开飞机")
    row.locator("summary").click()
    row.locator("input[name=reason]").fill("不是职业技能培训")
    row.locator("button:has-text('无法对应')").click()
    expect(desk.locator(".flash-success")).to_contain_text("（2条）标记为无法对应")
    expect(desk.locator("#queue")).to_contain_text("没有待归类的需求")
    assert set(
        Demand.objects.filter(free_text="想学开飞机").values_list("status", "unmappable_reason")
    ) == {("unmappable", "不是职业技能培训")}
