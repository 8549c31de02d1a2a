import pytest
from django.urls import reverse

from gonghui.reform.enums import ReformStatus
from gonghui.reform.models import ReformItem

from .factories import MilestoneFactory, ReformItemFactory

pytestmark = pytest.mark.django_db


def test_public_pages_without_login(client, county):
    draft = ReformItemFactory(org_unit=county.county, title="草稿中的事项")
    item = ReformItemFactory(org_unit=county.county, title="培训数据共享",
                             status=ReformStatus.IN_PROGRESS)  # fmt: skip
    MilestoneFactory(item=item, title="接口联调", progress=40)
    res = client.get(reverse("reform:items"))
    text = res.content.decode()
    assert res.status_code == 200 and "培训数据共享" in text and "草稿中的事项" not in text
    res = client.get(reverse("reform:item", args=[item.pk]))
    assert res.status_code == 200 and "接口联调" in res.content.decode()
    assert client.get(reverse("reform:item", args=[draft.pk])).status_code == 404


def test_console_create_and_milestone_and_progress(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(reverse("reform_console:item_new"), {
        "org_unit": county.county.pk, "title": "评价结果共享", "category": "data_sharing",
        "goal": "评价结果向人社部门推送",
    })  # fmt: skip
    item = ReformItem.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse(
        "reform_console:item", args=[item.pk]
    )
    client.post(reverse("reform_console:milestone_add", args=[item.pk]),
                {"title": "确定数据项", "weight": 25, "due_on": "2030-01-31"})  # fmt: skip
    client.post(reverse("reform_console:milestone_add", args=[item.pk]),
                {"title": "接口上线", "weight": 75, "due_on": "2030-05-31"})  # fmt: skip
    first = item.milestones.get(title="确定数据项")
    res = client.post(
        reverse("reform_console:milestone_progress", args=[item.pk]),
        {"milestone": first.pk, "progress": 100, "evidence": "数据项清单"},
    )
    assert res.status_code == 302
    item.refresh_from_db()
    assert str(item.progress) == "25.0"
    res = client.post(reverse("reform_console:item_transition", args=[item.pk, "suspend"]),
                      {"note": ""})  # fmt: skip
    assert res.status_code == 400
    assert "改革事项当前为“草拟”，不能变为“暂缓”" in res.content.decode()
    client.post(reverse("reform_console:item_transition", args=[item.pk, "start"]), {"note": ""})
    item.refresh_from_db()
    assert item.status == ReformStatus.IN_PROGRESS
    page = client.get(reverse("reform_console:item", args=[item.pk])).content.decode()
    assert "数据项清单" in page and "25.0%" in page


def test_console_list_scoped_and_forbidden_for_workers(client, county):
    ReformItemFactory(org_unit=county.town_a, title="武原事项")
    ReformItemFactory(org_unit=county.town_b, title="沈荡事项")
    client.force_login(county.users["town_staff_a"])
    text = client.get(reverse("reform_console:items")).content.decode()
    assert "武原事项" in text and "沈荡事项" not in text
    client.force_login(county.users["worker_a"])
    assert client.get(reverse("reform_console:items")).status_code == 403


def test_public_list_flags_overdue_items_and_greys_cancelled_ones(client, county):
    import datetime as dt

    from django.utils import timezone

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = ReformItemFactory(org_unit=county.county, title="逾期的事项", due_on=yesterday,
                             status=ReformStatus.IN_PROGRESS)  # fmt: skip
    done = ReformItemFactory(org_unit=county.county, title="按期完成的事项", due_on=yesterday,
                             status=ReformStatus.COMPLETED)  # fmt: skip
    cancelled = ReformItemFactory(org_unit=county.county, title="撤销的事项",
                                  status=ReformStatus.CANCELLED)  # fmt: skip
    MilestoneFactory(item=cancelled, title="已完成的节点", progress=100)
    ReformItem.objects.filter(pk=cancelled.pk).update(progress=100)
    assert (late.overdue, done.overdue) == (True, False)
    text = client.get(reverse("reform:items")).content.decode()
    assert text.count("已逾期") == 1 and text.index("逾期的事项") < text.index("已逾期")
    page = client.get(reverse("reform:item", args=[cancelled.pk])).content.decode()
    # A cancelled item's bar is grey, not the green of a completed one.
    item_bar = page.split("<dt>进度</dt>", 1)[1].split("</dd>", 1)[0]
    assert 'class="progress-bar cancelled"' in item_bar
