"""Contests in the scope walks (see tests/walk_extensions.py): a 平湖 contest in
preparation (so its public pages do not exist either) with an event, a round, a tier, an
entry of a 平湖 union with a video, a judge (a 平湖 account) and their score, an award and
a vote, which no role of 海盐 may read or change."""

import datetime as dt

from django.utils import timezone

from gonghui.contests.models import (
    AwardTier,
    Contest,
    ContestAward,
    Criterion,
    Entry,
    EntryMember,
    Event,
    Judge,
    Round,
    Score,
    Video,
    Vote,
)

MARK = "平湖"
MODELS = [Contest, Event, Criterion, Round, AwardTier, Entry, EntryMember, Video, Judge, Score,
          ContestAward, Vote]  # fmt: skip


def build(o) -> None:
    now = timezone.now()
    contest = Contest.objects.create(org_unit=o["root"], eligible_union=o["root"],
                                     name="平湖舞蹈大赛", notice="平湖通知")  # fmt: skip
    event = Event.objects.create(contest=contest, name="平湖舞蹈", kind="judged", mode="team",
                                 team_max=20)  # fmt: skip
    crit = Criterion.objects.create(event=event, name="平湖编排", weight=100)
    rnd = Round.objects.create(contest=contest, name="平湖决赛", kind="final", order=1,
                               upload_deadline=now + dt.timedelta(days=5),
                               scoring_deadline=now + dt.timedelta(days=9))  # fmt: skip
    tier = AwardTier.objects.create(contest=contest, name="平湖金奖", order=1, quota=1)
    entry = Entry.objects.create(contest=contest, event=event, unit=o["union"], number=1,
                                 name="平湖作品", round=rnd)  # fmt: skip
    EntryMember.objects.create(entry=entry, event=event, person=o["person"])
    video = Video.objects.create(key="0" * 31 + "1", entry=entry, round=rnd, filename="平湖.mp4",
                                 length=10, offset=10, state="ready", has_poster=True)  # fmt: skip
    judge = Judge.objects.create(event=event, user=o["user"], name="平湖评委", state="accepted")
    Score.objects.create(entry=entry, round=rnd, judge=judge, criterion=crit, value=90)
    award = ContestAward.objects.create(contest=contest, event=event, entry=entry, tier=tier,
                                        rank=1, score=90, certificate_no="平湖-0001")  # fmt: skip
    Vote.objects.create(event=event, entry=entry, user=o["user"])
    o.update(ct=contest, ct_event=event, ct_crit=crit, ct_round=rnd, ct_entry=entry,
             ct_video=video, ct_judge=judge, ct_award=award)  # fmt: skip


def operations(o) -> list:
    c, e, j = o["ct"].pk, o["ct_entry"].pk, o["ct_judge"].pk
    return [
        ("GET", "/api/contests/contests", None),
        ("GET", f"/api/contests/contests/{c}", None),
        ("GET", f"/api/contests/contests/{c}/entries", None),
        ("POST", f"/api/contests/contests/{c}/entries",
         {"event_id": o["ct_event"].pk, "unit_id": o["union"].pk, "person_ids": [o["person"].pk]}),
        ("POST", f"/api/contests/contests/{c}/transition", {"to": "registration"}),
        ("GET", f"/api/contests/contests/{c}/standings", None),
        ("GET", f"/api/contests/contests/{c}/awards", None),
        ("GET", f"/api/contests/contests/{c}/stats", None),
        ("GET", "/api/contests/judges", None),
        ("POST", f"/api/contests/judges/{j}/scores",
         {"entry_id": e, "values": {str(o["ct_crit"].pk): 50}}),
    ]  # fmt: skip


def pages(o) -> dict:
    c, e, j, v = o["ct"].pk, o["ct_entry"].pk, o["ct_judge"].pk, o["ct_video"].pk
    ev = o["ct_event"].pk
    return {
        "contests_console:index": ([], {"name": "越权", "org_unit": o["root"].pk,
                                        "template": "dance",
                                        "upload_deadline": "2030-01-01T10:00"}),
        "contests_console:contest": ([c], {}),
        "contests_console:transition": ([c], {"to": "registration"}),
        "contests_console:invite_judge": ([c], {"event": ev, "username": "nobody"}),
        "contests_console:send_on": ([c], {}),
        "contests_console:standings": ([c], {}),
        "contests_console:stats": ([c], {}),
        "contests_console:export": ([c], {}),
        "contests_console:close_round": ([o["ct_round"].pk], {}),
        "contests_console:entry": ([e], {}),
        "contests_console:certificate": ([o["ct_award"].pk], {}),
        "contests:index": ([], {}),
        "contests:unit": ([c], {"event": ev, "unit": o["union"].pk, "people": o["person"].pk}),
        "contests:bulk": ([c], {"unit": o["union"].pk, "action": "save",
                                "rows": f"{o['ct_event'].name}，，，{o['person'].name}"}),
        "contests:bulk_template": ([c], {}),
        "contests:bulk_errors": ([c], {}),
        "contests:selection": ([c], {"unit": o["union"].pk, "send_on": 1,
                                     "upload_deadline": "2030-01-01T10:00"}),
        "contests:upload": ([e], {}),
        "contests:judge": ([j], {"accept": "1"}),
        "contests:score": ([j, e], {f"c{o['ct_crit'].pk}": 50}),
        "contests:tus": ([], {}),
        "contests:tus_resource": ([o["ct_video"].key], {}),
        "contests:stream": ([v], {}),
        "contests:poster": ([v], {}),
        "contests:public": ([], {}),
        "contests:notice": ([c], {}),
        "contests:leaderboard": ([c], {}),
        "contests:finalists": ([c], {}),
        "contests:awards": ([c], {}),
        "contests:vote": ([c, ev], {}),
        "contests:cast": ([c, ev], {"entry": e}),
    }  # fmt: skip
