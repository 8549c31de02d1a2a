# SPDX-License-Identifier: AGPL-3.0-or-later
"""What mentorship writes to the worker's growth record (成长档案, ``core.growth``): the
agreements as mentor or apprentice, the three-part assessment of each agreement under way or
completed, the points total of each programme, and the awards recorded in agreements (as
honours, so other readers see them). Registered in ``MentorshipConfig.ready``."""

import datetime as dt
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import growth
from gonghui.orgs.models import Person

from ..enums import AgreementState, AwardKind
from ..models import Agreement, Award, PointEntry
from .assessment import assess

#: The award kind here → the growth record's honour kind.
HONOURS = {
    AwardKind.SKILLS_CONTEST: growth.CONTEST,
    AwardKind.MANAGEMENT_INNOVATION: growth.MANAGEMENT_INNOVATION,
    AwardKind.TECHNICAL_INNOVATION: growth.TECHNICAL_INNOVATION,
    AwardKind.OTHER: growth.OTHER_HONOUR,
}
#: Agreements whose assessment is shown (under way or completed).
ASSESSED = (AgreementState.IN_PROGRESS, AgreementState.MIDTERM, AgreementState.COMPLETED)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def growth_entries(person: Person) -> list[growth.GrowthEntry]:
    """``person``'s agreements, assessments and points totals (category ``MENTORSHIP``)."""
    url = reverse("mentorship:mine")
    today = timezone.localdate()
    kind = _("导师带徒")
    out = []
    agreements = (
        Agreement.objects.filter(Q(mentor__person=person) | Q(apprentice__person=person))
        .exclude(state=AgreementState.DRAFT)
        .select_related("programme", "mentor__person", "mentor__skill", "apprentice__person")
        .order_by("starts_on", "pk")
    )
    for a in agreements:
        as_mentor = a.mentor.person_id == person.pk
        other = a.apprentice.person if as_mentor else a.mentor.person
        role = _("担任导师，徒弟%(n)s") if as_mentor else _("拜师学艺，导师%(n)s")
        end = a.completed_on or a.ends_on
        out.append(growth.GrowthEntry(
            kind=kind, title=f"{role % {'n': other.name}}（{a.mentor.skill.name}）",
            hours=Decimal(0), completed_at=_at(a.completed_on or a.starts_on), url=url,
            category=growth.MENTORSHIP, ref=f"mentorship.agreement:{a.pk}",
            detail=f"{a.starts_on:%Y-%m-%d} 至 {end:%Y-%m-%d} · {a.get_state_display()}",
        ))  # fmt: skip
        if a.state in ASSESSED:
            result = assess(a, start=a.starts_on, end=max(a.starts_on, min(end, today)))
            out.append(growth.GrowthEntry(
                kind=kind,
                title=_("三位一体考核（徒弟%(n)s）") % {"n": a.apprentice.person.name},
                hours=Decimal(0), completed_at=_at(min(end, today)), url=url,
                category=growth.MENTORSHIP, ref=f"mentorship.assessment:{a.pk}",
                detail=_("总分%(t)s，%(g)s") % {"t": result.total, "g": result.grade_label},
            ))  # fmt: skip
    totals = (
        PointEntry.objects.filter(person=person)
        .values("programme_id", "programme__name")
        .annotate(total=Sum("points"), last=Max("occurred_on"))
        .order_by("programme_id")
    )
    for t in totals:
        out.append(growth.GrowthEntry(
            kind=kind, title=_("积分：%(p)s") % {"p": t["programme__name"]}, hours=Decimal(0),
            completed_at=_at(t["last"]), url=url, category=growth.MENTORSHIP,
            ref=f"mentorship.points:{t['programme_id']}",
            detail=_("累计%(n)d分") % {"n": t["total"]},
        ))  # fmt: skip
    return out


def award_entries(person: Person) -> list[growth.GrowthEntry]:
    """The awards recorded for ``person`` in agreements, as honours (category ``AWARD``);
    one linked from another app's honour (``source``) is in the record already."""
    url = reverse("mentorship:mine")
    rows = Award.objects.filter(person=person, source="").select_related("passed_from__person")
    out = []
    for a in rows:
        if a.passed_from_id:
            detail = _("随徒弟%(n)s获奖授予") % {"n": a.passed_from.person.name}
        else:
            detail = a.get_kind_display()
        out.append(growth.GrowthEntry(
            kind=_("导师带徒获奖"), title=a.title, hours=Decimal(0), completed_at=_at(a.awarded_on),
            url=url, category=growth.AWARD, level=a.level, honour=HONOURS[a.kind],
            ref=f"mentorship.award:{a.pk}", detail=detail,
        ))  # fmt: skip
    return out
