"""Walk every API operation with every role against records outside the role's subtree.

A second county (平湖, every name containing "平湖") sits beside the fixture county
(海盐). No role held in 海盐 may read anything of 平湖 or change it: every response is
checked not to contain "平湖", and every table is compared before and after each write.
The list of operations below must cover the OpenAPI schema, so a new endpoint cannot
slip past this test.
"""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from gonghui.core.actors import SYSTEM
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.domain.units import register_department
from gonghui.orgs.enums import OrgKind, Role
from gonghui.orgs.models import (
    ApiToken,
    Department,
    Enterprise,
    Membership,
    MembershipChange,
    OrgUnit,
    Person,
    RoleAssignment,
)
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import (
    Certificate,
    CheckIn,
    Consultation,
    Course,
    Demand,
    DemandItem,
    Enrollment,
    Notification,
    Opinion,
    Session,
    Skill,
    Trainer,
    TrainingPlan,
    Venue,
)

from .. import walk_extensions
from ..factories import (
    EnterpriseFactory,
    MembershipFactory,
    PersonFactory,
    make_id_number,
    org_unit,
    user_with_role,
)

MARK = "平湖"


@pytest.fixture
def world(county):
    t = county
    root = org_unit(None, OrgKind.COUNTY, "平湖市总工会")
    town = org_unit(root, OrgKind.TOWN, "平湖当湖街道总工会")
    union = org_unit(town, OrgKind.GRASSROOTS, "平湖某厂工会")
    ent = EnterpriseFactory(union=union, name="平湖某厂有限公司")
    dept = register_department(root, name="平湖市人社局", actor=SYSTEM)
    member = MembershipFactory(union=union, enterprise=ent, person=PersonFactory(name="平湖甲"))
    other_staff = user_with_role(Role.FEDERATION_STAFF, root, username="平湖staff")
    role = RoleAssignment.objects.get(user=other_staff)
    token, _ = issue_api_token(root, name="平湖系统", role=Role.AUDITOR, actor=SYSTEM)
    t.other = dict(
        root=root, town=town, union=union, ent=ent, dept=dept, member=member,
        person=member.person, role=role, token=token, user=other_staff,
    )  # fmt: skip
    _tok, key = issue_api_token(t.town_a, name="海盐接入", role=Role.FEDERATION_STAFF, actor=SYSTEM)
    t.token_key = key
    _training(t.other)
    walk_extensions.build(t.other)
    return t


def _training(o):
    """A 平湖 plan under consultation, with a course, a session and an opinion."""
    # The catalogue is shared by every county: its test skill carries no county name.
    skill = Skill.objects.create(name="特色技能甲", category="测试")
    trainer = Trainer.objects.create(name="平湖讲师", org_unit=o["root"])
    venue = Venue.objects.create(name="平湖阵地", address="平湖", capacity=50, org_unit=o["root"])
    plan = TrainingPlan.objects.create(
        title="平湖培训班", org_unit=o["root"], skill=skill, level="l5", capacity=10,
        state=PlanState.CONSULTATION, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=90,
    )  # fmt: skip
    course = Course.objects.create(plan=plan, title="平湖课程", hours=2)
    start = timezone.now() + dt.timedelta(days=30)
    session = Session.objects.create(
        plan=plan, trainer=trainer, venue=venue, course=course, starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )  # fmt: skip
    consultation = Consultation.objects.create(plan=plan, opens_at=timezone.now(), closes_at=start)
    opinion = Opinion.objects.create(
        consultation=consultation, party="worker", person=o["person"], stance="comment",
        text="平湖职工的建议",
    )  # fmt: skip
    enrollment = Enrollment.objects.create(
        plan=plan, person=o["person"], status=EnrollmentStatus.ENROLLED, seat=1
    )
    o.update(skill=skill, trainer=trainer, venue=venue, plan=plan, opinion=opinion,
             course=course, enrollment=enrollment)  # fmt: skip
    demand = Demand.objects.create(
        party="worker", org_unit=o["union"], area=o["town"], person=o["person"], skill=skill,
        free_text="平湖职工想学的", status="matched", match_method="auto",
    )  # fmt: skip
    item = DemandItem.objects.create(skill=skill, level="l5", area=o["town"], worker_count=1)
    demand.item = item
    demand.save(update_fields=["item"])
    certificate = Certificate.objects.create(
        person=o["person"], plan=plan, skill=skill, level="l5", number="平湖-0001",
        issuer="平湖市人社局", issued_on=dt.date(2025, 1, 1),
    )  # fmt: skip
    notification = Notification.objects.create(person=o["person"], kind="enrolled",
                                               text="平湖职工的消息")  # fmt: skip
    o.update(demand=demand, item=item, certificate=certificate, notification=notification,
             session=session)  # fmt: skip


