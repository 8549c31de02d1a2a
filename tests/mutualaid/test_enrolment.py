"""Group enrolment: picked members or a roster workbook, rejections with reasons,
consecutive periods."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain.enrolment import (
    candidates_from_people,
    candidates_from_xlsx,
    enrol_group,
)
from gonghui.mutualaid.domain.queries import member_history
from gonghui.mutualaid.models import AidEnrollment, GroupEnrolment
from gonghui.orgs.models import Person
from tests.factories import MembershipFactory, PersonFactory

from .factories import period, programme

OPEN_DAY = dt.date(2026, 1, 10)
NOT_MATCHED = "本工会没有与该姓名、证件号码相符的在会会员"


@pytest.fixture
def setup(county):
    county.programme = programme(county.county)
    county.period = period(county.programme)
    county.woman = MembershipFactory(union=county.union_a, enterprise=county.ent_a,
                                     person=PersonFactory(name="王芳", sex="F"))  # fmt: skip
    return county


def _enrol(t, ids, **kw):
    kw.setdefault("today", OPEN_DAY)
    people = candidates_from_people(t.union_a, ids)
    return enrol_group(t.period, union=t.union_a, candidates=people, payment_reference="JF-001",
                       actor=t.users["union_officer_a"], **kw)  # fmt: skip


def test_picked_members_are_enrolled_and_others_rejected_with_reasons(setup):
    t = setup
    group = _enrol(t, [t.member_a.person_id, t.woman.person_id, t.member_b.person_id])
    assert group.accepted == 2
    assert group.amount_paid == D("100.00")
    assert group.rejections == [
        {"name": "李四", "id": t.member_b.person.id_number_masked, "reason": NOT_MATCHED}
    ]
    assert sorted(AidEnrollment.objects.values_list("person__name", flat=True)) == ["张三", "王芳"]
    with pytest.raises(DomainError) as err:
        _enrol(t, [t.member_a.person_id])
    masked = t.member_a.person.id_number_masked
    assert err.value.message == f"没有会员通过核验，参互名单未提交（张三 {masked}：已参加本期互助）"
    assert AidEnrollment.objects.count() == 2
    assert GroupEnrolment.objects.count() == 1


def test_female_only_programme(setup):
    t = setup
    t.programme.eligibility = "female_members"
    t.programme.save(update_fields=["eligibility"])
    group = _enrol(t, [t.member_a.person_id, t.woman.person_id])
    assert group.accepted == 1
    assert group.rejections[0]["reason"] == "本项目仅限女职工参加"


def test_outside_the_window_nobody_joins_unless_the_rulebook_allows(setup):
    t = setup
    with pytest.raises(DomainError) as err:
        _enrol(t, [t.member_a.person_id], today=dt.date(2026, 5, 1))
    assert err.value.message == "不在本期参互时间内（2025-12-01 至 2026-01-31）"
    assert GroupEnrolment.objects.count() == 0
    book = t.period.rulebook
    book.rules = {**book.rules, "allow_mid_period_join": True}
    book.save(update_fields=["rules"])
    t.period.refresh_from_db()
    assert _enrol(t, [t.member_a.person_id], today=dt.date(2026, 5, 1)).accepted == 1


def test_officer_of_another_union_may_not_enrol(setup):
    t = setup
    with pytest.raises(PermissionDeniedError):
        enrol_group(t.period, union=t.union_b, candidates=candidates_from_people(
            t.union_b, [t.member_b.person_id]), payment_reference="x",
            actor=t.users["union_officer_a"], today=OPEN_DAY)  # fmt: skip
    assert AidEnrollment.objects.count() == 0


def test_consecutive_periods_continue_the_run(setup):
    t = setup
    _enrol(t, [t.member_a.person_id, t.woman.person_id])
    p2 = period(t.programme, number=2, year=2027)
    enrol_group(p2, union=t.union_a, candidates=candidates_from_people(t.union_a,
                [t.member_a.person_id]), payment_reference="JF-2",
                actor=t.users["union_officer_a"], today=dt.date(2027, 1, 5))  # fmt: skip
    p3 = period(t.programme, number=3, year=2028)
    enrol_group(p3, union=t.union_a, candidates=candidates_from_people(t.union_a,
                [t.member_a.person_id, t.woman.person_id]), payment_reference="JF-3",
                actor=t.users["union_officer_a"], today=dt.date(2028, 1, 5))  # fmt: skip
    history = member_history(t.member_a.person_id)
    assert [(e.period.number, e.consecutive_periods) for e in history] == [(3, 3), (2, 2), (1, 1)]
    # 王芳 missed period 2: her run starts again.
    assert [e.consecutive_periods for e in member_history(t.woman.person_id)] == [1, 1]


def _workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_roster_workbook(setup):
    t = setup
    a = t.member_a.person
    data = _workbook([[a.name, a.id_number], ["冒名", t.woman.person.id_number],
                      ["查无此人", "330424199001010000"]])  # fmt: skip
    officer = t.users["union_officer_a"]
    candidates = candidates_from_xlsx(data, among=Person.objects.restrict(officer))
    group = enrol_group(t.period, union=t.union_a, candidates=candidates, source="xlsx",
                        payment_reference="JF-9", actor=officer, today=OPEN_DAY)  # fmt: skip
    assert group.accepted == 1
    assert [r["reason"] for r in group.rejections] == [NOT_MATCHED, NOT_MATCHED]
    assert group.rejections[1]["id"] == "3304**********0000"


def test_roster_rows_read_alike_whether_the_id_exists_or_the_name_matches(setup):
    """Issue 12 item 2: an unknown ID, a wrong name for a real ID, a person outside the
    officer's scope (李四, 基层工会B, given by his true name) and one inside the scope but not
    a member of this union all get the same reason; the outside person is not even found."""
    t = setup
    officer = t.users["union_officer_a"]
    b = t.member_b.person
    outsider_in_scope = PersonFactory(name="钱七")  # in nobody's union: visible to nobody
    data = _workbook([["冒名", t.woman.person.id_number], ["查无此人", "330424199001010000"],
                      [b.name, b.id_number], [outsider_in_scope.name,
                                              outsider_in_scope.id_number]])  # fmt: skip
    candidates = candidates_from_xlsx(data, among=Person.objects.restrict(officer))
    assert [(c.name, c.person, c.reason) for c in candidates] == [
        ("冒名", None, NOT_MATCHED), ("查无此人", None, NOT_MATCHED),
        ("李四", None, NOT_MATCHED), ("钱七", None, NOT_MATCHED),
    ]  # fmt: skip
    # The county's staff see 李四, who is no member of 基层工会A: the same reason again.
    staff = t.users["federation_staff"]
    found = candidates_from_xlsx(_workbook([[b.name, b.id_number]]),
                                 among=Person.objects.restrict(staff))  # fmt: skip
    assert found[0].person == b
    with pytest.raises(DomainError) as err:
        enrol_group(t.period, union=t.union_a, candidates=found, source="xlsx",
                    payment_reference="JF-10", actor=staff, today=OPEN_DAY)  # fmt: skip
    assert err.value.message == (
        f"没有会员通过核验，参互名单未提交（李四 {b.id_number_masked}：{NOT_MATCHED}）"
    )


def test_nobody_accepted_writes_nothing(setup):
    t = setup
    officer = t.users["union_officer_a"]
    rows = [[f"查无{i}", f"33042419900101{i:04d}"] for i in range(7)]
    candidates = candidates_from_xlsx(_workbook(rows), among=Person.objects.restrict(officer))
    with pytest.raises(DomainError) as err:
        enrol_group(t.period, union=t.union_a, candidates=candidates, source="xlsx",
                    payment_reference="JF-11", actor=officer, today=OPEN_DAY)  # fmt: skip
    assert err.value.code == "empty"
    assert err.value.message.endswith(f"查无4 3304**********0004：{NOT_MATCHED}等 7 人）")
    assert GroupEnrolment.objects.count() == 0
    assert AidEnrollment.objects.count() == 0
    assert AuditEvent.objects.filter(action="mutualaid.group.enrol").count() == 0
