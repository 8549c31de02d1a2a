"""Keeping the enrolment plan cache true: any save of a plan or of its eligible units drops
the plan's cached enrolment terms (``domain.enrolment.enrollable_plan``) once committed."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .domain.enrolment import forget_plan
from .models import TrainingPlan


@receiver(post_save, sender=TrainingPlan)
@receiver(post_delete, sender=TrainingPlan)
def plan_saved(sender, instance: TrainingPlan, **kwargs) -> None:
    forget_plan(instance.pk)


@receiver(m2m_changed, sender=TrainingPlan.eligible_units.through)
def eligible_units_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:  # the plan object itself forgets the paths it read
        instance.__dict__.pop("_eligible_unit_paths", None)
    for plan_id in (pk_set or ()) if reverse else (instance.pk,):
        forget_plan(plan_id)