def _operations(o):
    """(method, path, json body) for every API operation, aimed at 平湖's records."""
    return [
        ("GET", "/api/me", None),
        ("GET", "/api/orgs/units", None),
        ("GET", f"/api/orgs/units/{o['union'].pk}", None),
        ("POST", "/api/orgs/units",
         {"parent_id": o["town"].pk, "name": "越权工会", "kind": "grassroots"}),
        ("DELETE", f"/api/orgs/units/{o['union'].pk}", None),
        ("GET", "/api/orgs/enterprises", None),
        ("POST", "/api/orgs/enterprises",
         {"union_id": o["union"].pk, "name": "越权企业", "credit_code": "91350100M000100Y43"}),
        ("GET", "/api/orgs/members", None),
        ("GET", f"/api/orgs/members?union_id={o['union'].pk}", None),
        ("GET", f"/api/orgs/members/{o['member'].pk}", None),
        ("POST", "/api/orgs/members",
         {"union_id": o["union"].pk, "joined_on": "2025-01-01", "name": "越权",
          "id_number": make_id_number(dt.date(1990, 2, 2), "M")}),
        ("POST", f"/api/orgs/members/{o['member'].pk}/transfer",
         {"to_union_id": o["union"].pk, "date": "2025-01-01"}),
        ("POST", f"/api/orgs/members/{o['member'].pk}/withdraw", {"date": "2025-01-01"}),
        ("GET", f"/api/orgs/people/{o['person'].pk}/pii?field=id_number", None),
        ("GET", f"/api/orgs/people/{o['person'].pk}/pii?field=mobile", None),
        ("GET", "/api/orgs/roles", None),
        ("POST", "/api/orgs/roles",
         {"user_id": o["user"].pk, "role": "auditor", "org_unit_id": o["root"].pk}),
        ("DELETE", f"/api/orgs/roles/{o['role'].pk}", None),
        ("GET", "/api/orgs/tokens", None),
        ("POST", "/api/orgs/tokens",
         {"name": "越权令牌", "org_unit_id": o["root"].pk, "role": "auditor"}),
        ("POST", f"/api/orgs/tokens/{o['token'].pk}/revoke", None),
        ("GET", "/api/training/skills?q=平湖", None),
        ("GET", "/api/training/plans", None),
        ("GET", f"/api/training/plans/{o['plan'].pk}", None),
        ("POST", "/api/training/plans",
         {"org_unit_id": o["root"].pk, "title": "越权方案", "skill_id": o["skill"].pk,
          "level": "l5", "capacity": 5, "target_completion_rate": 1,
          "target_certification_rate": 1, "target_satisfaction": 1}),
        ("POST", f"/api/training/plans/{o['plan'].pk}/courses", {"title": "越权", "hours": 1}),
        ("POST", f"/api/training/plans/{o['plan'].pk}/sessions",
         {"trainer_id": o["trainer"].pk, "venue_id": o["venue"].pk,
          "starts_at": "2030-01-01T09:00:00+08:00", "ends_at": "2030-01-01T10:00:00+08:00"}),
        ("POST", f"/api/training/sessions/{o['session'].pk}/reschedule",
         {"starts_at": "2030-01-02T09:00:00+08:00", "ends_at": "2030-01-02T10:00:00+08:00",
          "reason": "越权"}),
        ("POST", f"/api/training/plans/{o['plan'].pk}/revisions",
         {"reason": "越权", "capacity": 99}),
        ("GET", f"/api/training/plans/{o['plan'].pk}/versions", None),
        ("POST", f"/api/training/plans/{o['plan'].pk}/consultation",
         {"closes_at": "2030-01-01T09:00:00+08:00"}),
        ("POST", f"/api/training/plans/{o['plan'].pk}/opinions",
         {"stance": "object", "text": "越权意见"}),
        ("GET", f"/api/training/plans/{o['plan'].pk}/opinions", None),
        ("POST", f"/api/training/opinions/{o['opinion'].pk}/reply", {"reply": "越权答复"}),
        ("GET", f"/api/training/plans/{o['plan'].pk}/consultation-summary", None),
        ("POST", f"/api/training/plans/{o['plan'].pk}/transitions",
         {"action": "approve", "close_early": True}),
        ("POST", f"/api/training/plans/{o['plan'].pk}/transitions",
         {"action": "cancel", "reason": "越权"}),
        ("GET", "/api/training/public/plans", None),
        ("GET", f"/api/training/public/plans/{o['plan'].pk}/timeline", None),
        ("POST", f"/api/training/plans/{o['plan'].pk}/enrollments", {}),
        ("POST", f"/api/training/plans/{o['plan'].pk}/enrollments",
         {"person_id": o["person"].pk}),
        ("POST", f"/api/training/enrollments/{o['enrollment'].pk}/cancel", {"reason": "越权"}),
        # Demands: the worker variant of POST /demands only ever writes the caller's own
        # demand (no record to aim at); the enterprise and department ones are aimed here.
        ("POST", "/api/training/demands",
         {"party": "enterprise", "enterprise_id": o["ent"].pk, "skill_id": o["skill"].pk,
          "headcount": 3, "level": "l5", "deadline": "2030-01-01"}),
        ("POST", "/api/training/demands",
         {"party": "department", "department_id": o["dept"].pk, "skill_id": o["skill"].pk,
          "target_number": 3, "subsidy_per_person": "100", "policy_basis": "越权",
          "deadline": "2030-01-01"}),
        ("GET", "/api/training/demands", None),
        ("GET", "/api/training/demands?mine=true", None),
        ("GET", f"/api/training/demands/{o['demand'].pk}", None),
        ("POST", f"/api/training/demands/{o['demand'].pk}/withdraw", None),
        ("POST", f"/api/training/demands/{o['demand'].pk}/map", {"skill_id": o["skill"].pk}),
        ("POST", "/api/training/demand-items/rebuild", None),
        ("GET", "/api/training/demand-items", None),
        ("GET", f"/api/training/demand-items/{o['item'].pk}", None),
        ("GET", f"/api/training/demand-items/{o['item'].pk}/profile", None),
        ("GET", f"/api/training/demand-items/{o['item'].pk}/demands", None),
        ("POST", f"/api/training/sessions/{o['session'].pk}/checkin", {"code": "AAAAAAAA"}),
        ("POST", f"/api/training/sessions/{o['session'].pk}/manual-checkins",
         {"person_id": o["person"].pk, "reason": "越权"}),
        ("GET", f"/api/training/plans/{o['plan'].pk}/attendance", None),
        ("GET", "/api/training/certificates", None),
        ("POST", "/api/training/certificates",
         {"person_id": o["person"].pk, "plan_id": o["plan"].pk, "skill_id": o["skill"].pk,
          "level": "l5", "number": "越权-1", "issuer": "越权", "issued_on": "2025-01-01"}),
        ("GET", "/api/training/me/growth", None),
        ("GET", "/api/training/me/notifications", None),
        ("GET", "/api/training/me/notifications/unread", None),
        ("POST", f"/api/training/me/notifications/{o['notification'].pk}/read", None),
        # Imports travel as multipart uploads: (file name, bytes) is sent as a file.
        ("POST", "/api/training/demands/import",
         {"enterprise_id": o["ent"].pk,
          "file": ("需求.xlsx", _xlsx(["技能", "人数", "等级", "期限", "工作时间可脱产"],
                                      ["特色技能甲", 3, "初级", "2030-01-01", "是"]))}),
        ("POST", "/api/training/certificates/import",
         {"file": ("证书.xlsx", _xlsx(["姓名", "证件号码", "技能", "等级", "证书编号", "发证机构",
                                       "发证日期"],
                                      [o["person"].name, o["person"].id_number, "特色技能甲",
                                       "初级", "越权-2", "越权", "2025-01-01"]))}),
        *walk_extensions.operations(o),
    ]  # fmt: skip


