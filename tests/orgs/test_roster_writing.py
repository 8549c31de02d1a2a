"""The import's raw writer: every row lands, in batches that do not divide the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.core import crypto
from gonghui.orgs.domain import roster
from gonghui.orgs.models import Person


@pytest.mark.parametrize("per_statement", [7, 500])
def test_insert_writes_every_row_whatever_the_batch(db, monkeypatch, per_statement):
    monkeypatch.setattr(roster.writing, "SQLITE_ROWS_PER_INSERT", per_statement)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    birth = connection.ops.adapt_datefield_value(dt.date(1990, 5, 17))
    rows = [
        (
            f"职工{i}",
            "resident",
            crypto.encrypt(f"ID{i}"),
            crypto.digest(f"resident:w{i}"),
            "F",
            birth,
            "汉族",
            "",
            "",
            "",
            "",
            "",
            "",
            i % 2 == 0,
            now,
            now,
        )
        for i in range(1203)  # 171 statements of 7 and a last one of 6; 3 of 500
    ]
    connection.ensure_connection()
    roster.writing._insert(connection.connection, Person, roster.writing.PERSON_COLUMNS, rows)
    stored = list(Person.objects.order_by("id").values_list("name", "id_number", "birth_date"))
    assert stored == [(f"职工{i}", f"ID{i}", dt.date(1990, 5, 17)) for i in range(1203)]
    assert Person.objects.filter(is_migrant_worker=True).count() == 602
