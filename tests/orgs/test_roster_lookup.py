"""The import's lookup of existing people by ID digest: exact, and on PostgreSQL one index
probe per key however large a share of the table the keys are (an import grows the table
chunk by chunk, and "= ANY(keys)" made the planner read all of it for every chunk)."""

import datetime as dt
import secrets

import pytest
from django.db import connection

from gonghui.core import crypto
from gonghui.orgs.domain import roster
from gonghui.orgs.models import Person


def _people(count: int) -> list[Person]:
    people = [
        Person(
            name=f"职工{i}",
            id_type="resident",
            id_number=f"ID{i}",
            id_digest=crypto.digest(f"resident:lookup-{i}"),
            sex="M",
            birth_date=dt.date(1980, 1, 1),
        )
        for i in range(count)
    ]
    return Person.objects.bulk_create(people, batch_size=1000)


def test_existing_people_are_found_by_type_and_digest_and_no_others(db):
    people = _people(30)
    unknown = [("resident", secrets.token_hex(32)) for _ in range(5)]
    other_type = [("passport", p.id_digest) for p in people[:3]]  # same digest, other type
    keys = [(p.id_type, p.id_digest) for p in people[::3]] + unknown + other_type
    found = roster.planning._people_by_digest(keys)
    assert found == {(p.id_type, p.id_digest): p.pk for p in people[::3]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_on_postgresql_the_lookup_probes_the_index_even_for_a_large_share_of_the_table(db):
    _people(4000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Person._meta.db_table}")
        digests = [secrets.token_hex(32) for _ in range(2000)]  # half the table's size
        sql = roster.planning.PG_PEOPLE_BY_DIGEST.format(table=Person._meta.db_table)
        cursor.execute("EXPLAIN " + sql, [",".join(digests), "resident"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index" in plan and "person_unique_id" in plan, plan
    assert "Seq Scan on orgs_person" not in plan, plan
