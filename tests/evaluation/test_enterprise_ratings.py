"""Enterprises rate trainers and course design; scores by party side by side."""

from django.urls import reverse

from gonghui.evaluation.domain import enterprise
from gonghui.evaluation.domain.evaluations import open_evaluation, submit_answers
from gonghui.evaluation.enums import Channel, TargetKind
from gonghui.evaluation.models import EnterpriseRating, EvaluationSettings

from .factories import answers, completed_plan


def _form(evaluation, value_by_code):
    return {
        sec.target.pk: {code: value_by_code[code] for code, _ in sec.questions}
        for sec in enterprise.form_for(evaluation)
    }


def test_an_enterprise_contact_rates_and_results_show_both_parties(county, client):
    done = completed_plan(county.town_a, people=5, union=county.union_a, enterprise=county.ent_a)
    done.staff = county.users["federation_staff"]
    ev = done.evaluation = open_evaluation(done.plan, actor=done.staff)
    # Five workers answer: three give course items 4 and trainer items 3, two give 5 and 5.
    for i, person in enumerate(done.people):
        high = i >= 3
        submit_answers(ev, person=person, channel=Channel.ONLINE,
                       answers=answers(ev, rating=5 if high else 4,
                                       trainer_rating=5 if high else 3))  # fmt: skip
        if i == 3:  # four forms: below the threshold (5), the workers' means are withheld
            rows = {r.label: r for r in enterprise.scores_by_party(ev)}
            assert rows["课程·课程设计"].workers is None
    contact = county.users["enterprise_contact_a"]
    client.force_login(contact)
    page = client.get(reverse("evaluation:enterprise_ratings")).content.decode()
    assert done.plan.title in page
    url = reverse("evaluation:enterprise_rate", args=[ev.pk, county.ent_a.pk])
    form = client.get(url).content.decode()
    assert "对总工会不匿名" in form
    data = {"comment": "实操比例可再提高"}
    for sec in enterprise.form_for(ev):
        for code, _ in sec.questions:
            data[f"t{sec.target.pk}_{code}"] = "2" if sec.target.kind == TargetKind.TRAINER else "4"
    missing = {k: v for k, v in data.items() if not k.endswith("course_design")}
    res = client.post(url, missing)
    assert res.status_code == 400 and EnterpriseRating.objects.count() == 0
    res = client.post(url, data)
    assert res.status_code == 302
    assert EnterpriseRating.objects.count() == 2  # the course and the one trainer
    assert client.post(url, data).status_code == 400  # once per enterprise
    rows = {r.label: r for r in enterprise.scores_by_party(ev)}
    trainer = done.trainers[0].name
    # (3 × 4 + 2 × 5) / 5 = 4.4; trainer (3 × 3 + 2 × 5) / 5 = 3.8.
    assert (rows["课程·课程设计"].workers, rows["课程·课程设计"].enterprises) == (4.4, 4.0)
    assert rows[f"{trainer}·授课方式"].workers == 3.8
    assert rows[f"{trainer}·授课方式"].enterprises == 2.0
    assert rows[f"{trainer}·授课方式"].enterprises_n == 1
    # Beyond the federation, one enterprise is below the threshold (min_enterprises, 3).
    public = {r.label: r for r in enterprise.scores_by_party(ev, public=True)}
    assert public["课程·课程设计"].enterprises is None
    EvaluationSettings.objects.update(min_enterprises=1)
    public = {r.label: r for r in enterprise.scores_by_party(ev, public=True)}
    assert public["课程·课程设计"].enterprises == 4.0
    client.force_login(done.staff)
    detail = client.get(reverse("evaluation_console:detail", args=[ev.pk])).content.decode()
    assert "职工与企业评分对照" in detail and "实操比例可再提高" in detail


def test_other_contacts_and_workers_cannot_rate(county, done, client):
    ev = done.evaluation
    client.force_login(done.users[0])
    url = reverse("evaluation:enterprise_rate", args=[ev.pk, county.ent_a.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("evaluation:enterprise_ratings")).status_code == 404
    # ent_b's workers did not take part.
    from gonghui.orgs.enums import Role
    from tests.factories import user_with_role

    other = user_with_role(Role.ENTERPRISE_CONTACT, county.union_b, enterprise=county.ent_b,
                           username="contact_b")  # fmt: skip
    client.force_login(other)
    assert (
        client.get(reverse("evaluation:enterprise_rate", args=[ev.pk, county.ent_b.pk])).status_code
        == 404
    )
    assert EnterpriseRating.objects.count() == 0
