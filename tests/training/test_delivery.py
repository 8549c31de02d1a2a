"""Trainer and venue writes (师资库, 阵地库)."""

from decimal import Decimal

import pytest

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.training.domain import delivery
from gonghui.training.models import Trainer, Venue

from .factories import TrainerFactory, VenueFactory, skill

pytestmark = pytest.mark.django_db


def test_create_and_update_trainer(county):
    staff = county.users["federation_staff"]
    trainer = delivery.create_trainer(
        county.county, actor=staff, name=" 周师傅 ", title="高级技师",
        mobile="138 0000 1111", skills=[skill("电工")],
    )  # fmt: skip
    assert (trainer.name, trainer.mobile, trainer.org_unit) == (
        "周师傅",
        "13800001111",
        county.county,
    )
    assert list(trainer.skills.values_list("name", flat=True)) == ["电工"]
    delivery.update_trainer(trainer, actor=staff, title="技师", org_unit=county.town_a)
    trainer.refresh_from_db()
    assert (trainer.title, trainer.org_unit) == ("技师", county.town_a)
    assert list(
        AuditEvent.objects.filter(action__startswith="trainer.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["trainer.create", "trainer.update"]


def test_trainer_refusals_write_nothing(county):
    with pytest.raises(PermissionDeniedError):
        delivery.create_trainer(county.county, actor=county.users["town_staff_a"], name="越权")
    with pytest.raises(PermissionDeniedError):
        delivery.create_trainer(county.town_a, actor=county.users["auditor"], name="越权")
    with pytest.raises(DomainError, match="请填写姓名"):
        delivery.create_trainer(county.county, actor=county.users["federation_staff"], name=" ")
    with pytest.raises(DomainError, match="手机号码"):
        delivery.create_trainer(
            county.county, actor=county.users["federation_staff"], name="甲", mobile="123"
        )
    assert Trainer.objects.count() == 0
    trainer = TrainerFactory(org_unit=county.county)
    with pytest.raises(PermissionDeniedError):
        delivery.update_trainer(trainer, actor=county.users["town_staff_a"], name="改")
    trainer.refresh_from_db()
    assert trainer.name.startswith("培训师")


def test_retire_trainer(county):
    staff = county.users["federation_staff"]
    trainer = TrainerFactory(org_unit=county.county)
    delivery.retire_trainer(trainer, actor=staff)
    trainer.refresh_from_db()
    assert trainer.active is False
    with pytest.raises(DomainError, match="该培训师已不在库"):
        delivery.retire_trainer(trainer, actor=staff)
    delivery.retire_trainer(trainer, actor=staff, active=True)
    trainer.refresh_from_db()
    assert trainer.active is True


def test_create_and_update_venue(county):
    staff = county.users["federation_staff"]
    venue = delivery.create_venue(
        county.town_a, actor=staff, name="武原职工学校", address="武原街道1号", capacity=60,
        latitude=Decimal("30.52"), longitude=Decimal("120.94"),
    )  # fmt: skip
    assert (venue.capacity, venue.org_unit) == (60, county.town_a)
    delivery.update_venue(venue, actor=staff, capacity=80, opening_hours="8:00-20:00")
    venue.refresh_from_db()
    assert (venue.capacity, venue.opening_hours) == (80, "8:00-20:00")


def test_venue_refusals_write_nothing(county):
    staff = county.users["federation_staff"]
    with pytest.raises(DomainError, match="容纳人数至少为1人"):
        delivery.create_venue(county.county, actor=staff, name="甲", address="乙", capacity=0)
    with pytest.raises(DomainError, match="纬度"):
        delivery.create_venue(
            county.county, actor=staff, name="甲", address="乙", capacity=5,
            latitude=Decimal("95"), longitude=Decimal("120"),
        )  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        delivery.create_venue(
            county.county, actor=county.users["town_staff_a"], name="甲", address="乙", capacity=5
        )
    assert Venue.objects.count() == 0
    venue = VenueFactory(org_unit=county.county)
    with pytest.raises(PermissionDeniedError):
        delivery.update_venue(venue, actor=county.users["town_staff_a"], capacity=1)
    with pytest.raises(DomainError, match="不能修改"):
        delivery.update_venue(venue, actor=staff, checkin_secret="x")
    venue.refresh_from_db()
    assert venue.capacity == 40
