# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: the audit log (审计日志), read-only, for auditors and superusers."""

from django.shortcuts import render

from gonghui.core.console import console_view, paginate

from ..domain import console_queries
from ..forms import AuditFilterForm


@console_view("core.view_auditevent")
def audit(request):
    actions, object_types = console_queries.audit_choices(request.user)
    form = AuditFilterForm(request.GET or None, actions=actions, object_types=object_types)
    filters = {}
    if form.is_bound:
        form.is_valid()  # invalid fields are left out; the valid ones still filter
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    page, querystring = paginate(request, console_queries.audit_events(request.user, **filters))
    context = {"form": form, "page_obj": page, "querystring": querystring}
    return render(request, "orgs/console/audit.html", context)
