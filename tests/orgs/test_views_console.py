"""The staff console (/console/): scope, permissions, forms through the domain."""

import datetime as dt

import pytest

from gonghui.core.domain import audit
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import MembershipStatus, OrgKind, Role
from gonghui.orgs.models import (
    ApiToken,
    Enterprise,
    Membership,
    MembershipChange,
    OrgUnit,
    Person,
    RoleAssignment,
)

from ..factories import MembershipFactory, PersonFactory, make_credit_code, make_id_number


def login(client, county, who):
    client.force_login(county.users[who])
    return county.users[who]


# -- access ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [("federation_staff", 200), ("auditor", 200), ("trainer", 200), ("worker_a", 403),
     ("nobody", 403)],
)  # fmt: skip
def test_console_index_access(client, county, who, status):
    login(client, county, who)
    res = client.get("/console/")
    assert res.status_code == status


def test_anonymous_console_redirects_to_login(client, county):
    res = client.get("/console/members/")
    assert res.status_code == 302
    assert res["Location"].startswith("/accounts/login/")


def test_index_counts_in_scope(client, county):
    login(client, county, "town_staff_a")
    res = client.get("/console/")
    assert res.context["counts"] == {"units": 2, "enterprises": 1, "members": 1}
    login(client, county, "federation_staff")
    res = client.get("/console/")
    assert res.context["counts"] == {"units": 5, "enterprises": 2, "members": 2}


def test_nav_follows_roles(client, county):
    login(client, county, "federation_staff")
    html = client.get("/console/").content.decode()
    for url in ("/console/tree/", "/console/members/", "/console/roles/", "/console/tokens/",
                "/console/imports/"):  # fmt: skip
        assert f'href="{url}"' in html
    assert 'href="/console/audit/"' not in html
    login(client, county, "auditor")
    html = client.get("/console/").content.decode()
    assert 'href="/console/audit/"' in html
    assert 'href="/console/imports/"' not in html
    login(client, county, "trainer")
    html = client.get("/console/").content.decode()
    assert 'href="/console/members/"' not in html
    assert 'href="/console/roles/"' not in html
    assert client.get("/console/members/").status_code == 403


def test_unknown_page_is_a_friendly_404(client, county):
    login(client, county, "federation_staff")
    res = client.get("/console/no-such-page/")
    assert res.status_code == 404
    assert "未找到该页面或记录" in res.content.decode()


# -- org tree --------------------------------------------------------------------------
def test_tree_is_scoped_and_indented(client, county):
    login(client, county, "town_staff_a")
    res = client.get("/console/tree/")
    assert res.status_code == 200
    assert [u.name for u in res.context["units"]] == ["武原街道总工会", "基层工会A"]
    assert [u.indent for u in res.context["units"]] == [0, 1]
    html = res.content.decode()
    assert "沈荡镇总工会" not in html
    assert "基层工会B" not in html


def test_unit_out_of_scope_is_404(client, county):
    login(client, county, "town_staff_a")
    assert client.get(f"/console/units/{county.union_a.pk}/").status_code == 200
    assert client.get(f"/console/units/{county.union_b.pk}/").status_code == 404
    res = client.post(
        f"/console/units/{county.town_b.pk}/children/", {"name": "X", "kind": "grassroots"}
    )
    assert res.status_code == 404
    assert not OrgUnit.objects.filter(name="X").exists()


def test_create_child_unit(client, county):
    login(client, county, "town_staff_a")
    res = client.post(
        f"/console/units/{county.town_a.pk}/children/",
        {"name": "武原联合工会", "kind": OrgKind.JOINT},
    )
    assert res.status_code == 302
    unit = OrgUnit.objects.get(name="武原联合工会")
    assert unit.parent == county.town_a
    assert unit.depth == 2
    assert AuditEvent.objects.filter(action="orgunit.create", object_id=str(unit.pk)).exists()


def test_create_child_refusal_is_shown(client, county):
    login(client, county, "federation_staff")
    res = client.post(
        f"/console/units/{county.union_a.pk}/children/", {"name": "子会", "kind": OrgKind.TOWN}
    )
    assert res.status_code == 400
    assert not OrgUnit.objects.filter(name="子会").exists()


