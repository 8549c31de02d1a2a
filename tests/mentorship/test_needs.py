"""Unmet learning needs become training demands through the training app's domain."""

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.mentorship.domain import agreements, needs
from gonghui.training.enums import DemandStatus, Party
from gonghui.training.models import Demand

pytestmark = pytest.mark.django_db


def _register(w, name, skill):
    return agreements.register_apprentice(
        w.programme, actor=w.officer, person=w.people[name], skill=skill,
        department="炼钢厂", learning_needs="想学钳工装配",
    )  # fmt: skip


def test_a_need_nobody_in_the_pool_meets_becomes_a_training_demand_once(world):
    w = world
    fitter = _register(w, "小刘", w.fitter)  # the pool has only a welder (郑佳)
    welder = _register(w, "小陈", w.welder)
    assert [a.pk for a in needs.unmet_needs(w.programme)] == [fitter.pk]
    with pytest.raises(PermissionDeniedError):
        needs.file_unmet_need(fitter, actor=w.accounts["郑佳"])
    with pytest.raises(DomainError, match="导师库中有可带该技能的导师，请先结对"):
        needs.file_unmet_need(welder, actor=w.officer)
    assert not Demand.objects.exists()

    assert needs.file_unmet_needs(w.programme, actor=w.officer) == 1
    demand = Demand.objects.get()
    person = w.people["小刘"]
    expected_level = needs.NEXT_LEVEL[person.skill_level or ""]
    offered = sorted(w.fitter.levels or [], reverse=True)
    if offered and expected_level not in offered:
        expected_level = next((lv for lv in offered if lv <= expected_level), offered[-1])
    assert (demand.party, demand.person_id, demand.skill_id, demand.status, demand.level) == (
        Party.WORKER, person.pk, w.fitter.pk, DemandStatus.MATCHED, expected_level)  # fmt: skip
    assert demand.free_text == "导师带徒无导师可带：想学钳工装配"
    assert demand.org_unit_id == w.county.union_a.pk
    fitter.refresh_from_db()
    assert fitter.training_demand_id == demand.pk
    # Filed once: nothing left, a second filing is refused and writes nothing.
    assert needs.unmet_needs(w.programme) == []
    with pytest.raises(DomainError, match="该学习需求已转为培训需求"):
        needs.file_unmet_need(fitter, actor=w.officer)
    assert Demand.objects.count() == 1
