# SPDX-License-Identifier: AGPL-3.0-or-later
"""Bookings of a service slot at a position: capacity without overbooking, a waitlist,
cancellation (the first on the waitlist moves up), reminders, check-in by the position's QR
code, and no-shows. ``transition_booking`` is the only code that changes a booking's state."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.rules import require

from ..enums import BOOKING_TRANSITIONS, HOLDING_STATES, BookingState
from ..models import Booking, Position, Service

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
#: How early before its slot a booking may be checked in.
CHECKIN_EARLY = dt.timedelta(minutes=30)


def transition_booking(booking: Booking, to: str, *, actor, note: str = "") -> Booking:
    if to not in BOOKING_TRANSITIONS[booking.state]:
        raise DomainError(
            f"预约当前为“{booking.get_state_display()}”，不能改为“{BookingState(to).label}”",
            field="state",
        )
    before = booking.state
    booking.state = to
    fields = ["state"]
    if to == BookingState.CHECKED_IN:
        booking.checked_in_at = timezone.now()
        fields.append("checked_in_at")
    booking.save(update_fields=fields)
    audit.record("network.booking." + to, actor=actor, obj=booking,
                 before={"state": before}, after={"state": to, "note": note[:100]})  # fmt: skip
    return booking


def _local(when: dt.datetime) -> dt.datetime:
    return timezone.localtime(when) if timezone.is_aware(when) else when


def slot_in_hours(service: Service, starts_at: dt.datetime) -> bool:
    start = _local(starts_at)
    end = start + dt.timedelta(minutes=service.slot_minutes)
    if end.date() != start.date():
        return False
    return service.position.hours.filter(
        weekday=start.weekday(), opens__lte=start.time(), closes__gte=end.time()
    ).exists()


def slots(service: Service, day: dt.date) -> list[dict]:
    """The day's slots of a bookable service within the position's opening hours, with
    places taken and left."""
    out = []
    tz = timezone.get_current_timezone()
    taken: dict[dt.datetime, int] = {}
    for b in Booking.objects.filter(
        service=service, state__in=HOLDING_STATES, starts_at__date=day
    ).only("starts_at"):
        taken[b.starts_at] = taken.get(b.starts_at, 0) + 1
    for h in service.position.hours.filter(weekday=day.weekday()):
        t = dt.datetime.combine(day, h.opens, tzinfo=tz)
        close = dt.datetime.combine(day, h.closes, tzinfo=tz)
        step = dt.timedelta(minutes=service.slot_minutes)
        while t + step <= close:
            n = taken.get(t, 0)
            out.append({"starts_at": t, "taken": n, "left": max(0, service.slot_capacity - n)})
            t += step
    return out


@transaction.atomic
def book(service: Service, *, actor, person, starts_at: dt.datetime, waitlist: bool = False,
         note: str = "") -> Booking:  # fmt: skip
    """Book ``person`` into the slot starting at ``starts_at``. A full slot is refused, or
    with ``waitlist`` the booking joins its waitlist. A worker books for themselves; staff
    of the position may book for a worker (by phone)."""
    if getattr(actor, "person_id", None) != person.pk:
        require("network.book_for", actor, service, "只能为本人预约")
    if timezone.is_naive(starts_at):  # a time without zone is Asia/Shanghai's
        starts_at = timezone.make_aware(starts_at)
    # Lock the service row: concurrent bookings of one service are serialised.
    service = Service.objects.select_for_update().select_related("position").get(pk=service.pk)
    if not service.active or not service.position.active or not service.bookable:
        raise DomainError("该服务暂不接受预约", field="service")
    if starts_at <= timezone.now():
        raise DomainError("只能预约今后的时段", field="starts_at")
    if starts_at - timezone.now() > dt.timedelta(days=60):
        raise DomainError("最多可预约60天内的时段", field="starts_at")
    if not slot_in_hours(service, starts_at):
        raise DomainError("所选时段不在该阵地的开放时间内", field="starts_at")
    ends_at = starts_at + dt.timedelta(minutes=service.slot_minutes)
    mine = Booking.objects.filter(
        service=service, person=person, starts_at=starts_at,
        state__in=(*HOLDING_STATES, BookingState.WAITLISTED),
    )  # fmt: skip
    if mine.exists():
        raise DomainError("您已预约（或候补）该时段，请勿重复预约", field="starts_at")
    held = Booking.objects.filter(service=service, starts_at=starts_at, state__in=HOLDING_STATES)
    state = BookingState.BOOKED
    if held.count() >= service.slot_capacity:
        if not waitlist:
            raise DomainError("该时段已约满，可选择候补", field="starts_at")
        state = BookingState.WAITLISTED
    booking = Booking.objects.create(service=service, person=person, starts_at=starts_at,
                                     ends_at=ends_at, state=state, note=note[:200])  # fmt: skip
    audit.record("network.booking.create", actor=actor, obj=booking,
                 after={"service": service.pk, "starts_at": starts_at.isoformat(),
                        "state": state})  # fmt: skip
    return booking


@transaction.atomic
def cancel(booking: Booking, *, actor, note: str = "") -> Booking:
    require("network.cancel_booking", actor, booking, "无权取消该预约")
    service = Service.objects.select_for_update().get(pk=booking.service_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    was_holding = booking.state in HOLDING_STATES
    transition_booking(booking, BookingState.CANCELLED, actor=actor, note=note)
    if was_holding:
        nxt = (
            Booking.objects.filter(service=service, starts_at=booking.starts_at,
                                   state=BookingState.WAITLISTED)
            .order_by("created_at", "id").first()
        )  # fmt: skip
        if nxt is not None:
            transition_booking(nxt, BookingState.BOOKED, actor=actor, note="候补转为预约")
    return booking


@transaction.atomic
def check_in(position: Position, *, actor, person, token: str = "", now=None) -> Booking:
    """Check ``person`` in at ``position`` for their booking of the current slot (from 30
    minutes before it starts until it ends). The worker scans the position's QR code
    (``token``); staff and the provider may check a worker in without it."""
    now = now or timezone.now()
    is_self = getattr(actor, "person_id", None) == person.pk
    if is_self and token != position.checkin_token:
        raise PermissionDeniedError("签到码无效，请扫描阵地现场的二维码")
    booking = (
        Booking.objects.select_for_update()
        .filter(service__position=position, person=person, state=BookingState.BOOKED,
                starts_at__lte=now + CHECKIN_EARLY, ends_at__gte=now)
        .select_related("service").order_by("starts_at").first()
    )  # fmt: skip
    if booking is None:
        raise DomainError("没有找到您在此阵地当前时段的预约", field="booking")
    if not is_self:
        require("network.checkin_booking", actor, booking, "无权为该预约签到")
    return transition_booking(booking, BookingState.CHECKED_IN, actor=actor)


@transaction.atomic
def mark_no_shows(*, actor, now=None) -> int:
    """Bookings whose slot has ended without a check-in become no-shows (a scheduled job)."""
    now = now or timezone.now()
    late = list(Booking.objects.select_for_update()
                .filter(state=BookingState.BOOKED, ends_at__lt=now).order_by("id"))  # fmt: skip
    for b in late:
        transition_booking(b, BookingState.NO_SHOW, actor=actor)
    return len(late)
