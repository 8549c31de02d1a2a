# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public and worker-facing pages."""

app_name = "insight"
urlpatterns: list = []
