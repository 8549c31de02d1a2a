"""An import whose transaction is the outermost one, as in the background task: on
PostgreSQL its reads and ids then go through a second connection (``roster.planning._Reader``) while
the writer thread uses the import's own. Committed data, so a transactional test."""

import datetime as dt

import pytest
from django.db import connection

from gonghui.orgs.domain import roster
from gonghui.orgs.enums import ChangeKind, MembershipStatus
from gonghui.orgs.models import Membership, MembershipChange, Person

from .test_roster_import import person_row, upload, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"


def test_an_outermost_import_creates_updates_transfers_and_refuses_a_used_card(
    transactional_db, county, monkeypatch
):
    t = county
    staff = t.users["federation_staff"]
    t.member_a.card_number = "A-0001"
    t.member_a.save(update_fields=["card_number"])
    reads = []
    real = roster.planning._Reader.memberships
    monkeypatch.setattr(
        roster.planning._Reader, "memberships", lambda self, *a: reads.append(a) or real(self, *a)
    )
    moving = t.member_b.person
    rows = [
        person_row(t, 1),
        person_row(t, 2, 会员证号="A-0001"),  # held by member A: refused
        person_row(
            t, 3, 姓名=t.member_a.person.name, 证件号码=t.member_a.person.id_number,
            出生日期="", 性别="", 工作单位=t.ent_a.name,
        ),  # the same union: an update
        person_row(
            t, 4, 姓名=moving.name, 证件号码=moving.id_number, 出生日期="", 性别="",
            会籍变化类型="转会", 会籍变化日期="2024-06-01",
        ),
        person_row(t, 5, 所属工会=t.union_b.name, 工作单位=t.ent_b.name),
    ]  # fmt: skip
    people_before = Person.objects.count()
    imp = upload(xlsx(rows), actor=staff)
    assert (imp.created_count, imp.updated_count, imp.transferred_count) == (2, 1, 1)
    assert imp.rejected_count == 1
    imp = roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert (imp.status, imp.created_count, imp.rejected_count) == ("done", 2, 1)
    assert bool(reads) == (connection.vendor == "postgresql")
    assert Person.objects.count() == people_before + 2
    assert Membership.objects.get(person__name="王二").union == t.union_a
    assert Membership.objects.get(person__name="王六").union == t.union_b
    t.member_b.refresh_from_db()
    assert (t.member_b.status, t.member_b.left_on) == (
        MembershipStatus.TRANSFERRED, dt.date(2024, 6, 1),
    )  # fmt: skip
    new = moving.memberships.get(status=MembershipStatus.ACTIVE)
    assert new.union == t.union_a
    change = MembershipChange.objects.get(person=moving, kind=ChangeKind.TRANSFER)
    assert (change.from_membership, change.to_membership) == (t.member_b, new)
    t.member_a.refresh_from_db()
    assert (t.member_a.status, t.member_a.card_number) == (MembershipStatus.ACTIVE, "A-0001")
