"""Forms of the Ventanilla (``enlinea.staff.ventanilla``): they read what the teller
typed; the rules (cédula, names, limits, approval threshold) live in the services."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from enlinea.products.forms import AmountField, IdempotencyKeyField, ServiceForm
from enlinea.products.models import AccountKind

MSG_SEARCH_REQUIRED = "Ingresa una cédula, un nombre o un número de cuenta."
MSG_SEARCH_SHORT = "Ingresa al menos 3 caracteres."


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label="Buscar socio",
        max_length=100,
        help_text="Cédula, nombres o apellidos, o número de cuenta.",
        error_messages={"required": MSG_SEARCH_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text) < 3:
            raise ValidationError(MSG_SEARCH_SHORT, code="short")
        return text


class BirthDateField(forms.DateField):
    """``dd/mm/aaaa`` as typed, or ``aaaa-mm-dd`` as a date input sends it."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
    default_error_messages = {"invalid": "Ingresa la fecha de nacimiento como día/mes/año."}

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(value)
        except OverflowError:  # a year no date can hold
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class OnboardForm(ServiceForm):
    """«Nuevo socio»: the member (as ``member_onboard`` needs), the first account's type
    and an optional opening deposit in cash."""

    service_error_field = None

    identification = forms.CharField(
        label="Cédula",
        max_length=20,
        error_messages={"required": "Ingresa la cédula del socio."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    first_names = forms.CharField(
        label="Nombres", max_length=100, error_messages={"required": "Ingresa los nombres."}
    )
    last_names = forms.CharField(
        label="Apellidos", max_length=100, error_messages={"required": "Ingresa los apellidos."}
    )
    email = forms.CharField(
        label="Correo electrónico",
        max_length=254,
        error_messages={"required": "Ingresa el correo electrónico."},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    mobile_phone = forms.CharField(
        label="Celular",
        max_length=20,
        help_text="10 dígitos, empieza con 09.",
        error_messages={"required": "Ingresa el celular."},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    birth_date = BirthDateField(
        label="Fecha de nacimiento",
        required=False,
        help_text="Día/mes/año, por ejemplo 24/05/1985.",
    )
    address = forms.CharField(
        label="Dirección",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    account_kind = forms.ChoiceField(
        label="Tipo de cuenta",
        choices=AccountKind.choices,
        initial=AccountKind.SAVINGS,
        error_messages={"invalid_choice": "Elige un tipo de cuenta de la lista."},
    )
    deposit = AmountField(
        label="Depósito inicial",
        required=False,
        help_text="Opcional, en dólares, por ejemplo 100.00.",
    )
    idempotency_key = IdempotencyKeyField()

    def add_service_errors(self, exc: ValidationError) -> None:
        """A refusal of ``member_onboard``: each message beside its field."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class CashAmountForm(forms.Form):
    """First step of a deposit or withdrawal: the amount."""

    amount = AmountField(label="Monto")


class CashConfirmForm(ServiceForm):
    """Second step: the amount already read (cents, hidden) and the key that makes a
    double click on «Confirmar» one operation."""

    amount = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "El formulario caducó: vuelve a abrirlo.",
            "invalid": "El formulario caducó: vuelve a abrirlo.",
            "min_value": "El formulario caducó: vuelve a abrirlo.",
        },
    )
    idempotency_key = IdempotencyKeyField()

    def operation_key(self, operation: str) -> str:
        return f"ventanilla:{operation}:{self.cleaned_data['idempotency_key']}"
