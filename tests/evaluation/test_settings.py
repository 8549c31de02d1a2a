from decimal import Decimal

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.evaluation.domain.settings import update_settings
from gonghui.evaluation.models import EvaluationSettings


def test_top_federation_staff_change_thresholds_with_an_audit_row(county):
    s = update_settings(actor=county.users["federation_staff"], min_responses=8,
                        weak_margin=Decimal("0.5"))  # fmt: skip
    assert (s.min_responses, s.weak_margin) == (8, Decimal("0.5"))
    row = AuditEvent.objects.get(action="evaluation.settings")
    assert row.before == {"min_responses": "5", "weak_margin": "0.30"}
    assert row.after == {"min_responses": "8", "weak_margin": "0.5"}


def test_others_and_bad_values_are_refused(county):
    for who in ("town_staff_a", "auditor", "worker_a"):
        with pytest.raises(PermissionDeniedError):
            update_settings(actor=county.users[who], min_responses=1)
    with pytest.raises(DomainError, match="最少企业数至少为1"):
        update_settings(actor=county.users["federation_staff"], min_enterprises=0)
    with pytest.raises(DomainError, match="0到100"):
        update_settings(actor=county.users["federation_staff"], min_response_rate=120)
    assert EvaluationSettings.current().min_responses == 5


def test_settings_page(client, county):
    client.force_login(county.users["federation_staff"])
    url = "/console/evaluation/settings/"
    assert "公布所需最少答卷数" in client.get(url).content.decode()
    data = {"min_responses": 3, "min_response_rate": 20, "min_enterprises": 2, "prior_weight": 10,
            "weak_margin": "0.30", "window_days": 14, "follow_up_after_days": 90,
            "follow_up_window_days": 30, "reminder_every_days": 3, "answer_batch": 5}  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert (EvaluationSettings.current().min_responses,
            EvaluationSettings.current().min_enterprises) == (3, 2)  # fmt: skip
    assert client.post(url, {**data, "min_enterprises": 0}).status_code == 400
    client.force_login(county.users["town_staff_a"])
    assert client.post(url, {**data, "min_responses": 1}).status_code == 403
    assert EvaluationSettings.current().min_responses == 3
