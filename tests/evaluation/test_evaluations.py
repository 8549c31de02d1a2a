import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.evaluation.domain.evaluations import (
    close_due_evaluations,
    enter_paper_form,
    form_for,
    has_answered,
    open_due_evaluations,
    open_evaluation,
    pending_for,
    record_paper_returns,
    send_evaluation_reminders,
    submit_answers,
)
from gonghui.evaluation.enums import Channel, EvaluationState, TargetKind
from gonghui.evaluation.models import (
    Evaluation,
    FollowUp,
    Participation,
    RatingCounter,
    Target,
    TextAnswer,
)
from gonghui.training.enums import PlanState
from gonghui.training.models import Notification

from .factories import answers, completed_plan


def _snapshot():
    return (
        Participation.objects.count(),
        sorted(RatingCounter.objects.filter(count__gt=0).values_list("value", "count")),
        TextAnswer.objects.count(),
        sorted(Target.objects.values_list("pk", "responses")),
    )


def test_open_makes_course_and_trainer_targets_invites_and_schedules(county):
    d = completed_plan(county.town_a, people=3, trainers=2, absent=1, union=county.union_a,
                       enterprise=county.ent_a)  # fmt: skip
    ev = open_evaluation(d.plan, actor=county.users["federation_staff"])
    assert ev.state == EvaluationState.OPEN
    assert ev.eligible == 3  # the absent one never came
    kinds = sorted(ev.targets.values_list("kind", "trainer_id"))
    assert kinds == sorted(
        [(TargetKind.COURSE, None)] + [(TargetKind.TRAINER, t.pk) for t in d.trainers]
    )
    invited = Notification.objects.filter(kind=Notification.Kind.EVALUATION, url=f"/e/{ev.pk}/")
    assert sorted(invited.values_list("person_id", flat=True)) == sorted(p.pk for p in d.people)
    assert FollowUp.objects.filter(plan=d.plan).count() == 3
    assert (ev.closes_at - ev.opens_at) == dt.timedelta(days=14)
    assert AuditEvent.objects.filter(action="evaluation.open", object_id=str(ev.pk)).count() == 1


def test_open_refused_before_completion_twice_and_out_of_scope(county):
    d = completed_plan(county.town_a, people=1, union=county.union_a)
    d.plan.state = PlanState.RUNNING
    d.plan.save()
    with pytest.raises(DomainError, match="尚未结业"):
        open_evaluation(d.plan, actor=county.users["federation_staff"])
    d.plan.state = PlanState.COMPLETED
    d.plan.save()
    with pytest.raises(PermissionDeniedError):
        open_evaluation(d.plan, actor=county.users["union_officer_a"])
    open_evaluation(d.plan, actor=county.users["town_staff_a"])
    with pytest.raises(DomainError, match="已开启评价"):
        open_evaluation(d.plan, actor=county.users["federation_staff"])
    assert Evaluation.objects.count() == 1


def test_open_due_evaluations_opens_each_completed_plan_once(county):
    completed_plan(county.town_a, people=1, union=county.union_a)
    completed_plan(county.town_b, people=1, union=county.union_b)
    assert len(open_due_evaluations()) == 2
    assert open_due_evaluations() == []


def test_answer_writes_counters_and_participation_only(done):
    person = done.people[0]
    form = answers(done.evaluation, text="很好")
    n = submit_answers(done.evaluation, person=person, answers=form, channel=Channel.QR)
    assert n == 2  # course + one trainer
    assert Participation.objects.filter(person=person).count() == 2
    assert set(Target.objects.values_list("responses", flat=True)) == {1}
    # 7 course rating items + 4 trainer items, one recommendation, two yes/no
    assert RatingCounter.objects.filter(count__gt=0).count() == 14
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("channel", "count")) == {
        (Channel.QR, 1)
    }
    assert sorted(TextAnswer.objects.values_list("text", flat=True)) == ["很好", "很好"]
    assert has_answered(done.evaluation, person)
    assert list(pending_for(person)) == []
    assert list(pending_for(done.people[1])) == [done.evaluation]


def test_second_answer_refused_and_nothing_written(done):
    person = done.people[0]
    submit_answers(done.evaluation, person=person, answers=answers(done.evaluation))
    before = _snapshot()
    with pytest.raises(DomainError, match="每人只能评价一次") as exc:
        submit_answers(done.evaluation, person=person, answers=answers(done.evaluation, rating=1))
    assert exc.value.code == "duplicate"
    assert _snapshot() == before


def test_out_of_range_answers_refused(done):
    for bad in (6, 0, "五", True):
        with pytest.raises(DomainError, match="1到5之间的整数"):
            submit_answers(done.evaluation, person=done.people[0],
                           answers=answers(done.evaluation, rating=bad))  # fmt: skip
    with pytest.raises(DomainError, match="0到10之间的整数"):
        submit_answers(done.evaluation, person=done.people[0],
                       answers=answers(done.evaluation, recommend=11))  # fmt: skip
    with pytest.raises(DomainError, match="0到1之间的整数"):
        submit_answers(done.evaluation, person=done.people[0],
                       answers=answers(done.evaluation, yes=2))  # fmt: skip
    assert _snapshot()[:3] == (0, [], 0)


