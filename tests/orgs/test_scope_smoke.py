from gonghui.orgs.models import Membership, OrgUnit, Person


def test_restrict_follows_the_subtree(county):
    t = county
    staff = t.users["federation_staff"]
    town_a = t.users["town_staff_a"]
    contact = t.users["enterprise_contact_a"]
    assert set(Membership.objects.restrict(staff)) == {t.member_a, t.member_b}
    assert list(Membership.objects.restrict(town_a)) == [t.member_a]
    assert list(Membership.objects.restrict(contact)) == [t.member_a]
    assert list(Membership.objects.restrict(t.worker_a)) == [t.member_a]
    assert list(Membership.objects.restrict(t.users["trainer"])) == []
    assert list(Membership.objects.restrict(t.users["nobody"])) == []
    assert list(Person.objects.restrict(town_a)) == [t.member_a.person]
    assert set(OrgUnit.objects.restrict(town_a)) == {t.town_a, t.union_a}
    assert list(Membership.objects.restrict(town_a, "change")) == [t.member_a]
    assert list(Membership.objects.restrict(t.users["auditor"], "change")) == []


def test_api_member_list_is_scoped_and_masked(county, client):
    t = county
    client.force_login(t.users["town_staff_a"])
    res = client.get("/api/orgs/members")
    assert res.status_code == 200
    body = res.json()
    assert body["count"] == 1
    item = body["items"][0]
    number = t.member_a.person.id_number
    assert item["person"]["id_number"] == number[:4] + "*" * 10 + number[-4:]
    res = client.get(f"/api/orgs/members/{t.member_b.pk}")
    assert res.status_code == 404
    assert res.json()["error"]["message"] == "未找到该记录，或不在您的权限范围内"
