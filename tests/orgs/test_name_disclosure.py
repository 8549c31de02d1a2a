"""Issue 12 item 2: creating a member with someone else's ID number must not tell the caller
anything about a person outside their scope (found over HTTP, so tested over HTTP)."""

import pytest

from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import MembershipStatus
from gonghui.orgs.models import Membership, Person

from ..factories import PASSWORD, PersonFactory
from ..live import LiveSession

pytestmark = pytest.mark.django_db(transaction=True)

OUT_OF_SCOPE_DUPLICATE = (
    "该证件号码无法在本工会登记入会，请核对姓名与证件号码；"
    "如已在其他工会入会，请联系上级工会办理转会"
)

REFUSED = {"error": {"code": "duplicate", "message": OUT_OF_SCOPE_DUPLICATE, "fields": {}}}


def _officer(live_server, county) -> LiveSession:
    s = LiveSession(live_server.url)
    assert s.login(county.users["union_officer_a"].mobile, PASSWORD).status == 200
    return s


def _counts():
    return Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count()


def test_active_member_elsewhere_is_not_named(live_server, transactional_db, county):
    t = county
    s = _officer(live_server, t)
    t.member_b.person.name = "杨佳燕"
    t.member_b.person.save(update_fields=["name"])
    before = _counts()
    res = s.request(
        "POST", "/api/orgs/members",
        json_body={"union_id": t.union_a.pk, "joined_on": "2024-01-05", "name": "张三",
                   "id_number": t.member_b.person.id_number},
    )  # fmt: skip
    assert (res.status, res.json()) == (409, REFUSED)
    assert "杨佳燕" not in res.body
    assert _counts() == before


def test_former_member_with_another_name_is_not_named(live_server, transactional_db, county):
    """A withdrawn person outside the scope, asked for under another name: the same answer
    (before, the membership was created for her and the 201 carried her name)."""
    t = county
    former = PersonFactory(name="杨佳燕")
    Membership.objects.create(
        person=former, union=t.union_b, joined_on="2020-01-01", left_on="2023-01-01",
        status=MembershipStatus.WITHDRAWN,
    )  # fmt: skip
    s = _officer(live_server, t)
    before = _counts()
    res = s.request(
        "POST", "/api/orgs/members",
        json_body={"union_id": t.union_a.pk, "joined_on": "2024-01-05", "name": "张三",
                   "id_number": former.id_number},
    )  # fmt: skip
    assert (res.status, res.json()) == (409, REFUSED)
    assert "杨佳燕" not in res.body
    assert _counts() == before


def test_console_form_gives_the_same_answer(live_server, transactional_db, county):
    t = county
    t.member_b.person.name = "杨佳燕"
    t.member_b.person.save(update_fields=["name"])
    s = _officer(live_server, t)
    form = "/console/members/new/"
    res = s.post_form(
        form,
        {"union": t.union_a.pk, "joined_on": "2024-01-05", "name": "张三", "id_type": "resident",
         "id_number": t.member_b.person.id_number},
    )  # fmt: skip
    assert res.status == 400
    assert OUT_OF_SCOPE_DUPLICATE in res.body
    assert "杨佳燕" not in res.body


def test_in_scope_duplicate_still_names_the_member(client, county):
    """Staff who may see the person are still told who it is (nothing hidden from them)."""
    t = county
    client.force_login(t.users["federation_staff"])
    res = client.post(
        "/api/orgs/members",
        {"union_id": t.union_b.pk, "joined_on": "2024-01-05", "name": "张三",
         "id_number": t.member_a.person.id_number},
        content_type="application/json",
    )  # fmt: skip
    assert res.status_code == 409
    assert res.json()["error"]["message"] == "张三已是在会会员；如需变更所在工会请办理转会"
