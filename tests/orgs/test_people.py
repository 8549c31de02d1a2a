import datetime as dt

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain.people import (
    correct_own_enterprise,
    register_member,
    reveal_pii,
    transfer_membership,
    update_person,
    withdraw_membership,
)
from gonghui.orgs.enums import ChangeKind, MembershipStatus
from gonghui.orgs.models import Membership, MembershipChange, Person

from ..factories import EnterpriseFactory, make_id_number


def _fields(**over):
    base = {
        "name": "王小明",
        "id_number": make_id_number(dt.date(1988, 3, 9), "M"),
        "mobile": "13600001234",
        "ethnicity": "汉族",
        "education": "college",
    }
    return base | over


def test_register_member_derives_sex_and_birth_and_logs_join(county):
    t = county
    staff = t.users["union_officer_a"]
    m = register_member(
        t.union_a, actor=staff, joined_on=dt.date(2024, 1, 5), enterprise=t.ent_a,
        card_number="HY0001", **_fields(),
    )  # fmt: skip
    person = m.person
    assert (person.sex, person.birth_date) == ("M", dt.date(1988, 3, 9))
    assert m.status == MembershipStatus.ACTIVE
    change = MembershipChange.objects.get(person=person)
    assert (change.kind, change.date, change.to_membership_id) == (
        "join",
        dt.date(2024, 1, 5),
        m.pk,
    )
    assert AuditEvent.objects.filter(action="membership.join", object_id=str(m.pk)).count() == 1


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"id_number": "330424198803090011"}, "身份证号码校验位错误"),
        ({"sex": "F"}, "性别与身份证号码不符（应为男）"),
        ({"birth_date": dt.date(1988, 3, 10)}, "出生日期与身份证号码不符（应为1988-03-09）"),
        ({"mobile": "1360000123"}, "手机号码应为以1开头的11位数字"),
        ({"name": " "}, "姓名不能为空"),
        ({"ethnicity": "火星族"}, "民族无效，请填写如“汉族”的全称"),
    ],
)
def test_register_member_rejects_bad_input_and_writes_nothing(county, over, message):
    t = county
    before = (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        register_member(
            t.union_a, actor=t.users["union_officer_a"], joined_on=dt.date(2024, 1, 5),
            **_fields(**over),
        )  # fmt: skip
    assert message in exc.value.message
    after = (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_one_person_one_active_membership(county):
    t = county
    person = t.member_a.person
    with pytest.raises(DomainError) as exc:
        register_member(
            t.union_b, actor=t.users["federation_staff"], joined_on=dt.date(2024, 1, 5),
            name=person.name, id_number=person.id_number,
        )  # fmt: skip
    assert exc.value.message == "张三已是在会会员；如需变更所在工会请办理转会"
    assert Membership.objects.filter(person=person).count() == 1


def test_register_member_out_of_scope_is_refused(county):
    t = county
    with pytest.raises(PermissionDeniedError):
        register_member(
            t.union_b, actor=t.users["union_officer_a"], joined_on=dt.date(2024, 1, 5),
            **_fields(),
        )  # fmt: skip
    assert not Person.objects.filter(name="王小明").exists()


def test_transfer_is_recorded_not_overwritten(county):
    t = county
    old = t.member_a
    new = transfer_membership(
        old, to_union=t.union_b, actor=t.users["federation_staff"], date=dt.date(2025, 2, 1),
        reason="工作调动", enterprise=t.ent_b,
    )  # fmt: skip
    old.refresh_from_db()
    assert (old.status, old.left_on) == (MembershipStatus.TRANSFERRED, dt.date(2025, 2, 1))
    assert (new.status, new.union, new.person_id) == ("active", t.union_b, old.person_id)
    change = MembershipChange.objects.get(kind=ChangeKind.TRANSFER)
    assert (change.from_membership, change.to_membership, change.reason) == (old, new, "工作调动")
    assert Membership.objects.filter(person=old.person).count() == 2


def test_transfer_needs_both_ends_in_scope(county):
    t = county
    with pytest.raises(PermissionDeniedError) as exc:
        transfer_membership(
            t.member_a, to_union=t.union_b, actor=t.users["town_staff_a"],
            date=dt.date(2025, 2, 1),
        )  # fmt: skip
    assert exc.value.message == "无权将会员转入该组织"
    t.member_a.refresh_from_db()
    assert t.member_a.status == "active"


def test_withdraw_then_cannot_withdraw_again(county):
    t = county
    staff = t.users["union_officer_a"]
    withdraw_membership(t.member_a, actor=staff, date=dt.date(2025, 3, 1), reason="退休")
    with pytest.raises(DomainError) as exc:
        withdraw_membership(t.member_a, actor=staff, date=dt.date(2025, 3, 2))
    assert exc.value.message == "该会籍已不是在会状态"
    assert MembershipChange.objects.filter(kind="withdraw").count() == 1


def test_worker_corrects_own_profile_only(county):
    t = county
    person = t.member_a.person
    update_person(person, actor=t.worker_a, self_service=True, mobile="13711112222")
    person.refresh_from_db()
    assert person.mobile == "13711112222"
    with pytest.raises(DomainError) as exc:
        update_person(person, actor=t.worker_a, self_service=True, name="改名")
    assert exc.value.message == "以下信息须由工会办理修改：name"
    with pytest.raises(PermissionDeniedError):
        update_person(t.member_b.person, actor=t.worker_a, self_service=True, mobile="13711113333")


def test_worker_corrects_own_enterprise_within_union(county):
    t = county
    other = EnterpriseFactory(union=t.union_a)
    correct_own_enterprise(t.member_a, actor=t.worker_a, enterprise=other)
    t.member_a.refresh_from_db()
    assert t.member_a.enterprise == other
    with pytest.raises(DomainError) as exc:
        correct_own_enterprise(t.member_a, actor=t.worker_a, enterprise=t.ent_b)
    assert exc.value.message == "工作单位不属于该基层工会"


def test_reveal_pii_is_audited_and_scoped(county):
    t = county
    person = t.member_a.person
    assert reveal_pii(person, actor=t.users["union_officer_a"], field="id_number") == (
        person.id_number
    )
    event = AuditEvent.objects.get(action="pii.view", result="ok")
    assert (event.object_id, event.detail) == (str(person.pk), "id_number")
    for name in ("auditor", "enterprise_contact_a", "town_staff_a"):
        actor = t.users[name]
        if name == "town_staff_a":
            assert reveal_pii(person, actor=actor, field="mobile") == person.mobile
            continue
        with pytest.raises(PermissionDeniedError):
            reveal_pii(person, actor=actor, field="mobile")
    with pytest.raises(PermissionDeniedError):
        reveal_pii(t.member_b.person, actor=t.users["town_staff_a"], field="mobile")
    assert AuditEvent.objects.filter(action="pii.view", result="denied").count() == 3
