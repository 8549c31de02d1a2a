# SPDX-License-Identifier: AGPL-3.0-or-later
"""The registry of service positions (阵地数据库) and what is booked there.

A ``ServiceHome`` is a (regional shared) workers' home run by a union — main or auxiliary,
with the unions that share it. A ``Position`` is one service position: a room or station
with a kind, coordinates (GCJ-02), opening hours, capacity and services. A training venue of
the training app is registered here as a position of kind 培训场地 linked one-to-one to it,
so there is one registry of 阵地.
"""

import secrets

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Enterprise, OrgUnit, Person
from gonghui.training.models import Venue

from ..enums import BookingState, HomeRole, PointKind, PositionKind, Pricing, ServiceCategory


def _token() -> str:
    return secrets.token_urlsafe(16)


class HomeQuerySet(ScopedQuerySet):
    scope_kind = "servicehome"


class ServiceHome(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="service_homes", verbose_name="所属工会"
    )
    name = models.CharField("职工之家名称", max_length=100)
    role = models.CharField("类型", max_length=12, choices=HomeRole.choices,
                            default=HomeRole.MAIN)  # fmt: skip
    operator = models.CharField("运营主体", max_length=100, blank=True)
    #: The grassroots unions that share this home (the 35 of 城阳's area federation).
    served_unions = models.ManyToManyField(
        OrgUnit, blank=True, related_name="shared_homes", verbose_name="共享的基层工会"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HomeQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit_id", "role", "name", "id"]
        verbose_name = "职工之家"
        verbose_name_plural = "职工之家"

    def __str__(self) -> str:
        return self.name


class PositionQuerySet(ScopedQuerySet):
    scope_kind = "position"


class Position(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="service_positions",
        verbose_name="管理工会",
    )  # fmt: skip
    home = models.ForeignKey(
        ServiceHome, on_delete=models.PROTECT, null=True, blank=True, related_name="positions",
        verbose_name="所属职工之家",
    )  # fmt: skip
    name = models.CharField("阵地名称", max_length=100)
    kind = models.CharField("阵地类型", max_length=12, choices=PositionKind.choices)
    address = models.CharField("地址", max_length=200)
    #: GCJ-02 (as Chinese maps show); positions entered from GPS are converted on entry.
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    capacity = models.PositiveIntegerField("容纳人数", default=0)
    accessible = models.BooleanField("无障碍设施", default=False)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    photo_note = models.CharField("照片说明", max_length=200, blank=True)
    #: The training venue this position is (kind 培训场地), if any: one registry of 阵地.
    venue = models.OneToOneField(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="service_position",
        verbose_name="对应培训阵地",
    )  # fmt: skip
    checkin_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit_id", "name", "id"]
        verbose_name = "服务阵地"
        verbose_name_plural = "阵地库"
        indexes = [models.Index(fields=["latitude", "longitude"], name="network_position_latlon")]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField("星期")  # 0 = Monday
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = "开放时间"
        verbose_name_plural = "开放时间"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="network_hours_end_after_start",
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="network_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Service(models.Model):
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="services")
    name = models.CharField("服务项目", max_length=100)
    category = models.CharField("服务类别", max_length=12, choices=ServiceCategory.choices)
    pricing = models.CharField("收费方式", max_length=12, choices=Pricing.choices,
                               default=Pricing.FREE)  # fmt: skip
    price = models.DecimalField("价格（元）", max_digits=8, decimal_places=2, default=0)
    subsidy_rule = models.CharField("补贴规则", max_length=200, blank=True)
    bookable = models.BooleanField("可预约", default=False)
    slot_minutes = models.PositiveSmallIntegerField("每时段分钟数", default=60)
    slot_capacity = models.PositiveSmallIntegerField("每时段名额", default=1)
    #: Sensitive services (心理咨询): a booking is seen by the worker and the provider only.
    sensitive = models.BooleanField("敏感服务（仅本人和服务人员可见）", default=False)
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="provided_services", verbose_name="值班服务人员",
    )  # fmt: skip
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["position_id", "category", "name", "id"]
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"

    def __str__(self) -> str:
        return self.name


class DemandPointQuerySet(ScopedQuerySet):
    scope_kind = "demandpoint"


class DemandPoint(models.Model):
    """Where people the circle should reach are: an enterprise's workplace (with its number
    of workers) or a residential district (with its residents), GCJ-02."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="demand_points", verbose_name="所属工会"
    )
    kind = models.CharField("类型", max_length=12, choices=PointKind.choices)
    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, null=True, blank=True,
        related_name="workplace_point", verbose_name="企业",
    )  # fmt: skip
    name = models.CharField("名称", max_length=100)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    people = models.PositiveIntegerField("人数")

    objects = DemandPointQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit_id", "kind", "name", "id"]
        verbose_name = "服务对象点位"
        verbose_name_plural = "服务对象点位"

    def __str__(self) -> str:
        return self.name


class BookingQuerySet(ScopedQuerySet):
    scope_kind = "booking"


class Booking(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="service_bookings")
    starts_at = models.DateTimeField("时段开始")
    ends_at = models.DateTimeField("时段结束")
    state = models.CharField("状态", max_length=12, choices=BookingState.choices,
                             default=BookingState.BOOKED)  # fmt: skip
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "created_at", "id"]
        verbose_name = "服务预约"
        verbose_name_plural = "服务预约"
        indexes = [models.Index(fields=["service", "starts_at"], name="network_booking_slot")]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"
