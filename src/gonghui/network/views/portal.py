# SPDX-License-Identifier: AGPL-3.0-or-later
"""The worker's phone pages: what is near me (within 15 minutes of my workplace), a
position's services and slots, booking, check-in by the position's QR code, activities."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.console import add_domain_error
from gonghui.core.errors import DomainError, PermissionDeniedError

from ..domain import activities, bookings, queries
from ..enums import BookingState, TravelMode
from ..forms import BookForm
from ..models import (
    Activity,
    ActivityPhoto,
    Booking,
    Position,
    PositionPhoto,
    Registration,
    Service,
)


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied
    return person


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@login_required
def near_me(request):
    """Positions, services and activities within 15 minutes of the worker's workplace (or
    of the point given as ?lat=&lon=, GCJ-02, e.g. the phone's location)."""
    person = _person(request)
    mode = request.GET.get("mode") if request.GET.get("mode") in TravelMode.values else "walk"
    lat, lon = _float(request.GET.get("lat")), _float(request.GET.get("lon"))
    origin = _("您指定的位置")
    if lat is None or lon is None:
        wp = queries.workplace_of(person)
        if wp is not None:
            lat, lon, origin = float(wp.latitude), float(wp.longitude), wp.name
    near = []
    if lat is not None and lon is not None:
        near = queries.nearest_positions(lat, lon, user=request.user, mode=mode, limit=20)
    upcoming = queries.upcoming_activities([n.position for n in near], user=request.user)[:10]
    mine = (
        Booking.objects.restrict(request.user, "own")
        .filter(ends_at__gte=timezone.now() - dt.timedelta(days=30))
        .select_related("service__position").order_by("-starts_at")[:20]
    )  # fmt: skip
    my_regs = (
        Registration.objects.restrict(request.user, "own")
        .select_related("activity").order_by("-activity__starts_at")[:10]
    )  # fmt: skip
    return render(request, "network/portal/near.html", {
        "near": near, "origin": origin, "located": lat is not None, "mode": mode,
        "modes": TravelMode.choices, "upcoming": upcoming, "mine": mine, "my_regs": my_regs,
        "holding": (BookingState.BOOKED, BookingState.WAITLISTED),
    })  # fmt: skip


@login_required
def position(request, position_id: int):
    _person(request)
    p = get_object_or_404(Position.objects.restrict(request.user, "browse"), pk=position_id)
    services = []
    today = timezone.localdate()
    for s in p.services.filter(active=True):
        slots = []
        if s.bookable:
            for d in range(1, 8):
                slots += [x for x in bookings.slots(s, today + dt.timedelta(days=d))]
        services.append((s, BookForm(slots=slots[:40], prefix=f"s{s.pk}") if s.bookable else None))
    return render(request, "network/portal/position.html", {
        "p": p, "services": services, "hours": p.hours.all(),
        "weekdays": ["一", "二", "三", "四", "五", "六", "日"],
        "activities": queries.upcoming_activities([p], user=request.user),
        "photos": p.photos.all(),
    })  # fmt: skip


@login_required
@require_POST
def book(request, service_id: int):
    person = _person(request)
    s = get_object_or_404(
        Service.objects.filter(position__in=Position.objects.restrict(request.user, "browse")),
        pk=service_id,
    )
    raw = request.POST.get(f"s{s.pk}-starts_at", "")
    try:
        starts_at = dt.datetime.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("请选择时段"))
        return redirect("network:position", s.position_id)
    try:
        b = bookings.book(s, actor=request.user, person=person, starts_at=starts_at,
                          waitlist=bool(request.POST.get(f"s{s.pk}-waitlist")))  # fmt: skip
    except PermissionDeniedError:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("network:position", s.position_id)
    if b.state == BookingState.WAITLISTED:
        messages.success(request, _("该时段已满，您已进入候补"))
    else:
        messages.success(request, _("预约成功：%(s)s %(t)s") % {
            "s": s.name, "t": timezone.localtime(b.starts_at).strftime("%m-%d %H:%M")})  # fmt: skip
    return redirect("network:near")


@login_required
@require_POST
def cancel(request, booking_id: int):
    b = get_object_or_404(Booking.objects.restrict(request.user, "own"), pk=booking_id)
    try:
        bookings.cancel(b, actor=request.user)
        messages.success(request, _("预约已取消"))
    except PermissionDeniedError:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("network:near")


@login_required
def checkin(request, token: str):
    """The page the position's QR code opens: check in for the current booking."""
    person = _person(request)
    p = get_object_or_404(Position.objects.restrict(request.user, "browse"), checkin_token=token)
    error = done = None
    if request.method == "POST":
        try:
            done = bookings.check_in(p, actor=request.user, person=person, token=token)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as exc:
            error = exc.message
    return render(request, "network/portal/checkin.html",
                  {"p": p, "token": token, "done": done, "error": error})  # fmt: skip


