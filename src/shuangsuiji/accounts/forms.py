from __future__ import annotations

from django import forms


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="动态验证码", min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
