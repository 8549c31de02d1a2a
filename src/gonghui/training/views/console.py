"""Staff console pages for skills training."""

from django.shortcuts import redirect

from gonghui.orgs.views.common import console_view


@console_view()
def index(request):
    return redirect("training:plans")
