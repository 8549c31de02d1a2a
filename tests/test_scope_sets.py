"""For every scope kind that has a console list, an API list or an export, and for every
role of the demo (federation staff of the county and of a town, union officer, enterprise
contact, department liaison, trainer, auditor, worker, a user without roles, an API
token), the console page, the API list and the export show the same set of records: the
kind's ``restrict`` (the registry in ``gonghui.core.scope``).

The neighbouring county (平湖, tests/orgs/test_scope_walk.py) is there too, so every set
is a real selection. Console rows carry ``data-id``; API items their ``id``; the roster
export is compared by the members' names. A channel that refuses the caller (401/403)
shows nothing and is not compared; one that answers must answer exactly the set.
"""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.contests.models import Contest
from gonghui.core.scope import SCOPE_FILTERS, principal_for
from gonghui.evaluation.models import Evaluation, FollowUp
from gonghui.insight.models import Alert, Inspection, Rectification
from gonghui.integration.models import WebhookSubscription
from gonghui.learning.models import (
    BookCopy,
    Course,
    LibraryCard,
    Loan,
    QuestionBank,
    ReadingRoom,
    Title,
    Video,
)
from gonghui.mentorship.models import Agreement, Apprentice, Mentor, MentorshipProgramme
from gonghui.mutualaid.models import AidEnrollment, Claim, GroupEnrolment, PayoutBatch
from gonghui.network.models import Activity, Booking, Position, Service
from gonghui.orgs.domain.access import TokenActor, authenticate_api_token
from gonghui.orgs.models import ApiToken, Enterprise, Membership, OrgUnit, RoleAssignment
from gonghui.reform.models import ReformItem
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import (
    Certificate,
    Consultation,
    Demand,
    DemandItem,
    Enrollment,
    Notification,
    Opinion,
    Session,
    Trainer,
    TrainingPlan,
    Venue,
)
from gonghui.training.models import (
    Skill as TrainingSkill,
)

from .orgs.test_scope_walk import ROLE_USERS, world  # noqa: F401

#: kind → (model, console page, API list, what the page and API show of ``restrict``).
#: ``narrow`` is the page's own selection (not scope), applied to the expected set.
CHANNELS = {
    "certificate": (Certificate, "/console/training/certificates/", "/api/training/certificates",
                    None),
    "plan": (TrainingPlan, "/console/training/plans/", "/api/training/plans", None),
    "trainer": (Trainer, "/console/training/trainers/", None, None),
    "venue": (Venue, "/console/training/venues/", None, None),
    "demand": (Demand, "/console/training/demands/", "/api/training/demands", None),
    "demanditem": (DemandItem, None, "/api/training/demand-items", None),
    "notification": (Notification, None, "/api/training/me/notifications", None),
    "membership": (Membership, "/console/members/", "/api/orgs/members",
                   lambda qs: qs.active()),
    "orgunit": (OrgUnit, None, "/api/orgs/units", None),
    "enterprise": (Enterprise, None, "/api/orgs/enterprises", None),
    "role": (RoleAssignment, "/console/roles/", "/api/orgs/roles", None),
    "apitoken": (ApiToken, "/console/tokens/", "/api/orgs/tokens", None),
    "aidclaim": (Claim, "/console/mutualaid/claims/", "/api/mutualaid/claims", None),
    "aidenrollment": (AidEnrollment, "/console/mutualaid/enrollments/",
                      "/api/mutualaid/enrollments", None),
    "aidgroup": (GroupEnrolment, None, "/api/mutualaid/groups", None),
    "aidpayout": (PayoutBatch, "/console/mutualaid/batches/", "/api/mutualaid/batches", None),
    "reformitem": (ReformItem, "/console/reform/", "/api/reform/items", None),
    "alert": (Alert, None, "/api/insight/alerts", None),
    "inspection": (Inspection, "/console/insight/inspections/", "/api/insight/inspections",
                   None),
    "rectification": (Rectification, "/console/insight/rectifications/",
                      "/api/insight/rectifications", None),
    "evaluation": (Evaluation, None, "/api/evaluation/evaluations", None),
    "followup": (FollowUp, None, "/api/evaluation/follow-ups", None),
    "mentorprogramme": (MentorshipProgramme, None, "/api/mentorship/programmes", None),
    "agreement": (Agreement, None, "/api/mentorship/agreements", None),
    "webhooksubscription": (WebhookSubscription, "/console/integration/webhooks/", None, None),
    "contest": (Contest, "/console/contests/", "/api/contests/contests", None),
    "position": (Position, "/console/network/", "/api/network/positions", None),
    "booking": (Booking, None, "/api/network/bookings", None),
    "activity": (Activity, "/console/network/activities/", "/api/network/activities", None),
    "course": (Course, "/console/learning/", "/api/learning/courses", None),
    "coursevideo": (Video, "/console/learning/videos/", None, None),
    "questionbank": (QuestionBank, "/console/learning/banks/", "/api/learning/banks", None),
    "readingroom": (ReadingRoom, "/console/learning/rooms/", "/api/learning/library/rooms",
                    None),
    "librarycard": (LibraryCard, "/console/learning/cards/", None, None),
    "loan": (Loan, "/console/learning/loans/", "/api/learning/library/loans", None),
}  # fmt: skip

