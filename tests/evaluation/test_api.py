import json

import pytest

from gonghui.core.actors import SYSTEM
from gonghui.evaluation.domain.evaluations import submit_answers
from gonghui.evaluation.domain.followups import send_follow_up_requests
from gonghui.evaluation.enums import TargetKind
from gonghui.evaluation.models import EvaluationSettings, FollowUp, RatingCounter, TextAnswer
from gonghui.orgs.domain.access import issue_api_token
from gonghui.orgs.enums import Role

from .factories import answers


def _publish_all():
    EvaluationSettings.current()
    EvaluationSettings.objects.update(min_responses=1, min_response_rate=1)


def _payload(evaluation, **kw):
    return {
        "answers": [{"target_id": t, "values": v} for t, v in answers(evaluation, **kw).items()]
    }


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_participant_answers_once_through_the_api(client, done):
    client.force_login(done.users[0])
    ev = done.evaluation
    form = client.get(f"/api/evaluation/evaluations/{ev.pk}/form").json()
    assert [s["kind"] for s in form["sections"]] == [TargetKind.COURSE, TargetKind.TRAINER]
    assert [s["answered"] for s in form["sections"]] == [False, False]
    assert len(client.get("/api/evaluation/me/pending").json()) == 1
    res = _post(client, f"/api/evaluation/evaluations/{ev.pk}/answers",
                {**_payload(ev, text="讲得好"), "channel": "qr"})  # fmt: skip
    assert res.status_code == 201 and res.json() == {"targets": 2}
    res = _post(client, f"/api/evaluation/evaluations/{ev.pk}/answers", _payload(ev))
    assert res.status_code == 409
    assert res.json()["error"]["message"] == "您已经评价过，每人只能评价一次"
    assert client.get("/api/evaluation/me/pending").json() == []


def test_bad_answers_get_a_chinese_message_and_change_nothing(client, done):
    client.force_login(done.users[0])
    ev = done.evaluation
    res = _post(client, f"/api/evaluation/evaluations/{ev.pk}/answers", _payload(ev, rating=7))
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "out_of_range"
    assert "1到5之间的整数" in res.json()["error"]["message"]
    assert RatingCounter.objects.filter(count__gt=0).count() == 0


def test_non_participant_cannot_even_see_the_form(client, done, county):
    client.force_login(county.users["worker_a"])
    ev = done.evaluation
    assert client.get(f"/api/evaluation/evaluations/{ev.pk}/form").status_code == 404
    res = _post(client, f"/api/evaluation/evaluations/{ev.pk}/answers", _payload(ev))
    assert res.status_code == 404
    assert RatingCounter.objects.filter(count__gt=0).count() == 0


def test_no_api_response_names_who_answered(client, done):
    _publish_all()
    ev = done.evaluation
    for person, text in zip(done.people, ["甲意见", "乙意见", "丙意见"], strict=True):
        submit_answers(ev, person=person, answers=answers(ev, text=text))
    client.force_login(done.staff)
    bodies = [
        client.get(url).content.decode()
        for url in (
            "/api/evaluation/evaluations", f"/api/evaluation/evaluations/{ev.pk}",
            f"/api/evaluation/evaluations/{ev.pk}/scores", "/api/evaluation/texts",
            f"/api/evaluation/scores/trainers/{done.trainers[0].pk}",
            "/api/evaluation/rankings?kind=trainer", "/api/evaluation/weak-spots",
        )
    ]  # fmt: skip
    texts = json.loads(bodies[3])["items"]
    assert sorted(t["text"] for t in texts) == [
        "丙意见",
        "丙意见",
        "乙意见",
        "乙意见",
        "甲意见",
        "甲意见",
    ]
    for body in bodies:
        for person in done.people:
            assert person.name not in body
            assert f'"person_id": {person.pk}' not in body
        assert "person" not in body
    card = json.loads(bodies[2])
    assert card["published"] is True and card["responses"] == 3


def test_unpublished_figures_come_without_scores(client, done):
    submit_answers(done.evaluation, person=done.people[0], answers=answers(done.evaluation))
    client.force_login(done.staff)
    card = client.get(f"/api/evaluation/scores/plans/{done.plan.pk}").json()
    assert card["published"] is False
    assert card["withheld_reason"] == "答卷1份，少于公布所需的5份"
    assert card["overall_index"] is None and card["recommendation"] is None
    assert {d["raw"] for d in card["dimensions"]} == {None}
    assert (card["responses"], card["eligible"]) == (1, 3)


