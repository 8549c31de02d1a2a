"""Learning and results levels (学习层, 结果层) of a plan, from the outcomes database:
completion and certification against the plan's targets, test scores, and (from the
enterprises' follow-ups) work applied and promotions; plus satisfaction against target."""

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
        satisfaction=plan_scores(plan).satisfaction,
        target_satisfaction=plan.target_satisfaction,
        behaviour=behaviour_summary(TrainingPlan.objects.filter(pk=plan.pk)),
    )
