"""Group enrolment: picked members or a roster workbook, rejections with reasons,
consecutive periods."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from gonghui.mutualaid.domain.enrolment import (
    candidates_from_people,
    candidates_from_xlsx,
    enrol_group,
)
from gonghui.mutualaid.domain.queries import member_history
from gonghui.mutualaid.models import AidEnrollment, GroupEnrolment
from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from tests.factories import MembershipFactory, PersonFactory

from .factories import period, programme

OPEN_DAY = dt.date(2026, 1, 10)


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
        {"name": "李四", "id": t.member_b.person.id_number_masked, "reason": "不是本工会在会会员"}
    ]
    assert sorted(AidEnrollment.objects.values_list("person__name", flat=True)) == ["张三", "王芳"]
    again = _enrol(t, [t.member_a.person_id])
    assert (again.accepted, again.rejections[0]["reason"]) == (0, "已参加本期互助")
    assert AidEnrollment.objects.count() == 2


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
    candidates = candidates_from_xlsx(data)
    group = enrol_group(t.period, union=t.union_a, candidates=candidates, source="xlsx",
                        payment_reference="JF-9", actor=t.users["union_officer_a"],
                        today=OPEN_DAY)  # fmt: skip
    assert group.accepted == 1
    assert [r["reason"] for r in group.rejections] == [
        "姓名与证件号码不符",
        "未找到该证件号码的职工",
    ]
    assert group.rejections[1]["id"] == "3304**********0000"
