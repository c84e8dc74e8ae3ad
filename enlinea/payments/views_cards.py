"""Pago de tarjetas (manual 4).

    /pago-tarjetas/                                 "Buscar tarjeta (Opcional)" and the tiles
    /pago-tarjetas/nueva/                           Agregar nueva tarjeta: pay it (and save
                                                    it if asked) or only save it → code
    /pago-tarjetas/tarjeta/<id>/pagar/              pay a saved card
    /pago-tarjetas/mis-tarjetas/<reference>/pagar/  pay an own credit card of this cooperative

A card is reached only through ``cards.card_target_for_member`` (404 for anyone else's
id or reference, on GET and POST alike). Each write is an operation of the
confirmation flow: the form validates, starts it and hands over to the flow's
Confirmar, code and result pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from enlinea.beneficiaries.confirmations import CREATE as BENEFICIARY_CREATE
from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.beneficiaries.selectors import beneficiaries_for_member
from enlinea.beneficiaries.services import MSG_DUPLICATE_CARD
from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request
from enlinea.products.selectors.accounts import accounts_for_member
from enlinea.transfers.forms import FormGroup, account_label

from . import cards, confirmations_cards
from .forms_cards import CardPaymentForm, NewCardForm

SEARCH_MAX_LENGTH = 60
HELP_AMOUNT_OR_SAVE = (
    "En dólares, por ejemplo 20.00. Si solo quieres registrar la tarjeta, marca «Guardar "
    "beneficiario» y deja el monto vacío."
)
MSG_AMOUNT_OR_SAVE = (
    "Ingresa el monto a pagar, o marca «Guardar beneficiario» para solo registrar la tarjeta."
)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


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


def _paying(request: HttpRequest, card_form: NewCardForm) -> bool:
    """The new card is paid now unless the member only saves it: «Guardar beneficiario»
    ticked and no amount typed (the manual's "¿Requieres realizar un pago? NO")."""
    if request.method != "POST":
        return False
    saving = card_form.cleaned_data.get("guardar_beneficiario", False)
    return bool(request.POST.get("amount", "").strip()) or not saving


def _save_only(request: HttpRequest, member: Any, card_form: NewCardForm) -> HttpResponse | None:
    """ "Guardar beneficiario" alone: the beneficiaries' own ``beneficiary_create``
    kind with a CARD content, as every beneficiary is saved."""
    if card_form.saved() is not None:
        card_form.add_error("card_number", MSG_DUPLICATE_CARD)
        return None
    new = card_form.content()
    return operation_begin(
        request,
        member,
        BENEFICIARY_CREATE,
        {
            "kind": BeneficiaryKind.CARD,
            "institution": new["institution"],
            "institution_name": new["institution_name"],
            # Never the number: its last four digits and keyed digest only.
            "card_last4": new["card_last4"],
            "card_digest": new["card_digest"],
            "account_number": "",
            "name": new["name"],
            "identification_type": new["identification_type"],
            "identification": new["identification"],
            "email": new["email"],
            "alias": new["alias"],
        },
    )


@login_required
def card_new(request: HttpRequest) -> HttpResponse:
    """ "Registrar tarjeta": the card's fields (checked, Luhn), «Guardar beneficiario»
    and Alias, Cuenta de origen, "Ingresar el monto a pagar" and Motivo → «Validar» →
    "Confirmar pago" → ONE code pays the card and, if ticked, saves it (the
    ``card_payment`` kind with the card in its ``new``). «Guardar beneficiario» with no
    amount only saves the card (Confirmar → code → "Tarjeta registrada")."""
    member = member_for_request(request)
    posted = _posted(request)
    saved_cards = list(beneficiaries_for_member(member=member, kind=BeneficiaryKind.CARD))
    card_form = NewCardForm(posted, member=member, beneficiaries=saved_cards)
    accounts = list(accounts_for_member(member=member))
    card_ok = posted is not None and card_form.is_valid() and card_form.destination is not None
    paying = posted is not None and _paying(request, card_form)
    pay_form = CardPaymentForm(
        posted if paying else None,
        accounts=accounts,
        target=None,
        # Only saving: the payment's fields are not judged, what was typed stays.
        initial=request.POST.dict() if posted is not None and not paying else None,
    )
    pay_form.fields["amount"].help_text = HELP_AMOUNT_OR_SAVE
    pay_form.fields["amount"].error_messages["required"] = MSG_AMOUNT_OR_SAVE
    if posted is not None:
        started = None
        if paying and pay_form.is_valid() and card_ok:
            target = cards.target_for_new_card(
                member=member,
                destination=card_form.destination,
                alias=card_form.cleaned_data["alias"],
            )
            started = operation_begin(
                request,
                member,
                confirmations_cards.PAY,
                {**_pay_content(target, pay_form), "new": card_form.content()},
            )
        elif not paying and card_ok:
            started = _save_only(request, member, card_form)
        if started is not None:
            return started
    group = FormGroup(card_form, pay_form)
    return render(
        request,
        "payments/cards/new.html",
        {
            "form": group,
            "card_form": card_form,
            "pay_form": pay_form,
            "saved": card_form.saved() if card_ok else None,
            "back_url": reverse("payments:card_list"),
        },
        status=400 if group.errors else 200,
    )


def _pay_content(target: cards.CardTarget, form: CardPaymentForm) -> dict[str, Any]:
    """What the code confirms of a payment: the card, the account, amount, motive, fee."""
    source = form.source
    data = form.cleaned_data
    return {
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


def _pay(request: HttpRequest, member: Any, target: cards.CardTarget) -> HttpResponse:
    accounts = list(accounts_for_member(member=member))
    form = CardPaymentForm(_posted(request), accounts=accounts, target=target)
    if request.method == "POST" and form.is_valid():
        started = operation_begin(
            request, member, confirmations_cards.PAY, _pay_content(target, form)
        )
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
