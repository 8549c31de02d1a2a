# SPDX-License-Identifier: AGPL-3.0-or-later
"""The worker portal's bottom navigation (我的 · 培训 · 评价 · 互助 · 消息).

A project-level context processor (it draws on several apps; the apps do not know each
other). It adds ``portal_nav`` to every template context; nothing is queried unless a page
draws the navigation (``templates/portal/bottom_nav.html``, included by
``portal_base.html``), and then one COUNT for the unread messages.

A new app's worker page gets the navigation by extending ``portal_base.html`` (or
``portal/base_worker.html``, the same). The highlighted tab follows the URL prefix in
``TABS`` below; a page under another prefix adds its prefix here, or sets
``portal_tab`` in its context (one of the tab keys) to choose the tab itself.
"""

from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

#: (key, label, URL name, the URL prefixes that highlight the tab). The messages tab is
#: checked first: its page lives under the training prefix.
TABS = (
    ("messages", _("消息"), "training:messages", ("/t/me/messages/",)),
    ("me", _("我的"), "portal:profile", ("/me/", "/mentorship/", "/m/", "/accounts/")),
    ("training", _("培训"), "training:my_training", ("/t/",)),
    ("evaluation", _("评价"), "evaluation:mine", ("/e/",)),
    ("aid", _("互助"), "mutualaid:my", ("/aid/",)),
)
ORDER = ("me", "training", "evaluation", "aid", "messages")


class PortalNav:
    def __init__(self, request):
        self.request = request

    @cached_property
    def person(self):
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return getattr(user, "person", None)

    @cached_property
    def unread(self) -> int:
        if self.person is None:
            return 0
        from gonghui.training.domain.notices import unread_count

        return unread_count(self.person)

    @cached_property
    def current(self) -> str:
        path = self.request.path
        for key, _label, _name, prefixes in TABS:
            if any(path.startswith(p) for p in prefixes):
                return key
        return ""

    @cached_property
    def tabs(self) -> list[dict]:
        by_key = {key: (label, name) for key, label, name, _p in TABS}
        return [
            {"key": key, "label": by_key[key][0], "url": reverse(by_key[key][1])} for key in ORDER
        ]


def portal_nav(request) -> dict:
    return {"portal_nav": PortalNav(request)}
