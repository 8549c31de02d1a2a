"""Pages and API: the organiser's console, a unit registering from the phone page, a
judge scoring, public pages, the vote, the xlsx export, a certificate, the API."""

import io

import pytest
from openpyxl import load_workbook

from gonghui.contests.domain import contests as c
from gonghui.contests.domain import judging, registration
from gonghui.contests.enums import ContestState
from gonghui.contests.models import ContestAward, Entry, Score, Vote

from .conftest import ready_video

pytestmark = pytest.mark.django_db


def test_a_unit_registers_from_the_phone_page(client, meet):
    client.force_login(meet.officer_a)
    url = f"/contests/{meet.contest.pk}/unit/"
    res = client.get(url)
    assert res.status_code == 200 and "甲0" in res.content.decode()
    res = client.post(url, {"event": meet.ev["跳绳"].pk, "unit": meet.county.union_a.pk,
                            "name": "甲队", "people": [p.pk for p in meet.a[:4]]})  # fmt: skip
    assert res.status_code == 302
    entry = Entry.objects.get(name="甲队")
    assert entry.members.count() == 4
    # Too small a team: refused on the page, nothing written.
    res = client.post(url, {"event": meet.ev["跳绳"].pk, "unit": meet.county.union_a.pk,
                            "people": [meet.a[5].pk]})  # fmt: skip
    assert res.status_code == 200 and "每队应为3至5人" in res.content.decode()
    assert Entry.objects.count() == 1
    assert client.get(f"/contests/entries/{entry.pk}/upload/").status_code == 200
    # Another union's officer cannot open union A's upload page.
    client.force_login(meet.staff)
    assert client.get("/console/contests/").status_code == 200


