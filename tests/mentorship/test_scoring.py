"""Anonymous periodic scoring (定期无记名网上打分) through the evaluation app's anonymity
model: invitations, once per period, held forms written in batches, thresholds, and the
apprentice's published score as the assessment's attitude part. Expected figures are worked
out by hand in the comments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.evaluation.enums import TargetKind
from gonghui.evaluation.models import (
    Invitation,
    Participation,
    PendingForm,
    RatingCounter,
    ScoringRound,
    Target,
)
from gonghui.mentorship.domain import assessment, scoring
from gonghui.mentorship.models import ScoringPeriod

from .test_domain import _signed_and_started

pytestmark = pytest.mark.django_db

H1 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def _open(w, name="2026年上半年", dates=H1):
    return scoring.open_scoring_period(
        w.programme, actor=w.officer, name=name, starts_on=dates[0], ends_on=dates[1],
        closes_at=timezone.now() + dt.timedelta(days=7),
    )  # fmt: skip


def _target(period, kind, person):
    return Target.objects.get(round=period.round, kind=kind, subject=person)


def _mentor_answers(a, b, c):
    return {"mentor_attitude": a, "mentor_method": b, "mentor_care": c}


def _apprentice_answers(a, b, c, d):
    return {"apprentice_attitude": a, "apprentice_discipline": b, "apprentice_teamwork": c,
            "apprentice_progress": d}  # fmt: skip


@pytest.fixture
def three_pairs(world):
    for name in ("小刘", "小陈", "小周"):
        _signed_and_started(world, name)
    return world


def test_who_scores_whom(three_pairs):
    w = three_pairs
    period = _open(w)
    p = w.people
    mentor = _target(period, TargetKind.MENTOR, p["郑佳"])
    invited = set(Invitation.objects.filter(target=mentor).values_list("person_id", flat=True))
    assert invited == {p["小刘"].pk, p["小陈"].pk, p["小周"].pk}
    # 小刘 is scored by the mentor and the two other apprentices of 炼钢厂 (not by himself).
    liu = _target(period, TargetKind.APPRENTICE, p["小刘"])
    invited = set(Invitation.objects.filter(target=liu).values_list("person_id", flat=True))
    assert invited == {p["郑佳"].pk, p["小陈"].pk, p["小周"].pk}
    assert Target.objects.filter(round=period.round).count() == 4  # 1 mentor + 3 apprentices
    # Every counter exists at zero from the start: 3 mentor items + 3×4 apprentice items,
    # five values each, online only.
    assert RatingCounter.objects.filter(target__round=period.round).count() == (3 + 12) * 5
    assert not RatingCounter.objects.filter(target__round=period.round, count__gt=0).exists()
    mine = scoring.to_score(p["小刘"])
    assert sorted((t.role, t.target.subject_id) for t in mine) == sorted(
        [("为导师打分", p["郑佳"].pk), ("为同事（徒弟）打分", p["小陈"].pk),
         ("为同事（徒弟）打分", p["小周"].pk)]
    )  # fmt: skip


def test_forms_wait_for_a_batch_then_scores_show_after_close_above_the_threshold(three_pairs):
    w = three_pairs
    period = _open(w)
    p, acc = w.people, w.accounts
    mentor = _target(period, TargetKind.MENTOR, p["郑佳"])
    liu = _target(period, TargetKind.APPRENTICE, p["小刘"])
    forms = [
        ("小刘", mentor, _mentor_answers(5, 5, 4)),
        ("小陈", mentor, _mentor_answers(4, 4, 4)),
        ("郑佳", liu, _apprentice_answers(5, 4, 5, 4)),
        ("小陈", liu, _apprentice_answers(4, 4, 4, 4)),
    ]
    for who, target, answers in forms:
        scoring.submit_score(period, actor=acc[who], target_id=target.pk, answers=answers)
    # Four forms wait (k = 5): no person on them, nothing counted yet.
    assert PendingForm.objects.filter(round=period.round).count() == 4
    assert not RatingCounter.objects.filter(target__round=period.round, count__gt=0).exists()
    assert Participation.objects.filter(target__round=period.round).count() == 4
    scoring.submit_score(period, actor=acc["小周"], target_id=liu.pk,
                         answers=_apprentice_answers(5, 5, 5, 5))  # fmt: skip
    assert PendingForm.objects.filter(round=period.round).count() == 0
    liu.refresh_from_db()
    mentor.refresh_from_db()
    assert (liu.responses, mentor.responses) == (3, 2)

    # Open: nothing is shown yet.
    result = scoring.period_result(period)
    assert (result.forms, result.invited) == (5, 12)
    assert not any(s.published for _, _, s in result.scores)

    scoring.close_scoring_period(period, actor=w.officer)
    scores = {(s.kind, s.subject_id): s for _, _, s in scoring.period_result(period).scores}
    # 小刘: 12 ratings (3 forms × 4 items) totalling 18 + 16 + 20 = 54 → mean 4.50, ×20 = 90.0.
    liu_score = scores[(TargetKind.APPRENTICE, p["小刘"].pk)]
    assert (liu_score.published, liu_score.mean, liu_score.index) == (
        True,
        Decimal("4.50"),
        Decimal("90.0"),
    )
    # The mentor had two forms: below the threshold of 3, withheld with the reason.
    m = scores[(TargetKind.MENTOR, p["郑佳"].pk)]
    assert (m.published, m.mean, m.responses) == (False, None, 2)
    assert m.reason == "答卷不足3份，不予公布（保护打分人）"

    # The attitude part of 小刘's assessment is that score.
    a = liu_agreement = w.mentor.agreements.get(apprentice__person=p["小刘"])
    result = assessment.assess(liu_agreement, start=dt.date(2026, 1, 1), end=dt.date(2026, 9, 30))
    assert result.attitude == Decimal("90.0")
    assert result.steps[2] == "态度评价：无记名评分1期，3份答卷，平均4.50分（5分制）×20 = 90.0"
    # A period ending outside the assessed dates does not count.
    later = assessment.assess(a, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    assert later.attitude is None and later.steps[2] == "态度评价：本期尚无无记名评分，不计入"


def test_second_score_late_score_and_uninvited_are_refused_and_nothing_is_written(three_pairs):
    w = three_pairs
    period = _open(w)
    p, acc = w.people, w.accounts
    mentor = _target(period, TargetKind.MENTOR, p["郑佳"])
    scoring.submit_score(period, actor=acc["小刘"], target_id=mentor.pk,
                         answers=_mentor_answers(5, 5, 5))  # fmt: skip

    def written():
        audited = AuditEvent.objects.filter(action="evaluation.round.participate").count()
        return (PendingForm.objects.count(), Participation.objects.count(), audited)

    before = written()
    with pytest.raises(DomainError, match="本期您已经打过分，每期只能打一次"):
        scoring.submit_score(period, actor=acc["小刘"], target_id=mentor.pk,
                             answers=_mentor_answers(1, 1, 1))  # fmt: skip
    with pytest.raises(DomainError, match="您不在该对象的打分人之列"):
        scoring.submit_score(period, actor=acc["小吴"], target_id=mentor.pk,
                             answers=_mentor_answers(1, 1, 1))  # fmt: skip
    with pytest.raises(DomainError, match="答案应为1到5之间的整数"):
        scoring.submit_score(period, actor=acc["小陈"], target_id=mentor.pk,
                             answers=_mentor_answers(6, 1, 1))  # fmt: skip
    assert written() == before
    scoring.close_scoring_period(period, actor=w.officer)
    before = written()
    with pytest.raises(DomainError, match="本期打分已截止，不能再提交"):
        scoring.submit_score(period, actor=acc["小陈"], target_id=mentor.pk,
                             answers=_mentor_answers(3, 3, 3))  # fmt: skip
    assert written() == before
    # The one held form was written at close.
    mentor.refresh_from_db()
    assert mentor.responses == 1 and PendingForm.objects.count() == 0


def test_periods_do_not_overlap_and_only_the_programme_staff_open_them(three_pairs):
    w = three_pairs
    _open(w)
    rounds_before = ScoringRound.objects.count()
    with pytest.raises(DomainError, match="该考核期与已有的打分期次重叠"):
        _open(w, name="重叠", dates=(dt.date(2026, 6, 1), dt.date(2026, 12, 31)))
    with pytest.raises(PermissionDeniedError):
        scoring.open_scoring_period(
            w.programme, actor=w.accounts["郑佳"], name="2026年下半年",
            starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 12, 31),
            closes_at=timezone.now() + dt.timedelta(days=7),
        )  # fmt: skip
    assert ScoringRound.objects.count() == rounds_before
    assert ScoringPeriod.objects.count() == 1


def test_training_scores_ignore_the_rounds(three_pairs):
    """Mentorship items carry no dimension, so the federation's training priors and cards
    never count them."""
    from gonghui.evaluation.domain.scores import federation_priors

    w = three_pairs
    period = _open(w)
    before = {k: (v.mean, v.n) for k, v in federation_priors().items()}
    mentor = _target(period, TargetKind.MENTOR, w.people["郑佳"])
    for who in ("小刘", "小陈", "小周"):
        scoring.submit_score(period, actor=w.accounts[who], target_id=mentor.pk,
                             answers=_mentor_answers(1, 1, 1))  # fmt: skip
    scoring.close_scoring_period(period, actor=w.officer)
    assert {k: (v.mean, v.n) for k, v in federation_priors().items()} == before
