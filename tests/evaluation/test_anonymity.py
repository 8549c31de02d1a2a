"""No path through the ORM links an answer to the person who gave it (the API and the
exports are checked in their own tests); a second answer is still refused."""

import random

import pytest
from django.db import connection, models
from django.urls import reverse

from gonghui.core.models import AuditEvent
from gonghui.evaluation.domain import evaluations
from gonghui.evaluation.domain.evaluations import answer_batch as settings_answer_batch
from gonghui.evaluation.domain.evaluations import (
    close_evaluation,
    form_for,
    open_evaluation,
    submit_answers,
)
from gonghui.evaluation.enums import ITEM_RANGE, Channel, ItemKind, TargetKind
from gonghui.evaluation.models import (
    EvaluationSettings,
    Participation,
    PendingForm,
    RatingCounter,
    TextAnswer,
)
from gonghui.orgs.models import Person

from .factories import answers, completed_plan

ANSWER_MODELS = (RatingCounter, TextAnswer)


def test_answer_tables_hold_no_person_time_or_sequence():
    for model in ANSWER_MODELS:
        fields = model._meta.get_fields()
        assert isinstance(model._meta.pk, models.UUIDField)
        assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in fields)
        related = {f.related_model for f in fields if f.is_relation}
        assert Person not in related
        assert "accounts.User" not in {
            getattr(m, "_meta", None) and m._meta.label for m in related
        } or (
            model is TextAnswer  # reviewed_by: the staff member who reviewed, not the author
        )
    participation = {f.name for f in Participation._meta.get_fields()}
    assert participation == {"id", "target", "person"}


def test_every_join_from_an_answer_reaches_all_participants_alike(done):
    ev = done.evaluation
    texts = ["老师讲得很好", "场地太吵", "希望多些实操"]
    for person, text in zip(done.people, texts, strict=True):
        submit_answers(ev, person=person, answers=answers(ev, text=text))
    course = ev.targets.get(kind=TargetKind.COURSE)
    everyone = {p.pk for p in done.people}
    # the only road from an answer to a person is answer → target → participations,
    # and it leads from every answer to every participant of the target
    for answer in TextAnswer.objects.filter(target=course):
        reached = set(
            Person.objects.filter(
                pk__in=Participation.objects.filter(target__text_answers=answer).values("person")
            ).values_list("pk", flat=True)
        )
        assert reached == everyone
    for counter in RatingCounter.objects.filter(target=course):
        reached = set(
            Participation.objects.filter(target__counters=counter).values_list(
                "person_id", flat=True
            )
        )
        assert reached == everyone
    # the audit log says who took part, never what or how
    rows = AuditEvent.objects.filter(action="evaluation.participate")
    assert rows.count() == 3
    for row in rows:
        blob = f"{row.before}{row.after}{row.detail}{row.object_repr}"
        assert not any(t in blob for t in texts)
        assert "qr" not in blob and "online" not in blob


def test_text_answers_are_not_kept_in_arrival_order(done):
    ev = done.evaluation
    texts = [f"意见{i}" for i in range(3)]
    for person, text in zip(done.people, texts, strict=True):
        submit_answers(ev, person=person, answers=answers(ev, text=text))
    # ordered by a random key: over the 6 rows (course + trainer) no arrival order is kept
    # that could be lined up with the participation rows; the key says nothing either
    keys = list(TextAnswer.objects.values_list("id", flat=True))
    assert len({k.version for k in keys}) == 1 and keys[0].version == 4


# -- issue 12 item 3: answers held apart and written in shuffled batches -------------------------

K = 4


@pytest.fixture
def batched(county, monkeypatch):
    """k = 4 from the settings (undoing conftest's batch of one), a seeded shuffle, and a
    plan with 8 participants whose evaluation is open."""
    monkeypatch.setattr(evaluations, "answer_batch", settings_answer_batch)
    EvaluationSettings.current()
    EvaluationSettings.objects.update(answer_batch=K)
    d = completed_plan(county.town_a, people=8, union=county.union_a, enterprise=county.ent_a)
    d.evaluation = open_evaluation(d.plan, actor=county.users["federation_staff"])
    d.staff = county.users["federation_staff"]
    return d