def test_judge_scores_on_the_phone_and_the_organiser_publishes(client, meet):
    m = meet
    e = registration.register_entry(m.ev["男子俯卧撑"], actor=m.officer_a, unit=m.county.union_a,
                                    people=[m.a[0]])  # fmt: skip
    ready_video(e)
    judge = judging.invite_judge(m.ev["男子俯卧撑"], actor=m.staff, user=m.judges[0])
    client.force_login(m.judges[0])
    res = client.post(f"/contests/judge/{judge.pk}/", {"accept": "1"})
    assert res.status_code == 302
    c.transition(m.contest, actor=m.staff, to=ContestState.JUDGING)
    assert (
        f"/contests/judge/{judge.pk}/{e.pk}/"
        in client.get(f"/contests/judge/{judge.pk}/").content.decode()
    )
    res = client.post(f"/contests/judge/{judge.pk}/{e.pk}/", {"value": "48"})
    assert res.status_code == 302 and Score.objects.get().value == 48
    res = client.post(f"/contests/judge/{judge.pk}/{e.pk}/", {"value": "50"})
    assert Score.objects.count() == 1  # once only
    client.force_login(m.staff)
    page = client.get(f"/console/contests/{m.contest.pk}/standings/").content.decode()
    assert "48.00→" in page
    client.post(f"/console/contests/{m.contest.pk}/transition/", {"to": "results"})
    client.post(f"/console/contests/{m.contest.pk}/transition/", {"to": "published"})
    award = ContestAward.objects.get(entry=e)
    assert award.tier.name == "金奖"
    pdf = client.get(f"/console/contests/awards/{award.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    xlsx = client.get(f"/console/contests/{m.contest.pk}/stats.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert values["报名基层工会数"] == 1 and values["参与职工人数（含单位选拔赛）"] == 1
    client.logout()
    assert "金奖" in client.get(f"/contests/p/{m.contest.pk}/awards/").content.decode()
    assert "48" in client.get(f"/contests/p/{m.contest.pk}/leaderboard/").content.decode()


def test_public_pages_and_the_vote(client, meet):
    m = meet
    e = registration.register_entry(m.ev["瑜伽"], actor=m.officer_a, unit=m.county.union_a,
                                    people=m.a[:2], name="甲瑜伽")  # fmt: skip
    for path in ("", "leaderboard/", "finalists/", "awards/", f"vote/{m.ev['瑜伽'].pk}/"):
        res = client.get(f"/contests/p/{m.contest.pk}/{path}")
        assert res.status_code == 200, path
    cast = f"/contests/p/{m.contest.pk}/vote/{m.ev['瑜伽'].pk}/cast/"
    assert client.post(cast, {"entry": e.pk}).status_code == 302  # to the login page
    assert not Vote.objects.exists()
    client.force_login(m.county.users["worker_a"])
    client.post(cast, {"entry": e.pk})
    client.post(cast, {"entry": e.pk})
    assert Vote.objects.count() == 1


def test_api_lists_registers_and_refuses(client, meet):
    m = meet
    client.force_login(m.officer_a)
    res = client.get("/api/contests/contests")
    assert [x["id"] for x in res.json()["items"]] == [m.contest.pk]
    res = client.post(f"/api/contests/contests/{m.contest.pk}/entries",
                      {"event_id": m.ev["男子俯卧撑"].pk, "unit_id": m.county.union_a.pk,
                       "person_ids": [m.a[1].pk]}, content_type="application/json")  # fmt: skip
    assert res.status_code == 201 and res.json()["unit"] == m.county.union_a.name
    res = client.post(f"/api/contests/contests/{m.contest.pk}/transition", {"to": "judging"},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 403
    detail = client.get(f"/api/contests/contests/{m.contest.pk}").json()
    assert [e["name"] for e in detail["events"]][:2] == ["男子俯卧撑", "跳绳"]


def test_bulk_registration_names_every_bad_line_and_writes_all_or_nothing(client, meet):
    from gonghui.core.models import AuditEvent
    from gonghui.orgs.enums import Role
    from tests.factories import user_with_role

    from .conftest import members

    twins = members(meet.county.union_a, meet.county.ent_a, 2, prefix="同名")
    for p in twins:
        p.name = "同名"
        p.save()
    client.force_login(meet.officer_a)
    url = f"/contests/{meet.contest.pk}/bulk/"
    assert "批量报名" in client.get(url).content.decode()
    htmx = {"HTTP_HX_REQUEST": "true"}
    bad = "\n".join([
        "跳绳，，甲一队，甲0、甲1、甲2",  # fine by itself
        "跳绳\t\t甲二队\t甲3 甲4",  # a team of 2 (3 to 5)
        "男子俯卧撑，，，甲0",  # 甲0 already in line 1: one event per person
        "跳远，，，甲5",  # no such event
        "男子俯卧撑，，，乙0",  # union B's member
        "瑜伽，，，同名、甲6",  # two members share the name
        "# a comment line is skipped",
    ])  # fmt: skip
    res = client.post(url, {"unit": meet.county.union_a.pk, "rows": bad, "action": "save"}, **htmx)
    page = res.content.decode()
    assert res.status_code == 400 and "有5行不能报名" in page
    reasons = ["每队应为3至5人，现为2人", "每人限报一项：甲0已报名其他项目", "没有“跳远”这个项目",
               "没有名为乙0的在会会员", "有2名会员叫同名"]  # fmt: skip
    for reason in reasons:
        assert reason in page
    assert page.count('class="bulk-line bulk-bad"') == 5
    assert not Entry.objects.exists()
    assert not AuditEvent.objects.filter(action="contests.entry.register").exists()
    twin = twins[1].id_number[-4:]
    good = (
        f"跳绳，，甲一队，甲0、甲1、甲2\n跳绳\t\t甲二队\t甲3 甲4 甲5\n瑜伽，，，同名({twin})、甲6"
    )
    res = client.post(url, {"unit": meet.county.union_a.pk, "rows": good, "action": "check"},
                      **htmx)  # fmt: skip
    assert res.status_code == 200 and "3行均可报名，尚未提交" in res.content.decode()
    assert not Entry.objects.exists()
    res = client.post(url, {"unit": meet.county.union_a.pk, "rows": good, "action": "save"})
    assert res.status_code == 302
    teams = {e.name: {m.person_id for m in e.members.all()} for e in Entry.objects.all()}
    assert len(teams) == 3
    assert teams["甲一队"] == {p.pk for p in meet.a[:3]}
    assert teams["甲二队"] == {p.pk for p in meet.a[3:6]}
    assert {twins[1].pk, meet.a[6].pk} in teams.values()
    # Union B's officer sees only union B: union A's members are not theirs to register.
    client.force_login(user_with_role(Role.UNION_OFFICER, meet.county.union_b))
    res = client.post(url, {"unit": meet.county.union_a.pk, "rows": "男子俯卧撑，，，甲7",
                            "action": "save"}, **htmx)  # fmt: skip
    assert res.status_code == 400 and "没有名为甲7的在会会员" in res.content.decode()
    assert Entry.objects.count() == 3
