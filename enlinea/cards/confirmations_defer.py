"""Diferir consumos on the confirmation flow (kind registered at import).

* ``card_deferral`` — "Simulación de diferido" (Monto a diferir, N.º de cuotas, Valor
  interés, Valor cuota mensual) → «Continuar» → the code → "Diferido de consumos
  exitoso" with «Regresar» to the credit cards.

The simulation on the deferral page is the check step: «Continuar» starts the
operation and sends its code at once (``views_defer``); the kind's ``details`` are the
same rows, for its "Confirmar" page should the member land there. The content is what
the code confirms: the card (kind and id), the purchases' ids, the term, the amount
and the installment shown. ``execute`` reads the card again owner-scoped and calls
``deferrals.purchases_defer``, which checks eligibility, term and installment under
its locks; the idempotency key is the operation's token.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, Rows, register
from enlinea.money import format_cents

from . import deferrals
from .models import CardKind, Deferral
from .selectors import card_by_id_for_member, card_reference

DEFER = "card_deferral"
TITLE = "Diferir consumos"
SUCCESS = "Diferido de consumos exitoso"
MSG_CARD_GONE = "Esa tarjeta ya no está entre tus productos: vuelve a empezar."


def idempotency_key(operation: PendingOperation) -> str:
    return f"card_deferral:{operation.token}"


def simulation_rows(
    *, amount: int, months: int, first_interest: int, installment: int, total_interest: int
) -> Rows:
    """The manual's "Simulación de diferido" rows. "Valor interés" is the interest
    inside the first installment (as the manual shows it); the whole term's interest
    is its own row."""
    return [
        ("Monto a diferir", format_cents(amount)),
        ("N.º de cuotas", str(months)),
        ("Valor interés (primera cuota)", format_cents(first_interest)),
        ("Valor cuota mensual", format_cents(installment)),
        (f"Interés total en {months} cuotas", format_cents(total_interest)),
    ]


def _details(operation: PendingOperation) -> Rows:
    content = operation.content
    return [
        ("Tarjeta", content["card_label"]),
        *simulation_rows(
            amount=content["amount"],
            months=content["months"],
            first_interest=content["first_interest"],
            installment=content["installment"],
            total_interest=content["total_interest"],
        ),
    ]


def _execute(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    try:
        card = card_by_id_for_member(
            member=operation.member, kind=content["card_kind"], card_id=content["card_id"]
        )
    except Http404 as exc:
        raise ValidationError(MSG_CARD_GONE) from exc
    deferral = deferrals.purchases_defer(
        card=card,
        purchase_ids=content["purchases"],
        months=content["months"],
        expected_installment=content["installment"],
        idempotency_key=idempotency_key(operation),
        request=request,
    )
    return {"deferral": deferral.pk}


def _result(operation: PendingOperation) -> dict[str, Any]:
    deferral = Deferral.objects.select_related("credit_card").get(
        pk=operation.result["deferral"], credit_card__member=operation.member
    )
    card = deferral.credit_card
    first_cut = deferrals.next_cut_date(card=card, after=timezone.localdate(deferral.created_at))
    return {
        "title": SUCCESS,
        "message": (
            f"Diferiste {format_cents(deferral.amount)} de tu tarjeta {card.masked_number} "
            f"a {deferral.months} cuotas."
        ),
        "when": deferral.created_at,
        "details": [
            ("Tarjeta", operation.content["card_label"]),
            *simulation_rows(
                amount=deferral.amount,
                months=deferral.months,
                first_interest=deferral.first_interest,
                installment=deferral.installment,
                total_interest=deferral.total_interest,
            ),
        ],
        "next_steps": (
            f"La primera cuota se facturará en tu corte del {first_cut:%d/%m/%Y}; las "
            "siguientes, en los cortes de cada mes."
        ),
        "back_url": reverse("cards:credit_list"),
        "back_label": "Regresar",
    }


def _start_url(operation: PendingOperation) -> str:
    content = operation.content
    try:
        card = card_by_id_for_member(
            member=operation.member, kind=CardKind.CREDIT, card_id=content["card_id"]
        )
    except (Http404, KeyError):
        return reverse("cards:credit_list")
    return reverse("cards:defer", kwargs={"reference": card_reference(card)})


register(
    OperationKind(
        name=DEFER,
        title=TITLE,
        description="Diferido de consumos",
        start_url=_start_url,
        details=_details,
        confirm_title="Simulación de diferido",
        confirm_label="Continuar",
        execute=_execute,
        result=_result,
    )
)