def test_union_officer_cannot_change_units(client, county):
    login(client, county, "union_officer_a")
    res = client.get(f"/console/units/{county.union_a.pk}/")
    assert res.status_code == 200
    assert "删除该组织" not in res.content.decode()
    res = client.post(f"/console/units/{county.union_a.pk}/rename/", {"name": "改名"})
    assert res.status_code == 403
    assert "您无权维护该组织" in res.content.decode()
    assert client.post(f"/console/units/{county.union_a.pk}/delete/").status_code == 403
    county.union_a.refresh_from_db()
    assert county.union_a.name == "基层工会A"


def test_rename_unit(client, county):
    login(client, county, "town_staff_a")
    res = client.post(f"/console/units/{county.union_a.pk}/rename/", {"name": "武原第一工会"})
    assert res.status_code == 302
    county.union_a.refresh_from_db()
    assert county.union_a.name == "武原第一工会"


def test_delete_refusal_is_shown_in_chinese(client, county):
    login(client, county, "town_staff_a")
    res = client.post(f"/console/units/{county.union_a.pk}/delete/")
    assert res.status_code == 400
    assert "仍有1名在会会员，不能删除" in res.content.decode()
    assert OrgUnit.objects.filter(pk=county.union_a.pk).exists()


def test_delete_empty_unit(client, county):
    login(client, county, "town_staff_a")
    client.post(
        f"/console/units/{county.town_a.pk}/children/", {"name": "空工会", "kind": "grassroots"}
    )
    unit = OrgUnit.objects.get(name="空工会")
    res = client.post(f"/console/units/{unit.pk}/delete/")
    assert res.status_code == 302
    assert res["Location"] == f"/console/units/{county.town_a.pk}/"
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()


def test_register_enterprise(client, county):
    login(client, county, "union_officer_a")
    code = make_credit_code()
    res = client.post(
        f"/console/units/{county.union_a.pk}/enterprises/",
        {"name": "海盐紧固件有限公司", "credit_code": code, "headcount": "120"},
    )
    assert res.status_code == 302
    ent = Enterprise.objects.get(credit_code=code)
    assert (ent.union, ent.headcount) == (county.union_a, 120)
    assert "海盐紧固件有限公司" in client.get(res["Location"]).content.decode()


def test_register_enterprise_bad_credit_code(client, county):
    login(client, county, "union_officer_a")
    code = make_credit_code()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    res = client.post(
        f"/console/units/{county.union_a.pk}/enterprises/",
        {"name": "错误代码公司", "credit_code": bad},
    )
    assert res.status_code == 400
    assert "field-error" in res.content.decode() or "form-errors" in res.content.decode()
    assert not Enterprise.objects.filter(name="错误代码公司").exists()


# -- members ---------------------------------------------------------------------------
def test_member_list_scoped_and_masked(client, county):
    login(client, county, "town_staff_a")
    res = client.get("/console/members/")
    assert res.status_code == 200
    html = res.content.decode()
    person = county.member_a.person
    assert "张三" in html
    assert "李四" not in html
    assert person.id_number_masked in html
    assert person.id_number not in html
    assert person.mobile not in html


def test_member_search_htmx_returns_partial(client, county):
    login(client, county, "federation_staff")
    res = client.get(
        "/console/members/?q=李", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-results"
    )
    assert res.status_code == 200
    html = res.content.decode()
    assert "<html" not in html
    assert "李四" in html
    assert "张三" not in html


def test_member_list_filters_union_and_status(client, county):
    login(client, county, "federation_staff")
    res = client.get(f"/console/members/?union={county.union_b.pk}")
    assert [m.person.name for m in res.context["page_obj"]] == ["李四"]
    Membership.objects.filter(pk=county.member_b.pk).update(status=MembershipStatus.WITHDRAWN)
    res = client.get("/console/members/")
    assert [m.person.name for m in res.context["page_obj"]] == ["张三"]
    res = client.get("/console/members/?status=withdrawn")
    assert [m.person.name for m in res.context["page_obj"]] == ["李四"]


