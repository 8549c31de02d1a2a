# SPDX-License-Identifier: AGPL-3.0-or-later
"""The federation's evaluation settings: publication thresholds, the prior weight, the
weak-spot margin, windows and reminder intervals. Changed by the top federation's staff
only, with an audit row of old and new values."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models.org import SEGMENT
from gonghui.orgs.rules import roles_for

from ..models import EvaluationSettings

FIELDS = (
    "min_responses", "min_response_rate", "min_enterprises", "prior_weight", "weak_margin",
    "window_days", "follow_up_after_days", "follow_up_window_days", "reminder_every_days",
    "answer_batch",
)  # fmt: skip


def may_change_settings(actor) -> bool:
    principal = principal_for(actor)
    if principal.is_superuser:
        return True
    paths = principal.paths(roles_for("evaluation", "change"))
    return any(len(p) == SEGMENT + 1 for p in paths)


@transaction.atomic
def update_settings(*, actor, **values: Any) -> EvaluationSettings:
    if not may_change_settings(actor):
        raise PermissionDeniedError("评价设置只能由总工会工作人员修改")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise DomainError(f"未知设置项：{sorted(unknown)[0]}")
    if "min_response_rate" in values and not 0 <= int(values["min_response_rate"]) <= 100:
        raise DomainError("最低参评率应在0到100之间", field="min_response_rate")
    if "min_responses" in values and int(values["min_responses"]) < 1:
        raise DomainError("最少答卷数至少为1", field="min_responses")
    if "min_enterprises" in values and int(values["min_enterprises"]) < 1:
        raise DomainError("公布企业评分所需最少企业数至少为1", field="min_enterprises")
    if "answer_batch" in values and int(values["answer_batch"]) < 2:
        raise DomainError("匿名批量写入份数至少为2", field="answer_batch")
    if "weak_margin" in values and Decimal(str(values["weak_margin"])) <= 0:
        raise DomainError("短板判定差距应大于0", field="weak_margin")
    current = EvaluationSettings.current()
    locked = EvaluationSettings.objects.select_for_update().get(pk=current.pk)
    before = {k: str(getattr(locked, k)) for k in values}
    for k, v in values.items():
        setattr(locked, k, v)
    locked.full_clean()
    locked.save(update_fields=[*values, "updated_at"])
    audit.record(
        "evaluation.settings", actor=actor, obj=locked, before=before,
        after={k: str(getattr(locked, k)) for k in values},
    )  # fmt: skip
    return locked
