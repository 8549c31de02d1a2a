"""No overbooking under a rush: 40 people enrol on a 5-seat plan at the same instant, each
from its own thread with its own database connection, on SQLite and on PostgreSQL.

PostgreSQL: the threads connect to the test database like any other client.

SQLite: the test database is in memory with a shared cache, where a writer that finds the
database busy fails at once ("database table is locked") instead of waiting — nothing
like the file database the platform runs on, where ``BEGIN IMMEDIATE`` waits its turn
(settings: WAL, IMMEDIATE, 20 s timeout). So after the fixtures are written, the test
database is copied (SQLite's backup API: schema, triggers, rows) to a file, and each
thread opens its own connection to that file with the very settings of the test database
(the same OPTIONS). The rush and the reading of its results happen there.
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from gonghui.training.domain.enrolment import enroll_person
from gonghui.training.enums import EnrollmentStatus
from gonghui.training.models import Enrollment, Notification

from .factories import PlanFactory, worker

PEOPLE = 40
CAPACITY = 5

pytestmark = pytest.mark.django_db(transaction=True)


class OwnConnections:
    """Runs a function in a new thread on a connection of its own."""

    def __init__(self, tmp_path):
        self.file_settings = None
        if connection.vendor == "sqlite":
            path = tmp_path / "rush.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            target.close()
            self.file_settings = {**connection.settings_dict, "NAME": str(path)}

    def enter(self) -> None:
        if self.file_settings is not None:
            from django.db.backends.sqlite3.base import DatabaseWrapper

            connections["default"] = DatabaseWrapper(dict(self.file_settings), "default")

    def leave(self) -> None:
        connections["default"].close()
        if self.file_settings is not None:
            del connections["default"]

    def call(self, fn, *args):
        self.enter()
        try:
            return fn(*args)
        finally:
            self.leave()

    def in_thread(self, fn, *args):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self.call, fn, *args).result()


def test_rush_never_exceeds_capacity_and_waitlists_in_order(county, transactional_db, tmp_path):
    plan = PlanFactory(org_unit=county.county, capacity=CAPACITY, title="叉车司机培训班")
    unions = (county.union_a, county.union_b)
    people = [worker(unions[i % 2], name=f"职工{i}") for i in range(PEOPLE)]
    own = OwnConnections(tmp_path)
    barrier = threading.Barrier(PEOPLE)

    def enrol(person, user):
        barrier.wait(timeout=60)  # all 40 go at once
        return enroll_person(plan, person=person, actor=user).pk

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        futures = [pool.submit(own.call, enrol, person, user) for person, user in people]
        ids = [f.result() for f in futures]  # re-raises whatever a thread raised

    def results():
        rows = list(
            Enrollment.objects.filter(plan=plan)
            .order_by("id")
            .values_list("id", "status", "seat", "waitlist_position")
        )
        kinds = sorted(Notification.objects.values_list("kind", flat=True))
        return rows, kinds

    rows, kinds = own.in_thread(results)
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert len(ids) == PEOPLE
    enrolled = [r for r in rows if r[1] == EnrollmentStatus.ENROLLED]
    waitlisted = [r for r in rows if r[1] == EnrollmentStatus.WAITLISTED]
    assert sorted(r[2] for r in enrolled) == [1, 2, 3, 4, 5]
    # 35 waitlisted, at positions 1…35 in the order their requests went through.
    assert [r[3] for r in waitlisted] == list(range(1, PEOPLE - CAPACITY + 1))
    assert kinds == ["enrolled"] * CAPACITY + ["waitlisted"] * (PEOPLE - CAPACITY)
