"""Mentorship in the scope walks (see tests/walk_extensions.py): a 平湖 programme with a
mentor, an apprentice, a running agreement and a ledger entry, which no role of 海盐 may
read or change."""

import datetime as dt

from django.utils import timezone

from gonghui.evaluation.models import Invitation, ScoringRound, Target
from gonghui.mentorship.domain import scoring
from gonghui.mentorship.models import (
    Agreement,
    AgreementEvent,
    Apprentice,
    Award,
    Goal,
    Mentor,
    MentorshipProgramme,
    PointEntry,
    PointRulebook,
    ScoringPeriod,
    Signature,
)
from tests.factories import MembershipFactory, PersonFactory

MARK = "平湖"
MODELS = [MentorshipProgramme, Mentor, Apprentice, Agreement, Goal, Signature, AgreementEvent,
          PointRulebook, PointEntry, Award, ScoringPeriod, ScoringRound, Target,
          Invitation]  # fmt: skip


def build(o) -> None:
    programme = MentorshipProgramme.objects.create(org_unit=o["root"], name="平湖导师带徒")
    PointRulebook.objects.create(programme=programme, version=1, points={"teaching_log": 2})
    apprentice_person = MembershipFactory(
        union=o["union"], enterprise=o["ent"], person=PersonFactory(name="平湖徒弟")
    ).person
    mentor = Mentor.objects.create(programme=programme, person=o["person"], skill=o["skill"],
                                   level="technician", state="approved")  # fmt: skip
    apprentice = Apprentice.objects.create(
        programme=programme, person=apprentice_person, skill=o["skill"], learning_needs="平湖需求"
    )
    agreement = Agreement.objects.create(
        programme=programme, mentor=mentor, apprentice=apprentice, state="in_progress",
        starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2027, 1, 5),
    )  # fmt: skip
    goal = Goal.objects.create(agreement=agreement, title="平湖目标", weight=100,
                               due_on=dt.date(2026, 6, 30))  # fmt: skip
    PointEntry.objects.create(
        programme=programme, person=o["person"], union=o["union"], agreement=agreement,
        source="teaching_log", points=2, rule_version=1, ref="平湖带教",
        occurred_on=dt.date(2026, 2, 2),
    )  # fmt: skip
    round_ = ScoringRound.objects.create(
        org_unit=o["root"], title="平湖无记名打分", questionnaire=scoring.questionnaire(),
        opens_at=timezone.now(), closes_at=timezone.now() + dt.timedelta(days=365),
    )  # fmt: skip
    target = Target.objects.create(round=round_, kind="mentor", subject=o["person"])
    Invitation.objects.create(target=target, person=apprentice_person)
    period = ScoringPeriod.objects.create(
        programme=programme, name="平湖上半年", starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30), round=round_,
    )  # fmt: skip
    o.update(mp=programme, m_mentor=mentor, m_apprentice=apprentice, m_agreement=agreement,
             m_goal=goal, m_period=period, m_target=target)  # fmt: skip