#: Kinds without a list of their own anywhere (read through their parent's page, or only
#: one at a time), checked by ``test_every_kind_is_walked_or_said_why``.
NO_LIST = {
    "session": "listed on its plan's page and the trainer's page, from Session.restrict",
    "enrollment": "listed on its plan's page (Enrollment.restrict) and the enterprise page",
    "opinion": "listed on its plan's page (Opinion.restrict)",
    "aidprogramme": "public policy: published programmes are seen by everybody",
    "aidperiod": "seen with its programme",
    "supervisionrule": "one federation's settings page",
    "qualityrule": "one federation's settings page",
    "rosterimport": "the import page lists the caller's own imports",
    "auditevent": "the audit page (auditors), compared below",
    "dashboard": "figures, not records",
    "person": "read through memberships (the member list) or one at a time",
    "department": "the tree page, one unit at a time",
    "mentor": "listed per programme (/api/mentorship/programmes/{id}/mentors, Mentor.restrict)",
    "apprentice": "listed per programme (…/apprentices, Apprentice.restrict)",
    "pointentry": "an agreement's page and the parties' own page (PointEntry.restrict)",
    "contestentry": "listed per contest (its console page, /api/contests/contests/{id}/entries)",
    "contestvideo": "an entry's page and its upload page (Video.restrict)",
    "contestjudge": "the contest's progress table; /api/contests/judges lists one's own",
    "contestscore": "an entry's page and the standings (Score.restrict), one's own as judge",
    "contestaward": "listed per contest (/api/contests/contests/{id}/awards, restrict)",
    "contestvote": "tallies only; one's own vote on the vote page",
    "servicehome": "listed on the registry page above its positions (ServiceHome.restrict)",
    "demandpoint": "figures of the coverage page and /api/network/coverage (DemandPoint.restrict)",
    "registration": "an activity's page and the worker's own phone page (Registration.restrict)",
    "courseenrollment": "the learner's own list (/api/learning/me/enrollments, action own); "
    "staff see aggregates on the learning dashboard",
    "practiceanswer": "no list: the practice schedule reads them",
    "examattempt": "the learner's own list on the phone page (ExamAttempt.restrict own)",
    "libraryhold": "the borrower's own and the desk's, one title at a time",
    "scoringperiod": "listed per programme (…/scoring-periods, ScoringPeriod.restrict)",
    "scoringround": "read only through its mentorship period (no page or API of its own)",
}


