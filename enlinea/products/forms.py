"""Forms for the back office's product operations.

They only read and check what staff typed (amounts, rates, which account); the
operation itself is one call to a service in ``enlinea.products.services``, made by
the admin view, whose refusal is shown beside the field named by
``service_error_field``.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from enlinea.ledger.errors import LedgerError
from enlinea.members.models import Member
from enlinea.money import AmountError, parse_amount
from enlinea.products.finance import (
    DEFERRAL_MONTHS,
    MAX_RATE_BP,
    MAX_TERM_DEPOSIT_DAYS,
    MAX_TERM_MONTHS,
)
from enlinea.products.models import (
    AccountKind,
    CreditCard,
    DebitCard,
    DepositAccount,
    Investment,
    Loan,
    SignatureCondition,
)

_RATE = re.compile(r"^\d{1,3}([.,]\d{1,2})?$")


def refusal_message(exc: Exception) -> str:
    """The Spanish text of a service's refusal."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, LedgerError):
        return exc.message
    return str(exc)


class AmountField(forms.CharField):
    """An amount typed like ``1,255.02``, cleaned to integer cents."""

    default_error_messages = {"required": "Ingresa un monto."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        kwargs.setdefault("help_text", "En dólares, por ejemplo 1,255.02.")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            cents = parse_amount(text)
        except AmountError as exc:
            raise ValidationError(str(exc), code="invalid") from exc
        if cents <= 0:
            raise ValidationError("Ingresa un monto mayor a cero.", code="min_value")
        return cents


class AnnualRateField(forms.CharField):
    """An annual rate in percent (``15.75``), cleaned to exact basis points (1575)."""

    default_error_messages = {"required": "Ingresa la tasa anual."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault("help_text", "En porcentaje, con hasta dos decimales: 15.75")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = (super().to_python(value) or "").replace("%", "").replace(" ", "")
        if text in self.empty_values:
            return None
        if not _RATE.match(text):
            raise ValidationError(
                "Ingresa la tasa en porcentaje con hasta dos decimales, por ejemplo 15.75.",
                code="invalid",
            )
        # At most two decimals, so the product is an exact integer number of basis points.
        basis_points = int(Decimal(text.replace(",", ".")) * 100)
        if basis_points > MAX_RATE_BP:
            raise ValidationError("La tasa anual no puede superar el 100 %.", code="max_value")
        return basis_points


class IdempotencyKeyField(forms.UUIDField):
    """Generated when the form is first shown and sent back hidden, so a double submit
    of the same form reaches the service with the same key and is applied once."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": "El formulario caducó: vuelve a abrirlo.",
        "invalid": "El formulario caducó: vuelve a abrirlo.",
    }


class ServiceForm(forms.Form):
    """A form whose data goes to one service call."""

    # Where a refusal of the service is shown (None: above the form).
    service_error_field: str | None = "amount"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "idempotency_key" in self.fields and not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def error_field_for(self, exc: Exception) -> str | None:
        return self.service_error_field

    def add_refusal(self, exc: Exception) -> None:
        self.add_error(self.error_field_for(exc), refusal_message(exc))

    def operation_key(self, operation: str) -> str:
        """The idempotency key for the service: namespaced, so no two operations share it."""
        return f"backoffice:{operation}:{self.cleaned_data['idempotency_key']}"


class _Autocomplete(AutocompleteSelect):
    """The admin's autocomplete chooser, drawn again after a refusal without looking up
    a posted value that is no id of the model.

    Django's widget queries the posted value to show it as selected; an id no database
    integer can hold (``99999999999999999999``) or no number at all (``abc``) made that
    query fail and the page answer 500 instead of the field's error.
    """

    def optgroups(self, name: str, value: list[Any], attr: dict | None = None) -> list:
        return super().optgroups(name, [v for v in value if self._is_id(v)], attr)

    def _is_id(self, value: Any) -> bool:
        pk = self.field.remote_field.model._meta.pk
        try:
            low, high = connections[self.db or DEFAULT_DB_ALIAS].ops.integer_field_range(
                pk.get_internal_type()
            )
        except KeyError:  # not an integer key: nothing to guard
            return True
        text = str(value)
        if not (text.isascii() and text.isdigit()):
            return False
        return (low is None or int(text) >= low) and (high is None or int(text) <= high)


def _autocomplete(model: type, field: str) -> AutocompleteSelect:
    return _Autocomplete(model._meta.get_field(field), admin.site)


def _member_field(model: type, field: str = "member") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Socio",
        queryset=Member.objects.all(),
        widget=_autocomplete(model, field),
        error_messages={"required": "Elige el socio.", "invalid_choice": "Elige un socio."},
    )


def _account_field(model: type, field: str, label: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=DepositAccount.objects.select_related("member"),
        widget=_autocomplete(model, field),
        error_messages={"required": "Elige la cuenta.", "invalid_choice": "Elige una cuenta."},
    )


def _not_future(value: Any) -> None:
    if value > timezone.localdate():
        raise ValidationError("La fecha no puede ser futura.")


class CashOperationForm(ServiceForm):
    amount = AmountField(label="Monto")
    idempotency_key = IdempotencyKeyField()


class CashApproveForm(ServiceForm):
    """A second staff member's approval of a pending cash operation (no fields: the
    page shows the operation and the button confirms it)."""

    service_error_field = None


class CashRejectForm(ServiceForm):
    service_error_field = None

    reason = forms.CharField(
        label="Motivo (Opcional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "Escribe el motivo en 200 caracteres como máximo."},
    )


class AccountOpenForm(ServiceForm):
    service_error_field = "member"

    member = _member_field(DepositAccount)
    kind = forms.ChoiceField(
        label="Tipo de cuenta", choices=AccountKind.choices, initial=AccountKind.SAVINGS
    )
    signature = forms.ChoiceField(
        label="Condición de firma",
        choices=SignatureCondition.choices,
        initial=SignatureCondition.SINGLE,
    )
    idempotency_key = IdempotencyKeyField()


class LoanDisburseForm(ServiceForm):
    member = _member_field(Loan)
    account = _account_field(Loan, "disbursement_account", "Cuenta de desembolso")
    product_name = forms.CharField(
        label="Producto", max_length=80, error_messages={"required": "Ingresa el producto."}
    )
    amount = AmountField(label="Monto")
    annual_rate_bp = AnnualRateField(label="Tasa anual (%)")
    term_months = forms.IntegerField(
        label="Plazo (meses)",
        min_value=1,
        max_value=MAX_TERM_MONTHS,
        error_messages={
            "required": "Ingresa el plazo en meses.",
            "min_value": "El plazo es de al menos 1 mes.",
            "max_value": f"El plazo no puede superar {MAX_TERM_MONTHS} meses.",
        },
    )
    disbursed_on = forms.DateField(
        label="Fecha de desembolso",
        widget=AdminDateWidget,
        validators=[_not_future],
        error_messages={"required": "Ingresa la fecha de desembolso."},
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("disbursed_on", timezone.localdate())

    def error_field_for(self, exc: Exception) -> str | None:
        # The service refuses an account of another member or one that is not active.
        return "amount" if isinstance(exc, LedgerError) else "account"


class InvestmentOpenForm(ServiceForm):
    member = _member_field(Investment)
    source_account = _account_field(Investment, "source_account", "Cuenta de origen")
    capital = AmountField(label="Capital")
    annual_rate_bp = AnnualRateField(label="Tasa anual (%)")
    term_days = forms.IntegerField(
        label="Plazo (días)",
        min_value=1,
        max_value=MAX_TERM_DEPOSIT_DAYS,
        error_messages={
            "required": "Ingresa el plazo en días.",
            "min_value": "El plazo es de al menos 1 día.",
            "max_value": f"El plazo no puede superar {MAX_TERM_DEPOSIT_DAYS} días.",
        },
    )
    start_date = forms.DateField(
        label="Fecha de inicio",
        widget=AdminDateWidget,
        validators=[_not_future],
        error_messages={"required": "Ingresa la fecha de inicio."},
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("start_date", timezone.localdate())

    def error_field_for(self, exc: Exception) -> str | None:
        # Insufficient funds concern the capital; other refusals the source account.
        return "capital" if isinstance(exc, LedgerError) else "source_account"


class DebitCardIssueForm(ServiceForm):
    service_error_field = "account"

    account = _account_field(DebitCard, "account", "Cuenta")
    card_type = forms.CharField(label="Tipo de tarjeta", max_length=40, initial="MC Débito")
    idempotency_key = IdempotencyKeyField()


class CreditCardIssueForm(ServiceForm):
    service_error_field = "credit_limit"

    member = _member_field(CreditCard)
    credit_limit = AmountField(label="Cupo autorizado")
    card_type = forms.CharField(
        label="Tipo de tarjeta", max_length=40, initial="Mastercard Estándar"
    )
    statement_day = forms.IntegerField(
        label="Día de corte",
        min_value=1,
        max_value=28,
        initial=15,
        error_messages={
            "min_value": "Elige un día de corte entre 1 y 28.",
            "max_value": "Elige un día de corte entre 1 y 28.",
        },
    )
    idempotency_key = IdempotencyKeyField()


class CardPurchaseForm(ServiceForm):
    merchant = forms.CharField(
        label="Establecimiento",
        max_length=120,
        error_messages={"required": "Ingresa el establecimiento."},
    )
    amount = AmountField(label="Monto")
    installments = forms.TypedChoiceField(
        label="Cuotas",
        coerce=int,
        choices=[(1, "Corriente")]
        + [(n, f"Diferido a {n} meses") for n in sorted(DEFERRAL_MONTHS)],
        initial=1,
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args: Any, credit: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not credit:
            # A debit purchase is always paid at once.
            del self.fields["installments"]
