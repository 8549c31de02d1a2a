# SPDX-License-Identifier: AGPL-3.0-or-later
"""Member list by name within a scope as one index range; fewer indexes for imports to keep.

- ``Membership.person_name``, a copy of the person's name, filled here in batches, and an
  index by (status, name, person) carrying the union: the scoped, name-filtered,
  name-ordered member list walks it in order and checks the scope in the index
  (``domain.queries.member_list``). Not a partial index on status: SQLite cannot use one
  when the status comes as a query parameter. On PostgreSQL the name is indexed under the "C"
  collation, so a name prefix is an index range and the order needs no sort under any
  database collation.
- Dropped: the single-column index on ``membership.union`` (the (union, status) index
  serves every lookup by union), the LIKE twin of ``person.mobile_digest`` on PostgreSQL
  (digests are only compared whole) and 0002's ``orgs_person_name_like``, which duplicated
  the one Django creates for ``person.name``.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 10_000
INDEX = "orgs_membership_status_name"


def fill_person_name(apps, schema_editor):
    Membership = apps.get_model("orgs", "Membership")
    Person = apps.get_model("orgs", "Person")
    name = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("name")[:1])
    top = Membership.objects.aggregate(top=models.Max("pk"))["top"] or 0
    for start in range(0, top, BATCH):
        Membership.objects.filter(pk__gt=start, pk__lte=start + BATCH).update(person_name=name)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX {INDEX} ON orgs_membership (status, person_name COLLATE "C", '
            "person_id) INCLUDE (union_id, id)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS orgs_person_name_like")
    else:
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON orgs_membership (status, person_name, person_id, union_id)"
        )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS orgs_person_name_like "
            "ON orgs_person (name varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_roster_imports")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="person_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=50),
        ),
        migrations.RunPython(fill_person_name, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="union",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="memberships",
                to="orgs.orgunit",
                verbose_name="基层工会",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="mobile_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["mobile_digest"], name="orgs_person_mobile_digest"),
        ),
        # Last: on SQLite, altering a field remakes the table and drops indexes that Django
        # does not know of (tests/orgs/test_member_list.py checks it is there).
        migrations.RunPython(create_index, drop_index),
    ]
