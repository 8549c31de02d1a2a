# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "gonghui.mentorship"
    label = "mentorship"
    verbose_name = "导师带徒"

    def ready(self):
        from . import rules  # noqa: F401 - registers scope kinds and permissions
