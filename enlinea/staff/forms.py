"""The back office's login forms: Usuario and Contraseña, then the verification code."""

from __future__ import annotations

from django import forms


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label="Usuario",
        max_length=150,
        error_messages={"required": "Ingresa tu usuario."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label="Contraseña",
        strip=False,
        max_length=128,
        error_messages={"required": "Ingresa tu contraseña."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class StaffCodeForm(forms.Form):
    code = forms.CharField(
        label="Código de verificación",
        max_length=32,
        error_messages={"required": "Ingresa el código de verificación."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "aria-describedby": "code-help",
            }
        ),
    )
