"""The plan cockpit in the staff console: list, create, courses, sessions, consultation,
transitions, manual check-in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.training.enums import EnrollmentStatus, Party, PlanState, Stance
from gonghui.training.models import (
    CheckIn,
    Consultation,
    Course,
    DemandItem,
    Enrollment,
    Opinion,
    Session,
    TrainingPlan,
)

from .factories import (
    PlanFactory,
    TrainerFactory,
    VenueFactory,
    age_consultation,
    session_for,
    skill,
    worker,
)

pytestmark = pytest.mark.django_db


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def staff_client(client, county):
    client.force_login(county.users["federation_staff"])
    return client


def test_plan_list_and_detail_allowed_and_refused(client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.DRAFT, title="县级电工班")
    url = reverse("training_console:plan", args=[plan.pk])
    client.force_login(county.users["federation_staff"])
    assert client.get(reverse("training_console:plans")).status_code == 200
    res = client.get(url)
    assert res.status_code == 200
    assert "县级电工班" in res.content.decode()
    client.force_login(county.users["town_staff_a"])
    assert client.get(url).status_code == 404
    assert "县级电工班" not in client.get(reverse("training_console:plans")).content.decode()
    client.force_login(county.users["auditor"])
    assert client.get(url).status_code == 200
    client.force_login(county.users["worker_a"])
    assert client.get(reverse("training_console:plans")).status_code == 403


def test_create_plan_from_item(staff_client, county):
    electric = skill("电工")
    item = DemandItem.objects.create(skill=electric, level="l5", area=county.town_a, worker_count=8)
    res = staff_client.get(reverse("training_console:plan_new") + f"?item={item.pk}")
    assert res.status_code == 200
    assert res.context["form"].initial["items"] == [item.pk]
    assert res.context["form"].initial["skill"] == electric.pk
    res = staff_client.post(
        reverse("training_console:plan_new"),
        {
            "org_unit": county.town_a.pk, "title": "武原电工初级班", "skill": electric.pk,
            "level": "l5", "items": [item.pk], "mode": "onsite", "capacity": 20,
            "cost_per_person": "800", "subsidy_per_person": "600", "members_only": "on",
            "target_completion_rate": 90, "target_certification_rate": 80,
            "target_satisfaction": 95,
        },
    )  # fmt: skip
    plan = TrainingPlan.objects.get(title="武原电工初级班")
    assert res.status_code == 302
    assert res.url == reverse("training_console:plan", args=[plan.pk])
    assert plan.state == PlanState.DRAFT
    assert list(plan.items.all()) == [item]
    assert plan.capacity == 20
    item.refresh_from_db()
    assert item.status == DemandItem.Status.PLANNED


def test_create_plan_refused_for_auditor_and_out_of_scope_unit(client, county):
    data = {
        "org_unit": county.county.pk, "title": "越权方案", "skill": skill("电工").pk,
        "level": "l5", "mode": "onsite", "capacity": 5, "cost_per_person": "0",
        "subsidy_per_person": "0", "target_completion_rate": 1,
        "target_certification_rate": 1, "target_satisfaction": 1,
    }  # fmt: skip
    client.force_login(county.users["auditor"])
    assert client.post(reverse("training_console:plan_new"), data).status_code == 403
    client.force_login(county.users["town_staff_a"])
    res = client.post(reverse("training_console:plan_new"), data)
    assert res.status_code == 400
    assert "org_unit" in res.context["form"].errors
    assert not TrainingPlan.objects.filter(title="越权方案").exists()


def test_add_course_and_session_clash_shows_the_message(staff_client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.DRAFT, capacity=10)
    other = PlanFactory(org_unit=county.county, state=PlanState.DRAFT, title="叉车班")
    trainer = TrainerFactory(org_unit=county.county, name="周师傅", skills=[plan.skill])
    venue = VenueFactory(org_unit=county.county, name="县职工学校")
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=5)
    session_for(other, trainer=trainer, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    res = staff_client.post(
        reverse("training_console:plan_course", args=[plan.pk]), {"title": "安全用电", "hours": "4"}
    )
    assert res.status_code == 302
    assert list(plan.courses.values_list("title", "hours")) == [("安全用电", 4)]
    url = reverse("training_console:plan_session", args=[plan.pk])
    data = {
        "trainer": trainer.pk, "venue": venue.pk,
        "starts_at": _local(start + dt.timedelta(hours=1)),
        "ends_at": _local(start + dt.timedelta(hours=3)),
    }  # fmt: skip
    res = staff_client.post(url, data)
    assert res.status_code == 400
    when = f"{timezone.localtime(start):%Y-%m-%d %H:%M}-"
    assert f"培训师周师傅在{when}" in res.content.decode()
    assert "已安排“叉车班”，时间冲突" in res.content.decode()
    assert plan.sessions.count() == 0
    data["starts_at"] = _local(start + dt.timedelta(days=1))
    data["ends_at"] = _local(start + dt.timedelta(days=1, hours=2))
    assert staff_client.post(url, data).status_code == 302
    assert plan.sessions.get().venue == venue
    # A trainer without the plan's skill needs an override reason.
    stranger = TrainerFactory(org_unit=county.county, name="吴老师")
    data.update(trainer=stranger.pk, starts_at=_local(start + dt.timedelta(days=2)),
                ends_at=_local(start + dt.timedelta(days=2, hours=2)))  # fmt: skip
    res = staff_client.post(url, data)
    assert res.status_code == 400
    assert "培训师吴老师未登记" in res.content.decode() and plan.sessions.count() == 1
    data["override_reason"] = "周师傅出差，吴老师曾在企业带班"
    assert staff_client.post(url, data).status_code == 302
    assert plan.sessions.count() == 2


def test_auditor_can_read_but_not_write(client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.DRAFT)
    client.force_login(county.users["auditor"])
    res = client.get(reverse("training_console:plan", args=[plan.pk]))
    assert res.status_code == 200
    assert res.context["can_change"] is False
    res = client.post(
        reverse("training_console:plan_course", args=[plan.pk]), {"title": "越权", "hours": "1"}
    )
    assert res.status_code == 403
    assert Course.objects.count() == 0


def _consulting_plan(county, staff):
    plan = PlanFactory(org_unit=county.county, state=PlanState.DRAFT, capacity=5)
    Course.objects.create(plan=plan, title="电工基础", hours=8)
    session_for(plan)
    return plan


def test_open_consultation_reply_and_approve(staff_client, county):
    staff = county.users["federation_staff"]
    plan = _consulting_plan(county, staff)
    closes = timezone.now() + dt.timedelta(days=3)
    res = staff_client.post(
        reverse("training_console:plan_consult", args=[plan.pk]), {"closes_at": _local(closes)}
    )
    assert res.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION
    opinion = Opinion.objects.create(
        consultation=plan.consultation, party=Party.WORKER, person=county.member_a.person,
        stance=Stance.OBJECT, text="晚上上课更好",
    )  # fmt: skip
    approve = reverse("training_console:plan_transition", args=[plan.pk, "approve"])
    res = staff_client.post(approve, {"close_early": "1"})
    assert res.status_code == 400
    assert "还有1条反对或建议尚未答复" in res.content.decode()
    res = staff_client.post(
        reverse("training_console:opinion_reply", args=[opinion.pk]), {"reply": "已调整到晚上"}
    )
    assert res.status_code == 302
    opinion.refresh_from_db()
    assert opinion.reply == "已调整到晚上"
    age_consultation(plan)
    res = staff_client.post(approve, {"close_early": "1"})
    assert res.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.APPROVED
    for action, state in (("announce", PlanState.ANNOUNCED), ("open_enrolment", "enrolling")):
        res = staff_client.post(reverse("training_console:plan_transition", args=[plan.pk, action]))
        assert res.status_code == 302, res.content.decode()[:500]
        plan.refresh_from_db()
        assert plan.state == state
    res = staff_client.get(reverse("training_console:plan", args=[plan.pk]))
    text = res.content.decode()
    assert "公开征求职工、企业、部门意见" in text
    assert reverse("training:announcement", args=[plan.pk]) in text


def test_reply_refused_out_of_scope_and_for_auditor(client, county):
    plan = _consulting_plan(county, county.users["federation_staff"])
    consultation = Consultation.objects.create(
        plan=plan, opens_at=timezone.now(), closes_at=timezone.now() + dt.timedelta(days=1)
    )
    opinion = Opinion.objects.create(
        consultation=consultation, party=Party.WORKER, stance=Stance.COMMENT, text="建议"
    )
    url = reverse("training_console:opinion_reply", args=[opinion.pk])
    client.force_login(county.users["town_staff_a"])
    assert client.post(url, {"reply": "越权"}).status_code == 404
    client.force_login(county.users["auditor"])
    assert client.post(url, {"reply": "越权"}).status_code == 403
    opinion.refresh_from_db()
    assert opinion.reply == ""


def test_revise_with_adopted_opinion_shows_the_diff(staff_client, county):
    plan = _consulting_plan(county, county.users["federation_staff"])
    plan.state = PlanState.CONSULTATION
    plan.save(update_fields=["state"])
    consultation = Consultation.objects.create(
        plan=plan, opens_at=timezone.now(), closes_at=timezone.now() + dt.timedelta(days=1)
    )
    opinion = Opinion.objects.create(
        consultation=consultation, party=Party.ENTERPRISE, stance=Stance.COMMENT, text="名额太少"
    )
    from gonghui.training.domain.plans import _save_version

    _save_version(plan, actor=SYSTEM, reason="初稿")
    data = {
        "title": plan.title, "content": "", "mode": "onsite", "capacity": 8,
        "cost_per_person": "0", "subsidy_per_person": "0", "members_only": "on",
        "target_completion_rate": 90, "target_certification_rate": 80,
        "target_satisfaction": 90, "enrol_cutoff": _local(plan.enrol_cutoff),
        "reason": "采纳企业意见增加名额", "adopted": [opinion.pk],
    }  # fmt: skip
    res = staff_client.post(reverse("training_console:plan_revise", args=[plan.pk]), data)
    assert res.status_code == 302
    plan.refresh_from_db()
    assert (plan.capacity, plan.version) == (8, 2)
    opinion.refresh_from_db()
    assert opinion.adopted_in_version == 2
    text = staff_client.get(reverse("training_console:plan", args=[plan.pk])).content.decode()
    assert "<del>5</del> → <ins>8</ins>" in text
    assert "采纳于第2版" in text


def test_cancel_needs_a_reason(staff_client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.DRAFT)
    url = reverse("training_console:plan_transition", args=[plan.pk, "cancel"])
    res = staff_client.post(url, {"reason": ""})
    assert res.status_code == 400
    assert "请填写取消原因" in res.content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert staff_client.post(url, {"reason": "师资调整"}).status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.CANCELLED
    bogus = reverse("training_console:plan_transition", args=[plan.pk, "explode"])
    assert staff_client.post(bogus).status_code == 404


def test_manual_check_in(staff_client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.RUNNING)
    start = timezone.now() - dt.timedelta(minutes=10)
    session = session_for(plan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    person, _user = worker(county.union_a, name="赵六")
    outsider, _user = worker(county.union_a, name="钱七")
    Enrollment.objects.create(plan=plan, person=person, status=EnrollmentStatus.ENROLLED, seat=1)
    url = reverse("training_console:session_checkin", args=[session.pk])
    res = staff_client.post(url, {"person": person.pk, "reason": ""})
    assert res.status_code == 400
    assert CheckIn.objects.count() == 0
    res = staff_client.post(url, {"person": outsider.pk, "reason": "忘带手机"})
    assert res.status_code == 400
    assert CheckIn.objects.count() == 0
    res = staff_client.post(url, {"person": person.pk, "reason": "忘带手机"})
    assert res.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.person, checkin.method, checkin.reason) == (person, "manual", "忘带手机")
    res = staff_client.post(url, {"person": person.pk, "reason": "再补一次"})
    assert res.status_code == 400
    assert "赵六已签到" in res.content.decode()
    text = staff_client.get(reverse("training_console:plan", args=[plan.pk])).content.decode()
    assert "出勤 1/1（100.0%）" in text
    assert reverse("training:checkin_screen", args=[session.pk]) in text


def test_manual_check_in_refused_out_of_scope(client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.RUNNING)
    start = timezone.now() - dt.timedelta(minutes=10)
    session = session_for(plan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    person, _user = worker(county.union_a, name="赵六")
    Enrollment.objects.create(plan=plan, person=person, status=EnrollmentStatus.ENROLLED, seat=1)
    url = reverse("training_console:session_checkin", args=[session.pk])
    client.force_login(county.users["town_staff_a"])
    assert client.post(url, {"person": person.pk, "reason": "越权"}).status_code == 404
    client.force_login(county.users["auditor"])
    assert client.post(url, {"person": person.pk, "reason": "越权"}).status_code == 403
    assert CheckIn.objects.count() == 0
    assert Session.objects.count() == 1


def test_reschedule_a_session_from_the_cockpit(staff_client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.ENROLLING, capacity=2)
    start = timezone.now() + dt.timedelta(days=5)
    session = session_for(plan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    person, _user = worker(county.union_a, name="赵六")
    Enrollment.objects.create(plan=plan, person=person, status=EnrollmentStatus.ENROLLED, seat=1)
    page = staff_client.get(reverse("training_console:plan", args=[plan.pk])).content.decode()
    assert "调整班次" in page
    url = reverse("training_console:plan_reschedule", args=[plan.pk])
    later = start + dt.timedelta(days=1)
    data = {"session": session.pk, "starts_at": _local(later),
            "ends_at": _local(later + dt.timedelta(hours=2))}  # fmt: skip
    res = staff_client.post(url, {**data, "reason": ""})
    assert res.status_code == 400
    assert "方案已公告，调整班次须填写原因" in res.content.decode()
    session.refresh_from_db()
    assert session.starts_at == start
    res = staff_client.post(url, {**data, "reason": "场地检修"})
    assert res.status_code == 302
    session.refresh_from_db()
    assert _local(session.starts_at) == _local(later)
    notice = person.notifications.get()
    assert (notice.kind, notice.text.endswith("原因：场地检修")) == ("plan_changed", True)


def test_reschedule_refused_for_the_auditor(client, county):
    plan = PlanFactory(org_unit=county.county, state=PlanState.ENROLLING)
    start = timezone.now() + dt.timedelta(days=5)
    session = session_for(plan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    client.force_login(county.users["auditor"])
    later = start + dt.timedelta(days=1)
    data = {"session": session.pk, "starts_at": _local(later),
            "ends_at": _local(later + dt.timedelta(hours=2)), "reason": "越权"}  # fmt: skip
    res = client.post(reverse("training_console:plan_reschedule", args=[plan.pk]), data)
    assert res.status_code == 403
    session.refresh_from_db()
    assert session.starts_at == start
