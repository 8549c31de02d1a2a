"""Mentorship pages: the console journey for union staff and the phone page of the parties."""

import datetime as dt

import pytest
from django.urls import reverse

from gonghui.mentorship.enums import AgreementState, MentorState
from gonghui.mentorship.models import Agreement, Apprentice, Mentor, PointEntry

pytestmark = pytest.mark.django_db


def test_console_journey_nominate_review_register_pair_sign_and_run(client, world):
    w = world
    client.force_login(w.officer)
    p = w.programme
    page = client.get(reverse("mentorship_console:mentors", args=[p.pk]), {"q": "王师"})
    assert "王师傅" in page.content.decode()
    res = client.post(reverse("mentorship_console:mentors", args=[p.pk]), {
        "q": "王师", "person": w.people["王师傅"].pk, "skill": w.welder.pk,
        "level": "technician", "department": "轧钢厂", "strengths": "仰焊",
    })  # fmt: skip
    assert res.status_code == 302
    mentor = Mentor.objects.get(person=w.people["王师傅"])
    res = client.post(reverse("mentorship_console:mentor_review", args=[mentor.pk]),
                      {"decision": "approve", "note": "技师，仰焊突出"})  # fmt: skip
    mentor.refresh_from_db()
    assert mentor.state == MentorState.APPROVED
    res = client.post(reverse("mentorship_console:apprentices", args=[p.pk]), {
        "q": "小刘", "person": w.people["小刘"].pk, "skill": w.welder.pk, "department": "轧钢厂",
        "learning_needs": "学仰焊",
    })  # fmt: skip
    apprentice = Apprentice.objects.get(person=w.people["小刘"])
    assert res["Location"] == reverse("mentorship_console:pair", args=[apprentice.pk])
    pair = client.get(res["Location"]).content.decode()
    # The same-department mentor is suggested first.
    assert pair.index("同部门：轧钢厂") < pair.index("郑佳")
    bad = client.post(res["Location"], {
        "mentor": mentor.pk, "starts_on": "2026-01-05", "months": 6,
        "goal_0_title": "仰焊入门", "goal_0_weight": 50, "goal_0_due_on": "2026-03-31",
    })  # fmt: skip
    assert "各项目标权重之和须为100%，现为50%" in bad.content.decode()
    assert not Agreement.objects.exists()
    res = client.post(reverse("mentorship_console:pair", args=[apprentice.pk]), {
        "mentor": mentor.pk, "starts_on": "2026-01-05", "months": 6,
        "goal_0_title": "仰焊入门", "goal_0_weight": 50, "goal_0_due_on": "2026-03-31",
        "goal_1_title": "仰焊合格", "goal_1_weight": 50, "goal_1_due_on": "2026-07-01",
    })  # fmt: skip
    agreement = Agreement.objects.get()
    assert agreement.ends_on == dt.date(2026, 7, 5)  # 6 months, as the trade department does
    url = reverse("mentorship_console:agreement", args=[agreement.pk])
    assert res["Location"] == url
    client.post(reverse("mentorship_console:agreement_action", args=[agreement.pk, "sign_union"]))
    for name in ("王师傅", "小刘"):
        client.force_login(w.accounts[name])
        mine = client.get(reverse("mentorship:mine")).content.decode()
        assert "我已阅读协议，签署" in mine
        client.post(reverse("mentorship:sign", args=[agreement.pk]))
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    client.force_login(w.officer)
    client.post(reverse("mentorship_console:agreement_action", args=[agreement.pk, "start"]))
    res = client.post(
        reverse("mentorship_console:agreement_action", args=[agreement.pk, "terminate"]),
        {"note": ""},
    )
    assert "终止协议须说明原因" in res.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.IN_PROGRESS
    page = client.get(url).content.decode()
    for expected in ("工会", "带教中", "三位一体考核", "仰焊合格", "等级："):
        assert expected in page


