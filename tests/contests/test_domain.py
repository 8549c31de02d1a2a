"""Registration, judging, rounds, awards, votes, selection and statistics through the
domain; refusals write nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.contests.domain import contests as c
from gonghui.contests.domain import judging, queries, registration, results, stats, votes
from gonghui.contests.enums import ContestState, EventKind
from gonghui.contests.models import Contest, ContestAward, Entry, EntryMember, Score, Vote
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import OrgKind
from tests.factories import org_unit, user_with_role

from .conftest import DANCE, TIERS, members, ready_video, rounds

pytestmark = pytest.mark.django_db


def _nothing_written(before_entries, before_members, before_audit):
    assert Entry.objects.count() == before_entries
    assert EntryMember.objects.count() == before_members
    assert AuditEvent.objects.filter(action__startswith="contests.entry").count() == before_audit


def _counts():
    return (Entry.objects.count(), EntryMember.objects.count(),
            AuditEvent.objects.filter(action__startswith="contests.entry").count())  # fmt: skip


@pytest.mark.parametrize("case", ["not_member", "sex", "age", "small", "large", "two_teams",
                                  "one_event", "deadline", "not_registrar", "outside"])  # fmt: skip
def test_registration_refusals_write_nothing(meet, case):
    m, ev = meet, meet.ev
    registration.register_entry(ev["跳绳"], actor=m.officer_a, unit=m.county.union_a,
                                people=m.a[:3], name="甲队")  # fmt: skip
    before = _counts()
    kw = {"actor": m.officer_a, "unit": m.county.union_a}
    event, people = ev["男子俯卧撑"], [m.a[5]]
    if case == "not_member":
        people = [m.b[0]]
    elif case == "sex":
        people = members(m.county.union_a, m.county.ent_a, 1, sex="F", prefix="女")
    elif case == "age":
        people = members(m.county.union_a, m.county.ent_a, 1, birth=dt.date(1960, 1, 1))
    elif case == "small":
        event, people = ev["跳绳"], m.a[5:7]
    elif case == "large":
        event, people = ev["跳绳"], m.a[3:8] + m.a[:1]
    elif case == "two_teams":
        event, people = ev["跳绳"], [m.a[2], m.a[5], m.a[6]]
    elif case == "one_event":
        people = [m.a[0]]
    elif case == "deadline":
        first = m.contest.rounds.get()
        first.upload_deadline = timezone.now() - dt.timedelta(minutes=1)
        first.save()
    elif case == "not_registrar":
        kw["unit"] = m.county.union_b
        people = [m.b[0]]
    elif case == "outside":
        other = org_unit(None, OrgKind.COUNTY, "平湖市总工会")
        kw = {"actor": m.staff, "unit": org_unit(other, OrgKind.GRASSROOTS, "平湖基层")}
    exc = PermissionDeniedError if case in ("not_registrar", "outside") else DomainError
    with pytest.raises(exc) as err:
        registration.register_entry(event, people=people, **kw)
    assert err.value.message  # a Chinese message
    _nothing_written(*before)


def _judged_world(m, n_entries=6):
    """Entries of 舞蹈 from both unions; three judges, judge 0 a member of union A."""
    units = [m.county.union_a, m.county.union_b]
    entries = []
    for i in range(n_entries):
        unit = units[i % 2]
        person = (m.a if unit == m.county.union_a else m.b)[i // 2]
        officer = m.officer_a if unit == m.county.union_a else m.staff
        entries.append(registration.register_entry(
            m.ev["舞蹈"], actor=officer, unit=unit, people=[person], name=f"作品{i}"))  # fmt: skip
        ready_video(entries[-1])
    m.judges[0].person = m.a[7]
    m.judges[0].save()
    js = []
    for user in m.judges:
        j = judging.invite_judge(m.ev["舞蹈"], actor=m.staff, user=user)
        js.append(judging.declare_conflicts(j, actor=user, units=[]))
    c.transition(m.contest, actor=m.staff, to=ContestState.JUDGING)
    return entries, js


def test_judging_refusals_and_results_from_the_raw_scores(meet):
    m = meet
    entries, js = _judged_world(m)
    crit = list(m.ev["舞蹈"].criteria.order_by("order"))
    # Judge 0 is a member of union A: entries of union A (even indexes) are not theirs.
    assert [e.pk for e in judging.entries_to_score(js[0])] == [e.pk for e in entries[1::2]]
    n = Score.objects.count()
    full = {c_.pk: 80 for c_ in crit}
    with pytest.raises(DomainError, match="利益冲突"):
        judging.submit_scores(js[0], entries[0], actor=m.judges[0], values=full)
    with pytest.raises(DomainError, match="0到100"):
        judging.submit_scores(
            js[1], entries[0], actor=m.judges[1], values={**full, crit[0].pk: 101}
        )
    with pytest.raises(DomainError, match="缺"):
        judging.submit_scores(js[1], entries[0], actor=m.judges[1], values={crit[0].pk: 80})
    with pytest.raises(PermissionDeniedError):
        judging.submit_scores(js[1], entries[0], actor=m.judges[2], values=full)
    assert Score.objects.count() == n
    # Marks: judge j gives entry i base_i + j·5 on every criterion (judge 2 the most lenient).
    base = [70, 90, 60, 85, 75, 65]
    for i, e in enumerate(entries):
        for j, judge in enumerate(js):
            if j == 0 and i % 2 == 0:
                continue
            judging.submit_scores(judge, e, actor=m.judges[j],
                                  values={c_.pk: base[i] + 5 * j for c_ in crit})  # fmt: skip
    with pytest.raises(DomainError, match="不能重复"):
        judging.submit_scores(js[1], entries[0], actor=m.judges[1], values=full)
    # Independent computation: every judge's marks are base + 5j; per-judge z-scores.
    import statistics as st

    marks = {
        (i, j): base[i] + 5 * j for i in range(6) for j in range(3) if not (j == 0 and i % 2 == 0)
    }
    mu, sigma = st.fmean(marks.values()), st.pstdev(marks.values())
    norm = {}
    for j in range(3):
        mine = [v for (i, jj), v in marks.items() if jj == j]
        mj, sj = st.fmean(mine), st.pstdev(mine)
        for (i, jj), v in marks.items():
            if jj == j:
                norm[(i, j)] = mu + sigma * (v - mj) / sj
    expect = {}
    for i in range(6):
        vals = sorted(v for (ii, _j), v in norm.items() if ii == i)
        kept = vals[1:-1] if len(vals) >= 3 else vals
        expect[entries[i].pk] = round(sum(kept) / len(kept), 3)
    ranked = results.rank_event(m.ev["舞蹈"], m.contest.rounds.get())
    assert {r.entry_id: r.result for r in ranked} == pytest.approx(expect, abs=1e-9)
    assert [r.entry_id for r in ranked] == sorted(expect, key=lambda k: -expect[k])


def test_awards_wait_for_every_score_and_follow_the_quotas(meet):
    m = meet
    entries, js = _judged_world(m)
    crit = list(m.ev["舞蹈"].criteria.all())
    for i, e in enumerate(entries):
        for j, judge in enumerate(js[1:], 1):
            judging.submit_scores(
                judge, e, actor=m.judges[j], values={c_.pk: 90 - i for c_ in crit}
            )
    # Judge 0 has not scored the entries of union B yet.
    with pytest.raises(DomainError, match="尚有3份评分未完成"):
        c.transition(m.contest, actor=m.staff, to=ContestState.RESULTS)
    assert not ContestAward.objects.exists()
    for e in entries[1::2]:
        judging.submit_scores(js[0], e, actor=m.judges[0], values={c_.pk: 80 for c_ in crit})
    c.transition(m.contest, actor=m.staff, to=ContestState.RESULTS)
    got = list(ContestAward.objects.filter(event=m.ev["舞蹈"]).order_by("rank")
               .values_list("entry_id", "tier__name"))  # fmt: skip
    # Six entries: gold 2, silver 4, bronze none left.
    assert [t for _e, t in got] == ["金奖", "金奖", "银奖", "银奖", "银奖", "银奖"]
    assert not queries.awards_of_person(m.a[0]).exists()  # not published yet
    c.transition(m.contest, actor=m.staff, to=ContestState.PUBLISHED)
    assert [a.tier.name for a in queries.awards_of_person(m.a[0])] == ["金奖"]


def test_measured_event_and_exhibition_participation(meet):
    m = meet
    e1 = registration.register_entry(m.ev["男子俯卧撑"], actor=m.officer_a, unit=m.county.union_a,
                                     people=[m.a[0]])  # fmt: skip
    e2 = registration.register_entry(m.ev["男子俯卧撑"], actor=m.staff, unit=m.county.union_b,
                                     people=[m.b[0]])  # fmt: skip
    show = registration.register_entry(m.ev["瑜伽"], actor=m.staff, unit=m.county.union_b,
                                       people=m.b[1:4])  # fmt: skip
    registration.register_entry(
        m.ev["瑜伽"], actor=m.officer_a, unit=m.county.union_a, people=m.a[1:3]
    )  # no video: no participation award
    ready_video(e1, at=timezone.now() - dt.timedelta(hours=2))
    ready_video(e2)
    ready_video(show)
    j = judging.invite_judge(m.ev["男子俯卧撑"], actor=m.staff, user=m.judges[1])
    judging.declare_conflicts(j, actor=m.judges[1], units=[])
    with pytest.raises(DomainError):
        judging.invite_judge(m.ev["瑜伽"], actor=m.staff, user=m.judges[1])
    c.transition(m.contest, actor=m.staff, to=ContestState.JUDGING)
    judging.submit_scores(j, e1, actor=m.judges[1], values={"value": 52})
    judging.submit_scores(j, e2, actor=m.judges[1], values={"value": 52})
    ranked = results.rank_event(m.ev["男子俯卧撑"], m.contest.rounds.get())
    assert [r.entry_id for r in ranked] == [e1.pk, e2.pk]  # tie: e1 uploaded first
    c.transition(m.contest, actor=m.staff, to=ContestState.RESULTS)
    assert set(
        ContestAward.objects.filter(tier__participation=True).values_list("entry_id", flat=True)
    ) == {show.pk}


def test_rounds_advance_the_top_entries(meet, county):
    staff = county.users["federation_staff"]
    contest = c.create_contest(county.county, actor=staff, name="舞蹈大赛", events=[DANCE],
                               rounds=rounds(2, (2, 0)), tiers=TIERS[:2])  # fmt: skip
    c.transition(contest, actor=staff, to=ContestState.REGISTRATION)
    ev = contest.events.get()
    people = members(county.union_b, county.ent_b, 4, prefix="舞者")
    entries = [registration.register_entry(ev, actor=staff, unit=county.union_b, people=[p])
               for p in people]  # fmt: skip
    for e in entries:
        ready_video(e)
    judge = judging.declare_conflicts(
        judging.invite_judge(ev, actor=staff, user=meet.judges[2]), actor=meet.judges[2], units=[]
    )
    c.transition(contest, actor=staff, to=ContestState.JUDGING)
    crit = list(ev.criteria.all())
    for i, e in enumerate(entries):
        judging.submit_scores(
            judge, e, actor=meet.judges[2], values={x.pk: 60 + 10 * i for x in crit}
        )
    semi = contest.rounds.get(order=1)
    results.close_round(semi, actor=staff)
    final = contest.rounds.get(order=2)
    assert set(Entry.objects.filter(round=final).values_list("pk", flat=True)) == {
        entries[3].pk,
        entries[2].pk,
    }
    for e in Entry.objects.filter(round=final):
        ready_video(e)  # the finalists' final videos are in, their scores are not
    with pytest.raises(DomainError, match="尚有2份评分未完成"):
        c.transition(contest, actor=staff, to=ContestState.RESULTS)


def test_votes_once_per_worker_per_event(meet):
    m = meet
    e = registration.register_entry(m.ev["瑜伽"], actor=m.officer_a, unit=m.county.union_a,
                                    people=m.a[:2])  # fmt: skip
    worker = m.county.users["worker_a"]
    votes.cast_vote(e, actor=worker)
    with pytest.raises(DomainError, match="只能投一票"):
        votes.cast_vote(e, actor=worker)
    with pytest.raises(PermissionDeniedError):
        votes.cast_vote(e, actor=m.county.users["nobody"])  # no person: not a worker
    assert Vote.objects.count() == 1
    assert votes.tally(m.ev["瑜伽"])[0] == (e, 1)


def test_selection_sends_its_top_entries_on(meet, county):
    m = meet
    bank = org_unit(county.town_a, OrgKind.JOINT, "银行工会")
    branches = [org_unit(bank, OrgKind.GRASSROOTS, f"支行{i}") for i in range(3)]
    officer = user_with_role("union_officer", bank, username="bank_officer")
    sel = c.create_selection(m.contest, bank, actor=officer, send_on=1,
                             rounds=rounds())  # fmt: skip
    assert sel.parent == m.contest and sel.events.count() == 4
    c.transition(sel, actor=officer, to=ContestState.REGISTRATION)
    rope = sel.events.get(name="跳绳")
    teams = []
    for i, br in enumerate(branches):
        ppl = members(br, county.ent_a, 3, prefix=f"支行{i}员工")
        teams.append(registration.register_entry(rope, actor=officer, unit=br, people=ppl))
        ready_video(teams[-1])
    judge = judging.declare_conflicts(
        judging.invite_judge(rope, actor=officer, user=m.judges[1]), actor=m.judges[1], units=[]
    )
    c.transition(sel, actor=officer, to=ContestState.JUDGING)
    for i, t in enumerate(teams):
        judging.submit_scores(judge, t, actor=m.judges[1], values={"value": [150, 180, 120][i]})
    c.transition(sel, actor=officer, to=ContestState.RESULTS)
    sent = results.send_on(sel, actor=officer)
    assert len(sent) == 1 and sent[0].source == teams[1] and sent[0].unit == bank
    assert sent[0].contest == m.contest
    s = stats.contest_stats(m.contest)
    # Participants count the selection's nine entrants once each (three were sent on).
    assert s.participants == 9 and s.units_registered == 1 and s.previous_participants == 3
    assert s.growth == 6


def test_statistics_units_and_people(meet):
    m = meet
    e = registration.register_entry(m.ev["跳绳"], actor=m.officer_a, unit=m.county.union_a,
                                    people=m.a[:3])  # fmt: skip
    registration.register_entry(m.ev["男子俯卧撑"], actor=m.staff, unit=m.county.union_b,
                                people=[m.b[0]])  # fmt: skip
    ready_video(e)
    s = stats.contest_stats(m.contest, on=dt.date(2026, 6, 1))
    # The county has no direct member-holding children: both unions sit under towns.
    assert (s.units_registered, s.units_uploaded, s.participants, s.entries) == (2, 1, 4, 2)
    assert s.by_sex == {"男": 4} and s.by_age["30–39岁"] == 4


def test_only_the_organiser_runs_the_contest(meet):
    other = user_with_role("union_officer", meet.county.union_b, username="officer_b")
    with pytest.raises(PermissionDeniedError):
        c.transition(meet.contest, actor=other, to=ContestState.JUDGING)
    assert Contest.objects.get(pk=meet.contest.pk).state == ContestState.REGISTRATION
    assert EventKind.JUDGED in [e.kind for e in meet.contest.events.all()]
