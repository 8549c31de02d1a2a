# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "gonghui.integration"
    label = "integration"
    verbose_name = "系统对接"

    def ready(self):
        from gonghui.core import events
        from gonghui.core.api import register_token_policy

        from . import rules  # noqa: F401 - registers scope kinds and permissions
        from .domain import tokens
        from .domain.webhooks import on_event

        events.listen(on_event)
        register_token_policy(tokens)
