import logging

import pytest
from django.db import connection

from gonghui.core import crypto
from gonghui.core.masking import MaskPIILogFilter, mask_id_number, mask_mobile, mask_text


def test_encrypt_round_trip_and_fresh_nonce():
    a, b = crypto.encrypt("330424199001011234"), crypto.encrypt("330424199001011234")
    assert a != b  # a new nonce every time
    assert a.startswith("v1:")
    assert crypto.decrypt(a) == crypto.decrypt(b) == "330424199001011234"


def test_digest_is_keyed(settings):
    first = crypto.digest("13812345678")
    settings.GONGHUI_DATA_KEY = "another-key"
    assert crypto.digest("13812345678") != first


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("13812345678")
    raw = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(Exception):  # noqa: B017 - cryptography raises InvalidTag
        crypto.decrypt(raw)


def test_masks():
    assert mask_id_number("330424199001011234") == "3304**********1234"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number("") == ""
    assert mask_text("电话13812345678，证件330424199001011234。") == (
        "电话138****5678，证件3304**********1234。"
    )


def test_log_filter_masks_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s", ("13812345678",), None)
    MaskPIILogFilter().filter(record)
    assert record.getMessage() == "call 138****5678"


def test_database_holds_no_plain_id_or_mobile(county):
    person = county.member_a.person
    user = county.worker_a
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, mobile, id_digest FROM orgs_person WHERE id = %s", [person.pk]
        )
        id_raw, mobile_raw, id_digest = cursor.fetchone()
        cursor.execute("SELECT mobile FROM accounts_user WHERE id = %s", [user.pk])
        (user_mobile_raw,) = cursor.fetchone()
        cursor.execute("SELECT before, after, detail, object_repr FROM core_auditevent")
        audit_text = repr(cursor.fetchall())
    assert person.id_number and person.id_number not in id_raw
    assert person.mobile and person.mobile not in mobile_raw
    assert id_raw.startswith("v1:") and mobile_raw.startswith("v1:")
    assert person.id_number not in id_digest
    assert user.mobile not in user_mobile_raw
    for plain in (person.id_number, person.mobile, user.mobile):
        assert plain not in audit_text