def test_member_list_paginates_by_50(client, county):
    for i in range(51):
        MembershipFactory(union=county.union_a, person=PersonFactory(name=f"王{i:02d}"))
    login(client, county, "town_staff_a")
    res = client.get("/console/members/?q=王")
    page = res.context["page_obj"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (51, 50, 2)
    assert "q=%E7%8E%8B&amp;page=2" in res.content.decode()
    res = client.get("/console/members/?q=王&page=2")
    assert len(res.context["page_obj"].object_list) == 1


def test_member_detail_scoped(client, county):
    login(client, county, "town_staff_a")
    res = client.get(f"/console/members/{county.member_a.person_id}/")
    assert res.status_code == 200
    assert "查看完整号码" in res.content.decode()
    assert client.get(f"/console/members/{county.member_b.person_id}/").status_code == 404


def test_reveal_pii_is_audited(client, county):
    user = login(client, county, "town_staff_a")
    person = county.member_a.person
    res = client.post(f"/console/members/{person.pk}/reveal/id_number/", HTTP_HX_REQUEST="true")
    assert res.status_code == 200
    assert person.id_number in res.content.decode()
    event = AuditEvent.objects.get(action="pii.view")
    assert (event.actor, event.object_id, event.detail, event.result) == (
        user, str(person.pk), "id_number", "ok",
    )  # fmt: skip


def test_reveal_pii_denied_for_auditor(client, county):
    login(client, county, "auditor")
    person = county.member_a.person
    res = client.get(f"/console/members/{person.pk}/")
    assert "查看完整号码" not in res.content.decode()
    res = client.post(f"/console/members/{person.pk}/reveal/mobile/")
    assert res.status_code == 403
    html = res.content.decode()
    assert "无权查看完整个人信息" in html
    assert person.mobile not in html
    assert AuditEvent.objects.get(action="pii.view").result == "denied"


def test_reveal_out_of_scope_is_404(client, county):
    login(client, county, "town_staff_a")
    res = client.post(f"/console/members/{county.member_b.person_id}/reveal/mobile/")
    assert res.status_code == 404
    assert not AuditEvent.objects.filter(action="pii.view").exists()
    assert (
        client.get(f"/console/members/{county.member_a.person_id}/reveal/mobile/").status_code
        == 405
    )


def test_register_member(client, county):
    login(client, county, "union_officer_a")
    assert client.get("/console/members/new/").status_code == 200
    number = make_id_number(dt.date(1988, 6, 1), "F")
    res = client.post("/console/members/new/", {
        "union": county.union_a.pk, "enterprise": county.ent_a.pk, "name": "王芳",
        "id_type": "resident", "id_number": number, "mobile": "13700001234",
        "joined_on": "2025-01-02", "card_number": "HY-1",
    })  # fmt: skip
    assert res.status_code == 302
    person = Person.objects.get(name="王芳")
    assert res["Location"] == f"/console/members/{person.pk}/"
    assert (person.sex, person.birth_date) == ("F", dt.date(1988, 6, 1))
    m = person.memberships.get()
    assert (m.union, m.enterprise, m.card_number) == (county.union_a, county.ent_a, "HY-1")
    assert MembershipChange.objects.filter(person=person, kind="join").count() == 1


def test_register_member_bad_id_shows_error(client, county):
    login(client, county, "union_officer_a")
    res = client.post("/console/members/new/", {
        "union": county.union_a.pk, "name": "错号", "id_type": "resident",
        "id_number": "330424199001011230", "joined_on": "2025-01-02",
    })  # fmt: skip
    assert res.status_code == 400
    assert "form-errors" in res.content.decode()
    assert not Person.objects.filter(name="错号").exists()


def test_register_member_outside_scope_refused(client, county):
    login(client, county, "union_officer_a")
    res = client.post("/console/members/new/", {
        "union": county.union_b.pk, "name": "越权", "id_type": "resident",
        "id_number": make_id_number(), "joined_on": "2025-01-02",
    })  # fmt: skip
    assert res.status_code == 400
    assert not Person.objects.filter(name="越权").exists()
    login(client, county, "auditor")
    assert client.get("/console/members/new/").status_code == 403


def test_transfer_member(client, county):
    login(client, county, "federation_staff")
    pk = county.member_a.person_id
    res = client.post(f"/console/members/{pk}/transfer/", {
        "to_union": county.union_b.pk, "enterprise": county.ent_b.pk, "date": "2025-03-01",
        "reason": "工作调动",
    })  # fmt: skip
    assert res.status_code == 302
    county.member_a.refresh_from_db()
    assert county.member_a.status == MembershipStatus.TRANSFERRED
    new = Membership.objects.get(person_id=pk, status=MembershipStatus.ACTIVE)
    assert (new.union, new.enterprise) == (county.union_b, county.ent_b)
    html = client.get(f"/console/members/{pk}/").content.decode()
    assert "工作调动" in html


def test_transfer_error_is_shown(client, county):
    login(client, county, "federation_staff")
    pk = county.member_a.person_id
    res = client.post(f"/console/members/{pk}/transfer/", {
        "to_union": county.union_b.pk, "date": "2019-01-01",
    })  # fmt: skip
    assert res.status_code == 400
    assert "转会日期不能早于入会日期" in res.content.decode()
    county.member_a.refresh_from_db()
    assert county.member_a.status == MembershipStatus.ACTIVE


def test_town_staff_cannot_transfer_out_of_scope(client, county):
    login(client, county, "town_staff_a")
    pk = county.member_a.person_id
    res = client.post(
        f"/console/members/{pk}/transfer/", {"to_union": county.union_b.pk, "date": "2025-03-01"}
    )
    assert res.status_code == 400
    county.member_a.refresh_from_db()
    assert county.member_a.status == MembershipStatus.ACTIVE


def test_withdraw_member(client, county):
    login(client, county, "union_officer_a")
    pk = county.member_a.person_id
    res = client.post(f"/console/members/{pk}/withdraw/", {"date": "2025-06-30", "reason": "退休"})
    assert res.status_code == 302
    county.member_a.refresh_from_db()
    assert (county.member_a.status, county.member_a.left_on) == (
        MembershipStatus.WITHDRAWN, dt.date(2025, 6, 30),
    )  # fmt: skip


def test_auditor_cannot_withdraw(client, county):
    login(client, county, "auditor")
    pk = county.member_a.person_id
    res = client.post(f"/console/members/{pk}/withdraw/", {"date": "2025-06-30"})
    assert res.status_code == 403
    assert "您无权为该会员办理会籍变更" in res.content.decode()
    county.member_a.refresh_from_db()
    assert county.member_a.status == MembershipStatus.ACTIVE


# -- roles -----------------------------------------------------------------------------
def test_roles_list_scoped(client, county):
    login(client, county, "town_staff_a")
    res = client.get("/console/roles/")
    assert res.status_code == 200
    names = {ra.user.username for ra in res.context["page_obj"]}
    assert names == {"town_staff_a", "officer_a", "contact_a"}
    login(client, county, "union_officer_a")
    assert client.get("/console/roles/").status_code == 403


def test_assign_and_revoke_role(client, county):
    login(client, county, "town_staff_a")
    res = client.post("/console/roles/", {
        "username": "nobody", "role": Role.UNION_OFFICER, "org_unit": county.union_a.pk,
    })  # fmt: skip
    assert res.status_code == 302
    ra = RoleAssignment.objects.get(user=county.users["nobody"])
    assert (ra.role, ra.org_unit) == (Role.UNION_OFFICER, county.union_a)
    res = client.post(f"/console/roles/{ra.pk}/revoke/")
    assert res.status_code == 302
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_assign_role_errors(client, county):
    login(client, county, "town_staff_a")
    res = client.post("/console/roles/", {
        "username": "ghost", "role": Role.UNION_OFFICER, "org_unit": county.union_a.pk,
    })  # fmt: skip
    assert res.status_code == 400
    assert "没有该账号" in res.content.decode()
    res = client.post("/console/roles/", {
        "username": "nobody", "role": Role.ENTERPRISE_CONTACT, "org_unit": county.union_a.pk,
    })  # fmt: skip
    assert res.status_code == 400
    assert "企业联络员须指定本组织范围内的企业" in res.content.decode()
    res = client.post("/console/roles/", {
        "username": "nobody", "role": Role.UNION_OFFICER, "org_unit": county.union_b.pk,
    })  # fmt: skip
    assert res.status_code == 400
    assert not RoleAssignment.objects.filter(user=county.users["nobody"]).exists()


def test_revoke_out_of_scope_is_404(client, county):
    login(client, county, "town_staff_a")
    ra = RoleAssignment.objects.get(user=county.users["auditor"])
    assert client.post(f"/console/roles/{ra.pk}/revoke/").status_code == 404
    assert RoleAssignment.objects.filter(pk=ra.pk).exists()


def test_auditor_sees_roles_read_only(client, county):
    login(client, county, "auditor")
    res = client.get("/console/roles/")
    assert res.status_code == 200
    assert res.context["form"] is None
    assert "撤销" not in res.content.decode()
    res = client.post("/console/roles/", {"username": "nobody", "role": Role.TRAINER})
    assert res.status_code == 403


# -- API tokens ------------------------------------------------------------------------
def test_issue_token_shows_key_once(client, county):
    login(client, county, "federation_staff")
    res = client.post("/console/tokens/", {
        "name": "浙里办", "org_unit": county.county.pk, "role": Role.UNION_OFFICER,
    })  # fmt: skip
    assert res.status_code == 200
    key = res.context["new_key"]
    assert key.startswith("ghk_")
    assert key in res.content.decode()
    assert res["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="浙里办")
    html = client.get("/console/tokens/").content.decode()
    assert key not in html
    assert token.prefix in html
    res = client.post(f"/console/tokens/{token.pk}/revoke/")
    assert res.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_errors_and_scope(client, county):
    login(client, county, "federation_staff")
    res = client.post("/console/tokens/", {"name": " ", "org_unit": county.county.pk,
                                           "role": Role.UNION_OFFICER})  # fmt: skip
    assert res.status_code == 400
    assert not ApiToken.objects.exists()
    token, _ = issue_api_token(
        county.town_b, name="B", role=Role.UNION_OFFICER, actor=county.users["federation_staff"]
    )
    login(client, county, "town_staff_a")
    assert "B" not in [t.name for t in client.get("/console/tokens/").context["page_obj"]]
    assert client.post(f"/console/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# -- audit log -------------------------------------------------------------------------
def test_audit_log_only_for_auditors(client, county):
    for who in ("federation_staff", "town_staff_a", "union_officer_a", "trainer"):
        login(client, county, who)
        assert client.get("/console/audit/").status_code == 403
    login(client, county, "auditor")
    res = client.get("/console/audit/")
    assert res.status_code == 200
    assert "审计日志" in res.content.decode()


def test_audit_log_filters(client, county):
    staff = county.users["federation_staff"]
    audit.record("pii.view", actor=staff, obj=county.member_a.person, detail="mobile")
    audit.record("pii.view", actor=staff, obj=county.member_b.person, result="denied")
    login(client, county, "auditor")
    res = client.get("/console/audit/?action=pii.view")
    assert res.context["page_obj"].paginator.count == 2
    res = client.get("/console/audit/?action=pii.view&result=denied")
    assert [e.object_id for e in res.context["page_obj"]] == [str(county.member_b.person_id)]
    res = client.get("/console/audit/?actor=staff&object_type=orgs.Person")
    assert res.context["page_obj"].paginator.count == 2
    today = dt.date.today()
    res = client.get(f"/console/audit/?action=pii.view&date_from={today + dt.timedelta(days=2)}")
    assert res.context["page_obj"].paginator.count == 0
    res = client.get(
        f"/console/audit/?action=pii.view&date_from={today - dt.timedelta(days=1)}"
        f"&date_to={today + dt.timedelta(days=1)}"
    )
    assert res.context["page_obj"].paginator.count == 2
    assert AuditEvent.objects.count() > 2


def test_superuser_sees_everything_and_admin_link(client, county):
    from ..factories import make_user

    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    html = client.get("/console/").content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/console/audit/"' in html
    assert client.get("/console/audit/").status_code == 200
    assert client.get("/admin/").status_code == 200
