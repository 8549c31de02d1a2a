"""Mentorship API: the journey through the API, scope for staff, parties and outsiders."""

import pytest

from gonghui.mentorship.enums import AgreementState
from gonghui.orgs.enums import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_pool_pairing_signing_and_assessment_through_the_api(client, world):
    w = world
    client.force_login(w.officer)
    base = f"/api/mentorship/programmes/{w.programme.pk}"
    payload = {"person_id": w.people["小刘"].pk, "skill_id": w.welder.pk, "department": "炼钢厂"}
    res = _post(client, f"{base}/apprentices", payload)
    assert res.status_code == 201, res.content
    apprentice_id = res.json()["id"]
    suggestions = client.get(f"/api/mentorship/apprentices/{apprentice_id}/suggestions").json()
    assert [(s["mentor_id"], s["free"]) for s in suggestions] == [(w.mentor.pk, 3)]
    bad = _post(client, f"{base}/agreements", {
        "mentor_id": w.mentor.pk, "apprentice_id": apprentice_id, "starts_on": "2026-01-05",
        "goals": [{"title": "平焊", "weight": 60, "due_on": "2026-06-30"}],
    })  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "各项目标权重之和须为100%，现为60%"
    res = _post(client, f"{base}/agreements", {
        "mentor_id": w.mentor.pk, "apprentice_id": apprentice_id, "starts_on": "2026-01-05",
        "goals": [{"title": "平焊", "weight": 60, "due_on": "2026-06-30"},
                  {"title": "立焊", "weight": 40, "due_on": "2026-12-31"}],
    })  # fmt: skip
    assert res.status_code == 201, res.content
    agreement = res.json()
    assert (agreement["state"], agreement["ends_on"]) == ("draft", "2027-01-05")
    url = f"/api/mentorship/agreements/{agreement['id']}"
    assert _post(client, f"{url}/sign", {"role": "union"}).json()["state"] == "draft"
    for name, role in (("郑佳", "mentor"), ("小刘", "apprentice")):
        client.force_login(w.accounts[name])
        res = _post(client, f"{url}/sign", {"role": role})
        assert res.status_code == 200, res.content
    assert res.json()["state"] == AgreementState.SIGNED
    # A party cannot move the workflow; the union can.
    assert _post(client, f"{url}/actions", {"action": "start"}).status_code == 403
    client.force_login(w.officer)
    assert _post(client, f"{url}/actions", {"action": "start"}).json()["state"] == "in_progress"
    res = _post(client, f"{url}/actions", {"action": "terminate"})
    assert (res.status_code, res.json()["error"]["message"]) == (400, "终止协议须说明原因")
    res = client.get(f"{url}/assessment", {"start": "2026-01-01", "end": "2026-12-31"})
    body = res.json()
    # Goals due by 31 Dec, none assessed: KPI 0; no exams: improvement 0 → total 0, 不合格.
    assert (body["kpi"], body["improvement"], body["total"], body["grade_label"]) == (
        0.0,
        0.0,
        0.0,
        "不合格",
    )


def test_who_sees_which_agreement(client, world):
    w = world
    from tests.mentorship.test_domain import _agreement

    mine = _agreement(w, "小刘")
    _agreement(w, "小陈")
    ids = {
        "officer": w.officer, "apprentice": w.accounts["小刘"], "mentor": w.accounts["郑佳"],
        "bystander": w.accounts["小孙"],
        "other_union": user_with_role(Role.UNION_OFFICER, w.county.union_b, username="ob"),
    }  # fmt: skip
    seen = {}
    for label, user in ids.items():
        client.force_login(user)
        seen[label] = sorted(
            a["id"] for a in client.get("/api/mentorship/agreements").json()["items"]
        )
    everything = sorted(mine.programme.agreements.values_list("pk", flat=True))
    assert seen == {
        "officer": everything, "apprentice": [mine.pk], "mentor": everything,
        "bystander": [], "other_union": [],
    }  # fmt: skip
    client.force_login(ids["other_union"])
    assert client.get(f"/api/mentorship/agreements/{mine.pk}").status_code == 404
    # Naming a person outside one's scope by id reveals nothing.
    res = _post(client, f"/api/mentorship/programmes/{w.programme.pk}/apprentices",
                {"person_id": w.people["小吴"].pk, "skill_id": w.welder.pk})  # fmt: skip
    assert res.status_code == 404


def test_anonymous_scoring_through_the_api(client, world):
    from .test_domain import _signed_and_started

    w = world
    for name in ("小刘", "小陈", "小周"):
        _signed_and_started(w, name)
    client.force_login(w.accounts["郑佳"])
    base = f"/api/mentorship/programmes/{w.programme.pk}/scoring-periods"
    period = {"name": "2026年上半年", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
              "closes_at": "2099-01-01T00:00:00+08:00"}  # fmt: skip
    assert _post(client, base, period).status_code == 404  # a mentor does not see the programme
    client.force_login(w.officer)
    res = _post(client, base, period)
    assert res.status_code == 201, res.content
    period_id = res.json()["id"]
    assert (res.json()["forms"], res.json()["invited"]) == (0, 12)
    client.force_login(w.accounts["小刘"])
    mine = client.get("/api/mentorship/scoring/mine").json()
    mentor = next(t for t in mine if t["role"] == "为导师打分")
    assert [q["code"] for q in mentor["questions"]] == [
        "mentor_attitude", "mentor_method", "mentor_care"]  # fmt: skip
    url = f"/api/mentorship/scoring/targets/{mentor['target_id']}"
    answers = {"answers": {"mentor_attitude": 5, "mentor_method": 4, "mentor_care": 3}}
    assert _post(client, url, answers).status_code == 204
    again = _post(client, url, answers)
    assert (again.status_code, again.json()["error"]["message"]) == (
        409,
        "本期您已经打过分，每期只能打一次",
    )
    client.force_login(w.accounts["小吴"])  # not invited: not found, nothing written
    assert _post(client, url, answers).status_code == 404
    client.force_login(w.officer)
    closed = _post(client, f"/api/mentorship/scoring-periods/{period_id}/close", None).json()
    assert (closed["state"], closed["forms"]) == ("closed", 1)
    mentor_row = next(s for s in closed["scores"] if s["kind"] == "mentor")
    assert (mentor_row["published"], mentor_row["mean"], mentor_row["responses"]) == (
        False,
        None,
        1,
    )