def _fingerprint():
    models = [OrgUnit, Enterprise, Department, Person, Membership, MembershipChange,
              RoleAssignment, Enrollment, Notification, Demand, DemandItem, Certificate,
              CheckIn, *walk_extensions.models()]  # fmt: skip
    rows = {m.__name__: sorted(m.objects.values_list()) for m in models}
    rows["ApiToken"] = sorted(ApiToken.objects.values_list("id", "name", "revoked_at"))
    return rows


#: Imports whose targets are named inside the file: refusing them row by row (400, nothing
#: written, no neighbour's data in the answer) is as good as a 403.
#: Endpoints that name another county's rows in their body: refused with 400 and the reason
#: per row ("不存在或不在您的范围内"), nothing written (the fingerprint is checked).
REFUSED_BY_ROW = {
    "/api/training/certificates/import", "/api/training/plans/propose",
    "/api/training/trainers/import", "/api/training/outcomes/import",
}  # fmt: skip


def _xlsx(headers: list, row: list) -> bytes:
    wb = Workbook()
    wb.active.append(headers)
    wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _call(client, method, path, body, headers):
    if method == "GET":
        return client.get(path, **headers)
    if method == "DELETE":
        return client.delete(path, **headers)
    files = {k: SimpleUploadedFile(v[0], v[1]) for k, v in (body or {}).items()
             if isinstance(v, tuple)}  # fmt: skip
    if files:
        return client.post(path, {**body, **files}, **headers)
    return client.post(path, body or {}, content_type="application/json", **headers)