@pytest.fixture
def here(world):  # noqa: F811 - the fixture, imported above
    """海盐's own training records, so that every role's sets are not empty by accident."""
    t = world
    trainer_user = t.users["trainer"]
    skill = TrainingSkill.objects.get_or_create(name="育婴员", defaults={"category": "家政"})[0]
    trainer = Trainer.objects.create(name="海盐讲师", org_unit=t.county, account=trainer_user)
    plan = TrainingPlan.objects.create(
        title="海盐育婴员班", org_unit=t.county, skill=skill, level="l5", capacity=10,
        state=PlanState.CONSULTATION, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=90,
    )  # fmt: skip
    start = timezone.now() + dt.timedelta(days=3)
    Session.objects.create(plan=plan, trainer=trainer, starts_at=start,
                           ends_at=start + dt.timedelta(hours=2))  # fmt: skip
    town_plan = TrainingPlan.objects.create(
        title="武原电工班", org_unit=t.town_a, skill=skill, level="l5", capacity=10,
        state=PlanState.ENROLLING, target_completion_rate=90, target_certification_rate=80,
        target_satisfaction=90,
    )  # fmt: skip
    contact = t.users["enterprise_contact_a"]
    Enrollment.objects.create(plan=plan, person=t.member_a.person, seat=1,
                              status=EnrollmentStatus.ENROLLED, enterprise=t.ent_a,
                              nominated_by=contact)  # fmt: skip
    Enrollment.objects.create(plan=town_plan, person=t.member_b.person, seat=1,
                              status=EnrollmentStatus.ENROLLED)  # fmt: skip
    for person, on, number in ((t.member_a.person, plan, "HY-1"), (t.member_b.person, None, "HY-2"),
                               (t.member_b.person, town_plan, "HY-3")):  # fmt: skip
        Certificate.objects.create(person=person, plan=on, skill=skill, level="l5",
                                   number=number, issuer="海盐县人社局",
                                   issued_on=dt.date(2026, 1, 5), score="91.0")  # fmt: skip
    Notification.objects.create(person=t.member_a.person, kind="enrolled", text="报名成功")
    consultation = Consultation.objects.create(plan=plan, opens_at=timezone.now(),
                                               closes_at=start)  # fmt: skip
    Opinion.objects.create(consultation=consultation, party="worker", author=t.worker_a,
                           person=t.member_a.person, stance="support", text="好")  # fmt: skip
    # Mentorship: a town programme (seen by the county and that town's staff) whose
    # apprentice is the worker (who sees the agreement as a party), and one of union B.
    for unit, mentor_m, apprentice_m in ((t.town_a, t.member_b, t.member_a),
                                         (t.union_b, t.member_a, t.member_b)):  # fmt: skip
        programme = MentorshipProgramme.objects.create(org_unit=unit, name=f"{unit.name}带徒")
        mentor = Mentor.objects.create(programme=programme, person=mentor_m.person, skill=skill,
                                       level="technician", state="approved")  # fmt: skip
        apprentice = Apprentice.objects.create(programme=programme, person=apprentice_m.person,
                                               skill=skill)  # fmt: skip
        Agreement.objects.create(programme=programme, mentor=mentor, apprentice=apprentice,
                                 state="in_progress", starts_on=dt.date(2026, 1, 5),
                                 ends_on=dt.date(2027, 1, 5))  # fmt: skip
    # Service network: a town position with a booking of the worker, a union B position with
    # a sensitive booking (seen by the worker who made it only), an activity at each.
    for unit, member, sensitive in ((t.town_a, t.member_a, False), (t.union_b, t.member_b, True)):
        position = Position.objects.create(
            org_unit=unit, name=f"{unit.name}阵地", kind="legal", address="海盐",
            latitude="30.5", longitude="120.9",
        )  # fmt: skip
        service = Service.objects.create(position=position, name="咨询", category="legal",
                                         bookable=True, sensitive=sensitive)  # fmt: skip
        Booking.objects.create(service=service, person=member.person, starts_at=start,
                               ends_at=start + dt.timedelta(hours=1))  # fmt: skip
        Activity.objects.create(org_unit=unit, kind="themed", title=f"{unit.name}活动",
                                position=position, starts_at=start,
                                ends_at=start + dt.timedelta(hours=2))  # fmt: skip
    # Learning: a published town course and a county draft; a room at union A with a loan
    # of the worker's and one of union B's member.
    Course.objects.create(org_unit=t.town_a, title="武原焊接课", state="published")
    Course.objects.create(org_unit=t.county, title="海盐草稿课")
    Video.objects.create(org_unit=t.town_a, title="武原视频", size=1)
    QuestionBank.objects.create(org_unit=t.county, title="海盐题库", skill=skill, level="l5")
    room = ReadingRoom.objects.create(org_unit=t.union_a, name="海盐书房")
    title = Title.objects.create(isbn="9787100000001", title="红楼梦")
    now = timezone.now()
    for i, member in enumerate((t.member_a, t.member_b)):
        card = LibraryCard.objects.create(person=member.person, number=f"HY{i:010d}", room=room,
                                          basis="member", issued_at=now)  # fmt: skip
        copy = BookCopy.objects.create(room=room, title=title, barcode=f"HY{i:06d}",
                                       state="on_loan")  # fmt: skip
        Loan.objects.create(card=card, copy=copy, room=room, loaned_at=now,
                            due_on=dt.date(2030, 1, 1))  # fmt: skip
    return t


def _actor(t, who):
    if who == "api_token":
        return TokenActor(authenticate_api_token(t.token_key))
    return t.users[who]


def _page_ids(client, path) -> set[int] | None:
    res = client.get(path + "?page_size=200")
    if res.status_code in (302, 401, 403):
        return None
    assert res.status_code == 200, (path, res.status_code)
    return {int(x) for x in re.findall(r'data-id="(\d+)"', res.content.decode())}


