# SPDX-License-Identifier: AGPL-3.0-or-later
"""Course hours beyond what the field holds (five digits, one decimal place).

SQLite stored whatever the API was given (``hours: 1e300``) and then failed to read the
row back, so the plan's page and API answered 500 on every visit. Such rows are set to the
largest value the field holds, 9999.9, which staff see as obviously wrong and correct.
PostgreSQL refused those values on insert, so there it changes nothing.
"""

from django.db import migrations


def clamp_hours(apps, schema_editor):
    Course = apps.get_model("training", "Course")
    table = schema_editor.connection.ops.quote_name(Course._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        # Raw SQL: reading such a row through the ORM is what fails.
        cursor.execute(f"UPDATE {table} SET hours = 9999.9 WHERE hours > 9999.9")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("training", "0006_skill_knowledge_and_unmappable_demands")]

    operations = [migrations.RunPython(clamp_hours, migrations.RunPython.noop, elidable=True)]
