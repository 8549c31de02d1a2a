# SPDX-License-Identifier: AGPL-3.0-or-later
"""Database triggers that refuse UPDATE and DELETE on the audit log (append-only)."""

from django.db import migrations

from gonghui.core import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_log")]

    operations = [migrations.RunPython(install, uninstall)]