def _stored_text_order(evaluation) -> list[str]:
    """Course texts in the order the rows lie in the table (SQLite rowid, PostgreSQL ctid)."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = TextAnswer._meta.db_table
    course = evaluation.targets.get(kind=TargetKind.COURSE)
    with connection.cursor() as cur:
        cur.execute(f"SELECT text FROM {table} WHERE target_id = %s ORDER BY {order}",  # noqa: S608
                    [course.pk])  # fmt: skip
        return [r[0] for r in cur.fetchall()]


def _texts_written(evaluation) -> int:
    return TextAnswer.objects.filter(target__evaluation=evaluation).count()


def test_counters_exist_at_zero_before_the_first_answer(batched):
    ev = batched.evaluation
    sections = form_for(ev)
    expected = sum(
        len(ITEM_RANGE[ItemKind(q.kind)]) * len(Channel.values)
        for s in sections for q in s.questions if q.kind != ItemKind.TEXT
    )  # fmt: skip
    # standard form, one trainer: course 7×5 + 11 + 2×2 values, trainer 4×5, × 3 channels
    assert expected == (35 + 11 + 4 + 20) * 3
    counters = RatingCounter.objects.filter(target__evaluation=ev)
    assert counters.count() == expected
    assert set(counters.values_list("count", flat=True)) == {0}
    # An answer adds no counter row, whatever value it gives.
    submit_answers(ev, person=batched.people[0], answers=answers(ev, rating=1, recommend=0))
    evaluations.flush_pending_forms(ev, force=True)
    assert RatingCounter.objects.filter(target__evaluation=ev).count() == expected


def test_answers_wait_until_k_forms_then_texts_appear_together(batched):
    ev = batched.evaluation
    texts = [f"意见{i}" for i in range(K)]
    for i, person in enumerate(batched.people[: K - 1]):
        submit_answers(ev, person=person, answers=answers(ev, text=texts[i]))
        # nothing of the answer is visible yet: no text, every counter at zero, no response
        assert _texts_written(ev) == 0
        assert set(RatingCounter.objects.filter(target__evaluation=ev)
                   .values_list("count", flat=True)) == {0}  # fmt: skip
        assert set(ev.targets.values_list("responses", flat=True)) == {0}
        assert PendingForm.objects.filter(evaluation=ev).count() == i + 1
    # who answered is known at once (a second answer is still refused)
    assert Participation.objects.filter(target__kind=TargetKind.COURSE).count() == K - 1
    submit_answers(ev, person=batched.people[K - 1], answers=answers(ev, text=texts[-1]))
    assert sorted(_stored_text_order(ev)) == sorted(texts)
    assert PendingForm.objects.count() == 0
    assert ev.targets.get(kind=TargetKind.COURSE).responses == K


def test_written_order_is_a_shuffle_independent_of_the_submit_order(batched, county, monkeypatch):
    """By construction: the same K forms submitted in two opposite orders, each batch
    shuffled by a generator seeded alike, lie in the table in the same order — the seeded
    permutation of their canonical order, not the order of arrival."""
    ev = batched.evaluation
    texts = [f"意见{i}" for i in range(K)]
    monkeypatch.setattr(evaluations, "SHUFFLE", random.Random(20261201))
    for person, text in zip(batched.people[:K], texts, strict=True):
        submit_answers(ev, person=person, answers=answers(ev, text=text))
    first = _stored_text_order(ev)

    other = completed_plan(county.town_a, people=K, union=county.union_a,
                           enterprise=county.ent_a, title="第二期")  # fmt: skip
    ev2 = open_evaluation(other.plan, actor=batched.staff)
    monkeypatch.setattr(evaluations, "SHUFFLE", random.Random(20261201))
    for person, text in zip(other.people, reversed(texts), strict=True):
        submit_answers(ev2, person=person, answers=answers(ev2, text=text))
    second = _stored_text_order(ev2)

    assert first == second  # the order of submission left no trace
    assert sorted(first) == texts and first != texts and first != texts[::-1]
    # and it is exactly the seeded permutation of the forms' canonical order
    forms = sorted(texts)  # the forms differ only by their text here
    random.Random(20261201).shuffle(forms)
    assert first == forms


def test_close_writes_what_waits_and_totals_are_unchanged(batched):
    """Fewer than k forms: nothing is written until close, then all of them; the figures are
    those of the forms themselves (each counted once)."""
    ev = batched.evaluation
    values = [(5, 10, "很好"), (4, 9, ""), (2, 3, "太吵")]
    for person, (rating, rec, text) in zip(batched.people, values, strict=False):
        submit_answers(ev, person=person, answers=answers(ev, rating=rating, recommend=rec,
                                                          text=text))  # fmt: skip
    assert _texts_written(ev) == 0
    close_evaluation(ev, actor=batched.staff)
    course = ev.targets.get(kind=TargetKind.COURSE)
    assert course.responses == 3
    written = RatingCounter.objects.filter(target=course, count__gt=0)
    venue = dict(written.filter(question__code="venue").values_list("value", "count"))
    assert venue == {5: 1, 4: 1, 2: 1}
    nps = dict(written.filter(kind=ItemKind.RECOMMEND).values_list("value", "count"))
    assert nps == {10: 1, 9: 1, 3: 1}
    assert sorted(TextAnswer.objects.filter(target=course).values_list("text", flat=True)) == [
        "太吵", "很好"]  # fmt: skip
    assert PendingForm.objects.count() == 0


def test_text_review_page_shows_nothing_until_the_batch_is_written(client, batched):
    ev = batched.evaluation
    client.force_login(batched.staff)
    url = reverse("evaluation_console:texts")
    submit_answers(ev, person=batched.people[0], answers=answers(ev, text="独一无二的意见"))
    assert "独一无二的意见" not in client.get(url).content.decode()
    for person in batched.people[1:K]:
        submit_answers(ev, person=person, answers=answers(ev, text="一般"))
    assert "独一无二的意见" in client.get(url).content.decode()


def test_pending_forms_hold_no_person_time_or_sequence():
    fields = PendingForm._meta.get_fields()
    assert isinstance(PendingForm._meta.pk, models.UUIDField)
    assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in fields)
    # ``round``: a form of a periodic scoring round (mentorship) instead of an evaluation.
    assert {f.name for f in fields} == {"id", "evaluation", "round", "channel", "answers"}
