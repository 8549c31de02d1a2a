import random
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from gonghui.core import crypto
from gonghui.core.models import AuditEvent
from gonghui.core.validators import parse_id_number, validate_credit_code, validate_mobile
from gonghui.orgs.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from gonghui.orgs.demo.county import CountyPlan
from gonghui.orgs.demo.identifiers import Identifiers, org_code_check
from gonghui.orgs.domain.people import id_digest_for
from gonghui.orgs.enums import ChangeKind, MembershipStatus, Role
from gonghui.orgs.models import (
    Department,
    Enterprise,
    Membership,
    MembershipChange,
    OrgUnit,
    Person,
    RoleAssignment,
)
from gonghui.orgs.models.org import path_segment
from tests.conftest import fast_hashing

PEOPLE = 300
TRANSFERS = 12  # round(300 * 4 %)
WITHDRAWALS = 4  # round(300 * 1.5 %), rounded half to even


@pytest.fixture(scope="module")
def built_once(django_db_setup, django_db_blocker):
    """Build once for the module; everything is rolled back after it. The county and the parts
    the county's tests were written for; the contests', network's and learning's parts (other
    federations, more people) have tests of their own."""
    with django_db_blocker.unblock(), fast_hashing(), transaction.atomic():
        out = StringIO()
        call_command("demo", people=PEOPLE, upto="mentorship", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(built_once, db):
    return built_once


def test_demo_builds_the_county_tree(demo):
    kinds = Counter(OrgUnit.objects.values_list("kind", flat=True))
    assert kinds == {
        "county": 1, "town": 9, "area": 1, "industry": 1, "joint": 18, "grassroots": 132,
    }  # fmt: skip
    county = OrgUnit.objects.get(kind="county")
    assert (county.name, county.division_code, county.depth) == ("海盐县总工会", "330424", 0)
    towns = set(OrgUnit.objects.filter(kind="town").values_list("name", flat=True))
    assert towns == {
        "武原街道总工会", "西塘桥街道总工会", "望海街道总工会", "秦山街道总工会", "沈荡镇总工会",
        "百步镇总工会", "于城镇总工会", "澉浦镇总工会", "通元镇总工会",
    }  # fmt: skip
    for unit in OrgUnit.objects.select_related("parent"):
        parent_path = unit.parent.path if unit.parent else ""
        assert unit.path == parent_path + path_segment(unit.pk)
        assert unit.depth == (unit.parent.depth + 1 if unit.parent else 0)
    assert Department.objects.filter(org_unit=county).count() == 8
    assert Department.objects.filter(name="海盐县人力资源和社会保障局").exists()


def test_demo_enterprises_have_valid_credit_codes(demo):
    assert Enterprise.objects.count() == 400
    assert Enterprise.objects.values("name").distinct().count() == 400
    for ent in Enterprise.objects.select_related("union"):
        validate_credit_code(ent.credit_code)
        assert ent.credit_code[2:8] == "330424"
        assert ent.union.holds_members
    grassroots = OrgUnit.objects.filter(kind="grassroots")
    assert all(u.enterprises.count() == 1 for u in grassroots)
    assert grassroots.filter(name__endswith="有限公司工会").count() == 132


def test_demo_people_have_valid_numbers_and_one_active_membership(demo):
    assert Person.objects.count() == PEOPLE
    people = list(Person.objects.all())
    for person in people:
        info = parse_id_number(person.id_number)
        assert (info.sex, info.birth_date) == (person.sex, person.birth_date)
        assert info.division.startswith("3304")
        assert 1965 <= person.birth_date.year <= 2004
        assert person.id_digest == id_digest_for(person.id_type, person.id_number)
        assert 2 <= len(person.name) <= 3
        if person.mobile:
            validate_mobile(person.mobile)
            assert person.mobile_digest == crypto.digest(person.mobile)
    assert len({p.id_number for p in people}) == PEOPLE
    assert Counter(p.ethnicity for p in people).most_common(1)[0][0] == "汉族"
    assert 0.25 < sum(p.is_migrant_worker for p in people) / PEOPLE < 0.45
    assert all(p.household_type == "rural" for p in people if p.is_migrant_worker)

    statuses = Counter(Membership.objects.values_list("status", flat=True))
    assert statuses == {
        MembershipStatus.ACTIVE: PEOPLE,
        MembershipStatus.TRANSFERRED: TRANSFERS,
        MembershipStatus.WITHDRAWN: WITHDRAWALS,
    }
    active = Membership.objects.active().select_related("union", "enterprise")
    assert active.values("person").distinct().count() == PEOPLE
    assert active.values("card_number").distinct().count() == PEOPLE
    for m in active:
        assert m.union.holds_members
        assert m.enterprise.union_id == m.union_id
        assert m.card_number.startswith("330424")
    kinds = Counter(MembershipChange.objects.values_list("kind", flat=True))
    assert kinds == {
        ChangeKind.JOIN: PEOPLE - TRANSFERS + TRANSFERS + WITHDRAWALS,
        ChangeKind.TRANSFER: TRANSFERS,
        ChangeKind.WITHDRAW: WITHDRAWALS,
    }
    for change in MembershipChange.objects.filter(kind=ChangeKind.TRANSFER).select_related(
        "from_membership", "to_membership"
    ):
        old, new = change.from_membership, change.to_membership
        assert old.status == MembershipStatus.TRANSFERRED
        assert (old.left_on, old.card_number) == (new.joined_on, new.card_number)
        assert old.union_id != new.union_id
    assert AuditEvent.objects.filter(action="demo.load").count() == 1
    assert AuditEvent.objects.get(action="demo.load").after["people"] == PEOPLE


def test_demo_accounts_log_in_with_their_roles(demo, client):
    User = get_user_model()
    # Every account that can log in is a listed one (the evaluation demo adds enterprise
    # contacts without a password or mobile, to answer follow-ups on paper).
    can_log_in = sorted(u.username for u in User.objects.all() if u.has_usable_password())
    assert can_log_in == sorted(a.username for a in ACCOUNTS)
    for account in ACCOUNTS:
        assert client.login(mobile=account.mobile, password=DEMO_PASSWORD), account.username
        client.logout()
    roles = {
        (ra.user.username, ra.role, ra.org_unit.kind)
        for ra in RoleAssignment.objects.select_related("user", "org_unit").filter(
            user__username__in=[a.username for a in ACCOUNTS]
        )
    }
    assert roles == {
        ("county_staff", Role.FEDERATION_STAFF, "county"),
        ("wuyuan_staff", Role.FEDERATION_STAFF, "town"),
        ("union_officer", Role.UNION_OFFICER, "grassroots"),
        ("enterprise_contact", Role.ENTERPRISE_CONTACT, "grassroots"),
        ("dept_liaison", Role.DEPARTMENT_LIAISON, "county"),
        ("trainer", Role.TRAINER, "county"),
        ("auditor", Role.AUDITOR, "county"),
        ("security_admin", Role.SECURITY_ADMIN, "county"),
    }
    officer = RoleAssignment.objects.get(user__username="union_officer")
    contact = RoleAssignment.objects.get(user__username="enterprise_contact")
    assert officer.org_unit.parent.name == "武原街道总工会"
    assert contact.org_unit_id == officer.org_unit_id
    assert contact.enterprise.union_id == officer.org_unit_id
    liaison = RoleAssignment.objects.get(user__username="dept_liaison")
    assert liaison.department.name == "海盐县人力资源和社会保障局"
    assert User.objects.get(username="admin").is_superuser
    worker = User.objects.get(username="worker")
    assert worker.person.mobile == worker.mobile == "13900000008"
    assert worker.display_name == worker.person.name
    assert worker.person.memberships.active().get().enterprise_id == contact.enterprise_id
    demo_roles = RoleAssignment.objects.filter(user__username__in=[a.username for a in ACCOUNTS])
    assigned = AuditEvent.objects.filter(
        action="role.assign",
        object_id__in=[str(pk) for pk in demo_roles.values_list("pk", flat=True)],
    )
    assert assigned.count() == 8

    client.login(mobile="13900000002", password=DEMO_PASSWORD)
    body = client.get("/api/orgs/members?page_size=200").json()
    town = OrgUnit.objects.get(name="武原街道总工会")
    assert (
        body["count"]
        == Membership.objects.active().filter(union__path__startswith=town.path).count()
    )


def test_demo_if_empty_is_a_no_op_the_second_time(demo):
    counts = (OrgUnit.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    out = StringIO()
    call_command("demo", if_empty=True, people=PEOPLE, stdout=out)
    assert "already has org units" in out.getvalue()
    assert (OrgUnit.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == counts
    with pytest.raises(CommandError):
        call_command("demo", people=PEOPLE, stdout=StringIO())
    assert Person.objects.count() == PEOPLE


def test_same_seed_same_county():
    def names(seed):
        plan = CountyPlan(random.Random(seed), Identifiers(random.Random(seed)))
        return [u.name for u in plan.units], [e.credit_code for e in plan.enterprises]

    assert names(7) == names(7)
    assert names(7) != names(8)


def test_organisation_code_check_digit():
    # GB 11714: weights 3 7 9 10 5 8 4 2; 11 - sum mod 11, 10 → X, 11 → 0.
    assert org_code_check("00000000") == "0"
    assert org_code_check("10000000") == "8"
    assert org_code_check("40000000") == "X"  # 12 mod 11 = 1
    assert org_code_check("MA200000") == "0"  # M=22, A=10: 66 + 70 + 18 = 154 = 14 × 11


def test_member_list_name_prefix_matches_python_on_demo_data(demo):
    from gonghui.orgs.domain.queries import member_list

    staff = get_user_model().objects.get(username="county_staff")
    active = list(Membership.objects.active().select_related("person"))
    for prefix in ("王", "张", "陈", "欧"):
        expected = sorted((m.person.name, m.pk) for m in active if m.person.name.startswith(prefix))
        got = [(m.person.name, m.pk) for m in member_list(staff, name=prefix)]
        assert got == expected
