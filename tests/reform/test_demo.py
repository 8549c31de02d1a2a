from decimal import Decimal

import pytest

from gonghui.core.models import AuditEvent
from gonghui.orgs.enums import Role
from gonghui.reform.demo import ITEMS, build_reform_demo
from gonghui.reform.enums import Category
from gonghui.reform.models import ReformItem

from ..factories import user_with_role

pytestmark = pytest.mark.django_db


def test_reform_demo_builds_a_dozen_items_through_the_domain(county):
    user_with_role(Role.FEDERATION_STAFF, county.county, username="county_staff")
    [line] = build_reform_demo(seed=7)
    assert line.startswith("Reform list: 12 items")
    assert ReformItem.objects.count() == len(ITEMS) == 12
    assert set(ReformItem.objects.values_list("category", flat=True)) == set(Category.values)
    counts = dict.fromkeys(["draft", "in_progress", "suspended", "completed", "cancelled"], 0)
    for status in ReformItem.objects.values_list("status", flat=True):
        counts[status] += 1
    assert counts == {"draft": 1, "in_progress": 7, "suspended": 1, "completed": 2,
                      "cancelled": 1}  # fmt: skip
    shared = ReformItem.objects.get(title="培训需求与人社数据共享")
    # (20×100 + 30×100 + 50×60) / 100 = 80.0
    assert shared.progress == Decimal("80.0")
    assert AuditEvent.objects.filter(action="reform.create").count() == 12


def test_reform_demo_needs_the_county(db):
    assert build_reform_demo(seed=7) == []
