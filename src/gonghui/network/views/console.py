# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console of the service network (服务阵地): the registry, a position's page, the
15-minute circle with its map and gaps, utilisation, activities and their reports."""

import datetime as dt

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.console import console_page, paginate, run_form
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for, roles_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE as XLSX
from gonghui.orgs.models import OrgUnit
from gonghui.training.models import Skill, Venue

from ..domain import activities, bookings, circle, photos, positions, queries
from ..enums import BookingState, TravelMode
from ..forms import (
    ActivityForm,
    ConsultationForm,
    CoverageForm,
    FileFindingForm,
    FindingForm,
    HandOutForm,
    HoursForm,
    ImportForm,
    MaterialForm,
    PhotoForm,
    PositionForm,
    ServiceForm,
)
from ..models import (
    Activity,
    ActivityPhoto,
    Booking,
    DemandPoint,
    Material,
    Position,
    PositionPhoto,
    ServiceHome,
)


def _position(request, position_id: int, action: str = "view") -> Position:
    return get_object_or_404(
        Position.objects.restrict(request.user, action).select_related("org_unit", "home"),
        pk=position_id,
    )


def _activity(request, activity_id: int, action: str = "view") -> Activity:
    return get_object_or_404(
        Activity.objects.restrict(request.user, action).select_related("org_unit", "position"),
        pk=activity_id,
    )


def _units(request):
    """Units where the caller may run positions and activities (their granted subtrees)."""
    principal = principal_for(request.user)
    qs = OrgUnit.objects.all()
    if not principal.is_superuser:
        qs = OrgUnit.objects.subtree_of(principal.paths(roles_for("position", "change")))
    return list(qs.order_by("depth", "path")[:200])


def _year() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today - dt.timedelta(days=364), today


@console_page("position")
def index(request):
    qs = Position.objects.restrict(request.user).select_related("org_unit", "home", "venue")
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    page, query = paginate(request, qs)
    homes = ServiceHome.objects.restrict(request.user).select_related("org_unit")
    venues = (
        Venue.objects.restrict(request.user).filter(service_position=None, active=True)
        .exclude(latitude=None)
    )  # fmt: skip
    return render(request, "network/console/index.html", {
        "page": page, "query": query, "homes": homes, "kind": kind,
        "kinds": Position._meta.get_field("kind").choices,
        "venues": venues[:50] if request.user.has_perm("network.change_position") else [],
        "import_form": ImportForm(units=_units(request))
        if request.user.has_perm("network.change_position") else None,
        "can_change": request.user.has_perm("network.change_position"),
    })  # fmt: skip


@console_page("position", "change")
def position_new(request):
    units = _units(request)
    homes = list(ServiceHome.objects.restrict(request.user, "change"))
    form = PositionForm(request.POST or None, units=units, homes=homes)
    if request.method == "POST":
        by_pk = {u.pk: u for u in units}
        home_by_pk = {h.pk: h for h in homes}

        def call(d):
            return positions.register_position(
                by_pk[d["org_unit"]], actor=request.user, name=d["name"], kind=d["kind"],
                address=d["address"], latitude=d["latitude"], longitude=d["longitude"],
                datum=d["datum"], capacity=d["capacity"], accessible=d["accessible"],
                contact=d["contact"], home=home_by_pk.get(d["home"]),
            )  # fmt: skip

        p = run_form(form, call)
        if p is not None:
            messages.success(request, _("已登记服务阵地"))
            return redirect("network_console:position", p.pk)
    return render(request, "network/console/position_new.html", {"form": form})


IMPORT_ERRORS = "network_import_errors"


@console_page("position", "change")
@require_POST
def import_positions(request):
    """Import a position workbook (all rows or none); when rows are refused, a page lists
    them and offers the error workbook (the rows with a 错误原因 column)."""
    from gonghui.core.spreadsheets import read_upload

    units = _units(request)
    form = ImportForm(request.POST, request.FILES, units=units)
    by_pk = {u.pk: u for u in units}
    request.session.pop(IMPORT_ERRORS, None)

    def call(d):
        unit, upload = by_pk[d["org_unit"]], d["file"]
        return positions.import_positions(
            unit, actor=request.user, data=read_upload(upload), name=upload.name
        )

    result = run_form(form, call)
    if result is None:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("network_console:index")
    if not result.ok:
        request.session[IMPORT_ERRORS] = positions.store_import_errors(result)
        return render(request, "network/console/import_errors.html",
                      {"result": result, "shown": result.errors[:50]}, status=400)  # fmt: skip
    messages.success(request, _("已导入阵地表：新增%(c)s，更新%(u)s，未变%(n)s") % {
        "c": result.created, "u": result.updated, "n": result.unchanged})  # fmt: skip
    return redirect("network_console:index")


@console_page("position", "change")
def import_errors(request):
    """The error workbook of the caller's last refused import (an hour)."""
    data = positions.stored_import_errors(request.session.get(IMPORT_ERRORS, ""))
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''positions-errors.xlsx"
    return response


