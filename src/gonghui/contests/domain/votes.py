# SPDX-License-Identifier: AGPL-3.0-or-later
"""The popularity vote: one vote per logged-in worker per event, no ballot stuffing."""

from django.db import IntegrityError, transaction
from django.db.models import Count

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError

from ..enums import ContestState, EntryState
from ..models import Entry, Vote
from .common import user_of

VOTING_STATES = (ContestState.REGISTRATION, ContestState.JUDGING, ContestState.RESULTS)


@transaction.atomic
def cast_vote(entry: Entry, *, actor) -> Vote:
    user = user_of(actor)
    if user is None or not getattr(user, "person_id", None):
        raise PermissionDeniedError("请以职工身份登录后投票")
    contest = entry.contest
    if not contest.vote_open or contest.state not in VOTING_STATES:
        raise DomainError("人气投票未开放", code="state")
    if entry.state != EntryState.REGISTERED:
        raise DomainError("该作品不在投票之列", field="entry")
    if Vote.objects.filter(event_id=entry.event_id, user=user).exists():
        raise DomainError("每个项目只能投一票，您已投过", code="duplicate")
    try:
        with transaction.atomic():
            vote = Vote.objects.create(event_id=entry.event_id, entry=entry, user=user)
    except IntegrityError:
        raise DomainError("每个项目只能投一票，您已投过", code="duplicate") from None
    audit.record("contests.vote.cast", actor=actor, obj=entry, after={"event": entry.event_id})
    return vote


def tally(event) -> list[tuple[Entry, int]]:
    counts = dict(
        Vote.objects.filter(event=event).values("entry_id").annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )  # fmt: skip
    entries = Entry.objects.filter(event=event, state=EntryState.REGISTERED).select_related("unit")
    return sorted(((e, counts.get(e.pk, 0)) for e in entries), key=lambda x: (-x[1], x[0].number))
