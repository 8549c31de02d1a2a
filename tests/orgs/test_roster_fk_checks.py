"""PostgreSQL: an import checks its foreign keys once per chunk
(``roster.writing._lock_referenced``) with the server's row-by-row foreign-key triggers
off for its transaction, when the database role may do so; otherwise the triggers check
as before. Either way every row written points at a row that exists, and a row pointed
at cannot vanish before commit."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.errors import DomainError
from gonghui.orgs.domain import roster
from gonghui.orgs.models import Enterprise, Membership, MembershipChange, OrgUnit, Person

from ..factories import EnterpriseFactory
from .test_roster_import import person_row, xlsx

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="session_replication_role is PostgreSQL's"
)

#: (table, column, referenced table) of every foreign key the import writes.
REFERENCES = [
    (Membership, "person_id", Person),
    (Membership, "union_id", OrgUnit),
    (Membership, "enterprise_id", Enterprise),
    (MembershipChange, "person_id", Person),
    (MembershipChange, "from_membership_id", Membership),
    (MembershipChange, "to_membership_id", Membership),
]


def dangling() -> list[tuple[str, str, int]]:
    """Rows whose foreign key points at nothing, read straight from the tables."""
    found = []
    with connection.cursor() as cursor:
        for model, column, target in REFERENCES:
            table, other = model._meta.db_table, target._meta.db_table
            cursor.execute(
                f"SELECT t.id FROM {table} t LEFT JOIN {other} o ON o.id = t.{column} "  # noqa: S608 - fixed names
                f"WHERE t.{column} IS NOT NULL AND o.id IS NULL"
            )
            found += [(table, column, row[0]) for row in cursor.fetchall()]
    return found


def replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def import_rows(t, rows):
    table = roster.read_table(xlsx(rows), "r.xlsx")
    staff = t.users["federation_staff"]
    with transaction.atomic():
        return roster.process_table(table, actor=staff, write=True)


def mixed_rows(t):
    moving, leaving = t.member_b.person, t.member_a.person
    return [
        person_row(t, 1),
        person_row(t, 2, 所属工会=t.union_b.name, 工作单位=t.ent_b.name),
        person_row(
            t, 3, 姓名=moving.name, 证件号码=moving.id_number, 出生日期="", 性别="",
            会籍变化类型="转会", 会籍变化日期="2024-06-01",
        ),
        person_row(
            t, 4, 姓名=leaving.name, 证件号码=leaving.id_number, 出生日期="", 性别="",
            会籍变化类型="退会", 会籍变化日期="2024-06-02", 工作单位="",
        ),
    ]  # fmt: skip


def test_a_role_that_may_set_the_parameter_checks_per_chunk_and_the_setting_is_restored(
    county, monkeypatch
):
    t = county
    checked, roles = [], []
    real = roster.writing._lock_referenced

    def spy(raw, refs):
        with raw.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            roles.append(cursor.fetchone()[0])
        checked.append(refs)
        real(raw, refs)

    monkeypatch.setattr(roster.writing, "_lock_referenced", spy)
    assert roster.writing._checks_per_chunk()  # the test database's role is a superuser
    outcome = import_rows(t, mixed_rows(t))
    assert outcome.counts == {"create": 2, "update": 0, "transfer": 1, "withdraw": 1}
    assert roles == ["replica"]  # the triggers were off while the chunk was written
    assert replication_role() == "origin"  # and are on again after
    # One check per chunk, naming what the rows point at outside the chunk.
    assert len(checked) == 1
    refs = checked[0]
    assert refs[OrgUnit] == {t.union_a.pk, t.union_b.pk}
    assert refs[Enterprise] == {t.ent_a.pk, t.ent_b.pk}
    assert refs[Person] == {t.member_a.person_id, t.member_b.person_id}
    assert refs[Membership] == {t.member_a.pk, t.member_b.pk}
    assert dangling() == []
    assert Membership.objects.filter(person__name="王二", union=t.union_a).exists()
    change = MembershipChange.objects.get(person=t.member_b.person, kind="transfer")
    assert change.from_membership_id == t.member_b.pk
    assert change.to_membership.union == t.union_a


@pytest.mark.parametrize("granted", [False, True])
def test_a_plain_role_checks_per_chunk_only_when_granted_the_parameter(county, granted):
    role = f"gonghui_plain_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        if granted:  # docs/deployment.md
            cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        try:
            assert roster.writing._checks_per_chunk() is granted
        finally:
            cursor.execute("RESET ROLE")
    assert roster.writing._checks_per_chunk() is True


def test_a_table_with_a_trigger_of_its_own_keeps_the_triggers(county):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION gonghui_test_noop() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NEW; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER gonghui_test_noop BEFORE INSERT ON {Membership._meta.db_table} "
            "FOR EACH ROW EXECUTE FUNCTION gonghui_test_noop()"
        )
    assert roster.writing._checks_per_chunk() is False
    outcome = import_rows(county, [person_row(county, 1)])
    assert outcome.counts["create"] == 1
    assert dangling() == []


@pytest.mark.parametrize("per_chunk", [True, False])
def test_a_unit_deleted_before_the_write_fails_the_import_and_nothing_is_written(
    county, monkeypatch, per_chunk
):
    """The enterprise is checked at validation, then deleted before its chunk is written
    (in the same transaction here, standing for another session that committed first)."""
    t = county
    gone = EnterpriseFactory(union=t.union_a, name="将被注销的企业")
    monkeypatch.setattr(roster.writing, "_checks_per_chunk", lambda: per_chunk)
    real = roster.writing._write_chunk

    def delete_then_write(plans, **kwargs):
        Enterprise.objects.filter(pk=gone.pk).delete()
        return real(plans, **kwargs)

    monkeypatch.setattr(roster.writing, "_write_chunk", delete_then_write)
    people = Person.objects.count()
    rows = [person_row(t, 1), person_row(t, 2, 工作单位=gone.name)]
    if per_chunk:
        with pytest.raises(DomainError) as caught:
            import_rows(t, rows)
        assert caught.value.code == "reference_gone"
        assert caught.value.message == "导入期间，名册引用的企业已被删除，请核对后重新导入"
    else:
        with pytest.raises(IntegrityError):
            import_rows(t, rows)
    assert Person.objects.count() == people
    assert replication_role() == "origin"


def test_the_rows_pointed_at_are_locked_until_the_import_commits(transactional_db, county):
    t = county
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    try:
        with transaction.atomic():
            roster.writing._lock_referenced(
                connection.connection, {OrgUnit: {t.union_a.pk}, Enterprise: {t.ent_a.pk}}
            )
            with other.cursor() as cursor:
                for model, pk in ((OrgUnit, t.union_a.pk), (Enterprise, t.ent_a.pk)):
                    with pytest.raises(Exception, match="could not obtain lock"):
                        cursor.execute(
                            f"SELECT 1 FROM {model._meta.db_table} WHERE id = %s "  # noqa: S608 - model table
                            "FOR UPDATE NOWAIT",
                            [pk],
                        )
                # Rows not pointed at are not locked.
                cursor.execute(
                    f"SELECT 1 FROM {OrgUnit._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT",  # noqa: S608
                    [t.union_b.pk],
                )
        with other.cursor() as cursor:  # committed: free again
            cursor.execute(
                f"SELECT 1 FROM {OrgUnit._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT",  # noqa: S608
                [t.union_a.pk],
            )
    finally:
        other.close()


def test_a_missing_row_is_named_in_chinese(county):
    with pytest.raises(DomainError) as caught:
        roster.writing._lock_referenced(
            connection.connection, {OrgUnit: {county.union_a.pk}, Person: {10**9}}
        )
    assert caught.value.code == "reference_gone"
    assert "职工" in str(caught.value)
