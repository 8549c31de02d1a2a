# SPDX-License-Identifier: AGPL-3.0-or-later
"""Console forms of the integration pages (the domain re-checks everything)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.events import EVENTS


class SubscriptionForm(forms.Form):
    token = forms.ModelChoiceField(label=_("所属API令牌（决定可见范围）"), queryset=None)
    name = forms.CharField(label=_("订阅名称"), max_length=100)
    url = forms.CharField(label=_("接收地址"), max_length=500)
    events = forms.MultipleChoiceField(
        label=_("订阅事件"), choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, tokens=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].queryset = tokens


def _scope_choices():
    from .domain.tokens import SCOPES
    from .enums import MODULES

    labels = {"read": "读", "write": "写"}
    return [(s, f"{MODULES[s.split(':')[0]]}·{labels[s.split(':')[1]]}") for s in SCOPES]


class TokenPolicyForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围（按模块读/写）"), choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip
    expires_at = forms.DateTimeField(
        label=_("到期时间"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    rate_limit = forms.IntegerField(
        label=_("每窗口请求上限（留空用平台默认）"), required=False, min_value=1, max_value=100000
    )
