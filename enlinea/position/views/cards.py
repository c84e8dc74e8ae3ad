"""Tarjeta de débito and Tarjeta de crédito: the member's cards and a credit card's detail.

"Ver detalle" is a link to the card's own address, which shows the same list with that
card opened ("Ocultar detalle" links back): it works without JavaScript. The address
carries the card's reference (``credit_card_reference``), not its database id.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enlinea.members.selectors import member_for_request
from enlinea.position.views.loans import SECTION
from enlinea.products.selectors.cards import (
    credit_card_for_member,
    credit_card_recent_purchases,
    credit_card_rows,
    credit_cards_for_member,
    debit_cards_for_member,
)


@login_required
@require_GET
def debit_card_list(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    cards = list(debit_cards_for_member(member=member))
    return render(
        request, "position/debit_card_list.html", {"current_slug": SECTION, "cards": cards}
    )


@login_required
@require_GET
def credit_card_list(request: HttpRequest, reference: str | None = None) -> HttpResponse:
    member = member_for_request(request)
    opened = None
    purchases: list = []
    if reference is not None:
        opened = credit_card_for_member(member=member, reference=reference)
        purchases = credit_card_recent_purchases(card=opened)
    cards = credit_card_rows(list(credit_cards_for_member(member=member)))
    context = {
        "current_slug": SECTION,
        "cards": cards,
        "opened": opened,
        "purchases": purchases,
    }
    return render(request, "position/credit_card_list.html", context)
