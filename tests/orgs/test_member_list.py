"""The member list by name within a scope: the copy of the name on memberships stays in step
with every writer, the list reads the (status, name, person) index, and its order and
filters are unchanged."""

import datetime as dt
import io

from django.db import connection
from openpyxl import Workbook

from gonghui.orgs.domain import roster
from gonghui.orgs.domain.people import register_member, transfer_membership, update_person
from gonghui.orgs.domain.queries import member_list
from gonghui.orgs.models import Membership

from ..factories import MembershipFactory, PersonFactory, make_id_number

INDEX = "orgs_membership_status_name"


def test_the_name_index_exists_after_migrations(db):
    # Migration 0004 creates it in SQL (a "C" collation on PostgreSQL); on SQLite a later
    # migration that remakes the membership table would silently drop it.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "orgs_membership")
    assert INDEX in constraints
    assert constraints[INDEX]["columns"][:1] == ["status"]


def test_every_writer_keeps_the_name_copy(county):
    t = county
    staff = t.users["federation_staff"]
    m = register_member(
        t.union_a, actor=staff, name="赵新", id_number=make_id_number(dt.date(1991, 2, 3)),
        joined_on=dt.date(2024, 1, 1),
    )  # fmt: skip
    assert m.person_name == "赵新"
    update_person(m.person, actor=staff, name="赵新新")
    assert Membership.objects.get(pk=m.pk).person_name == "赵新新"
    new = transfer_membership(m, to_union=t.union_b, actor=staff, date=dt.date(2024, 6, 1))
    assert Membership.objects.get(pk=new.pk).person_name == "赵新新"
    # Factories and the admin save models one by one.
    other = MembershipFactory(person=PersonFactory(name="钱多"), union=t.union_a)
    assert Membership.objects.get(pk=other.pk).person_name == "钱多"
    person = type(other.person).objects.get(pk=other.person.pk)
    person.name = "钱少"
    person.save()
    assert Membership.objects.get(pk=other.pk).person_name == "钱少"


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["所属工会", *roster.TEMPLATE_COLUMNS])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_roster_import_writes_and_renames_the_name_copy(county):
    t = county
    staff = t.users["federation_staff"]
    known = t.member_a.person
    birth = dt.date(1992, 3, 4)
    new_id = make_id_number(birth, "F")
    rows = [
        [t.union_a.name, "孙新人", "女", f"{birth:%Y-%m-%d}", "汉族", "居民身份证", new_id,
         "", "", "", "", "", "", "", "入会", "2024-01-05", ""],
        [t.union_a.name, "张三丰", "", "", "", "居民身份证", known.id_number,
         "", "", "", "", "", "", "", "入会", "2024-01-05", ""],
    ]  # fmt: skip
    imp = roster.start_import(io.BytesIO(_xlsx(rows)), name="r.xlsx", actor=staff)
    assert (imp.created_count, imp.updated_count, imp.rejected_count) == (1, 1, 0)
    roster.confirm_import(imp, actor=staff)
    assert Membership.objects.get(person__name="孙新人").person_name == "孙新人"
    t.member_a.refresh_from_db()
    assert t.member_a.person_name == "张三丰"


def test_list_is_ordered_by_name_then_person_and_filtered_by_prefix(county):
    t = county
    staff = t.users["federation_staff"]
    for name in ("王五", "王二", "王二", "汪一", "王"):
        MembershipFactory(person=PersonFactory(name=name), union=t.union_a)
    names = [(m.person.name, m.person_id) for m in member_list(staff, name="王")]
    assert [n for n, _ in names] == ["王", "王二", "王二", "王五"]
    assert names == sorted(names)
    # Other statuses are listed from the people's names, as before.
    assert all(m.person.name.startswith("王") for m in member_list(staff, name="王", status=None))


def test_list_page_items_are_what_the_schema_makes_of_each_member(county, client):
    from gonghui.orgs.schemas import MemberOut

    t = county
    staff = t.users["federation_staff"]
    MembershipFactory(person=PersonFactory(name="王芳", mobile=""), union=t.union_a)
    MembershipFactory(person=PersonFactory(name="王刚"), union=t.union_b)
    client.force_login(staff)
    for query in ("", "?status=", "?name=王&page_size=1&page=2"):
        body = client.get(f"/api/orgs/members{query}").json()
        assert set(body) == {"items", "count", "count_capped"}
        expected = [
            MemberOut.model_validate(m).model_dump(mode="json")
            for m in member_list(staff, name="王" if "王" in query else None,
                                 status="active" if query != "?status=" else None)
        ]  # fmt: skip
        if "page=2" in query:
            expected = expected[1:2]
        assert body["items"] == expected
        assert body["items"]