def test_missing_required_or_foreign_target_refused(done):
    form = answers(done.evaluation)
    course = done.evaluation.targets.get(kind=TargetKind.COURSE)
    del form[course.pk]["venue"]
    with pytest.raises(DomainError, match="请回答：场地"):
        submit_answers(done.evaluation, person=done.people[0], answers=form)
    trainer_only = {k: v for k, v in answers(done.evaluation).items() if k != course.pk}
    with pytest.raises(DomainError, match="请完成对课程与组织的评价"):
        submit_answers(done.evaluation, person=done.people[0], answers=trainer_only)
    with pytest.raises(DomainError, match="不属于本次评价"):
        submit_answers(done.evaluation, person=done.people[0], answers={999999: {}})
    assert _snapshot()[:3] == (0, [], 0)


def test_answer_after_window_or_after_close_refused(done):
    late = done.evaluation.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(DomainError, match="评价已截止") as exc:
        submit_answers(done.evaluation, person=done.people[0], answers=answers(done.evaluation),
                       now=late)  # fmt: skip
    assert exc.value.code == "closed"
    assert close_due_evaluations(now=late) == 1
    done.evaluation.refresh_from_db()
    assert done.evaluation.state == EvaluationState.CLOSED
    with pytest.raises(DomainError, match="评价已截止"):
        submit_answers(done.evaluation, person=done.people[0], answers=answers(done.evaluation))
    assert _snapshot()[:3] == (0, [], 0)


def test_non_participant_refused(done, county):
    from ..training.factories import worker

    stranger, _ = worker(county.union_a, name="路人")
    with pytest.raises(DomainError, match="您未参加该培训，不能评价") as exc:
        submit_answers(done.evaluation, person=stranger, answers=answers(done.evaluation))
    assert exc.value.code == "not_participant"
    assert _snapshot()[:3] == (0, [], 0)


def test_paper_forms_need_registered_returns_and_block_a_second_online_answer(done):
    ev = done.evaluation
    with pytest.raises(DomainError, match="没有待录入的纸质问卷"):
        enter_paper_form(ev, answers=answers(ev), actor=done.staff)
    assert record_paper_returns(ev, people=done.people[:2], actor=done.staff) == 2
    ev.refresh_from_db()
    assert ev.paper_pending == 2
    enter_paper_form(ev, answers=answers(ev, rating=2), actor=done.staff)
    enter_paper_form(ev, answers=answers(ev, rating=3), actor=done.staff)
    with pytest.raises(DomainError, match="没有待录入的纸质问卷"):
        enter_paper_form(ev, answers=answers(ev), actor=done.staff)
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("channel", flat=True)) == {
        Channel.PAPER
    }
    assert ev.targets.get(kind=TargetKind.COURSE).responses == 2
    with pytest.raises(DomainError, match="每人只能评价一次"):
        submit_answers(ev, person=done.people[0], answers=answers(ev))
    with pytest.raises(DomainError, match="已经评价过，不能重复登记"):
        record_paper_returns(ev, people=[done.people[1]], actor=done.staff)
    with pytest.raises(PermissionDeniedError):
        record_paper_returns(ev, people=[done.people[2]], actor=done.users[2])


def test_reminders_go_only_to_those_who_have_not_answered(done):
    ev = done.evaluation
    submit_answers(ev, person=done.people[0], answers=answers(ev))
    # the invitations went out four days ago
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(days=4))
    assert send_evaluation_reminders() == 2
    reminded = Notification.objects.filter(text__startswith="提醒", url=f"/e/{ev.pk}/")
    assert sorted(reminded.values_list("person_id", flat=True)) == sorted(
        p.pk for p in done.people[1:]
    )
    assert send_evaluation_reminders() == 0  # not again within the interval


def test_form_marks_answered_sections(done):
    ev = done.evaluation
    sections = form_for(ev, done.people[0])
    assert [s.title for s in sections] == ["课程与组织", f"培训师：{done.trainers[0].name}"]
    assert [len(s.questions) for s in sections] == [11, 5]
    submit_answers(ev, person=done.people[0], answers=answers(ev))
    assert [s.answered for s in form_for(ev, done.people[0])] == [True, True]


def test_daily_job_command_opens_due_evaluations(county):
    from io import StringIO

    from django.core.management import call_command

    completed_plan(county.town_a, people=2, union=county.union_a)
    out = StringIO()
    call_command("run_evaluation_jobs", stdout=out)
    assert "opened: 1" in out.getvalue()
    assert Evaluation.objects.count() == 1
