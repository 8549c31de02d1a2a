"""Issue 12 item 9: separation of duties. Security roles (auditor, security administrator)
are granted only by a security administrator, never to oneself; every grant and revoke is
audited and the security administrators are notified. The defect was found over HTTP
(town staff granted themselves the auditor role and read the audit log), so is tested so."""

import pytest

from gonghui.accounts.sms import MemorySender
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.access import assign_role, issue_api_token, revoke_role
from gonghui.orgs.enums import Role
from gonghui.orgs.models import ApiToken, RoleAssignment

from ..factories import PASSWORD, make_user, user_with_role
from ..live import LiveSession


@pytest.fixture
def notices(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()
    yield MemorySender.notices
    MemorySender.notices.clear()


def _counts():
    return RoleAssignment.objects.count(), AuditEvent.objects.filter(action="role.assign").count()


@pytest.mark.django_db(transaction=True)
def test_town_staff_cannot_make_themselves_auditor_over_http(live_server, county, notices):
    t = county
    staff = t.users["town_staff_a"]
    s = LiveSession(live_server.url)
    assert s.login(staff.mobile, PASSWORD).status == 200
    before = _counts()
    res = s.request(
        "POST", "/api/orgs/roles",
        json_body={"user_id": staff.pk, "role": "auditor", "org_unit_id": t.town_a.pk},
    )  # fmt: skip
    assert res.status == 403
    assert res.json()["error"]["message"] == "不能为自己授予角色"
    # Nor for someone else: only a security administrator grants the auditor role.
    res = s.request(
        "POST", "/api/orgs/roles",
        json_body={"user_id": t.users["nobody"].pk, "role": "auditor",
                   "org_unit_id": t.town_a.pk},
    )  # fmt: skip
    assert res.status == 403
    assert res.json()["error"]["message"] == "审计员、安全管理员等安全角色只能由安全管理员授予"
    assert _counts() == before
    assert s.get("/console/audit/").status == 403
    assert notices == []


@pytest.mark.django_db(transaction=True)
def test_console_form_does_not_offer_security_roles_to_staff(live_server, county):
    t = county
    s = LiveSession(live_server.url)
    assert s.login(t.users["town_staff_a"].mobile, PASSWORD).status == 200
    page = s.get("/console/roles/")
    assert page.status == 200
    assert 'value="auditor"' not in page.body and 'value="security_admin"' not in page.body
    assert 'value="union_officer"' in page.body
    before = _counts()
    res = s.post_form(
        "/console/roles/",
        {"username": "town_staff_a", "role": "auditor", "org_unit": t.town_a.pk},
    )
    assert res.status == 400
    assert _counts() == before


def test_security_admin_grants_auditor_audited_and_notified(
    county, notices, django_capture_on_commit_callbacks
):
    t = county
    sec = user_with_role(Role.SECURITY_ADMIN, t.county, username="sec", mobile="13955550001")
    other_sec = user_with_role(
        Role.SECURITY_ADMIN, t.town_b, username="sec_b", mobile="13955550002"
    )
    target = make_user("newauditor", display_name="新审计员")
    with django_capture_on_commit_callbacks(execute=True):
        ra = assign_role(target, role=Role.AUDITOR, org_unit=t.town_a, actor=sec)
    event = AuditEvent.objects.get(action="role.assign", object_id=str(ra.pk))
    assert event.actor_id == sec.pk
    assert event.after == {"user": target.pk, "role": "auditor", "org_unit": t.town_a.pk}
    # Only the security administrator whose scope holds 武原街道 (not 沈荡镇's).
    text = (
        "【工会数智治理平台】(sec)在武原街道总工会授予了"
        + "新审计员(newauditor)的“审计员（只读）”角色。"
    )
    assert notices == [("13955550001", text)]
    assert other_sec.mobile not in [m for m, _ in notices]
    # A security administrator cannot grant themselves anything, nor ordinary roles.
    with pytest.raises(PermissionDeniedError) as exc:
        assign_role(sec, role=Role.AUDITOR, org_unit=t.county, actor=sec)
    assert exc.value.message == "不能为自己授予角色"
    with pytest.raises(PermissionDeniedError) as exc:
        assign_role(target, role=Role.FEDERATION_STAFF, org_unit=t.town_a, actor=sec)
    assert exc.value.message == "无权在该组织授予角色"
    # Revoking a security role: a security administrator only; audited and notified.
    with pytest.raises(PermissionDeniedError):
        revoke_role(ra, actor=t.users["federation_staff"])
    ra_pk = ra.pk
    with django_capture_on_commit_callbacks(execute=True):
        revoke_role(ra, actor=sec)
    assert AuditEvent.objects.filter(action="role.revoke", object_id=str(ra_pk)).count() == 1
    assert len(notices) == 2 and "撤销了新审计员(newauditor)" in notices[1][1]


def test_federation_staff_still_grant_ordinary_roles(
    county, notices, django_capture_on_commit_callbacks
):
    t = county
    target = make_user("officer_new")
    admin = make_user("root", mobile="13955550009", is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        ra = assign_role(
            target, role=Role.UNION_OFFICER, org_unit=t.union_a, actor=t.users["town_staff_a"]
        )
    assert ra.role == Role.UNION_OFFICER
    # No security administrator holds 基层工会A: the superusers are told instead.
    assert [m for m, _ in notices] == [admin.mobile]


def test_auditor_token_needs_a_security_admin(county):
    with pytest.raises(PermissionDeniedError) as exc:
        issue_api_token(
            county.town_a, name="审计接口", role=Role.AUDITOR, actor=county.users["town_staff_a"]
        )
    assert exc.value.message == "以审计员身份访问的令牌只能由安全管理员签发"
    assert ApiToken.objects.count() == 0
