# SPDX-License-Identifier: AGPL-3.0-or-later
"""PostgreSQL: pattern-ops indexes so ``LIKE 'prefix%'`` on tree paths and names uses an
index under any database collation. SQLite needs nothing (see models/org.py)."""

from django.db import migrations

INDEXES = [
    ("orgs_orgunit_path_like", "orgs_orgunit", "path"),
    ("orgs_person_name_like", "orgs_person", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_org_tree_people_roles")]

    operations = [migrations.RunPython(create, drop)]
