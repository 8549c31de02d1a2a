"""Scratch databases for the benchmarks: a temporary SQLite file, or a PostgreSQL database
created for the run and dropped after it (never the project's own databases)."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_scratch(url: str, name: str, *, create: bool) -> str:
    """Drop the database ``name`` on the server of ``url`` (and create it afresh if
    ``create``); return its URL."""
    import psycopg
    from dj_database_url import parse

    cfg = parse(url)
    conn = psycopg.connect(
        host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True,
    )  # fmt: skip
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
    return f"postgres://{auth}@{cfg['HOST']}:{cfg['PORT'] or 5432}/{name}"


@contextmanager
def scratch_database(database_url: str, name: str, tmp: str) -> Iterator[tuple[str, str]]:
    """``(url, label)`` of a scratch database: PostgreSQL's ``name`` if ``database_url``
    is a postgres:// URL (dropped on the way out, after closing this process's Django
    connections), else ``bench.sqlite3`` in the temporary folder ``tmp``."""
    if not database_url.startswith("postgres"):
        yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite (temporary file)"
        return
    url = pg_scratch(database_url, name, create=True)
    try:
        yield url, f"PostgreSQL (scratch database {name})"
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        pg_scratch(database_url, name, create=False)
