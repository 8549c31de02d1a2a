"""Staff console: demand list, demand items, trainers, venues and certificates."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gonghui.training.enums import DemandStatus, EnrollmentStatus, Party, PlanState
from gonghui.training.models import (
    Certificate,
    Demand,
    DemandItem,
    Enrollment,
    PriorityWeights,
    SkillKnowledge,
    SkillSynonym,
    Trainer,
    Venue,
)

from .factories import PlanFactory, VenueFactory, session_for, skill

pytestmark = pytest.mark.django_db


def _demand(county, **kw):
    kw.setdefault("party", Party.WORKER)
    kw.setdefault("person", county.member_a.person)
    return Demand.objects.create(org_unit=county.union_a, area=county.town_a, **kw)


# -- demands ---------------------------------------------------------------------------------
def test_demand_list_scope_and_filters(client, county):
    _demand(county, free_text="想学开叉车", status=DemandStatus.UNMATCHED)
    _demand(county, skill=skill("电工"), status=DemandStatus.MATCHED, free_text="电工")
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("training_console:demands"))
    assert res.status_code == 200
    assert res.context["page_obj"].paginator.count == 2
    assert res.context["queue_total"] == 1
    res = client.get(reverse("training_console:demands") + "?status=matched")
    assert [d.free_text for d in res.context["page_obj"]] == ["电工"]
    client.force_login(county.users["auditor"])
    res = client.get(reverse("training_console:demands"))
    assert res.status_code == 200
    assert res.context["can_change"] is False
    client.force_login(county.users["trainer"])
    assert client.get(reverse("training_console:demands")).status_code == 403


def test_map_demand_and_skill_search(client, county):
    # 堆高机 (a forklift) is in no skill's synonyms, and no other test teaches jieba a word
    # that would split it, so the learned phrase does not depend on the order of tests.
    demand = _demand(county, free_text="堆高机", status=DemandStatus.UNMATCHED)
    forklift = skill("叉车司机")
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("training_console:skill_search") + "?q=叉车")
    assert res.status_code == 200
    assert "叉车司机" in res.content.decode()
    res = client.post(
        reverse("training_console:demand_map", args=[demand.pk]), {"skill": forklift.pk}
    )
    assert res.status_code == 302
    demand.refresh_from_db()
    assert (demand.skill, demand.status, demand.match_method) == (forklift, "matched", "staff")
    assert SkillSynonym.objects.filter(skill=forklift, source="staff", text="堆高机").exists()


def test_skill_search_reads_the_queue_input(client, county):
    # The queue's input is named skill_name (issue 13): searching 叉车 finds 叉车司机.
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("training_console:skill_search") + "?demand=1&skill_name=叉车")
    assert res.status_code == 200
    assert [s.name for s in res.context["skills"]] == ["叉车司机"]
    res = client.get(reverse("training_console:skill_search") + "?skill_name=无人机")
    assert [s.name for s in res.context["skills"]] == ["无人机驾驶员", "植保无人机驾驶"]


def test_queue_groups_identical_texts_with_three_suggestions(client, county):
    for text in ["在仓库开车搬货", "在仓库开车搬货", "在仓库 开车搬货！", "想学开飞机"]:
        _demand(county, free_text=text, status=DemandStatus.UNMATCHED)
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("training_console:demands"))
    groups = res.context["queue"]
    assert [(g.text, g.count) for g in groups] == [("在仓库开车搬货", 3), ("想学开飞机", 1)]
    assert [s.skill.name for s in groups[0].suggestions] == ["叉车司机", "仓储管理员", "车工"]
    assert groups[0].suggestions[0].evidence == ("仓库", "车搬", "搬货", "搬")
    assert (res.context["queue_total"], res.context["queue_groups"]) == (4, 2)
    assert "3 条相同" in res.content.decode()


def test_one_click_maps_every_identical_text(client, county):
    demands = [
        _demand(county, free_text=t, status=DemandStatus.UNMATCHED)
        for t in ["在仓库开车搬货", "在仓库开车搬货", "在仓库 开车搬货！", "想学开飞机"]
    ]
    forklift = skill("叉车司机")
    client.force_login(county.users["federation_staff"])
    res = client.post(
        reverse("training_console:demand_map", args=[demands[0].pk]),
        {"skill": forklift.pk},
        follow=True,
    )
    assert "已将“在仓库开车搬货”（3条）归入叉车司机" in res.content.decode()
    assert sorted(Demand.objects.values_list("free_text", "skill__name", "status")) == [
        ("在仓库 开车搬货！", "叉车司机", "matched"),
        ("在仓库开车搬货", "叉车司机", "matched"),
        ("在仓库开车搬货", "叉车司机", "matched"),
        ("想学开飞机", None, "unmatched"),
    ]


def test_mark_unmappable_from_the_queue(client, county):
    one = _demand(county, free_text="想学开飞机", status=DemandStatus.UNMATCHED)
    two = _demand(county, free_text="想学开飞机", status=DemandStatus.UNMATCHED)
    url = reverse("training_console:demand_unmappable", args=[one.pk])
    client.force_login(county.users["auditor"])
    assert client.post(url, {"reason": "不是职业技能"}).status_code == 403
    client.force_login(county.users["federation_staff"])
    res = client.post(url, {"reason": ""})
    assert res.status_code == 400
    assert "请填写无法对应的原因" in res.content.decode()
    assert set(Demand.objects.values_list("status", flat=True)) == {"unmatched"}
    res = client.post(url, {"reason": "不是职业技能"}, follow=True)
    assert "已将“想学开飞机”（2条）标记为无法对应" in res.content.decode()
    assert sorted(Demand.objects.filter(pk__in=[one.pk, two.pk]).values_list(
        "status", "unmappable_reason")) == [("unmappable", "不是职业技能")] * 2  # fmt: skip
    assert res.context["queue_total"] == 0


def test_knowledge_pages(client, county):
    digger = skill("挖掘机司机")
    url = reverse("training_console:knowledge_edit", args=[digger.pk])
    client.force_login(county.users["auditor"])
    res = client.get(url)
    assert res.status_code == 200
    assert "勾机" in res.content.decode()  # a shipped word is shown
    assert client.post(url, {"slang": "铁胳膊"}).status_code == 403
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("training_console:knowledge") + "?q=挖掘")
    assert [s.name for s in res.context["page_obj"]] == ["挖掘机司机"]
    res = client.post(url, {"slang": "刨"})
    assert res.status_code == 400
    assert "每个词至少两个字" in res.content.decode()
    res = client.post(url, {"slang": "铁胳膊、长臂车", "typos": "挖鸡"}, follow=True)
    assert "已保存“挖掘机司机”的知识库补充" in res.content.decode()
    assert SkillKnowledge.objects.get(skill=digger).words == {
        "slang": ["铁胳膊", "长臂车"], "typos": ["挖鸡"],
    }  # fmt: skip


def test_map_demand_refused(client, county):
    demand = _demand(county, free_text="想学开铲车", status=DemandStatus.UNMATCHED)
    url = reverse("training_console:demand_map", args=[demand.pk])
    client.force_login(county.users["auditor"])
    assert client.post(url, {"skill": skill("叉车司机").pk}).status_code == 403
    client.force_login(county.users["federation_staff"])
    res = client.post(url, {"skill_name": "没有这个技能"})
    assert res.status_code == 400
    assert "请从技能目录中选择技能" in res.content.decode()
    demand.refresh_from_db()
    assert (demand.skill, demand.status) == (None, DemandStatus.UNMATCHED)


def test_rebuild_shows_counts(client, county):
    _demand(county, skill=skill("电工"), status=DemandStatus.MATCHED)
    client.force_login(county.users["federation_staff"])
    res = client.post(reverse("training_console:demand_rebuild"), follow=True)
    assert res.status_code == 200
    assert (
        "已重新汇总：需求项1个（新增1、更新0、清空0、删除0），关联需求1条" in res.content.decode()
    )
    assert DemandItem.objects.count() == 1
    client.force_login(county.users["town_staff_a"])
    assert client.post(reverse("training_console:demand_rebuild")).status_code == 403


# -- items -----------------------------------------------------------------------------------
def test_items_priority_formula_and_weights(client, county):
    _demand(county, skill=skill("电工"), status=DemandStatus.MATCHED)
    from gonghui.core.actors import SYSTEM
    from gonghui.training.domain.analysis import rebuild_demand_items

    rebuild_demand_items(actor=SYSTEM)
    item = DemandItem.objects.get()
    client.force_login(county.users["federation_staff"])
    res = client.get(reverse("training_console:items"))
    text = res.content.decode()
    assert res.status_code == 200
    assert "优先级 = 职工需求人数×1 + 企业需求人数×0.5" in text
    assert f"{reverse('training_console:plan_new')}?item={item.pk}" in text
    res = client.post(
        reverse("training_console:item_weights"),
        {"workers": 3, "enterprise_headcount": 0.5, "department_target": 0.8,
         "funding_per_10k": 2, "unmet_round": 5, "age_per_30_days": 1},
    )  # fmt: skip
    assert res.status_code == 302
    item.refresh_from_db()
    assert item.priority == 3.0
    assert PriorityWeights.current().workers == 3.0
    res = client.get(reverse("training_console:item", args=[item.pk]))
    text = res.content.decode()
    assert res.status_code == 200
    for heading in ("培训什么", "怎样培训", "成效如何", "预期成效由培训方案设定"):
        assert heading in text
    client.force_login(county.users["auditor"])
    res = client.get(reverse("training_console:items"))
    assert res.context["weights_form"] is None
    res = client.post(reverse("training_console:item_weights"), {"workers": 9})
    assert res.status_code == 403
    assert PriorityWeights.current().workers == 3.0
    client.force_login(county.users["town_staff_a"])
    item_b = DemandItem.objects.create(skill=skill("焊工"), level="l5", area=county.town_b)
    assert client.get(reverse("training_console:item", args=[item_b.pk])).status_code == 404


# -- trainers and venues ---------------------------------------------------------------------
def test_trainer_pages(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(
        reverse("training_console:trainer_new"),
        {"name": "周师傅", "org_unit": county.county.pk, "title": "高级技师",
         "skills": [skill("电工").pk]},
    )  # fmt: skip
    trainer = Trainer.objects.get()
    assert res.status_code == 302
    assert res.url == reverse("training_console:trainer", args=[trainer.pk])
    plan = PlanFactory(org_unit=county.county, title="电工班")
    session_for(plan, trainer=trainer)
    res = client.get(reverse("training_console:trainer", args=[trainer.pk]))
    assert res.status_code == 200
    assert [h["plan"].title for h in res.context["history"]] == ["电工班"]
    res = client.post(
        reverse("training_console:trainer_edit", args=[trainer.pk]),
        {"name": "周师傅", "org_unit": county.county.pk, "mobile": "12"},
    )
    assert res.status_code == 400
    assert "手机号码应为以1开头的11位数字" in res.content.decode()
    client.force_login(county.users["town_staff_a"])
    assert client.get(reverse("training_console:trainer", args=[trainer.pk])).status_code == 404
    client.force_login(county.users["auditor"])
    assert client.get(reverse("training_console:trainer", args=[trainer.pk])).status_code == 200
    res = client.post(
        reverse("training_console:trainer_new"), {"name": "越权", "org_unit": county.county.pk}
    )
    assert res.status_code == 403
    assert not Trainer.objects.filter(name="越权").exists()


def test_venue_pages(client, county):
    client.force_login(county.users["federation_staff"])
    res = client.post(
        reverse("training_console:venue_new"),
        {"name": "县职工学校", "org_unit": county.county.pk, "address": "武原街道", "capacity": 0},
    )
    assert res.status_code == 400
    assert Venue.objects.count() == 0
    venue = VenueFactory(org_unit=county.county, name="县职工学校")
    plan = PlanFactory(org_unit=county.county, title="电工班")
    session_for(plan, venue=venue)
    res = client.get(reverse("training_console:venue", args=[venue.pk]))
    assert res.status_code == 200
    assert "电工班" in res.content.decode()
    res = client.post(
        reverse("training_console:venue_edit", args=[venue.pk]),
        {"name": "县职工学校", "org_unit": county.county.pk, "address": "新址", "capacity": 80},
    )
    assert res.status_code == 302
    venue.refresh_from_db()
    assert (venue.address, venue.capacity) == ("新址", 80)
    client.force_login(county.users["town_staff_a"])
    assert client.get(reverse("training_console:venue_edit", args=[venue.pk])).status_code == 404


# -- outcomes --------------------------------------------------------------------------------
def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码", "技能", "等级", "证书编号", "发证机构", "发证日期"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "certs.xlsx"
    return out


def test_record_certificate(client, county):
    person = county.member_a.person
    plan = PlanFactory(org_unit=county.county, state=PlanState.COMPLETED)
    Enrollment.objects.create(plan=plan, person=person, status=EnrollmentStatus.ENROLLED, seat=1)
    client.force_login(county.users["federation_staff"])
    data = {
        "name": person.name, "id_number": person.id_number, "skill": skill("电工").pk,
        "level": "l5", "number": "HY-001", "issuer": "海盐县人社局",
        "issued_on": "2025-06-30", "plan": plan.pk,
    }  # fmt: skip
    res = client.post(reverse("training_console:certificates"), data)
    assert res.status_code == 302
    cert = Certificate.objects.get()
    assert (cert.person, cert.plan, cert.number) == (person, plan, "HY-001")
    res = client.post(reverse("training_console:certificates"), data)
    assert res.status_code == 400
    assert "证书编号已存在" in res.content.decode()
    assert Certificate.objects.count() == 1
    client.force_login(county.users["auditor"])
    res = client.get(reverse("training_console:certificates"))
    assert res.status_code == 200
    assert [c.number for c in res.context["page_obj"]] == ["HY-001"]
    assert client.post(reverse("training_console:certificates"), data).status_code == 403


def test_import_certificates_with_a_bad_row(client, county):
    person = county.member_a.person
    client.force_login(county.users["federation_staff"])
    upload = _xlsx(
        [
            [person.name, person.id_number, "电工", "初级", "HY-100", "海盐县人社局",
             "2025-06-30"],
            ["无名氏", "330424199001011234", "电工", "初级", "HY-101", "海盐县人社局",
             "2025-06-30"],
        ]
    )  # fmt: skip
    res = client.post(reverse("training_console:certificate_import"), {"file": upload})
    assert res.status_code == 400
    text = res.content.decode()
    assert "有 1 行有误，整表未导入" in text
    assert "未找到该证件号码对应的职工" in text
    assert Certificate.objects.count() == 0
    res = client.get(reverse("training_console:certificate_errors"))
    assert res.status_code == 200
    ws = load_workbook(io.BytesIO(res.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因"
    assert rows[1][0] == 3
    upload = _xlsx(
        [[person.name, person.id_number, "电工", "初级", "HY-100", "海盐县人社局", "2025-06-30"]]
    )
    res = client.post(reverse("training_console:certificate_import"), {"file": upload})
    assert res.status_code == 302
    assert list(Certificate.objects.values_list("number", flat=True)) == ["HY-100"]
