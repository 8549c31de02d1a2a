# SPDX-License-Identifier: AGPL-3.0-or-later
"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE) on the audit log.

Installed by migration 0002. ``uninstall`` exists for the test suite only: Django's
transactional tests empty every table after each test, which the triggers forbid.
"""

TABLE = "core_auditevent"

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]
_SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]
_PG_INSTALL = [
    """CREATE OR REPLACE FUNCTION gonghui_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION gonghui_audit_append_only();""",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION gonghui_audit_append_only();""",
]
_PG_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
]


def _run(connection, by_vendor: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in by_vendor.get(connection.vendor, []):
            cursor.execute(sql)


def install(connection) -> None:
    _run(connection, {"sqlite": _SQLITE_INSTALL, "postgresql": _PG_INSTALL})


def uninstall(connection) -> None:
    _run(connection, {"sqlite": _SQLITE_UNINSTALL, "postgresql": _PG_UNINSTALL})