def test_walk_covers_every_api_operation(client, world):
    schema = client.get("/api/openapi.json").json()
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, ops in schema["paths"].items()
        for method in ops
    }
    walked = {
        (method, re.sub(r"/\d+(?=/|$)", "/{}", path.split("?")[0]))
        for method, path, _ in _operations(world.other)
    }
    assert documented == walked


ROLE_USERS = [
    "federation_staff", "town_staff_a", "union_officer_a", "enterprise_contact_a",
    "department_liaison", "trainer", "auditor", "worker_a", "nobody",
]  # fmt: skip


@pytest.mark.parametrize("who", [*ROLE_USERS, "api_token", "anonymous"])
def test_nothing_outside_the_subtree_is_readable_or_writable(client, world, who):
    headers = {}
    if who == "api_token":
        headers = {"HTTP_AUTHORIZATION": f"Bearer {world.token_key}"}
    elif who != "anonymous":
        client.force_login(world.users[who])
    for method, path, body in _operations(world.other):
        before = _fingerprint()
        res = _call(client, method, path, body, headers)
        text = res.content.decode(errors="replace")  # an error workbook is binary
        assert MARK not in text, (who, method, path, res.status_code, text[:300])
        if method != "GET":
            allowed = (401, 403, 404, 400) if path in REFUSED_BY_ROW else (401, 403, 404)
            assert res.status_code in allowed, (who, method, path, res.status_code, text)
            assert _fingerprint() == before, (who, method, path)
        elif "{" not in path and path.rstrip("/").split("/")[-1].isdigit():
            assert res.status_code in (401, 403, 404), (who, method, path)


def test_in_scope_lists_match_restrict(client, world):
    """The positive side: each role's API lists are exactly its restricted querysets."""
    for who in ROLE_USERS:
        user = world.users[who]
        client.force_login(user)
        for path, qs, key in (
            ("/api/orgs/units?page_size=200", OrgUnit.objects.restrict(user), "id"),
            ("/api/orgs/members?page_size=200", Membership.objects.restrict(user).active(), "id"),
            ("/api/orgs/enterprises?page_size=200", Enterprise.objects.restrict(user), "id"),
        ):
            res = client.get(path)
            assert res.status_code == 200, (who, path)
            got = sorted(item[key] for item in res.json()["items"])
            assert got == sorted(qs.values_list("pk", flat=True)), (who, path)
    expected_members = {
        "federation_staff": 2, "town_staff_a": 1, "union_officer_a": 1,
        "enterprise_contact_a": 1, "auditor": 2, "worker_a": 1,
        "department_liaison": 0, "trainer": 0, "nobody": 0,
    }  # fmt: skip
    for who, n in expected_members.items():
        assert Membership.objects.restrict(world.users[who]).count() == n, who
