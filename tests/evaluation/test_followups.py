import datetime as dt

import pytest
from django.utils import timezone

from gonghui.accounts.sms import MemorySender
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.evaluation.domain.followups import answer_follow_up, send_follow_up_requests
from gonghui.evaluation.domain.results import plan_results
from gonghui.evaluation.enums import FollowUpState
from gonghui.evaluation.models import FollowUp

from ..factories import user_with_role


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_follow_ups_scheduled_three_months_after_completion(done):
    rows = FollowUp.objects.filter(plan=done.plan)
    assert rows.count() == 3
    due = done.evaluation.completed_on + dt.timedelta(days=90)
    assert set(rows.values_list("due_on", "closes_on", "state")) == {
        (due, due + dt.timedelta(days=30), FollowUpState.SCHEDULED)
    }


def test_requests_reminders_to_non_answerers_and_expiry(
    done, county, django_capture_on_commit_callbacks
):
    contact = county.users["enterprise_contact_a"]
    due = FollowUp.objects.filter(plan=done.plan).first().due_on
    assert send_follow_up_requests(now=_at(due - dt.timedelta(days=1)))["requested"] == 0
    with pytest.raises(DomainError, match="尚未到跟踪评价时间"):
        answer_follow_up(FollowUp.objects.first(), actor=contact, applied=4, performance=4)
    with django_capture_on_commit_callbacks(execute=True):
        out = send_follow_up_requests(now=_at(due))
    assert out == {"requested": 3, "reminded": 0, "expired": 0}
    assert len(MemorySender.notices) == 1 and "3名职工" in MemorySender.notices[0][1]
    first = FollowUp.objects.order_by("pk").first()
    answer_follow_up(
        first, actor=contact, applied=5, performance=4, promoted=True, comment="已任班组长"
    )
    from gonghui.training.models import Outcome

    reported = Outcome.objects.get(person=first.person)  # the outcomes database keeps it
    assert (reported.kind, reported.plan_id, reported.source) == ("promotion", done.plan.pk,
                                                                  "followup")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        out = send_follow_up_requests(now=_at(due + dt.timedelta(days=3)))
    assert out["reminded"] == 2  # the answered one is not reminded
    assert "还有2名职工" in MemorySender.notices[-1][1]
    out = send_follow_up_requests(now=_at(due + dt.timedelta(days=31)))
    assert out["expired"] == 2
    assert FollowUp.objects.get(pk=first.pk).state == FollowUpState.ANSWERED


def test_answer_refusals_change_nothing(done, county):
    due = FollowUp.objects.filter(plan=done.plan).first().due_on
    send_follow_up_requests(now=_at(due))
    fu = FollowUp.objects.order_by("pk").first()
    other = user_with_role("enterprise_contact", county.union_b, enterprise=county.ent_b)
    with pytest.raises(PermissionDeniedError):
        answer_follow_up(fu, actor=other, applied=4, performance=4)
    with pytest.raises(PermissionDeniedError):
        answer_follow_up(fu, actor=county.users["federation_staff"], applied=4, performance=4)
    contact = county.users["enterprise_contact_a"]
    with pytest.raises(DomainError, match="1到5之间的整数"):
        answer_follow_up(fu, actor=contact, applied=6, performance=4)
    fu.refresh_from_db()
    assert (fu.state, fu.applied) == (FollowUpState.REQUESTED, None)
    answer_follow_up(fu, actor=contact, applied=3, performance=4)
    with pytest.raises(DomainError, match="不能重复提交"):
        answer_follow_up(fu, actor=contact, applied=5, performance=5)
    fu.refresh_from_db()
    assert (fu.applied, fu.performance) == (3, 4)


def test_plan_results_against_targets(done, county):
    from gonghui.training.models import Certificate

    for i, p in enumerate(done.people[:2]):
        Certificate.objects.create(person=p, plan=done.plan, skill=done.plan.skill, level="l5",
                                   number=f"C{i}", issuer="海盐县人社局",
                                   issued_on=dt.date(2026, 11, 1), score=80 + 10 * i)  # fmt: skip
    r = plan_results(done.plan)
    assert (r.enrolled, r.completed.yes, r.certified.yes) == (3, 3, 2)
    assert r.completion_met is True  # 100 % against 90 %
    assert r.certification_met is False  # 66.7 % against 80 %
    assert r.mean_test_score == 85.0
    assert r.behaviour["total"] == 3 and r.behaviour["answered"] == 0
    # Both certificates are 初级 (l5); a rise only where that outranks what the person had.
    assert r.level_rises.yes == 2 - sum(
        p.skill_level in ("l5", "l4", "l3", "l2", "l1") for p in done.people[:2]
    )


def test_a_level_rise_needs_a_certificate_above_the_record_and_earlier_certificates(done, county):
    from gonghui.evaluation.domain.results import level_rises
    from gonghui.training.models import Certificate

    a, b, c = done.people
    for p in (a, b, c):
        p.skill_level = "l5"  # 初级工 on the roster
        p.save(update_fields=["skill_level"])
    earlier = dt.date(2025, 1, 1)
    # b already held a 中级 certificate of another plan before this one
    Certificate.objects.create(person=b, skill=done.plan.skill, level="l4", number="OLD",
                               issuer="海盐县人社局", issued_on=earlier)  # fmt: skip
    for i, (p, level) in enumerate(((a, "l4"), (b, "l4"), (c, "l5"))):
        Certificate.objects.create(person=p, plan=done.plan, skill=done.plan.skill, level=level,
                                   number=f"R{i}", issuer="海盐县人社局",
                                   issued_on=dt.date(2026, 11, 1))  # fmt: skip
    # a: 中级 over 初级 → rose; b: 中级 again → no; c: 初级 = record → no
    assert level_rises(done.plan, [a.pk, b.pk, c.pk]) == 1
    assert plan_results(done.plan).level_rises.yes == 1


def test_staff_extend_an_expired_request(done, county):
    from gonghui.evaluation.domain.followups import extend_follow_ups

    due = FollowUp.objects.filter(plan=done.plan).first().due_on
    send_follow_up_requests(now=_at(due))
    send_follow_up_requests(now=_at(due + dt.timedelta(days=31)))
    assert set(FollowUp.objects.values_list("state", flat=True)) == {FollowUpState.EXPIRED}
    later = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(PermissionDeniedError):
        extend_follow_ups(FollowUp.objects.all(), closes_on=later, actor=county.users["worker_a"])
    assert extend_follow_ups(FollowUp.objects.all(), closes_on=later, actor=done.staff) == 3
    assert set(FollowUp.objects.values_list("state", "closes_on")) == {
        (FollowUpState.REQUESTED, later)
    }
    fu = FollowUp.objects.order_by("pk").first()
    answer_follow_up(fu, actor=county.users["enterprise_contact_a"], applied=4, performance=3)
    with pytest.raises(DomainError, match="晚于今天"):
        extend_follow_ups(FollowUp.objects.all(), closes_on=timezone.localdate(), actor=done.staff)
