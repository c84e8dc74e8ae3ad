"""Diferir consumos' form: the purchases ticked ("Seleccionar") and the term ("Plazo").

It offers only what the service allows (the eligible purchases, the policy's terms);
the service checks both again when the deferral is made.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from enlinea.products.models import CardPurchase

from .deferrals import MSG_NO_PURCHASES

MSG_NO_TERM = "Selecciona el plazo del diferido."
MSG_PURCHASE_GONE = "Uno de los consumos elegidos ya no se puede diferir: vuelve a seleccionarlos."
PLACEHOLDER = "Seleccione una opción"


class DeferForm(forms.Form):
    consumos = forms.MultipleChoiceField(
        label="Consumos para diferir",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": MSG_NO_PURCHASES, "invalid_choice": MSG_PURCHASE_GONE},
    )
    plazo = forms.TypedChoiceField(
        label="Plazo",
        coerce=int,
        error_messages={"required": MSG_NO_TERM, "invalid_choice": MSG_NO_TERM},
    )
    # The "Valor cuota mensual" the member saw: the service refuses another one.
    cuota = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        data: object = None,
        *,
        purchases: Sequence[CardPurchase],
        terms: Sequence[int],
    ) -> None:
        super().__init__(data)
        self.purchases = list(purchases)
        self.fields["consumos"].choices = [(str(p.pk), str(p.pk)) for p in self.purchases]
        self.fields["plazo"].choices = [("", PLACEHOLDER)] + [
            (str(months), f"{months} meses") for months in terms
        ]

    def selected(self) -> list[CardPurchase]:
        """The ticked purchases (after ``is_valid``), in the page's order."""
        ids = {int(pk) for pk in self.cleaned_data.get("consumos", [])}
        return [p for p in self.purchases if p.pk in ids]

    def ticked_ids(self) -> set[int]:
        """What is ticked now, valid or not, so a page shown again keeps it."""
        raw = self.data.getlist("consumos") if hasattr(self.data, "getlist") else []
        return {int(pk) for pk in raw if str(pk).isdigit()}
