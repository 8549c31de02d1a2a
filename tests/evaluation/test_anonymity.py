"""No path through the ORM links an answer to the person who gave it (the API and the
exports are checked in their own tests); a second answer is still refused."""

from django.db import models

from gonghui.core.models import AuditEvent
from gonghui.evaluation.domain.evaluations import submit_answers
from gonghui.evaluation.enums import TargetKind
from gonghui.evaluation.models import Participation, RatingCounter, TextAnswer
from gonghui.orgs.models import Person

from .factories import answers

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
