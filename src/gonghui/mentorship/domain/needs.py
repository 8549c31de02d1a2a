# SPDX-License-Identifier: AGPL-3.0-or-later
"""Learning needs nobody in the pool can meet become training demands (the training app's
demand list), through the training app's public domain function ``refer_worker_demand``.

A need is unmet when the apprentice has no active agreement and the pool holds no approved
mentor in term for the skill with room left (``agreements.suggest_mentors`` is empty: the
pairing page says so). The demand is the apprentice's own worker demand for the skill, one
level above their recorded 技能等级 (初级 when none), with the learning needs as its text;
the apprentice row keeps the link, so a need is filed once.
"""

from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.training.domain.demands import refer_worker_demand
from gonghui.training.enums import Level

from ..enums import ACTIVE_AGREEMENT_STATES
from ..models import Apprentice, MentorshipProgramme
from .agreements import suggest_mentors
from .common import require_runner

#: 技能等级 → the level a demand asks for: one above (l5 初级 … l1 高级技师).
NEXT_LEVEL = {"": Level.L5, "none": Level.L5, "l5": Level.L4, "l4": Level.L3,
              "l3": Level.L2, "l2": Level.L1, "l1": Level.L1}  # fmt: skip


def is_unmet(apprentice: Apprentice) -> bool:
    if apprentice.agreements.filter(state__in=ACTIVE_AGREEMENT_STATES).exists():
        return False
    return not suggest_mentors(apprentice, limit=1)


def unmet_needs(programme: MentorshipProgramme) -> list[Apprentice]:
    """Apprentices of the programme whose need is unmet and not yet filed."""
    rows = (
        Apprentice.objects.filter(programme=programme, training_demand__isnull=True)
        .select_related("programme", "person", "skill")
        .order_by("pk")
    )
    return [a for a in rows if is_unmet(a)]


@transaction.atomic
def file_unmet_need(apprentice: Apprentice, *, actor):
    """File one unmet need as a training demand; returns the demand."""
    require_runner(actor, apprentice.programme)
    apprentice = (
        Apprentice.objects.select_for_update()
        .select_related("programme", "person", "skill")
        .get(pk=apprentice.pk)
    )
    if apprentice.training_demand_id:
        raise DomainError("该学习需求已转为培训需求", code="duplicate")
    if not is_unmet(apprentice):
        raise DomainError("导师库中有可带该技能的导师，请先结对", code="state")
    level = NEXT_LEVEL.get(apprentice.person.skill_level or "", Level.L5)
    offered = sorted(apprentice.skill.levels or [], reverse=True)  # "l5" (初级) first
    if offered and level not in offered:  # the next offered level up, else the top one
        level = next((lv for lv in offered if lv <= level), offered[-1])
    note = f"导师带徒无导师可带：{apprentice.learning_needs or apprentice.skill.name}"
    demand, _ = refer_worker_demand(
        apprentice.person, actor=actor, skill=apprentice.skill, level=level, note=note,
        source=f"mentorship.apprentice:{apprentice.pk}",
    )  # fmt: skip
    apprentice.training_demand = demand
    apprentice.save(update_fields=["training_demand"])
    audit.record("mentorship.apprentice.need_filed", actor=actor, obj=apprentice,
                 after={"demand": demand.pk, "level": level})  # fmt: skip
    return demand


def file_unmet_needs(programme: MentorshipProgramme, *, actor) -> int:
    """File every unmet need of the programme; returns how many were filed."""
    require_runner(actor, programme)
    return len([file_unmet_need(a, actor=actor) for a in unmet_needs(programme)])
