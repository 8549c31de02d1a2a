# SPDX-License-Identifier: AGPL-3.0-or-later
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class CharacterClassValidator:
    """等保 password policy: letters and digits at least (on top of length ≥ 10)."""

    def validate(self, password, user=None):
        has_letter = any(c.isalpha() for c in password)
        has_digit = any(c.isdigit() for c in password)
        if not (has_letter and has_digit):
            raise ValidationError(gettext("密码须同时包含字母和数字"), code="password_classes")

    def get_help_text(self):
        return gettext("密码须同时包含字母和数字。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 changed this message's msgid and its zh_Hans catalog still has the old
    one, so Chinese users would see English; say it ourselves."""

    def get_error_message(self):
        return gettext("密码太短，至少需要%(min_length)d个字符") % {"min_length": self.min_length}

    def get_help_text(self):
        return gettext("密码至少需要%(min_length)d个字符") % {"min_length": self.min_length}