def test_mentor_logs_teaching_from_the_phone_and_others_cannot(client, world):
    from tests.mentorship.test_domain import _signed_and_started

    w = world
    a = _signed_and_started(w, "小刘")
    client.force_login(w.accounts["郑佳"])
    client.post(reverse("mentorship:log", args=[a.pk]),
                {"summary": "讲解平焊运条", "on": "2026-02-02"})  # fmt: skip
    assert list(PointEntry.objects.values_list("person__name", "points")) == [("郑佳", 2)]
    page = client.get(reverse("mentorship:mine")).content.decode()
    assert "我的积分：2" in page and "我带的徒弟：小刘" in page
    client.force_login(w.accounts["小刘"])
    assert client.post(reverse("mentorship:log", args=[a.pk]),
                       {"summary": "替师傅写", "on": "2026-02-03"}).status_code == 403  # fmt: skip
    client.force_login(w.accounts["小孙"])  # not a party
    res = client.post(
        reverse("mentorship:log", args=[a.pk]), {"summary": "路过", "on": "2026-02-03"}
    )
    assert res.status_code == 404
    assert PointEntry.objects.count() == 1


def test_console_is_for_the_programme_union_only(client, world):
    w = world
    client.force_login(w.county.users["enterprise_contact_a"])
    assert client.get(reverse("mentorship_console:index")).status_code == 403
    client.force_login(w.county.users["federation_staff"])
    res = client.get(reverse("mentorship_console:index"))
    assert res["Location"] == reverse("mentorship_console:programme", args=[w.programme.pk])
    assert "导师带徒" in client.get(res["Location"]).content.decode()


def test_programme_figures_and_export(client, world):
    import io

    from openpyxl import load_workbook

    from tests.mentorship.test_domain import _agreement, _signed_and_started

    w = world
    running = _signed_and_started(w, "小刘")
    _agreement(w, "小陈")
    client.force_login(w.officer)
    page = client.get(reverse("mentorship_console:programme", args=[w.programme.pk]))
    figures = page.context["figures"]
    # One mentor (郑佳) with two active agreements (a draft and a running one).
    assert [(r["label"], r["value"]) for r in figures["load"]] == [
        ("0人", 0),
        ("1人", 0),
        ("2人", 1),
        ("3人", 0),
    ]
    assert {s["label"]: s["value"] for s in figures["states"]}["带教中"] == 1
    assert figures["completed"] == 0 and figures["on_time_rate"] is None
    assert 'id="mentorship-figures"' in page.content.decode()
    res = client.get(reverse("mentorship_console:export", args=[w.programme.pk]))
    rows = list(load_workbook(io.BytesIO(res.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("协议编号", "导师", "徒弟")
    assert sorted(r[0] for r in rows[1:]) == sorted([running.pk, running.pk + 1])
    assert {r[2]: r[6] for r in rows[1:]} == {"小刘": "带教中", "小陈": "草拟"}


def test_a_worker_applies_to_the_pool_of_their_own_union_from_the_phone(client, world):
    from tests.factories import MembershipFactory, PersonFactory, make_user

    w = world
    url = reverse("mentorship:apply")
    client.force_login(w.accounts["王师傅"])
    assert "新型导师带徒" in client.get(url).content.decode()
    form = {"programme": w.programme.pk, "skill": w.welder.pk, "level": "technician",
            "department": "轧钢厂", "awards": "市技术能手"}  # fmt: skip
    assert client.post(url, form)["Location"] == reverse("mentorship:mine")
    m = Mentor.objects.get(person=w.people["王师傅"])
    assert (m.programme, m.state, m.awards) == (w.programme, MentorState.APPLIED, "市技术能手")
    again = client.post(url, form).content.decode()
    assert "王师傅已申请或已入库（焊工）" in again
    assert Mentor.objects.filter(person=w.people["王师傅"]).count() == 1
    # A member of another town's union is not offered the programme and cannot post to it.
    outsider = MembershipFactory(union=w.county.union_b, person=PersonFactory(name="外人")).person
    client.force_login(make_user("outsider", person=outsider))
    assert "新型导师带徒" not in client.get(url).content.decode()
    client.post(url, form | {"programme": w.programme.pk})
    assert not Mentor.objects.filter(person=outsider).exists()
