# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public reads of the contests app for other apps (the growth record, mentorship).

Other apps do not import these: the published awards reach them as honours of the growth
record (``core.growth``), registered in ``ContestsConfig.ready`` (``growth_entries``)."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.growth import AWARD, CONTEST, GrowthEntry
from gonghui.orgs.enums import OrgKind
from gonghui.orgs.models import OrgUnit

from ..enums import ContestState
from ..models import Contest, ContestAward

#: An organiser's kind → the level of its contests (``core.growth.HONOUR_LEVELS``). An
#: industry union or an area federation takes the level of the federation it sits under (the
#: provincial metallurgy union's contest is 省级); a grassroots or joint union's own contest
#: is 公司级.
ORGANISER_LEVELS = {
    OrgKind.PROVINCE: "province",
    OrgKind.CITY: "city",
    OrgKind.COUNTY: "county",
    OrgKind.TOWN: "town",
    OrgKind.GRASSROOTS: "company",
    OrgKind.JOINT: "company",
}


def awards_of_person(person):
    """The published contest awards ``person`` won (as an entrant or a team member), newest
    first: what the growth record shows and mentorship's reward linkage reads."""
    return (
        ContestAward.objects.filter(
            contest__state=ContestState.PUBLISHED, entry__members__person=person
        )
        .select_related("contest", "event", "tier", "entry__unit")
        .order_by("-contest__published_at", "tier__order")
        .distinct()
    )


def contest_level(contest: Contest) -> str:
    """The level of ``contest`` (a key of ``core.growth.HONOUR_LEVELS``): its organiser's,
    or for an industry union or area federation the nearest federation's above it."""
    unit = contest.org_unit
    if unit.kind in ORGANISER_LEVELS:
        return ORGANISER_LEVELS[unit.kind]
    above = dict(OrgUnit.objects.filter(path__in=unit.ancestor_paths()).values_list("path", "kind"))
    for path in reversed(unit.ancestor_paths()):
        kind = above.get(path)
        if kind in ORGANISER_LEVELS and kind not in (OrgKind.GRASSROOTS, OrgKind.JOINT):
            return ORGANISER_LEVELS[kind]
    return "company"


def growth_entries(person) -> list[GrowthEntry]:
    """``person``'s published contest awards as honours of the growth record: the contest,
    event and tier, the day the results were published and the contest's level."""
    levels: dict[int, str] = {}
    out = []
    for a in awards_of_person(person).select_related("contest__org_unit"):
        if a.contest_id not in levels:
            levels[a.contest_id] = contest_level(a.contest)
        out.append(
            GrowthEntry(
                kind=_("竞赛获奖"),
                title=f"{a.contest.name} · {a.event.name} · {a.tier.name}",
                hours=Decimal(0),
                completed_at=a.contest.published_at or timezone.now(),
                url=reverse("contests:awards", args=[a.contest_id]),
                category=AWARD,
                level=levels[a.contest_id],
                honour=CONTEST,
                ref=f"contests.award:{a.pk}",
                detail=_("证书编号 %(no)s") % {"no": a.certificate_no},
            )
        )
    return out


def public_contests():
    from ..enums import PUBLIC_STATES

    return Contest.objects.filter(state__in=PUBLIC_STATES, parent__isnull=True).select_related(
        "org_unit"
    )
