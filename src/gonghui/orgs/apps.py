# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = "组织与会员"

    def ready(self):
        from gonghui.core.scope import set_principal_provider

        from .domain.scope import principal_for

        set_principal_provider(principal_for)

        from . import tasks  # noqa: F401 - registers what a worker does with abandoned imports
