"""Reminders are sent — an inbox message and an SMS through the project's notification path —
once per booking and registration, never at night, and a sensitive service's SMS names
neither the service nor the position. The periodic job runs them through the worker."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.accounts.sms import MemorySender
from gonghui.core.actors import SYSTEM
from gonghui.network.domain import activities, bookings, reminders
from gonghui.network.enums import ActivityKind, BookingState
from gonghui.network.models import Booking
from gonghui.training.models.notice import Notification

from .conftest import slot


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.MemorySender"
    MemorySender.notices.clear()
    yield MemorySender.notices
    MemorySender.notices.clear()


def test_reminders_sent_once_and_not_at_night(net, sms, django_capture_on_commit_callbacks):
    mobile = net.worker.mobile
    legal = bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(2, 9))
    later = bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(4, 9))
    psych = bookings.book(net.psych, actor=net.worker, person=net.person, starts_at=slot(2, 10))
    a = activities.create_activity(
        net.county.town_a, actor=net.staff, kind=ActivityKind.LECTURE, title="看懂财务报表",
        position=net.legal, starts_at=slot(2, 14), ends_at=slot(2, 16),
    )  # fmt: skip
    activities.register(a, actor=net.worker, person=net.person)

    # 22:00 the evening before: quiet hours, nothing sent (no-shows still marked).
    night = _at(1, 22)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders(actor=SYSTEM, now=night).quiet
    assert sms == [] and not Notification.objects.exists()

    # 15:00 the day before: the three within 24 hours go out (9:00, 10:00 and 14:00
    # tomorrow); the booking three days later does not.
    morning = _at(1, 15)
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send_reminders(actor=SYSTEM, now=morning)
    assert (sent.bookings, sent.activities, sent.quiet) == (2, 1, False)
    texts = [t for m, t in sms if m == mobile]
    assert len(sms) == len(texts) == 3
    day = timezone.localtime(slot(2, 9))
    assert (f"预约提醒：您预约的“律师值班咨询”（职工法律服务站，武原街道某路1号）将于"
            f"{day.month}月{day.day}日09:00开始") in texts[0]  # fmt: skip
    # The psychological consultation: no service, no position on a locked screen.
    assert texts[1].startswith(f"预约提醒：您预约的服务将于{day.month}月{day.day}日10:00开始")
    assert "心理" not in texts[1]
    assert texts[2].startswith(f"活动提醒：您报名的“看懂财务报表”将于{day.month}月{day.day}日14:00")
    # Labelled for what they are (预约提醒, 活动提醒), not as a training session's 开课提醒.
    inbox = Notification.objects.filter(person=net.person)
    assert sorted(inbox.values_list("kind", "url")) == sorted([
        ("booking_reminder", "/network/"), ("booking_reminder", "/network/"),
        ("activity_reminder", f"/network/activities/{a.pk}/"),
    ])  # fmt: skip
    assert not inbox.filter(kind=Notification.Kind.REMINDER).exists()
    legal.refresh_from_db()
    assert legal.reminded_at == morning
    assert Booking.objects.get(pk=later.pk).reminded_at is None

    # An hour later (the next run): nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.send_reminders(actor=SYSTEM, now=morning + dt.timedelta(hours=1))
    assert (again.bookings, again.activities) == (0, 0)
    assert len(sms) == 3 and inbox.count() == 3
    # A cancelled booking is not reminded: cancel the later one, then reach its day.
    bookings.cancel(later, actor=net.worker)
    with django_capture_on_commit_callbacks(execute=True):
        third = reminders.send_reminders(actor=SYSTEM, now=_at(3, 12))
    assert third.bookings == 0 and len(sms) == 3
    # Slots that ended without a check-in were marked no-shows by the same job.
    assert third.no_shows == 2
    assert Booking.objects.get(pk=psych.pk).state == BookingState.NO_SHOW


def test_inbox_labels_network_reminders(net, client):
    """The worker's inbox reads 预约提醒 / 活动提醒 with a button to the booking or the
    activity — never 开课提醒 / 查看课程, which belong to a training session."""
    bookings.book(net.lawyer, actor=net.worker, person=net.person, starts_at=slot(2, 9))
    a = activities.create_activity(
        net.county.town_a, actor=net.staff, kind=ActivityKind.LECTURE, title="看懂财务报表",
        position=net.legal, starts_at=slot(2, 14), ends_at=slot(2, 16),
    )  # fmt: skip
    activities.register(a, actor=net.worker, person=net.person)
    reminders.send_reminders(actor=SYSTEM, now=_at(1, 15))
    client.force_login(net.worker)
    page = client.get("/t/me/messages/").content.decode()
    assert page.count("<strong>预约提醒</strong>") == 1
    assert page.count("<strong>活动提醒</strong>") == 1
    assert "开课提醒" not in page and "查看课程" not in page
    assert page.count("查看预约") == 1 and page.count("查看活动") == 1
    # The activity reminder's button leads to the activity's page once marked read.
    notice = Notification.objects.get(kind=Notification.Kind.ACTIVITY_REMINDER)
    res = client.post("/t/me/messages/read/", {"id": notice.pk, "go": "1"})
    assert res.status_code == 302 and res["Location"] == f"/network/activities/{a.pk}/"
    # The API gives the label too.
    api = client.get("/api/training/me/notifications").json()
    assert sorted(n["kind_label"] for n in api["items"]) == ["活动提醒", "预约提醒"]


@pytest.mark.django_db(transaction=True)
def test_migration_relabels_network_reminders_already_sent(transactional_db, county):
    """Migration training 0009 moves reminders sent before it (kind ``reminder``) to the
    new kinds by their link; a training session's reminder stays 开课提醒."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("training", "0008_trainer_qualifications_proposal_invites_outcomes")]
    after = [("training", "0009_notification_booking_activity_reminders")]
    person = county.member_a.person
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("training", "Notification")
    rows = {
        url: old.objects.create(person_id=person.pk, kind="reminder", text="提醒", url=url).pk
        for url in ("/network/", "/network/activities/7/", "/t/me/")
    }
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    kinds = dict(Notification.objects.filter(pk__in=rows.values()).values_list("url", "kind"))
    assert kinds == {"/network/": "booking_reminder", "/network/activities/7/": "activity_reminder",
                     "/t/me/": "reminder"}  # fmt: skip