def operations(o) -> list:
    p, m, a, ag = o["mp"].pk, o["m_mentor"].pk, o["m_apprentice"].pk, o["m_agreement"].pk
    period = "?start=2026-01-01&end=2026-12-31"
    return [
        ("GET", "/api/mentorship/programmes", None),
        ("GET", f"/api/mentorship/programmes/{p}/mentors", None),
        ("POST", f"/api/mentorship/programmes/{p}/mentors",
         {"person_id": o["person"].pk, "skill_id": o["skill"].pk, "level": "technician"}),
        ("POST", f"/api/mentorship/mentors/{m}/review", {"approve": False, "note": "越权"}),
        ("GET", f"/api/mentorship/programmes/{p}/apprentices", None),
        ("POST", f"/api/mentorship/programmes/{p}/apprentices",
         {"person_id": o["person"].pk, "skill_id": o["skill"].pk}),
        ("GET", f"/api/mentorship/apprentices/{a}/suggestions", None),
        ("GET", "/api/mentorship/agreements", None),
        ("GET", f"/api/mentorship/agreements/{ag}", None),
        ("POST", f"/api/mentorship/programmes/{p}/agreements",
         {"mentor_id": m, "apprentice_id": a, "starts_on": "2026-01-05",
          "goals": [{"title": "越权", "weight": 100, "due_on": "2026-06-30"}]}),
        ("POST", f"/api/mentorship/agreements/{ag}/sign", {"role": "union"}),
        ("POST", f"/api/mentorship/agreements/{ag}/actions",
         {"action": "terminate", "note": "越权"}),
        ("GET", f"/api/mentorship/agreements/{ag}/assessment{period}", None),
        ("GET", f"/api/mentorship/programmes/{p}/leaderboard{period}", None),
        ("GET", f"/api/mentorship/programmes/{p}/scoring-periods", None),
        ("POST", f"/api/mentorship/programmes/{p}/scoring-periods",
         {"name": "越权", "starts_on": "2026-07-01", "ends_on": "2026-12-31",
          "closes_at": "2099-01-01T00:00:00+08:00"}),
        ("POST", f"/api/mentorship/scoring-periods/{o['m_period'].pk}/close", None),
        ("GET", "/api/mentorship/scoring/mine", None),
        ("POST", f"/api/mentorship/scoring/targets/{o['m_target'].pk}",
         {"answers": {"mentor_attitude": 1, "mentor_method": 1, "mentor_care": 1}}),
    ]  # fmt: skip


def pages(o) -> dict:
    p, m, a, ag = o["mp"].pk, o["m_mentor"].pk, o["m_apprentice"].pk, o["m_agreement"].pk
    return {
        "mentorship_console:index": ([], {}),
        "mentorship_console:programme": ([p], {}),
        "mentorship_console:export": ([p], {}),
        "mentorship_console:mentors": ([p], {"q": MARK, "person": o["person"].pk,
                                             "skill": o["skill"].pk, "level": "technician"}),
        "mentorship_console:mentor_review": ([m], {"decision": "reject", "note": "越权"}),
        "mentorship_console:apprentices": ([p], {"q": MARK, "person": o["person"].pk,
                                                 "skill": o["skill"].pk}),
        "mentorship_console:pair": ([a], {}),
        "mentorship_console:agreement": ([ag], {}),
        "mentorship_console:link_honours": ([ag], {}),
        "mentorship_console:goal_score": ([ag], {"goal": o["m_goal"].pk, "score": 100,
                                                 "on": "2026-06-30"}),
        "mentorship_console:achievement": ([ag], {"person": o["person"].pk,
                                                  "source": "exam_passed", "ref": "越权",
                                                  "on": "2026-03-01"}),
        "mentorship_console:award": ([ag], {"kind": "technical_innovation", "level": "company",
                                            "title": "越权", "awarded_on": "2026-03-01"}),
        "mentorship_console:agreement_action": ([ag, "terminate"], {"note": "越权"}),
        "mentorship_console:proposal_decide": ([999999], {"decision": "confirm"}),
        "mentorship_console:scoring": ([p], {"name": "越权", "starts_on": "2026-07-01",
                                             "ends_on": "2026-12-31", "closes_on": "2099-01-01"}),
        "mentorship_console:scoring_close": ([o["m_period"].pk], {}),
        "mentorship:score": ([o["m_target"].pk], {"mentor_attitude": 1, "mentor_method": 1,
                                                  "mentor_care": 1}),
        "mentorship_console:file_need": ([a], {}),
        "mentorship_console:file_needs": ([p], {}),
        "mentorship_console:imports": ([p], {"kind": "mentors"}),
        "mentorship_console:import_template": ([p, "mentors"], {}),
        "mentorship_console:import_errors": ([p], {}),
        "mentorship:mine": ([], {}),
        "mentorship:apply": ([], {"programme": p, "skill": o["skill"].pk, "level": "technician"}),
        "mentorship:sign": ([ag], {}),
        "mentorship:log": ([ag], {"summary": "越权带教内容", "on": "2026-03-01"}),
    }  # fmt: skip
