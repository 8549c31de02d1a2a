import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.evaluation.domain.evaluations import submit_answers
from gonghui.evaluation.domain.followups import send_follow_up_requests
from gonghui.evaluation.enums import Channel, FollowUpState, TargetKind, TextReview
from gonghui.evaluation.models import (
    Evaluation,
    EvaluationSettings,
    FollowUp,
    Participation,
    RatingCounter,
    TextAnswer,
)

from .factories import answers


def _post_data(evaluation, **kw) -> dict:
    return {f"t{t}__{code}": v for t, vals in answers(evaluation, **kw).items()
            for code, v in vals.items()}  # fmt: skip


def _publish_all():
    EvaluationSettings.current()
    EvaluationSettings.objects.update(min_responses=1, min_response_rate=1)


def test_participant_answers_on_the_phone_page(client, done):
    client.force_login(done.users[0])
    ev = done.evaluation
    page = client.get(reverse("evaluation:mine"))
    assert ev.plan.title in page.content.decode()
    res = client.get(reverse("evaluation:answer", args=[ev.pk]))
    assert res.status_code == 200
    body = res.content.decode()
    assert "培训师对所授内容的专业掌握" in body and "匿名评价" in body
    res = client.post(reverse("evaluation:answer", args=[ev.pk]), _post_data(ev, text="很实用"))
    assert res.status_code == 302 and res["Location"] == reverse("evaluation:mine")
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("channel", flat=True)) == {
        Channel.ONLINE
    }
    res = client.get(reverse("evaluation:answer", args=[ev.pk]))
    assert "您已完成本次评价" in res.content.decode()
    before = (
        RatingCounter.objects.filter(count__gt=0).count(),
        sum(RatingCounter.objects.filter(count__gt=0).values_list("count", flat=True)),
    )
    client.post(reverse("evaluation:answer", args=[ev.pk]), _post_data(ev))
    after = (
        RatingCounter.objects.filter(count__gt=0).count(),
        sum(RatingCounter.objects.filter(count__gt=0).values_list("count", flat=True)),
    )
    assert before == after


def test_qr_page_records_the_qr_channel_and_bad_values_are_explained(client, done):
    client.force_login(done.users[1])
    ev = done.evaluation
    url = reverse("evaluation:qr", args=[ev.token])
    res = client.post(url, _post_data(ev, rating=9))
    assert res.status_code == 400
    assert "答案应为1到5之间的整数" in res.content.decode()
    assert (
        RatingCounter.objects.filter(count__gt=0).count() == 0
        and Participation.objects.count() == 0
    )
    res = client.post(url, _post_data(ev))
    assert res.status_code == 302
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("channel", flat=True)) == {
        Channel.QR
    }


def test_late_answer_page_says_closed(client, done):
    Evaluation.objects.filter(pk=done.evaluation.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(done.users[0])
    ev = Evaluation.objects.get(pk=done.evaluation.pk)
    res = client.post(reverse("evaluation:answer", args=[ev.pk]), _post_data(ev))
    assert "评价已截止" in res.content.decode()
    assert RatingCounter.objects.filter(count__gt=0).count() == 0


def test_non_participant_gets_a_404_naming_nothing(client, done, county):
    client.force_login(county.users["worker_a"])
    for url in (reverse("evaluation:answer", args=[done.evaluation.pk]),
                reverse("evaluation:qr", args=[done.evaluation.token])):  # fmt: skip
        res = client.get(url)
        assert res.status_code == 404
        assert done.plan.title not in res.content.decode()
    assert client.get(reverse("evaluation:qr", args=["nope"])).status_code == 404


def test_staff_paper_entry(client, done):
    client.force_login(done.staff)
    ev = done.evaluation
    url = reverse("evaluation_console:paper", args=[ev.pk])
    assert client.get(url).status_code == 200
    res = client.post(url, {"action": "returns", "person": [done.people[0].pk, done.people[1].pk]})
    assert res.status_code == 302
    ev.refresh_from_db()
    assert ev.paper_pending == 2
    res = client.post(url, {"action": "form", **_post_data(ev, rating=2)})
    assert res.status_code == 302
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("channel", flat=True)) == {
        Channel.PAPER
    }
    res = client.post(url, {"action": "form", **_post_data(ev, recommend=12)})
    assert res.status_code == 400 and "0到10之间的整数" in res.content.decode()
    ev.refresh_from_db()
    assert ev.paper_pending == 1


def test_results_page_shows_sample_sizes_and_withholds_small_samples(client, done):
    ev = done.evaluation
    submit_answers(ev, person=done.people[0], answers=answers(ev))
    client.force_login(done.staff)
    body = client.get(reverse("evaluation_console:detail", args=[ev.pk])).content.decode()
    assert "答卷1份，少于公布所需的5份" in body
    assert "dims-data" not in body
    _publish_all()
    body = client.get(reverse("evaluation_console:detail", args=[ev.pk])).content.decode()
    assert "收缩后得分" in body and 'id="dims-data"' in body
    assert client.get(reverse("evaluation_console:index")).status_code == 200
    assert client.get(reverse("evaluation_console:rankings")).status_code == 200
    trainer = reverse("evaluation_console:trainer", args=[done.trainers[0].pk])
    assert client.get(trainer).status_code == 200
    assert client.get(reverse("evaluation_console:venue", args=[done.venue.pk])).status_code == 200
    assert client.get(reverse("evaluation_console:qr", args=[ev.pk])).status_code == 200
    assert client.get(reverse("evaluation_console:questionnaires")).status_code == 200


