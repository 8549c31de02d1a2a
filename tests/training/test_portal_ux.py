"""The worker portal's reads and pages (issue 13): plan cards with dates, places, seats and
eligibility, the next class, messages that lead somewhere, the bottom navigation and its
unread count; nomination of several staff at once; the console's to-do list."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gonghui.core.errors import DomainError
from gonghui.core.todo import todo_items
from gonghui.portal_nav import PortalNav
from gonghui.training.domain import notices, party_queries
from gonghui.training.domain.enrolment import enroll_person, plans_open_to_unions
from gonghui.training.enums import DemandStatus, EnrollmentStatus, Party, PlanState
from gonghui.training.models import Demand, Enrollment, Notification

from .factories import PlanFactory, VenueFactory, session_for, worker

NOW = timezone.now()


@pytest.fixture
def plans_(county):
    t = county
    t.mine = PlanFactory(org_unit=t.town_a, capacity=3, title="焊工培训班")
    t.venue = VenueFactory(org_unit=t.town_a, name="文化宫", address="文昌路1号")
    t.first = session_for(t.mine, venue=t.venue, starts_at=NOW + dt.timedelta(days=2),
                          ends_at=NOW + dt.timedelta(days=2, hours=2))  # fmt: skip
    session_for(t.mine, venue=t.venue, starts_at=NOW + dt.timedelta(days=9),
                ends_at=NOW + dt.timedelta(days=9, hours=2))  # fmt: skip
    t.past = session_for(t.mine, starts_at=NOW - dt.timedelta(days=1),
                         ends_at=NOW - dt.timedelta(days=1) + dt.timedelta(hours=2))  # fmt: skip
    t.theirs = PlanFactory(org_unit=t.town_b, capacity=1, title="电工培训班")
    return t


def test_plan_cards_dates_places_seats_and_reasons(plans_, django_assert_max_num_queries):
    t = plans_
    _p, other = worker(t.union_a, name="赵六")
    enroll_person(t.mine, person=other.person, actor=other)
    with django_assert_max_num_queries(6):
        cards = {
            c.plan.pk: c for c in party_queries.plan_cards([t.mine, t.theirs], t.member_a.person)
        }
    mine, theirs = cards[t.mine.pk], cards[t.theirs.pk]
    assert (mine.first_start, mine.last_end) == (
        t.past.starts_at,
        NOW + dt.timedelta(days=9, hours=2),
    )
    assert sorted(set(mine.places)) == sorted({"文化宫", t.past.venue.name})
    assert (mine.seats_left, mine.waitlisted, mine.mine, mine.reason, mine.may_enrol) == (
        2, 0, None, None, True,
    )  # fmt: skip
    assert theirs.reason == "您所在的工会不在本次培训的报名范围内"
    assert theirs.may_enrol is False
    assert theirs.first_start is None and theirs.places == []
    # Once enrolled, the card says so and no longer offers enrolment.
    enroll_person(t.mine, person=t.member_a.person, actor=t.worker_a)
    card = party_queries.plan_cards([t.mine], t.member_a.person)[0]
    assert card.mine.status == EnrollmentStatus.ENROLLED and card.may_enrol is False
    assert card.seats_left == 1


def test_next_session_skips_ended_ones(plans_):
    t = plans_
    assert party_queries.next_sessions([t.mine.pk, t.theirs.pk]) == {t.mine.pk: t.first}


def test_plan_list_page_for_a_worker_and_a_visitor(client, plans_):
    t = plans_
    text = client.get("/t/plans/").content.decode()
    assert "登录后可查看自己能否报名" in text and "剩余 3 个（共 3 个）" in text
    assert "bottom-nav" not in text
    client.force_login(t.worker_a)
    text = client.get("/t/plans/").content.decode()
    assert "您可以报名" in text
    assert "不能报名：您所在的工会不在本次培训的报名范围内" in text
    assert 'class="bottom-nav"' in text


def test_my_training_next_class_and_no_link_to_an_archived_plan(client, plans_):
    t = plans_
    enroll_person(t.mine, person=t.member_a.person, actor=t.worker_a)
    archived = PlanFactory(org_unit=t.town_a, title="往年叉车班", state=PlanState.ARCHIVED)
    Enrollment.objects.create(plan=archived, person=t.member_a.person,
                              status=EnrollmentStatus.ENROLLED, seat=1)  # fmt: skip
    client.force_login(t.worker_a)
    text = client.get("/t/me/").content.decode()
    start = timezone.localtime(t.first.starts_at)
    assert f"{start:%Y-%m-%d %H:%M}" in text and "文化宫（文昌路1号）" in text
    assert f"/t/plans/{archived.pk}/enrol/" not in text and "往年叉车班" in text
    assert client.get(f"/t/plans/{t.mine.pk}/enrol/").status_code == 200


def test_messages_lead_to_what_they_ask_for(client, plans_):
    t = plans_
    enroll_person(t.mine, person=t.member_a.person, actor=t.worker_a)
    enrolled = Notification.objects.get()
    assert enrolled.url == f"/t/plans/{t.mine.pk}/enrol/"
    old = Notification.objects.create(person=t.member_a.person, kind=Notification.Kind.EVALUATION,
                                      text="请完成培训评价")  # fmt: skip
    assert notices.link_for(old) == ("/e/", "去评价")
    client.force_login(t.worker_a)
    res = client.post("/t/me/messages/read/", {"id": enrolled.pk, "go": "1"})
    assert (res.status_code, res["Location"]) == (302, f"/t/plans/{t.mine.pk}/enrol/")
    # Marking read without going stays on the messages page; the other stays unread.
    res = client.post("/t/me/messages/read/", {"id": old.pk})
    assert res["Location"] == "/t/me/messages/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_bottom_nav_unread_count_and_tab(client, county):
    t = county
    Notification.objects.create(person=t.member_a.person, kind="reminder", text="明天开课")
    Notification.objects.create(person=t.member_b.person, kind="reminder", text="别人的")
    request = RequestFactory().get("/aid/me/")
    request.user = t.worker_a
    nav = PortalNav(request)
    assert (nav.unread, nav.current) == (1, "aid")
    assert [tab["key"] for tab in nav.tabs] == ["me", "training", "evaluation", "aid", "messages"]
    request = RequestFactory().get("/t/me/messages/")
    request.user = t.users["federation_staff"]  # no person: no bar, no query
    assert PortalNav(request).person is None and PortalNav(request).current == "messages"
    client.force_login(t.worker_a)
    for path in ("/me/", "/e/", "/aid/me/", "/mentorship/me/", "/t/me/"):
        text = client.get(path).content.decode()
        assert 'class="bn-count"' in text and ">1</span>" in text, path


def test_enterprise_contact_sees_only_plans_its_staff_may_join(client, plans_):
    t = plans_
    assert plans_open_to_unions([t.mine, t.theirs], [t.union_a.path]) == [t.mine]
    client.force_login(t.users["enterprise_contact_a"])
    assert client.get("/").url == "/t/enterprise/demands/"
    text = client.get("/t/enterprise/nominate/").content.decode()
    assert "焊工培训班" in text and "电工培训班" not in text
    assert client.get(f"/t/enterprise/nominate/{t.theirs.pk}/").status_code == 403


def test_nominating_several_at_once_with_htmx(client, plans_):
    t = plans_
    a, _u = worker(t.union_a, enterprise=t.ent_a, name="钱七")
    b, _u = worker(t.union_a, enterprise=t.ent_a, name="钱八")
    c, _u = worker(t.union_a, enterprise=t.ent_a, name="钱九")
    outsider, _u = worker(t.union_b, enterprise=t.ent_b, name="孙八")
    client.force_login(t.users["enterprise_contact_a"])
    url = f"/t/enterprise/nominate/{t.mine.pk}/"
    text = client.get(url, {"q": "钱"}).content.decode()
    assert "姓名含“钱”的职工 3 人" in text and "张三" not in text
    # Someone outside the enterprise in the batch: refused, nothing written.
    res = client.post(url, {"person": [a.pk, outsider.pk]}, HTTP_HX_REQUEST="true")
    assert res.status_code == 404 and Enrollment.objects.count() == 0
    res = client.post(url, {"person": [a.pk, b.pk, c.pk], "q": "钱"}, HTTP_HX_REQUEST="true")
    text = res.content.decode()
    assert res.status_code == 200 and '<div id="nominate-staff">' in text
    # in the list's order (by name), each with the seat given
    assert "钱七报名成功，座位号 1" in text and "钱九报名成功，座位号 2" in text
    assert "钱八报名成功，座位号 3" in text
    rows = sorted(Enrollment.objects.values_list("person__name", "status", "seat"))
    assert rows == [("钱七", "enrolled", 1), ("钱九", "enrolled", 2), ("钱八", "enrolled", 3)]
    # The plan is full now: the next is put on the waiting list, named in the message.
    res = client.post(url, {"person": [t.member_a.person.pk]}, HTTP_HX_REQUEST="true")
    assert "名额已满，张三进入候补第1位" in res.content.decode()


def test_nomination_refusal_names_the_worker(plans_):
    t = plans_
    outsider, _u = worker(t.union_b, name="孙八")
    with pytest.raises(DomainError, match=r"^孙八所在的工会不在本次培训的报名范围内$"):
        enroll_person(t.mine, person=outsider, actor=t.users["federation_staff"])
    assert Enrollment.objects.count() == 0


def test_console_todo_counts_within_scope(client, county):
    t = county
    for i, union in enumerate((t.union_a, t.union_a, t.union_b)):
        Demand.objects.create(party=Party.WORKER, person=t.member_a.person, org_unit=union,
                              area=union.parent, free_text=f"想学无人机{i}",
                              status=DemandStatus.UNMATCHED)  # fmt: skip
    county_items = {i.label: i.count for i in todo_items(t.users["federation_staff"])}
    town_items = {i.label: i.count for i in todo_items(t.users["town_staff_a"])}
    assert county_items["待人工归类的培训需求"] == 3
    assert town_items["待人工归类的培训需求"] == 2
    assert todo_items(t.worker_a) == []
    client.force_login(t.users["town_staff_a"])
    text = client.get("/console/").content.decode()
    assert "待人工归类的培训需求" in text and "/console/training/demands/?status=unmatched" in text
