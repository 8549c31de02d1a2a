import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.evaluation.domain.evaluations import current_standard, form_for, submit_answers
from gonghui.evaluation.domain.questionnaires import (
    add_plan_question,
    add_question,
    new_version,
    publish_questionnaire,
    remove_question,
)
from gonghui.evaluation.enums import Dimension, ItemKind, QuestionnaireState, TargetKind
from gonghui.evaluation.models import Question, Questionnaire

from .factories import answers


def test_standard_questionnaire_is_shipped(db):
    q = current_standard()
    assert (q.code, q.version, q.state, q.is_standard) == ("standard", 1, "published", True)
    items = list(q.questions.values_list("kind", "dimension"))
    assert len(items) == 16
    dims = {d for k, d in items if k == ItemKind.RATING}
    assert dims == set(Dimension.values)
    assert sum(1 for k, _ in items if k == ItemKind.RECOMMEND) == 1
    assert sum(1 for k, _ in items if k == ItemKind.YES_NO) == 2
    assert sum(1 for k, _ in items if k == ItemKind.TEXT) == 2


def test_in_use_questionnaire_is_frozen_and_replaced_by_a_new_version(done, county):
    staff = county.users["federation_staff"]
    v1 = done.evaluation.questionnaire
    assert v1.in_use
    with pytest.raises(DomainError, match="不能修改"):
        add_question(v1, actor=staff, code="x", text="x", kind=ItemKind.YES_NO)
    with pytest.raises(DomainError, match="不能修改"):
        remove_question(v1.questions.first(), actor=staff)
    v2 = new_version(v1, actor=staff)
    assert (v2.version, v2.state, v2.questions.count()) == (2, QuestionnaireState.DRAFT, 16)
    add_question(v2, actor=staff, code="safety", text="安全规范讲解到位", kind=ItemKind.RATING,
                 dimension=Dimension.TEACHING, target=TargetKind.TRAINER)  # fmt: skip
    publish_questionnaire(v2, actor=staff)
    v1.refresh_from_db()
    assert v1.state == QuestionnaireState.RETIRED
    assert current_standard() == v2
    assert done.evaluation.questionnaire_id == v1.pk  # the open evaluation keeps its version
    assert v1.questions.count() == 16
    with pytest.raises(PermissionDeniedError):
        new_version(v2, actor=county.users["worker_a"])
    with pytest.raises(DomainError, match="只有评分题"):
        add_question(new_version(v2, actor=staff), actor=staff, code="y", text="y",
                     kind=ItemKind.TEXT, dimension=Dimension.VENUE)  # fmt: skip
    assert Questionnaire.objects.count() == 3


def test_plan_extra_items_are_asked_until_someone_answers(done, county):
    staff = county.users["federation_staff"]
    ev = done.evaluation
    q = add_plan_question(done.plan, actor=staff, text="是否需要进阶班？", kind=ItemKind.YES_NO)
    course = form_for(ev)[0]
    assert course.questions[-1] == q
    form = answers(ev)
    submit_answers(ev, person=done.people[0], answers=form)
    assert form[course.target.pk][q.code] == 1
    with pytest.raises(DomainError, match="已有学员作答"):
        add_plan_question(done.plan, actor=staff, text="再加一题", kind=ItemKind.TEXT)
    with pytest.raises(PermissionDeniedError):
        add_plan_question(done.plan, actor=county.users["union_officer_a"], text="x",
                          kind=ItemKind.TEXT)  # fmt: skip
    assert Question.objects.filter(plan=done.plan).count() == 1


def test_only_top_federation_staff_manage_the_standard(done, county):
    v1 = done.evaluation.questionnaire
    with pytest.raises(PermissionDeniedError, match="只能由总工会工作人员管理"):
        new_version(v1, actor=county.users["town_staff_a"])
    assert Questionnaire.objects.count() == 1


def test_questionnaire_console_makes_edits_and_publishes_a_version(client, done, county):
    client.force_login(county.users["federation_staff"])
    v1 = done.evaluation.questionnaire
    url = "/console/evaluation/questionnaires/"
    assert client.post(url, {"questionnaire": v1.pk, "action": "new_version"}).status_code == 302
    v2 = Questionnaire.objects.get(version=2)
    res = client.post(url, {"questionnaire": v2.pk, "action": "add", "code": "safe",
                            "text": "安全规范讲解到位", "kind": "rating", "target": "trainer",
                            "dimension": "teaching", "required": "on"})  # fmt: skip
    assert res.status_code == 302
    client.post(url, {"questionnaire": v2.pk, "action": "publish"})
    v2.refresh_from_db()
    assert (v2.state, v2.questions.count()) == (QuestionnaireState.PUBLISHED, 17)
    res = client.post(url, {"questionnaire": v2.pk, "action": "add", "code": "late",
                            "text": "晚了", "kind": "text", "target": "course"})  # fmt: skip
    assert "不能修改" in res.content.decode()
    assert v2.questions.count() == 17
    client.force_login(county.users["auditor"])
    assert client.post(url, {"questionnaire": v2.pk, "action": "publish"}).status_code == 403


def test_plan_questions_page(client, county):
    from .factories import completed_plan

    d = completed_plan(county.town_a, people=1, union=county.union_a)
    client.force_login(county.users["federation_staff"])
    url = f"/console/evaluation/plans/{d.plan.pk}/questions/"
    res = client.post(url, {"text": "是否需要进阶班？", "kind": "yes_no", "target": "course"})
    assert res.status_code == 302
    assert list(Question.objects.filter(plan=d.plan).values_list("text", flat=True)) == [
        "是否需要进阶班？"
    ]
