"""Cambiar PIN's form: PIN actual, Nuevo PIN, Confirmar PIN (the rules are the
service's, ``pins.pin_change_prepare``; the form checks the shape and the match)."""

from __future__ import annotations

from typing import Any

from django import forms

from enlinea.products.pins import MSG_FORMAT, PIN_LENGTH

MSG_REQUIRED = "Ingresa {label}."
MSG_MISMATCH = "El PIN de confirmación no coincide con el nuevo PIN."


def _pin_field(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=PIN_LENGTH,
        max_length=PIN_LENGTH,
        strip=True,
        error_messages={
            "required": MSG_REQUIRED.format(label=label.lower().replace("pin", "PIN")),
            "min_length": MSG_FORMAT,
            "max_length": MSG_FORMAT,
        },
        widget=forms.PasswordInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "maxlength": str(PIN_LENGTH),
                "autocomplete": autocomplete,
                "class": "input-pin",
            }
        ),
    )


class PinChangeForm(forms.Form):
    current = _pin_field("PIN actual", "off")
    new = _pin_field("Nuevo PIN", "new-password")
    confirm = _pin_field("Confirmar PIN", "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("current", "new", "confirm"):
            value = data.get(name)
            if value is not None and not (value.isascii() and value.isdigit()):
                self.add_error(name, MSG_FORMAT)
        new, confirm = data.get("new"), data.get("confirm")
        if new and confirm and new != confirm and "confirm" not in self.errors:
            self.add_error("confirm", MSG_MISMATCH)
        return data