@login_required
def activity(request, activity_id: int):
    """An activity on the phone: when and where, registration (for a worker), its photos as
    a gallery. Staff who see the activity in their subtree may open it too."""
    person = getattr(request.user, "person", None)
    a = _get_seen(Activity, request.user, activity_id)
    registered = a.registrations.filter(person=person).first() if person else None
    error = None
    if request.method == "POST":
        if person is None:
            raise PermissionDenied
        try:
            activities.register(a, actor=request.user, person=person)
            messages.success(request, _("报名成功"))
            return redirect("network:activity", a.pk)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as exc:
            error = exc.message
    return render(request, "network/portal/activity.html", {
        "a": a, "person": person, "registered": registered, "error": error,
        "left": None if a.cap is None else max(0, a.cap - a.registrations.count()),
        "photos": list(a.photos.all()),
    })  # fmt: skip


@login_required
def attend(request, activity_id: int, token: str):
    person = _person(request)
    a = get_object_or_404(Activity.objects.restrict(request.user, "browse"), pk=activity_id)
    error = done = None
    if request.method == "POST":
        try:
            done = activities.attend(a, actor=request.user, person=person, token=token)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DomainError as exc:
            error = exc.message
    return render(request, "network/portal/attend.html",
                  {"a": a, "token": token, "done": done, "error": error})  # fmt: skip


__all__ = ["add_domain_error"]


def _seen(model, user, pk: int) -> bool:
    """Whether ``user`` sees the position or activity: the public directory (``browse``)
    or the staff's own subtree (``view``, inactive ones included)."""
    return (
        model.objects.restrict(user, "browse").filter(pk=pk).exists()
        or model.objects.restrict(user, "view").filter(pk=pk).exists()
    )


def _get_seen(model, user, pk: int):
    """The position or activity if ``user`` sees it (as ``_seen``), else 404."""
    for action in ("browse", "view"):
        obj = model.objects.restrict(user, action).filter(pk=pk).first()
        if obj is not None:
            return obj
    raise Http404


def _photo_response(photo, *, thumb: bool = False) -> FileResponse:
    stored = photo.thumb if thumb and photo.thumb else photo.image
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    res = FileResponse(handle, content_type="image/jpeg")
    name = f"photo-{photo.pk}{'-thumb' if thumb else ''}.jpg"
    res["Content-Disposition"] = f'inline; filename="{name}"'
    res["X-Content-Type-Options"] = "nosniff"
    res["Cache-Control"] = "private, max-age=3600"
    return res


@login_required
def position_photo(request, photo_id: int, thumb: bool = False):
    photo = get_object_or_404(PositionPhoto, pk=photo_id)
    if not _seen(Position, request.user, photo.position_id):
        raise Http404
    return _photo_response(photo, thumb=thumb)


@login_required
def activity_photo(request, photo_id: int, thumb: bool = False):
    photo = get_object_or_404(ActivityPhoto, pk=photo_id)
    if not _seen(Activity, request.user, photo.activity_id):
        raise Http404
    return _photo_response(photo, thumb=thumb)


def _gallery_page(request, owner, photo_id: int, *, photo_url: str, page_url: str, back: str):
    """One photo of a gallery, large, with the previous and next ones a tap away."""
    photos = list(owner.photos.all())
    index = next((i for i, ph in enumerate(photos) if ph.pk == photo_id), None)
    if index is None:
        raise Http404
    return render(request, "network/portal/photo.html", {
        "owner": owner, "title": getattr(owner, "title", None) or owner.name,
        "photo": photos[index], "number": index + 1, "total": len(photos),
        "prev": photos[index - 1] if index else None,
        "next": photos[index + 1] if index + 1 < len(photos) else None,
        "photo_url": photo_url, "page_url": page_url, "back": back,
    })  # fmt: skip


@login_required
def position_gallery(request, position_id: int, photo_id: int):
    p = _get_seen(Position, request.user, position_id)
    return _gallery_page(request, p, photo_id, photo_url="network:position_photo",
                         page_url="network:position_gallery",
                         back=reverse("network:position", args=[p.pk]))  # fmt: skip


@login_required
def activity_gallery(request, activity_id: int, photo_id: int):
    a = _get_seen(Activity, request.user, activity_id)
    return _gallery_page(request, a, photo_id, photo_url="network:activity_photo",
                         page_url="network:activity_gallery",
                         back=reverse("network:activity", args=[a.pk]))  # fmt: skip
