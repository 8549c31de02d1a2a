# SPDX-License-Identifier: AGPL-3.0-or-later
"""Model field that stores text encrypted (see crypto.py)."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Holds plain text in Python, AES-GCM ciphertext in the database.

    Not searchable: pair it with a digest column (``crypto.digest``) for exact lookup.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
