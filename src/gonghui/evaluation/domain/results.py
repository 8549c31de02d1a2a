# SPDX-License-Identifier: AGPL-3.0-or-later
"""Learning and results levels (学习层, 结果层) of a plan, from the outcomes database:
completion and certification against the plan's targets, test scores, skill-level rises,
and (from the enterprises' follow-ups) work applied and promotions; plus satisfaction
against target."""

from dataclasses import dataclass

from django.db.models import Avg

from gonghui.training.enums import EnrollmentStatus
from gonghui.training.models import Certificate, TrainingPlan

from .followups import behaviour_summary
from .scores import Rate, plan_scores, rate


@dataclass(frozen=True)
class Results:
    enrolled: int
    completed: Rate
    target_completion: int  # %
    certified: Rate  # participants with a certificate from the plan, among the enrolled
    target_certification: int  # %
    mean_test_score: float | None
    level_rises: Rate  # participants whose certificate from the plan outranks what they had
    satisfaction: Rate  # ratings of 4–5 (reaction level)
    target_satisfaction: int  # %
    behaviour: dict  # see followups.behaviour_summary

    @property
    def completion_met(self) -> bool | None:
        return (
            None
            if self.completed.rate is None
            else self.completed.rate * 100 >= self.target_completion
        )

    @property
    def certification_met(self) -> bool | None:
        if self.certified.rate is None:
            return None
        return self.certified.rate * 100 >= self.target_certification

    @property
    def satisfaction_met(self) -> bool | None:
        if self.satisfaction.rate is None:
            return None
        return self.satisfaction.rate * 100 >= self.target_satisfaction


#: Skill levels from lowest to highest (the roster's 技能等级 and the certificates' 等级
#: share the codes l5 … l1).
RANK = {"": 0, "none": 0, "l5": 1, "l4": 2, "l3": 3, "l2": 4, "l1": 5}


def level_rises(plan: TrainingPlan, people) -> int:
    """How many of ``people`` rose a skill level through the plan: a certificate from it
    outranks both the level on their record (技能等级) and every certificate they held of
    any skill before it was issued."""
    risen = 0
    certs = Certificate.objects.filter(plan=plan, person__in=people).select_related("person")
    best: dict[int, int] = {}
    for cert in certs:
        best[cert.person_id] = max(best.get(cert.person_id, 0), RANK.get(cert.level, 0))
    if not best:
        return 0
    earliest = {}
    for cert in certs:
        day = earliest.get(cert.person_id)
        earliest[cert.person_id] = cert.issued_on if day is None else min(day, cert.issued_on)
    before: dict[int, int] = {}
    for pid, level, issued in (
        Certificate.objects.filter(person_id__in=best)
        .exclude(plan=plan)
        .values_list("person_id", "level", "issued_on")
    ):
        if issued < earliest[pid]:
            before[pid] = max(before.get(pid, 0), RANK.get(level, 0))
    recorded = {c.person_id: RANK.get(c.person.skill_level, 0) for c in certs}
    for pid, level in best.items():
        if level > max(recorded[pid], before.get(pid, 0)):
            risen += 1
    return risen


def plan_results(plan: TrainingPlan) -> Results:
    enrolled = plan.enrollments.filter(status=EnrollmentStatus.ENROLLED)
    n = enrolled.count()
    completed = enrolled.filter(completed=True).count()
    certs = Certificate.objects.filter(plan=plan, person__in=enrolled.values("person_id"))
    certified = certs.values("person_id").distinct().count()
    score = certs.aggregate(s=Avg("score"))["s"]
    return Results(
        enrolled=n,
        completed=rate(completed, n),
        target_completion=plan.target_completion_rate,
        certified=rate(certified, n),
        target_certification=plan.target_certification_rate,
        mean_test_score=float(score) if score is not None else None,
        level_rises=rate(level_rises(plan, enrolled.values("person_id")), n),
        satisfaction=plan_scores(plan).satisfaction,
        target_satisfaction=plan.target_satisfaction,
        behaviour=behaviour_summary(TrainingPlan.objects.filter(pk=plan.pk)),
    )
