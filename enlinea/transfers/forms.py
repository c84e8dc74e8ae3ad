"""The member's transfer forms (manual 3): Cuenta de origen, the destination, "Ingresar el
monto a transferir" and "Motivo (Opcional)".

The forms read what the member chose among their own accounts and saved beneficiaries
(nothing else can be chosen: another member's account or beneficiary is no choice) and
tell, at the field and before any code is sent, what the transfer service would refuse:
the same account twice, an account that may not transfer, an amount above the available
balance with the tariff's fee, or above the cupo. The service checks it all again when
the code is right (``services.transfer_record`` / ``interbank_transfer_record``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from enlinea.beneficiaries.forms import ExternalForm, InternalForm
from enlinea.beneficiaries.models import AccountType, Beneficiary, BeneficiaryKind
from enlinea.beneficiaries.validation import internal_destination_validate, is_limited
from enlinea.limits.errors import LimitError
from enlinea.limits.models import Scope
from enlinea.limits.selectors import limit_check
from enlinea.money import format_cents
from enlinea.products.forms import AmountField
from enlinea.products.models import AccountStatus, DepositAccount, SignatureCondition
from enlinea.tariff.services import Fees, fees_for

MOTIVE_MAX_LENGTH = 120
MSG_SAME_ACCOUNT = "La cuenta de origen y la de destino son la misma: elige otra cuenta."
MSG_CHOOSE_SOURCE = "Selecciona la cuenta de origen."
MSG_CHOOSE_DESTINATION = "Selecciona la cuenta destino."
MSG_CHOOSE_BENEFICIARY = "Selecciona el beneficiario."
MSG_MOTIVE_LONG = f"El motivo admite hasta {MOTIVE_MAX_LENGTH} caracteres."


def tail(number: str) -> str:
    return f"…{number[-4:]}"


def account_label(account: DepositAccount, *, balance: bool = True) -> str:
    """``CUENTA DE AHORROS - N.º Cta. 401100000012 - $ 1,255.02`` (the manual's list)."""
    label = f"{account.get_kind_display().upper()} - N.º Cta. {account.number}"
    if balance:
        label += f" - {format_cents(account.available_balance)}"
    return label


def destination_label(
    *, name: str, account_type: str, account_number: str, institution: str = "", alias: str = ""
) -> str:
    """``Mari - MA*** PE*** - Ahorros …3853`` (alias, name, institution, type and tail)."""
    type_label = dict(AccountType.choices).get(account_type, account_type)
    parts = [alias or name, name if alias else "", institution]
    parts.append(f"{type_label} {tail(account_number)}")
    return " - ".join(p for p in parts if p)


def beneficiary_label(beneficiary: Beneficiary) -> str:
    return destination_label(
        name=beneficiary.name,
        account_type=beneficiary.account_type,
        account_number=beneficiary.account_number,
        institution=beneficiary.institution.name if beneficiary.institution_id else "",
        alias=beneficiary.alias,
    )


def unusable_message(account: DepositAccount, role: str) -> str:
    """Why ``account`` cannot be the transfer's ``role`` ("de origen", "de destino"), or ""."""
    if account.status != AccountStatus.ACTIVE:
        return (
            f"La cuenta {role} {tail(account.number)} está {account.get_status_display()}: "
            "no admite transferencias."
        )
    if role == "de origen" and account.signature == SignatureCondition.JOINT:
        return (
            f"La cuenta {tail(account.number)} requiere firmas conjuntas: no puede transferir "
            "por Banca Web. Acércate a una agencia."
        )
    return ""


def insufficient_message(account: DepositAccount, needed: int, fees: Fees) -> str:
    fee_note = f" (monto más comisión e IVA de {format_cents(fees.total)})" if fees.total else ""
    return (
        f"Saldo disponible insuficiente: la cuenta {tail(account.number)} tiene "
        f"{format_cents(max(account.available_balance, 0))} disponibles y la transferencia "
        f"requiere {format_cents(needed)}{fee_note}."
    )


class _Choice(forms.ChoiceField):
    def __init__(self, *, label: str, required_message: str, choices: list) -> None:
        super().__init__(
            label=label,
            choices=[("", "Selecciona…"), *choices],
            error_messages={
                "required": required_message,
                "invalid_choice": required_message,
            },
        )


class TransferForm(forms.Form):
    """The fields every transfer has; subclasses add the destination."""

    tariff_operation: str = ""
    limit_scope: str | None = None

    def __init__(self, *args: Any, accounts: list[DepositAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = {a.number: a for a in accounts}
        self.fields["source"] = _Choice(
            label="Cuenta de origen",
            required_message=MSG_CHOOSE_SOURCE,
            choices=[(a.number, account_label(a)) for a in accounts],
        )
        self._destination_fields()
        self.fields["amount"] = AmountField(
            label="Ingresar el monto a transferir",
            help_text="En dólares, por ejemplo 20.00.",
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "Ej: 20.00"}
            ),
        )
        self.fields["motive"] = forms.CharField(
            label="Motivo (Opcional)",
            required=False,
            widget=forms.TextInput(attrs={"placeholder": "Ej: Compras", "autocomplete": "off"}),
        )
        self.fees: Fees = fees_for(self.tariff_operation)

    def _destination_fields(self) -> None:
        raise NotImplementedError

    def clean_motive(self) -> str:
        motive = " ".join(self.cleaned_data.get("motive", "").split())
        if len(motive) > MOTIVE_MAX_LENGTH:
            raise ValidationError(MSG_MOTIVE_LONG)
        return motive

    @property
    def source(self) -> DepositAccount | None:
        return self.accounts.get(self.cleaned_data.get("source", ""))

    def destination_check(self, source: DepositAccount | None) -> None:
        """The destination's own checks (subclasses)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source = self.source
        if source is not None and (message := unusable_message(source, "de origen")):
            self.add_error("source", message)
            source = None
        self.destination_check(source)
        amount = data.get("amount")
        if source is None or amount is None or self.errors:
            return data
        needed = amount + self.fees.total
        if source.available_balance < needed:
            self.add_error("amount", insufficient_message(source, needed, self.fees))
            return data
        if self.limit_scope is not None:
            try:
                limit_check(member=source.member, scope=self.limit_scope, amount=amount)
            except LimitError as exc:
                self.add_error("amount", " ".join(exc.messages))
        return data


class OwnTransferForm(TransferForm):
    """Transferencias entre cuentas propias: no cupo, the tariff's ``transfer_own`` fee."""

    tariff_operation = "transfer_own"

    def _destination_fields(self) -> None:
        self.fields["destination"] = _Choice(
            label="Cuenta destino",
            required_message=MSG_CHOOSE_DESTINATION,
            choices=[(n, account_label(a, balance=False)) for n, a in self.accounts.items()],
        )

    @property
    def destination(self) -> DepositAccount | None:
        return self.accounts.get(self.cleaned_data.get("destination", ""))

    def destination_check(self, source: DepositAccount | None) -> None:
        destination = self.destination
        if destination is None:
            return
        if source is not None and source.pk == destination.pk:
            self.add_error("destination", MSG_SAME_ACCOUNT)
        elif message := unusable_message(destination, "de destino"):
            self.add_error("destination", message)


class BeneficiaryTransferForm(TransferForm):
    """To one of the member's saved beneficiaries of one kind or, with
    ``new_destination``, to a destination typed on the spot: the form then has no
    beneficiary field and the destination is the matching ``New…DestinationForm``'s."""

    def __init__(
        self,
        *args: Any,
        beneficiaries: list[Beneficiary],
        new_destination: bool = False,
        **kwargs: Any,
    ) -> None:
        self.beneficiaries = {str(b.pk): b for b in beneficiaries}
        self.new_destination = new_destination
        super().__init__(*args, **kwargs)

    def _destination_fields(self) -> None:
        if self.new_destination:
            return
        self.fields["beneficiary"] = _Choice(
            label="Cuenta destino",
            required_message=MSG_CHOOSE_BENEFICIARY,
            choices=[(pk, beneficiary_label(b)) for pk, b in self.beneficiaries.items()],
        )

    @property
    def beneficiary(self) -> Beneficiary | None:
        return self.beneficiaries.get(self.cleaned_data.get("beneficiary", ""))


class InternalTransferForm(BeneficiaryTransferForm):
    """TRANSFERENCIAS COOPROGRESO: to another member's account, within the INTERNAL cupo."""

    tariff_operation = "transfer_internal"
    limit_scope = Scope.INTERNAL

    def destination_check(self, source: DepositAccount | None) -> None:
        beneficiary = self.beneficiary
        if beneficiary is None:  # none chosen, or a new destination (checked by its form)
            return
        account = beneficiary.internal_account
        if account is None:
            self.add_error("beneficiary", MSG_CHOOSE_BENEFICIARY)
        elif message := unusable_message(account, "de destino"):
            self.add_error("beneficiary", message)


class InterbankTransferForm(BeneficiaryTransferForm):
    """TRANSFERENCIAS INTERBANCARIAS: within the EXTERNAL cupo, the tariff's
    ``transfer_interbank`` fee (commission plus IVA)."""

    tariff_operation = "transfer_interbank"
    limit_scope = Scope.EXTERNAL


# ------------------------------------------------------- a new destination on the spot

MSG_ALIAS_NEEDS_SAVE = (
    "El alias es el nombre con el que guardas al beneficiario: marca «Guardar "
    "beneficiario» o deja el alias vacío."
)


class NewDestination:
    """What a transfer form's new destination adds to the beneficiaries' own form (whose
    fields and checks it reuses as they are): «Guardar beneficiario», the rule that an
    alias is only for a beneficiary being saved, the beneficiary already saved for the
    same destination (reused, not saved twice), and the operation's content."""

    kind: str = ""
    destination: Any
    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def _new_init(self, member: Any, beneficiaries: list[Beneficiary]) -> None:
        self.member = member
        self.beneficiaries = beneficiaries
        self.destination = None
        self.limited = False
        self.fields["guardar_beneficiario"] = forms.BooleanField(
            label="Guardar beneficiario",
            required=False,
            help_text="Lo encontrarás en tu lista para las próximas transferencias.",
        )

    def _alias_check(self: Any) -> None:
        if (
            self.cleaned_data.get("alias")
            and not self.cleaned_data.get("guardar_beneficiario")
            and not self.has_error("alias")
        ):
            self.add_error("alias", MSG_ALIAS_NEEDS_SAVE)

    def saved(self) -> Beneficiary | None:
        """The member's beneficiary with this destination already, if any."""
        raise NotImplementedError

    def name(self) -> str:
        raise NotImplementedError

    def content(self) -> dict[str, Any]:
        raise NotImplementedError


class NewInternalDestinationForm(NewDestination, InternalForm):
    """TRANSFERENCIAS COOPROGRESO to an account typed here: «Número de cuenta» and
    «Validar» exactly as "Nuevo beneficiario, A mi institución" (the same form, the
    same check and the same «Validar» limit), then «Guardar beneficiario», Alias and
    Correo electrónico (Opcional)."""

    kind = BeneficiaryKind.INTERNAL

    def __init__(
        self, *args: Any, member: Any, beneficiaries: list[Beneficiary], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._new_init(member, beneficiaries)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.cleaned_data["guardar_beneficiario"] = bool(data.get("guardar_beneficiario"))
        self._alias_check()
        return data

    def destination_check(self, request: Any) -> None:
        """Validar (also on Confirmar: an account can close between the two): the
        holder's masked name, counted against the member's «Validar» limit."""
        if self.has_error("account_number"):
            return
        try:
            self.destination = internal_destination_validate(
                request, member=self.member, account_number=self.cleaned_data["account_number"]
            )
        except ValidationError as exc:
            self.service_errors(exc)
            self.limited = is_limited(exc)

    def saved(self) -> Beneficiary | None:
        if self.destination is None:
            return None
        account_id = self.destination.account.pk
        return next((b for b in self.beneficiaries if b.internal_account_id == account_id), None)

    def name(self) -> str:
        return self.destination.holder_name

    def content(self) -> dict[str, Any]:
        destination = self.destination
        return {
            "kind": self.kind,
            "account_number": destination.account_number,
            "account_type": destination.account_type,
            "name": destination.holder_name,
            "save": self.cleaned_data["guardar_beneficiario"],
            "alias": self.cleaned_data["alias"],
            "email": self.cleaned_data["email"],
        }


class NewExternalDestinationForm(NewDestination, ExternalForm):
    """TRANSFERENCIAS INTERBANCARIAS to an account typed here: the fields and checks of
    "Registrar cuenta interbancaria" (Entidad financiera, Tipo de identificación,
    Identificación, Tipo de cuenta, Número de cuenta, Nombre, Correo), then «Guardar
    beneficiario» and Alias (Opcional)."""

    kind = BeneficiaryKind.EXTERNAL

    def __init__(
        self, *args: Any, member: Any, beneficiaries: list[Beneficiary], **kwargs: Any
    ) -> None:
        super().__init__(*args, member=member, **kwargs)
        self._new_init(member, beneficiaries)

    def clean(self) -> dict[str, Any]:
        self.destination = None
        data = super().clean()
        self.cleaned_data["guardar_beneficiario"] = bool(data.get("guardar_beneficiario"))
        self._alias_check()
        return data

    def destination_check(self, request: Any) -> None:
        """Nothing to look up: another institution's account is checked by the network."""

    def saved(self) -> Beneficiary | None:
        if self.destination is None:
            return None
        destination = self.destination
        return next(
            (
                b
                for b in self.beneficiaries
                if b.institution_id == destination.institution.pk
                and b.account_number == destination.account_number
            ),
            None,
        )

    def name(self) -> str:
        return self.destination.name

    def content(self) -> dict[str, Any]:
        destination = self.destination
        return {
            "kind": self.kind,
            "institution": destination.institution.pk,
            "institution_name": destination.institution.name,
            "account_type": destination.account_type,
            "account_number": destination.account_number,
            "name": destination.name,
            "identification_type": destination.identification_type,
            "identification": destination.identification,
            "save": self.cleaned_data["guardar_beneficiario"],
            "alias": self.cleaned_data["alias"],
            "email": self.cleaned_data["email"],
        }


HISTORY_DEFAULT_DAYS = 30
HISTORY_MAX_DAYS = 365
PERIODS = [
    ("mes-anterior", "Mes anterior"),
    ("ayer", "Ayer"),
    ("hoy", "Hoy"),
    ("personalizado", "Personalizado"),
]


class HistoryForm(forms.Form):
    """Historial's filter: a fixed period, or Personalizado with Fecha desde / hasta
    (at most 365 days back)."""

    periodo = forms.ChoiceField(
        label="Periodo",
        choices=PERIODS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Selecciona un periodo.",
            "invalid_choice": "Selecciona un periodo.",
        },
    )
    desde = forms.DateField(
        label="Fecha desde",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Ingresa una fecha válida."},
    )
    hasta = forms.DateField(
        label="Fecha hasta",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Ingresa una fecha válida."},
    )

    @staticmethod
    def default_range() -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        return today - dt.timedelta(days=HISTORY_DEFAULT_DAYS), today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("periodo") != "personalizado" or self.errors:
            return data
        since, until = data.get("desde"), data.get("hasta")
        today = timezone.localdate()
        if since is None:
            self.add_error("desde", "Ingresa la fecha desde.")
        if until is None:
            self.add_error("hasta", "Ingresa la fecha hasta.")
        if since is None or until is None:
            return data
        if until > today:
            self.add_error("hasta", "La fecha hasta no puede ser posterior a hoy.")
        elif since > until:
            self.add_error("desde", "La fecha desde debe ser anterior a la fecha hasta.")
        elif since < today - dt.timedelta(days=HISTORY_MAX_DAYS):
            self.add_error("desde", f"Puedes consultar hasta {HISTORY_MAX_DAYS} días atrás.")
        return data

    def range(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        period = self.cleaned_data["periodo"]
        if period == "hoy":
            return today, today
        if period == "ayer":
            yesterday = today - dt.timedelta(days=1)
            return yesterday, yesterday
        if period == "mes-anterior":
            last = today.replace(day=1) - dt.timedelta(days=1)
            return last.replace(day=1), last
        return self.cleaned_data["desde"], self.cleaned_data["hasta"]


class FormGroup:
    """The forms of one page seen as one by its error summary ("Hay un problema", each
    message linked to its field), its «Error: » title and the tests: iterating gives
    every field in order, ``errors`` every field's messages, ``group["name"]`` the
    bound field of whichever form has it."""

    def __init__(self, *members: forms.Form | None) -> None:
        self.forms = [form for form in members if form is not None]

    def __iter__(self) -> Any:
        for form in self.forms:
            yield from form

    def __getitem__(self, name: str) -> forms.BoundField:
        for form in self.forms:
            if name in form.fields:
                return form[name]
        raise KeyError(name)

    @property
    def errors(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for form in self.forms:
            for field, errors in form.errors.items():
                merged.setdefault(field, []).extend(errors)
        return merged

    def non_field_errors(self) -> list[str]:
        return [error for form in self.forms for error in form.non_field_errors()]
