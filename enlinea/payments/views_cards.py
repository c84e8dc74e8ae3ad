"""Pago de tarjetas (manual 4).

    /pago-tarjetas/                                 "Buscar tarjeta (Opcional)" and the tiles
    /pago-tarjetas/nueva/                           Agregar nueva tarjeta → Confirmar → code
    /pago-tarjetas/tarjeta/<id>/pagar/              pay a saved card
    /pago-tarjetas/mis-tarjetas/<reference>/pagar/  pay an own credit card of this cooperative

A card is reached only through ``cards.card_target_for_member`` (404 for anyone else's
id or reference, on GET and POST alike). Each write is an operation of the
confirmation flow: the form validates, starts it and hands over to the flow's
Confirmar, code and result pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from enlinea.beneficiaries.confirmations import CREATE as BENEFICIARY_CREATE
from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.selectors import beneficiaries_for_member
from enlinea.beneficiaries.services import MSG_DUPLICATE_CARD
from enlinea.confirmation.selectors import operation_next_url
from enlinea.confirmation.services import OperationRefused, operation_start
from enlinea.members.selectors import member_for_request
from enlinea.products.selectors.accounts import accounts_for_member
from enlinea.transfers.forms import account_label

from . import cards, confirmations_cards
from .forms_cards import CardForm, CardPaymentForm

SEARCH_MAX_LENGTH = 60


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _start(
    request: HttpRequest, member: Any, kind: str, content: dict[str, Any]
) -> HttpResponse | None:
    try:
        operation = operation_start(member=member, kind=kind, content=content, request=request)
    except OperationRefused as exc:
        messages.error(request, str(exc))
        return None
    return redirect(operation_next_url(operation))


def _section_url() -> str:
    return reverse("web:section", kwargs={"slug": "pago-tarjetas"})


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    """ "Pago de tarjetas": Buscar tarjeta (Opcional), the tiles, Agregar nueva tarjeta."""
    member = member_for_request(request)
    search = " ".join(request.GET.get("buscar", "").split())[:SEARCH_MAX_LENGTH]
    targets = cards.card_targets_for_member(member=member, search=search)
    return render(
        request,
        "payments/cards/list.html",
        {
            "search": search,
            "tiles": [
                {"target": t, "url": confirmations_cards.pay_url(t), "own": t.credit_card}
                for t in targets
            ],
            "back_url": _section_url(),
        },
    )


@login_required
def card_new(request: HttpRequest) -> HttpResponse:
    """ "Registrar tarjeta": the card checked (Luhn) → "Guardar beneficiario" →
    Confirmar → code → the card among the member's cards."""
    member = member_for_request(request)
    form = CardForm(_posted(request), member=member)
    if request.method == "POST" and form.is_valid() and form.destination is not None:
        destination = form.destination
        if (
            beneficiaries_for_member(member=member, kind=BeneficiaryKind.CARD)
            .filter(card_digest=destination.card_digest)
            .exists()
        ):
            form.add_error("card_number", MSG_DUPLICATE_CARD)
        else:
            started = _start(
                request,
                member,
                BENEFICIARY_CREATE,
                {
                    "kind": BeneficiaryKind.CARD,
                    "institution": destination.institution.pk,
                    "institution_name": destination.institution.name,
                    # Never the number: its last four digits and keyed digest only.
                    "card_last4": destination.card_last4,
                    "card_digest": destination.card_digest,
                    "account_number": "",
                    "name": destination.name,
                    "identification_type": destination.identification_type,
                    "identification": destination.identification,
                    "email": form.cleaned_data["email"],
                    "alias": form.cleaned_data["alias"],
                },
            )
            if started is not None:
                return started
    return render(
        request,
        "payments/cards/new.html",
        {"form": form, "back_url": reverse("payments:card_list")},
        status=400 if form.errors else 200,
    )


def _pay(request: HttpRequest, member: Any, target: cards.CardTarget) -> HttpResponse:
    accounts = list(accounts_for_member(member=member))
    form = CardPaymentForm(_posted(request), accounts=accounts, target=target)
    if request.method == "POST" and form.is_valid():
        source = form.source
        data = form.cleaned_data
        content = {
            "target": target.key,
            "last4": target.last4,
            "institution": target.institution,
            "is_home": target.is_home,
            "card_label": target.label,
            "source": source.number,
            "source_label": account_label(source, balance=False),
            "amount": data["amount"],
            "motive": data["motive"],
            "commission": form.fees.commission,
            "iva": form.fees.iva,
        }
        started = _start(request, member, confirmations_cards.PAY, content)
        if started is not None:
            return started
    return render(
        request,
        "payments/cards/pay.html",
        {"form": form, "target": target, "back_url": reverse("payments:card_list")},
        status=400 if form.errors else 200,
    )


@login_required
def card_pay(request: HttpRequest, beneficiary_id: int) -> HttpResponse:
    """Pay a saved card: Cuenta de origen, monto, Motivo → Confirmar pago."""
    member = member_for_request(request)
    target = cards.card_target_for_member(member=member, beneficiary_id=beneficiary_id)
    return _pay(request, member, target)


@login_required
def own_card_pay(request: HttpRequest, reference: str) -> HttpResponse:
    """Pay one of the member's own credit cards of this cooperative."""
    member = member_for_request(request)
    target = cards.card_target_for_member(member=member, reference=reference)
    return _pay(request, member, target)
