"""The login screens' forms: Usuario, Contraseña, the new-device choice and the code."""

from __future__ import annotations

from typing import Any

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


class DeviceChoiceForm(forms.Form):
    """Manual, "Primer ingreso" paso 6: "Si, guardar" with an alias, or "No"."""

    register = forms.ChoiceField(
        label="Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?",
        choices=[("si", "Si, guardar"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Elige si deseas registrar este dispositivo."},
    )
    alias = forms.CharField(
        label="Alias del dispositivo",
        help_text="Ej: Mi laptop personal. Solo si eliges «Si, guardar».",
        required=False,
        max_length=40,
        error_messages={"max_length": "El alias puede tener hasta 40 caracteres."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("register") == "si" and not (data.get("alias") or "").strip():
            self.add_error(
                "alias",
                "Ingresa un alias para reconocer este dispositivo, por ejemplo Mi laptop personal.",
            )
        return data


class CodeForm(forms.Form):
    """Carries the typed code and its errors into ``ui/security_code.html``."""

    code = forms.CharField(required=False, max_length=20)
