"""The service network's demo part: the article's figures, replayed through the domain."""

import random

import pytest
from django.utils import timezone

from gonghui.network.demo import MATERIALS, MEMBERS, UNIONS, _pick_unions, build_network_demo
from gonghui.network.enums import BookingState, FindingTarget, HomeRole
from gonghui.network.models import Activity, Booking, Finding, Material, Position, ServiceHome
from gonghui.orgs.enums import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_pick_unions_hits_the_member_total_exactly():
    rng = random.Random(3)
    counts = [rng.randint(40, 260) for _ in range(150)]
    candidates = [(f"u{i}", c) for i, c in enumerate(counts)]
    chosen = _pick_unions(candidates, UNIONS, MEMBERS)
    by_name = dict(candidates)
    assert len(chosen) == 35 and len(set(chosen)) == 35
    assert sum(by_name[u] for u in chosen) == 4780


def test_demo_builds_the_area_network(county):
    user_with_role(Role.FEDERATION_STAFF, county.county, username="county_staff")
    [first, circle_line, year] = build_network_demo(seed=7)
    assert first.startswith("Service network: 武原街道城北片区工会联合会")
    homes = ServiceHome.objects.all()
    assert sorted(h.role for h in homes) == [HomeRole.AUXILIARY, HomeRole.AUXILIARY, HomeRole.MAIN]
    assert Position.objects.filter(home__in=homes).count() == 18
    assert len(set(Position.objects.values_list("services__category", flat=True)) - {None}) == 11
    booth = Activity.objects.get(kind="campaign")
    handed = sum(m.handed_out for m in Material.objects.filter(activity=booth))
    assert handed == sum(out for _n, _s, out in MATERIALS) == 1052
    filed = dict(Finding.objects.exclude(filed_to="").values_list("filed_to", "filed_ref"))
    assert set(filed) == {FindingTarget.TRAINING, FindingTarget.REFORM}
    assert Booking.objects.filter(state=BookingState.CHECKED_IN).exists()
    # Nothing but bookings still to come is dated in the future.
    future = Booking.objects.filter(starts_at__gt=timezone.now())
    assert not future.exclude(state=BookingState.BOOKED).exists()
    assert "1,052 copies" in year and "covered" in circle_line
