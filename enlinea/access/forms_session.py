"""The login screens' forms: Usuario, Contraseña and the code.

The new-device choice ("Si, guardar" / "No" and the alias) is the first login's own
``forms_enrolment.DeviceForm``: the same question, the same rules.
"""

from __future__ import annotations

from django import forms


class UsernameForm(forms.Form):
    username = forms.CharField(
        label="Usuario",
        max_length=150,
        error_messages={
            "required": "Ingresa tu usuario.",
            "max_length": "Ingresa tu usuario de En Línea (hasta 150 caracteres).",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Contraseña",
        strip=False,
        max_length=128,
        error_messages={
            "required": "Ingresa tu contraseña.",
            "max_length": "La contraseña no puede tener más de 128 caracteres.",
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