def _api_ids(client, path, headers) -> set[int] | None:
    res = client.get(path, {"page_size": 200}, **headers)
    if res.status_code in (401, 403):
        return None
    assert res.status_code == 200, (path, res.status_code, res.content[:200])
    data = res.json()
    items = data["items"] if isinstance(data, dict) else data
    assert (data.get("count", len(items)) if isinstance(data, dict) else len(items)) == len(items)
    return {item["id"] for item in items}


@pytest.mark.parametrize("who", [*ROLE_USERS, "api_token"])
def test_page_api_and_export_show_the_same_set(client, here, who):
    t = here
    actor = _actor(t, who)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {t.token_key}"} if who == "api_token" else {}
    if who != "api_token":
        client.force_login(actor)
    seen: dict[str, set[int]] = {}
    for kind, (model, page, api_path, narrow) in CHANNELS.items():
        qs = model.objects.restrict(actor)
        expected = set((narrow(qs) if narrow else qs).values_list("pk", flat=True))
        if page and who != "api_token":
            got = _page_ids(client, page)
            if got is not None:
                assert got == expected, (who, kind, "page", sorted(got), sorted(expected))
        if api_path:
            got = _api_ids(client, api_path, headers)
            if got is not None:
                assert got == expected, (who, kind, "api", sorted(got), sorted(expected))
        seen[kind] = expected
    if who != "api_token":
        res = client.get("/console/imports/export.xlsx")
        if res.status_code == 200:
            rows = load_workbook(io.BytesIO(b"".join(res.streaming_content))).active
            header = [c.value for c in next(rows.iter_rows(max_row=1))]
            names = {r[header.index("姓名")] for r in rows.iter_rows(min_row=2, values_only=True)}
            expected_names = set(
                Membership.objects.restrict(actor).active().values_list("person__name", flat=True)
            )
            assert names == expected_names, (who, "roster export")
    # Nobody in 海盐 sees any of 平湖's certificates, plans or enrolments.
    other = t.other
    assert other["certificate"].pk not in seen["certificate"]
    assert other["plan"].pk not in seen["plan"]


def test_the_certificates_page_shows_what_the_api_shows(client, here):
    """The issue's case: a trainer and a department liaison saw every certificate of the
    county (names and scores) on the console page while the API gave them none."""
    t = here
    for who in ("trainer", "department_liaison"):
        client.force_login(t.users[who])
        page = client.get("/console/training/certificates/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "HY-1" not in text and "HY-2" not in text and "张三" not in text, who
        assert _page_ids(client, "/console/training/certificates/") == set()
        assert client.get("/api/training/certificates").json()["count"] == 0
    # Staff of town A see their member's certificate and those of their town's plan (as its
    # managers); county staff all three.
    expected = {"town_staff_a": {"HY-1", "HY-3"}, "federation_staff": {"HY-1", "HY-2", "HY-3"}}
    for who, numbers in expected.items():
        client.force_login(t.users[who])
        items = client.get("/api/training/certificates").json()["items"]
        assert {i["number"] for i in items} == numbers
        ids = _page_ids(client, "/console/training/certificates/")
        assert ids == {i["id"] for i in items}


def test_a_trainer_sees_the_enrolments_and_sessions_of_plans_they_teach_only(here):
    t = here
    trainer = t.users["trainer"]
    plan = TrainingPlan.objects.get(title="海盐育婴员班")
    assert set(Enrollment.objects.restrict(trainer).values_list("plan_id", flat=True)) == {plan.pk}
    assert not Enrollment.objects.restrict(t.users["department_liaison"]).exists()
    assert set(Session.objects.restrict(trainer, "change").values_list("plan_id", flat=True)) == {
        plan.pk
    }
    # Notifications and one's own opinions belong to their person alone.
    assert Notification.objects.restrict(t.worker_a).count() == 1
    assert not Notification.objects.restrict(t.users["federation_staff"]).exists()
    assert Opinion.objects.restrict(t.worker_a, "own").count() == 1
    assert not Opinion.objects.restrict(t.users["trainer"]).exists()


def test_every_kind_is_walked_or_said_why():
    assert set(SCOPE_FILTERS) == set(CHANNELS) | set(NO_LIST) - {"dashboard"}


def test_the_audit_page_shows_restrict(client, here):
    from gonghui.core.models import AuditEvent

    for who in ("auditor", "federation_staff"):
        user = here.users[who]
        client.force_login(user)
        got = _page_ids(client, "/console/audit/")
        expected = set(AuditEvent.objects.restrict(user).values_list("pk", flat=True)[:50])
        if principal_for(user).can_read_audit_log():
            assert got is not None and got <= expected and len(got) == min(len(expected), 50)
        else:
            assert got is None
