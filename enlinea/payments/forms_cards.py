"""Pago de tarjetas' forms: "Registrar tarjeta" (with «Guardar beneficiario») and the
payment.

Every rule is a service's: the card's fields are checked by the beneficiaries'
``card_destination_clean`` (Luhn with python-stdnum, the holder's identification), the
payment by the transfer forms' own checks (an account that may pay, the available
balance with the tariff's ``card_payment`` fee), all judged again by the services when
the code is right.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from enlinea.beneficiaries import destinations
from enlinea.beneficiaries.forms import _alias, _email, _radio, _ServiceForm, _text
from enlinea.beneficiaries.forms import _Choice as _ServiceChoice
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.institutions.selectors import institutions_for_choice
from enlinea.members.models import IdentificationType
from enlinea.money import format_cents
from enlinea.transfers.forms import NewDestination, TransferForm

from .cards import MSG_NO_DEBT, MSG_OVER_DEBT, CardTarget


class CardForm(_ServiceForm):
    """ "Registrar tarjeta" (Agregar nueva tarjeta)."""

    institution = _ServiceChoice(label="Entidad financiera", required=False)
    card_number = _text(
        "Número de tarjeta", placeholder="Ej: 4448918211231124", inputmode="numeric"
    )
    name = _text("Nombre del beneficiario", placeholder="Ej: XAVIER GONZALEZ")
    identification_type = _radio("Tipo de identificación", IdentificationType.choices)
    identification = _text("Identificación del beneficiario", placeholder="Ej: 1130131211")
    email = _email()
    alias = _alias()

    def __init__(self, *args: Any, member: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.destination: destinations.CardDestination | None = None
        self.fields["institution"].choices = [("", "Selecciona la entidad financiera")] + [
            (str(row.pk), row.name) for row in institutions_for_choice(include_home=True)
        ]
        self.fields["card_number"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        errors = destinations.FieldErrors()
        optional = self._optional(errors)
        try:
            self.destination = destinations.card_destination_clean(
                member=self.member,
                institution_id=self.data.get("institution"),
                card_number=self.data.get("card_number", ""),
                name=self.data.get("name", ""),
                identification_type=self.data.get("identification_type", ""),
                identification=self.data.get("identification", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.error_dict.items():
                errors.by_field.setdefault(field, ValidationError(messages))
        if errors.by_field:
            self.destination = None
            self.service_errors(ValidationError(errors.by_field))
            return self.cleaned_data
        self.cleaned_data.update(optional)
        return self.cleaned_data


class NewCardForm(NewDestination, CardForm):
    """ "Registrar tarjeta" as the manual draws it: the card's fields, Correo electrónico
    (Opcional), «Guardar beneficiario» and Alias (Opcional), the transfers' own rules for
    a destination typed on the spot (an alias only for a card being saved, a card
    already saved reused, not saved twice). The payment's fields are the page's
    :class:`CardPaymentForm`."""

    kind = BeneficiaryKind.CARD

    def __init__(
        self, *args: Any, member: Any, beneficiaries: list[Beneficiary], **kwargs: Any
    ) -> None:
        super().__init__(*args, member=member, **kwargs)
        self._new_init(member, beneficiaries)
        self.fields[
            "guardar_beneficiario"
        ].help_text = "La encontrarás en Pago de tarjetas para tus próximos pagos."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.cleaned_data["guardar_beneficiario"] = bool(data.get("guardar_beneficiario"))
        self._alias_check()
        return data

    def saved(self) -> Beneficiary | None:
        if self.destination is None:
            return None
        digest = self.destination.card_digest
        return next((b for b in self.beneficiaries if b.card_digest == digest), None)

    def name(self) -> str:
        return self.destination.name

    def content(self) -> dict[str, Any]:
        """What the code confirms: never the number, its last four digits and digest."""
        destination = self.destination
        return {
            "kind": self.kind,
            "institution": destination.institution.pk,
            "institution_name": destination.institution.name,
            "card_last4": destination.card_last4,
            "card_digest": destination.card_digest,
            "name": destination.name,
            "identification_type": destination.identification_type,
            "identification": destination.identification,
            "save": self.cleaned_data["guardar_beneficiario"],
            "alias": self.cleaned_data["alias"],
            "email": self.cleaned_data["email"],
        }


class CardPaymentForm(TransferForm):
    """Cuenta de origen (with its available balance), "Ingresar el monto a pagar" and
    Motivo (Opcional); the fee is the tariff's ``card_payment``."""

    tariff_operation = "card_payment"

    def __init__(self, *args: Any, target: CardTarget | None, **kwargs: Any) -> None:
        # ``None``: a card typed on the same page ("Agregar nueva tarjeta").
        self.target = target
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = "Ingresar el monto a pagar"
        self.fields["amount"].widget.attrs["placeholder"] = "Ej: $ 20.00"

    def _destination_fields(self) -> None:
        """The card is chosen on the page before; nothing to pick here."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        card = self.target.credit_card if self.target is not None else None
        amount = data.get("amount")
        if card is not None and amount is not None and not self.errors:
            # The own card's debt is known here; the service checks it again under lock.
            debt = card.total_debt
            if debt <= 0:
                self.add_error("amount", MSG_NO_DEBT.format(last4=card.last4))
            elif amount > debt:
                self.add_error(
                    "amount", MSG_OVER_DEBT.format(last4=card.last4, debt=format_cents(debt))
                )
        return data