def test_scoped_token_reads_figures(client, done, county):
    _publish_all()
    submit_answers(done.evaluation, person=done.people[0], answers=answers(done.evaluation))
    _tok, key = issue_api_token(county.town_a, name="浙里办", role=Role.AUDITOR, actor=SYSTEM)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    res = client.get("/api/evaluation/evaluations", **headers)
    assert res.status_code == 200
    assert [e["id"] for e in res.json()["items"]] == [done.evaluation.pk]
    card = client.get(f"/api/evaluation/evaluations/{done.evaluation.pk}/scores", **headers)
    assert card.json()["published"] is True
    _tok, other = issue_api_token(county.town_b, name="别处", role=Role.AUDITOR, actor=SYSTEM)
    res = client.get("/api/evaluation/evaluations", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert res.json()["items"] == []
    res = _post(client, f"/api/evaluation/evaluations/{done.evaluation.pk}/close", {})
    assert res.status_code == 401


def test_staff_review_texts_and_trainer_reads_approved_only(client, done, county):
    from gonghui.evaluation.domain.review import published_texts

    ev = done.evaluation
    submit_answers(ev, person=done.people[0], answers=answers(ev, text="张师傅讲得好"))
    trainer_text = TextAnswer.objects.get(target__kind=TargetKind.TRAINER)
    client.force_login(done.staff)
    res = _post(client, "/api/evaluation/texts/review",
                {"id": str(trainer_text.pk), "decision": "approved", "text": "讲得好"})  # fmt: skip
    assert res.status_code == 200 and res.json()["published_text"] == "讲得好"
    assert [t.published_text for t in published_texts(trainer=done.trainers[0])] == ["讲得好"]
    client.force_login(county.users["union_officer_a"])
    res = _post(client, "/api/evaluation/texts/review",
                {"id": str(trainer_text.pk), "decision": "hidden"})  # fmt: skip
    assert res.status_code == 404


def test_enterprise_answers_follow_up_through_the_api(client, done, county):
    fu = FollowUp.objects.filter(plan=done.plan).order_by("pk").first()
    import datetime as dt

    from django.utils import timezone

    send_follow_up_requests(now=timezone.make_aware(dt.datetime.combine(fu.due_on, dt.time(9))))
    client.force_login(county.users["enterprise_contact_a"])
    listed = client.get("/api/evaluation/follow-ups").json()["items"]
    assert len(listed) == 3
    res = _post(client, f"/api/evaluation/follow-ups/{fu.pk}/answer",
                {"applied": 4, "performance": 5, "promoted": True})  # fmt: skip
    assert res.status_code == 200 and res.json()["state"] == "answered"
    res = _post(
        client, f"/api/evaluation/follow-ups/{fu.pk}/answer", {"applied": 4, "performance": 5}
    )
    assert res.status_code == 409
    client.force_login(done.staff)
    res = _post(
        client, f"/api/evaluation/follow-ups/{fu.pk}/answer", {"applied": 1, "performance": 1}
    )
    assert res.status_code == 404


@pytest.mark.parametrize("kind", ["plan", "trainer", "venue", "skill"])
def test_score_endpoints_for_every_kind(client, done, kind):
    ids = {"plan": done.plan.pk, "trainer": done.trainers[0].pk, "venue": done.venue.pk,
           "skill": done.plan.skill_id}  # fmt: skip
    client.force_login(done.staff)
    res = client.get(f"/api/evaluation/scores/{kind}s/{ids[kind]}")
    assert res.status_code == 200 and res.json()["kind"] == kind
    client.force_login(done.users[0])
    assert client.get(f"/api/evaluation/scores/{kind}s/{ids[kind]}").status_code == 403


def test_paper_returns_name_nobody_outside_the_callers_scope(client, done):
    """An id of someone the caller may not see is "not found": the refusal must not name
    them (the domain's message for a non-participant does)."""
    from gonghui.evaluation.models import Participation
    from gonghui.orgs.enums import OrgKind

    from ..factories import MembershipFactory, PersonFactory, org_unit

    elsewhere = org_unit(
        org_unit(None, OrgKind.COUNTY, "平湖市总工会"), OrgKind.GRASSROOTS, "某厂工会"
    )
    stranger = MembershipFactory(union=elsewhere, person=PersonFactory(name="外县陌生人")).person
    client.force_login(done.staff)
    ev = done.evaluation
    before = Participation.objects.count()
    res = _post(client, f"/api/evaluation/evaluations/{ev.pk}/paper-returns",
                {"person_ids": [stranger.pk]})  # fmt: skip
    assert res.status_code == 404
    assert "外县陌生人" not in res.content.decode()
    assert Participation.objects.count() == before