def test_export_has_figures_and_no_person(client, done):
    _publish_all()
    ev = done.evaluation
    for person, text in zip(done.people, ["一", "二", "三"], strict=True):
        submit_answers(ev, person=person, answers=answers(ev, text=f"意见{text}"))
    for a in TextAnswer.objects.all():
        a.review, a.published_text = TextReview.APPROVED, a.text
        a.save()
    client.force_login(done.staff)
    res = client.get(reverse("evaluation_console:export", args=[ev.pk]))
    assert res.status_code == 200
    wb = load_workbook(io.BytesIO(res.content), read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    assert "答卷数（样本量）" in cells and "3" in cells
    assert sorted(c for c in cells if c.startswith("意见") and len(c) == 3) == [
        "意见一", "意见一", "意见三", "意见三", "意见二", "意见二",
    ]  # fmt: skip
    for person in done.people:
        assert person.name not in " ".join(cells)


def test_text_review_page(client, done):
    ev = done.evaluation
    submit_answers(ev, person=done.people[0], answers=answers(ev, text="王老师 13900001111 讲得好"))
    answer = TextAnswer.objects.get(target__kind=TargetKind.TRAINER)
    client.force_login(done.staff)
    page = client.get(reverse("evaluation_console:texts")).content.decode()
    assert "讲得好" in page
    res = client.post(reverse("evaluation_console:text_review"),
                      {"id": str(answer.pk), "decision": "approved", "text": "讲得好"})  # fmt: skip
    assert res.status_code == 302
    answer.refresh_from_db()
    assert (answer.review, answer.published_text) == (TextReview.APPROVED, "讲得好")
    assert client.post(reverse("evaluation_console:text_review"), {"id": "bad"}).status_code == 404


def test_enterprise_answers_follow_up_page(client, done, county):
    fu = FollowUp.objects.filter(plan=done.plan).order_by("pk").first()
    send_follow_up_requests(now=timezone.make_aware(dt.datetime.combine(fu.due_on, dt.time(9))))
    client.force_login(county.users["enterprise_contact_a"])
    body = client.get(reverse("evaluation:follow_ups")).content.decode()
    assert fu.person.name in body
    url = reverse("evaluation:follow_up", args=[fu.pk])
    res = client.post(url, {"applied": "7", "performance": "4"})
    assert res.status_code == 400
    res = client.post(
        url, {"applied": "4", "performance": "5", "promoted": "true", "comment": "好"}
    )
    assert res.status_code == 302
    fu.refresh_from_db()
    assert (fu.state, fu.applied, fu.performance, fu.promoted) == (
        FollowUpState.ANSWERED,
        4,
        5,
        True,
    )
    client.force_login(done.users[0])
    assert client.get(reverse("evaluation:follow_ups")).status_code == 404


def test_trainer_sees_own_published_results_and_approved_texts_only(client, done):
    _publish_all()
    trainer = done.trainers[0]
    trainer.account = done.users[2]
    trainer.save()
    ev = done.evaluation
    submit_answers(ev, person=done.people[0], answers=answers(ev, text="很耐心"))
    client.force_login(done.users[2])
    body = client.get(reverse("evaluation:trainer_results")).content.decode()
    assert "收缩后得分" in body and "很耐心" not in body
    TextAnswer.objects.filter(target__trainer=trainer).update(
        review=TextReview.APPROVED, published_text="很耐心"
    )
    assert "很耐心" in client.get(reverse("evaluation:trainer_results")).content.decode()


def test_open_from_the_console(client, county):
    from .factories import completed_plan

    d = completed_plan(county.town_a, people=2, union=county.union_a)
    client.force_login(county.users["federation_staff"])
    assert d.plan.title in client.get(reverse("evaluation_console:index")).content.decode()
    res = client.post(reverse("evaluation_console:open", args=[d.plan.pk]))
    ev = Evaluation.objects.get(plan=d.plan)
    assert res["Location"] == reverse("evaluation_console:detail", args=[ev.pk])
    res = client.post(reverse("evaluation_console:close", args=[ev.pk]))
    ev.refresh_from_db()
    assert ev.state == "closed"
    record = client.post(reverse("evaluation_console:paper", args=[ev.pk]),
                         {"action": "returns", "person": d.people[0].pk})  # fmt: skip
    assert record.status_code == 400
    assert Participation.objects.count() == 0


def test_every_unanswered_question_is_named_and_nothing_is_written(client, done):
    from gonghui.evaluation.domain.evaluations import form_for

    ev = done.evaluation
    client.force_login(done.users[0])
    data = _post_data(ev)
    required = [(s, q) for s in form_for(ev) for q in s.questions if q.required]
    dropped = required[:3]  # leave three required questions unanswered
    for s, q in dropped:
        data.pop(f"t{s.target.pk}__{q.code}", None)
    res = client.post(reverse("evaluation:answer", args=[ev.pk]), data)
    body = res.content.decode()
    assert res.status_code == 400
    assert "还有3题未回答" in body
    for s, q in dropped:
        assert f'href="#q-t{s.target.pk}__{q.code}"' in body and q.text in body
        assert f'id="q-t{s.target.pk}__{q.code}" aria-invalid="true"' in body
    assert not RatingCounter.objects.filter(count__gt=0).exists()
