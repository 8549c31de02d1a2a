from django import forms


class PasswordLoginForm(forms.Form):
    mobile = forms.CharField(label="手机号码", max_length=20)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class CodeRequestForm(forms.Form):
    mobile = forms.CharField(label="手机号码", max_length=20)


class CodeLoginForm(forms.Form):
    mobile = forms.CharField(label="手机号码", max_length=20)
    code = forms.CharField(label="验证码", max_length=6, min_length=6)
