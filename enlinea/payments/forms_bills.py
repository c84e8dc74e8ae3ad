"""The member's Pago de servicios forms (manual 5): the catalogue search, the payment
form of one biller, and the Pagos frecuentes filter.

The payment form asks for the biller's own reference (its label, example and rule:
``reference_clean``), and before any code is sent it tells at the field what would be
refused: a reference the biller does not know, has no debt for, or cannot be asked
about now (the bill inquiry), a recarga amount it does not take, an account that may
not pay, or an amount above the available balance with the biller's fee. The service
checks it all again when the code is right (``services.bill_payment_start``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from enlinea.money import format_cents
from enlinea.products.forms import AmountField
from enlinea.products.models import AccountStatus, DepositAccount, SignatureCondition
from enlinea.tariff.services import Fees, fee_for_biller
from enlinea.transfers.forms import account_label, tail

from .models import Biller, BillerCategory
from .network import Bill, BillerError
from .references import REFERENCE_MAX_LENGTH, reference_clean
from .saved import ALIAS_MAX_LENGTH, alias_clean
from .services import bill_inquiry, biller_amount_check

SEARCH_MAX_LENGTH = 60
MSG_CHOOSE_SOURCE = "Selecciona la cuenta de origen."
MSG_CHOOSE_AMOUNT = "Selecciona el monto de la recarga."
MSG_INQUIRY_LIMITED = (
    "Consultaste demasiadas facturas en poco tiempo. Espera unos minutos e inténtalo de nuevo."
)


def source_unusable(account: DepositAccount) -> str:
    """Why ``account`` cannot pay a service by Banca Web, or ""."""
    if account.status != AccountStatus.ACTIVE:
        return (
            f"La cuenta {tail(account.number)} está {account.get_status_display()}: "
            "no admite pagos."
        )
    if account.signature == SignatureCondition.JOINT:
        return (
            f"La cuenta {tail(account.number)} requiere firmas conjuntas: no puede pagar por "
            "Banca Web. Acércate a una agencia."
        )
    return ""


def insufficient(account: DepositAccount, needed: int, fees: Fees) -> str:
    fee_note = f" (monto más comisión e IVA de {format_cents(fees.total)})" if fees.total else ""
    return (
        f"Saldo disponible insuficiente: la cuenta {tail(account.number)} tiene "
        f"{format_cents(max(account.available_balance, 0))} disponibles y el pago requiere "
        f"{format_cents(needed)}{fee_note}."
    )


class CatalogueSearchForm(forms.Form):
    """ "Buscar categoría (Opcional)" and "Buscar servicio (Opcional)" (GET)."""

    categoria = forms.TypedChoiceField(
        label="Buscar categoría (Opcional)", required=False, coerce=int, empty_value=None
    )
    servicio = forms.CharField(
        label="Buscar servicio (Opcional)",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"placeholder": "Ej: Municipio", "autocomplete": "off", "type": "search"}
        ),
        error_messages={"max_length": f"Escribe hasta {SEARCH_MAX_LENGTH} caracteres para buscar."},
    )

    def __init__(self, *args: Any, categories: list[BillerCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["categoria"].choices = [("", "Todas"), *[(c.pk, c.name) for c in categories]]
        self.fields["categoria"].error_messages["invalid_choice"] = "Elige una de las categorías."

    @property
    def category(self) -> BillerCategory | None:
        if not self.is_valid():
            return None
        return self.categories.get(self.cleaned_data.get("categoria"))

    @property
    def text(self) -> str:
        return self.cleaned_data.get("servicio", "") if self.is_valid() else ""


class BillPaymentForm(forms.Form):
    """Pay one ``biller``: its reference, for a recarga the amount, Cuenta de origen,
    "Guardar servicio" and Alias (Opcional). ``bill`` (hidden) is the bill the member
    was shown; the form asks the biller again (``bill_inquiry``) and :attr:`ready` is
    true only when the member confirmed the same bill the biller answers now."""

    def __init__(
        self,
        *args: Any,
        biller: Biller,
        accounts: list[DepositAccount],
        inquire: bool = True,
        limited: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.biller = biller
        self.accounts = {a.number: a for a in accounts}
        self.inquire = inquire
        self.limited = limited
        self.bill: Bill | None = None
        self.fees: Fees = fee_for_biller(biller)
        help_parts = [f"Ej: {biller.reference_example}"]
        if biller.help_text:
            help_parts.insert(0, biller.help_text)
        self.fields["reference"] = forms.CharField(
            label=biller.reference_label,
            help_text=" ".join(help_parts),
            max_length=REFERENCE_MAX_LENGTH + 20,
            widget=forms.TextInput(
                attrs={"placeholder": f"Ej: {biller.reference_example}", "autocomplete": "off"}
            ),
            error_messages={
                "required": f"{biller.reference_label}: ingresa este dato. "
                f"Ej: {biller.reference_example}",
                "max_length": f"{biller.reference_label}: puede tener hasta "
                f"{REFERENCE_MAX_LENGTH} caracteres.",
            },
        )
        if biller.is_topup:
            self.fields["amount"] = forms.TypedChoiceField(
                label="Monto a pagar",
                coerce=int,
                choices=[("", "Selecciona…")]
                + [(a, format_cents(a)) for a in sorted(biller.topup_amounts or [])],
                error_messages={"required": MSG_CHOOSE_AMOUNT, "invalid_choice": MSG_CHOOSE_AMOUNT},
            )
        self.fields["source"] = forms.ChoiceField(
            label="Cuenta de origen",
            choices=[("", "Selecciona…"), *[(a.number, account_label(a)) for a in accounts]],
            error_messages={"required": MSG_CHOOSE_SOURCE, "invalid_choice": MSG_CHOOSE_SOURCE},
        )
        self.fields["save"] = forms.BooleanField(label="Guardar servicio", required=False)
        self.fields["alias"] = forms.CharField(
            label="Alias (Opcional)",
            required=False,
            max_length=ALIAS_MAX_LENGTH + 20,
            widget=forms.TextInput(attrs={"placeholder": "Ej: Luz de casa", "autocomplete": "off"}),
        )
        self.fields["bill"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_reference(self) -> str:
        return reference_clean(self.biller, self.cleaned_data["reference"])

    def clean_alias(self) -> str:
        return alias_clean(self.cleaned_data.get("alias", ""))

    @property
    def source(self) -> DepositAccount | None:
        return self.accounts.get(self.cleaned_data.get("source", ""))

    @property
    def amount(self) -> int | None:
        if self.biller.is_topup:
            return self.cleaned_data.get("amount")
        return self.bill.amount if self.bill is not None else None

    @property
    def ready(self) -> bool:
        """Valid, and (for a bill) the member saw the bill the biller answers now."""
        if not self.is_valid():
            return False
        if self.biller.is_topup:
            return True
        return self.bill is not None and self.cleaned_data.get("bill") == self.bill.bill_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source = self.source
        if source is not None and (message := source_unusable(source)):
            self.add_error("source", message)
            source = None
        reference = data.get("reference")
        if reference and not self.biller.is_topup and self.inquire and self.limited:
            self.add_error("reference", MSG_INQUIRY_LIMITED)
        elif reference and not self.biller.is_topup and self.inquire:
            try:
                self.bill = bill_inquiry(biller=self.biller, reference=reference)
            except BillerError as exc:
                self.add_error("reference", f"{self.biller.reference_label}: {exc.message}")
            except ValidationError as exc:
                self.add_error("reference", exc.messages[0])
        amount = self.amount
        if amount is not None:
            try:
                biller_amount_check(biller=self.biller, amount=amount)
            except ValidationError as exc:
                self.add_error("amount" if self.biller.is_topup else "reference", exc.messages[0])
                return data
        if source is None or amount is None or self.errors:
            return data
        needed = amount + self.fees.total
        if source.available_balance < needed:
            self.add_error("source", insufficient(source, needed, self.fees))
        return data


class SavedFilterForm(forms.Form):
    """Pagos frecuentes: "Filtrar por categoría" and "Buscar servicio (Opcional)" (GET)."""

    categoria = forms.TypedChoiceField(
        label="Filtrar por categoría", required=False, coerce=int, empty_value=None
    )
    servicio = forms.CharField(
        label="Buscar servicio (Opcional)",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"placeholder": "Ej: Luz de casa", "autocomplete": "off", "type": "search"}
        ),
        error_messages={"max_length": f"Escribe hasta {SEARCH_MAX_LENGTH} caracteres para buscar."},
    )

    def __init__(self, *args: Any, categories: list[BillerCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["categoria"].choices = [("", "Todas"), *[(c.pk, c.name) for c in categories]]
        self.fields["categoria"].error_messages["invalid_choice"] = "Elige una de las categorías."

    @property
    def category(self) -> BillerCategory | None:
        if not self.is_valid():
            return None
        return self.categories.get(self.cleaned_data.get("categoria"))

    @property
    def text(self) -> str:
        return self.cleaned_data.get("servicio", "") if self.is_valid() else ""


# ---------------------------------------------------------------- Programar pagos


class ScheduleServiceForm(forms.Form):
    """Programar nuevo pago, first step (GET): Categoría and Servicio (no recargas: they
    have no bills)."""

    categoria = forms.TypedChoiceField(
        label="Categoría", required=False, coerce=int, empty_value=None
    )
    empresa = forms.ChoiceField(label="Servicio", required=False)

    def __init__(
        self, *args: Any, categories: list[BillerCategory], billers: list[Biller], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["categoria"].choices = [("", "Todas"), *[(c.pk, c.name) for c in categories]]
        self.fields["categoria"].error_messages["invalid_choice"] = "Elige una de las categorías."
        self.billers = {b.code: b for b in billers}
        self.fields["empresa"].choices = [
            ("", "Selecciona un servicio"),
            *[(b.code, f"{b.category.name} · {b.name}") for b in billers],
        ]
        self.fields["empresa"].error_messages["invalid_choice"] = "Selecciona un servicio."

    @property
    def category(self) -> BillerCategory | None:
        return self.categories.get(self.cleaned_data.get("categoria")) if self.is_valid() else None

    @property
    def biller(self) -> Biller | None:
        return self.billers.get(self.cleaned_data.get("empresa", "")) if self.is_valid() else None


class ScheduleForm(forms.Form):
    """Programar pagos, the schedule of one ``biller``: Cuenta de débito, its reference,
    Monto máximo, Frecuencia, Fecha de inicio, Fecha de finalización or Fecha
    indefinida and, for a new one, the Términos y Condiciones."""

    def __init__(
        self,
        *args: Any,
        biller: Biller,
        accounts: list[DepositAccount],
        new: bool = True,
        **kwargs: Any,
    ) -> None:
        from .models import ScheduleFrequency
        from .schedules import MAX_WARNING

        super().__init__(*args, **kwargs)
        self.biller = biller
        self.new = new
        self.accounts = {a.number: a for a in accounts}
        self.fields["source"] = forms.ChoiceField(
            label="Cuenta de débito",
            choices=[("", "Selecciona…"), *[(a.number, account_label(a)) for a in accounts]],
            error_messages={"required": MSG_CHOOSE_SOURCE, "invalid_choice": MSG_CHOOSE_SOURCE},
        )
        self.fields["reference"] = forms.CharField(
            label=biller.reference_label,
            help_text=" ".join(
                p for p in (biller.help_text, f"Ej: {biller.reference_example}") if p
            ),
            max_length=REFERENCE_MAX_LENGTH + 20,
            widget=forms.TextInput(
                attrs={"placeholder": f"Ej: {biller.reference_example}", "autocomplete": "off"}
            ),
            error_messages={
                "required": f"{biller.reference_label}: ingresa este dato. "
                f"Ej: {biller.reference_example}",
            },
        )
        self.fields["max_amount"] = AmountField(
            label="Monto máximo",
            help_text=MAX_WARNING,
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "Ej: $ 20.00"}
            ),
            error_messages={"required": "Ingresa el monto máximo."},
        )
        self.fields["frequency"] = forms.ChoiceField(
            label="Frecuencia",
            choices=ScheduleFrequency.choices,
            initial=ScheduleFrequency.AVAILABLE,
            error_messages={"invalid_choice": "Selecciona la frecuencia."},
        )
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["start_date"] = forms.DateField(
            label="Fecha de inicio",
            widget=date_widget,
            error_messages={
                "required": "Selecciona la fecha de inicio.",
                "invalid": "Ingresa una fecha válida.",
            },
        )
        self.fields["end_date"] = forms.DateField(
            label="Fecha de finalización",
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": "Ingresa una fecha válida."},
        )
        self.fields["indefinite"] = forms.BooleanField(label="Fecha indefinida", required=False)
        if new:
            self.fields["terms"] = forms.BooleanField(
                label="Acepto los Términos y Condiciones",
                error_messages={
                    "required": "Acepta los Términos y Condiciones para programar el pago."
                },
            )

    @property
    def source(self) -> DepositAccount | None:
        return self.accounts.get(self.cleaned_data.get("source", ""))

    def clean_reference(self) -> str:
        return reference_clean(self.biller, self.cleaned_data["reference"])

    def clean(self) -> dict[str, Any]:
        from .schedules import schedule_check

        data = super().clean()
        source = self.source
        if source is not None and (message := source_unusable(source)):
            self.add_error("source", message)
        if data.get("indefinite"):
            data["end_date"] = None
        elif "end_date" not in self.errors and data.get("end_date") is None:
            self.add_error(
                "end_date", "Selecciona la fecha de finalización o marca Fecha indefinida."
            )
        if self.errors or data.get("start_date") is None:
            return data
        try:
            schedule_check(
                biller=self.biller,
                reference=data["reference"],
                max_amount=data["max_amount"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                new=self.new or data["start_date"] != self.initial.get("start_date"),
            )
        except ValidationError as exc:
            message = exc.messages[0]
            field = "end_date" if "finalización" in message else "start_date"
            if "monto" in message:
                field = "max_amount"
            self.add_error(field, message)
        return data
