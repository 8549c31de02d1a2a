# SPDX-License-Identifier: AGPL-3.0-or-later
from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordLoginForm(forms.Form):
    mobile = forms.CharField(label="手机号码", max_length=20)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class CodeRequestForm(forms.Form):
    mobile = forms.CharField(label="手机号码", max_length=20)


class CodeLoginForm(forms.Form):
    mobile = forms.CharField(label="手机号码", max_length=20)
    code = forms.CharField(label="验证码", max_length=6, min_length=6)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "至少10位，须同时包含字母和数字，不能是常见密码、网站名称加数字或键盘连续按键。"
        ),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data