@console_page("position", "change")
@require_POST
def register_venue(request, venue_id: int):
    venue = get_object_or_404(Venue.objects.restrict(request.user, "change"), pk=venue_id)
    try:
        p = positions.register_training_venue(venue, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("network_console:index")
    messages.success(request, _("培训阵地已登记为服务阵地"))
    return redirect("network_console:position", p.pk)


@console_page("position")
def position(request, position_id: int):
    p = _position(request, position_id)
    can = request.user.has_perm("network.change_position", p)
    hours_form = HoursForm(prefix="h")
    service_form = ServiceForm(prefix="s")
    if request.method == "POST":
        if not can:
            raise PermissionDenied
        if "h-hours" in request.POST:
            hours_form = HoursForm(request.POST, prefix="h")

            def set_hours(d):
                rows = []
                for line in d["hours"].splitlines():
                    if not line.strip():
                        continue
                    try:
                        day, span = line.split()
                        opens, closes = span.split("-")
                        rows.append((int(day) - 1, opens, closes))
                    except ValueError:
                        raise DomainError(_("每行格式：星期（1至7） 开始-结束，如 1 09:00-17:00"),
                                          field="hours") from None  # fmt: skip
                return positions.set_opening_hours(p, actor=request.user, hours=rows)

            if run_form(hours_form, set_hours) is not None:
                messages.success(request, _("开放时间已更新"))
                return redirect("network_console:position", p.pk)
        else:
            service_form = ServiceForm(request.POST, prefix="s")
            if run_form(service_form, lambda d: positions.add_service(p, actor=request.user, **d)):
                messages.success(request, _("已添加服务项目"))
                return redirect("network_console:position", p.pk)
    start, end = _year()
    [use] = queries.utilisation(Position.objects.filter(pk=p.pk), start=start, end=end)
    today = timezone.localdate()
    todays = (
        Booking.objects.restrict(request.user)
        .filter(service__position=p, starts_at__date=today)
        .select_related("service", "person")
    )  # fmt: skip
    return render(request, "network/console/position.html", {
        "p": p, "can_change": can, "hours": p.hours.all(), "services": p.services.all(),
        "hours_form": hours_form, "service_form": service_form, "use": use,
        "history": positions.history(p)[:20], "todays": todays,
        "weekdays": positions.WEEKDAYS, "photos": p.photos.all(), "photo_form": PhotoForm(),
    })  # fmt: skip


@console_page("position")
def position_qr(request, position_id: int):
    p = _position(request, position_id)
    url = request.build_absolute_uri(reverse("network:checkin", args=[p.checkin_token]))
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    return render(request, "network/console/qr.html", {"title": p.name, "qr_svg": svg, "url": url})


@console_page("booking", "change")
@require_POST
def booking_checkin(request, booking_id: int):
    b = get_object_or_404(Booking.objects.restrict(request.user).select_related("service"),
                          pk=booking_id)  # fmt: skip
    try:
        bookings.check_in(b.service.position, actor=request.user, person=b.person)
        messages.success(request, _("已签到"))
    except DomainError as exc:
        if getattr(exc, "code", "") == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    return redirect("network_console:position", b.service.position_id)


@console_page("position")
def export(request):
    """The registry as .xlsx, with each row's id so that the sheet imports back."""
    data = positions.export_positions(request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''positions.xlsx"
    return response


@console_page("demandpoint")
def coverage(request):
    form = CoverageForm(request.GET or None)
    mode = form.cleaned_data.get("mode") if form.is_valid() else ""
    mode = mode or TravelMode.WALK
    points = DemandPoint.objects.restrict(request.user)
    visible = Position.objects.restrict(request.user).filter(active=True)
    # Positions of the whole federation serve the caller's points, not only those in scope:
    # the directory (browse) is public service information.
    serving = Position.objects.restrict(request.user, "browse")
    cov = circle.coverage(points, serving, mode=mode)
    ranked = circle.gaps(cov, limit=10)
    uncovered = sorted((p for p in cov.points if not p.covered), key=lambda p: -p.people)
    chart = {
        "positions": [[float(p.longitude), float(p.latitude), p.name] for p in visible],
        "covered": [[p.longitude, p.latitude, p.name, p.people] for p in cov.points if p.covered],
        "uncovered": [[p.longitude, p.latitude, p.name, p.people] for p in uncovered],
        "gaps": [[g.point.longitude, g.point.latitude, g.point.name, g.gain] for g in ranked],
    }
    return render(request, "network/console/coverage.html", {
        "form": form, "cov": cov, "gaps": ranked, "uncovered": uncovered[:50], "mode": mode,
        "chart": chart,
        "by_kind": [(k, t, c) for k, (t, c) in cov.by_kind().items()],
        "can_propose": request.user.has_perm("network.change_position"),
        "detour": circle.DETOUR, "minutes": circle.MINUTES,
        "speed_kmh": {str(m): round(v * 60 / 1000, 1) for m, v in circle.SPEED_M_PER_MIN.items()},
    })  # fmt: skip


@console_page("position", "change")
@require_POST
def propose_gap(request, point_id: int):
    """'Propose as a reform item': a gap in the circle becomes a draft reform item."""
    from gonghui.reform.domain.items import create_reform_item
    from gonghui.reform.enums import Category

    point = get_object_or_404(DemandPoint.objects.restrict(request.user, "change"), pk=point_id)
    try:
        item = create_reform_item(
            point.org_unit, actor=request.user, title=f"在{point.name}附近新建服务阵地"[:100],
            category=Category.COLLABORATION,
            goal=_("补齐15分钟服务圈：%(name)s周边%(n)s人尚无步行15分钟可达的服务阵地")
            % {"name": point.name, "n": point.people},
            source_ref=f"network.DemandPoint#{point.pk}",
            source_summary=_("服务圈缺口"),
        )  # fmt: skip
    except DomainError as exc:
        if getattr(exc, "code", "") == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
        return redirect("network_console:coverage")
    audit.record("network.gap.propose", actor=request.user, obj=point,
                 after={"reform_item": item.pk})  # fmt: skip
    messages.success(request, _("已提为改革事项（草稿）：%(t)s") % {"t": item.title})
    return redirect("network_console:coverage")


@console_page("position")
def utilisation(request):
    start, end = _year()
    qs = Position.objects.restrict(request.user).select_related("org_unit")
    rows = sorted(queries.utilisation(qs, start=start, end=end), key=lambda u: u.rate)
    months = queries.monthly_bookings(qs, start=start, end=end)
    return render(request, "network/console/utilisation.html", {
        "rows": rows, "months": months, "start": start, "end": end, "low": queries.LOW_USE,
        "chart": {"months": [m for m, _n, _v in months],
                  "bookings": [n for _m, n, _v in months],
                  "visits": [v for _m, _n, v in months]},
    })  # fmt: skip


@console_page("activity")
def activity_list(request):
    qs = Activity.objects.restrict(request.user).select_related("org_unit", "position")
    page, query = paginate(request, qs)
    form = None
    if request.user.has_perm("network.change_position"):
        form = ActivityForm(
            request.POST or None, units=_units(request),
            positions=Position.objects.restrict(request.user, "change")[:200],
        )  # fmt: skip
        if request.method == "POST":
            units = {u.pk: u for u in _units(request)}
            pos = {p.pk: p for p in Position.objects.restrict(request.user, "change")}

            def call(d):
                return activities.create_activity(
                    units[d["org_unit"]], actor=request.user, kind=d["kind"], title=d["title"],
                    starts_at=d["starts_at"], ends_at=d["ends_at"], position=pos.get(d["position"]),
                    place=d["place"], cap=d["cap"],
                )  # fmt: skip

            a = run_form(form, call)
            if a is not None:
                messages.success(request, _("已创建活动"))
                return redirect("network_console:activity", a.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "network/console/activities.html",
                  {"page": page, "query": query, "form": form})  # fmt: skip


@console_page("activity")
def activity(request, activity_id: int):
    a = _activity(request, activity_id)
    can = activities.may_run(request.user, a)
    materials = list(a.materials.all())
    forms = {
        "material": MaterialForm(prefix="m"),
        "hand_out": HandOutForm(prefix="o", materials=materials),
        "consult": ConsultationForm(prefix="c"), "finding": FindingForm(prefix="f"),
    }  # fmt: skip
    if request.method == "POST":
        if not can:
            raise PermissionDenied
        which = request.POST.get("form")
        actions = {
            "material": (MaterialForm, "m", lambda d: activities.add_material(
                a, actor=request.user, name=d["name"], stock=d["stock"])),
            "hand_out": (HandOutForm, "o", lambda d: activities.hand_out(
                Material.objects.get(pk=d["material"], activity=a), actor=request.user,
                count=d["count"])),
            "consult": (ConsultationForm, "c", lambda d: activities.log_consultation(
                a, actor=request.user, topic=d["topic"], count=d["count"])),
            "finding": (FindingForm, "f", lambda d: activities.add_finding(
                a, actor=request.user, text=d["text"])),
        }  # fmt: skip
        if which in actions:
            cls, prefix, call = actions[which]
            kwargs = {"materials": materials} if cls is HandOutForm else {}
            form = cls(request.POST, prefix=prefix, **kwargs)
            if run_form(form, call) is not None:
                messages.success(request, _("已保存"))
                return redirect("network_console:activity", a.pk)
            forms[which] = form
        elif which == "file":
            form = FileFindingForm(request.POST, skills=Skill.objects.order_by("name")[:300])
            finding = a.findings.filter(pk=request.POST.get("finding")).first()
            if finding is None:
                raise PermissionDenied
            skills = {s.pk: s for s in Skill.objects.order_by("name")[:300]}
            if run_form(form, lambda d: activities.file_finding(
                finding, actor=request.user, to=d["to"], skill=skills.get(d["skill"]),
                headcount=d["headcount"] or 1,
            )) is not None:  # fmt: skip
                messages.success(request, _("诉求已转入处理"))
                return redirect("network_console:activity", a.pk)
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    skills = Skill.objects.order_by("name")[:300]
    return render(request, "network/console/activity.html", {
        "a": a, "can_change": can, "report": activities.report(a), "forms": forms,
        "file_forms": [(f, FileFindingForm(initial={"finding": f.pk}, skills=skills))
                       for f in a.findings.all()],
        "registrations": a.registrations.select_related("person")[:200],
        "photos": a.photos.all(), "photo_form": PhotoForm(),
    })  # fmt: skip


@console_page("activity")
def activity_report(request, activity_id: int):
    a = _activity(request, activity_id)
    return render(request, "network/console/report.html",
                  {"a": a, "report": activities.report(a), "photos": a.photos.all(),
                   "printed": timezone.now()})  # fmt: skip


@console_page("activity")
def activity_qr(request, activity_id: int):
    a = _activity(request, activity_id)
    url = request.build_absolute_uri(reverse("network:attend", args=[a.pk, a.checkin_token]))
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    return render(request, "network/console/qr.html", {"title": a.title, "qr_svg": svg, "url": url})


def _upload(request, add, owner, back: str):
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            if upload.size > MAX_UPLOAD:  # before reading it into memory
                raise DomainError(_("照片不能超过8MB"), field="photo")
            add(owner, actor=request.user, data=upload.read(),
                caption=form.cleaned_data["caption"])  # fmt: skip
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(back, owner.pk)
        messages.success(request, _("照片已上传"))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect(back, owner.pk)


MAX_UPLOAD = 8 * 1024 * 1024


@console_page("position", "change")
@require_POST
def position_photo(request, position_id: int):
    p = _position(request, position_id, "change")
    return _upload(request, photos.add_position_photo, p, "network_console:position")


@console_page("activity", "change")
@require_POST
def activity_photo(request, activity_id: int):
    a = _activity(request, activity_id, "change")
    return _upload(request, photos.add_activity_photo, a, "network_console:activity")


@console_page("position", "change")
@require_POST
def remove_position_photo(request, position_id: int, photo_id: int):
    p = _position(request, position_id, "change")
    photos.remove_photo(get_object_or_404(PositionPhoto, pk=photo_id, position=p),
                        actor=request.user)  # fmt: skip
    messages.success(request, _("照片已删除"))
    return redirect("network_console:position", p.pk)


@console_page("activity", "change")
@require_POST
def remove_activity_photo(request, activity_id: int, photo_id: int):
    a = _activity(request, activity_id, "change")
    photos.remove_photo(get_object_or_404(ActivityPhoto, pk=photo_id, activity=a),
                        actor=request.user)  # fmt: skip
    messages.success(request, _("照片已删除"))
    return redirect("network_console:activity", a.pk)


__all__ = ["BookingState"]
