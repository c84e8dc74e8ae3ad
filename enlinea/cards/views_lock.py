"""Bloquear / Desbloquear tarjeta and Aviso de viaje (Tarjetas ▸ Más opciones).

    /tarjetas/<kind>/<reference>/bloquear/        what a temporary lock does, "Bloquear
                                                  tarjeta": at once, no code
    /tarjetas/<kind>/<reference>/desbloquear/     "Desbloquear tarjeta" → Confirmar → code
    /tarjetas/<kind>/<reference>/aviso-de-viaje/  the card's current notices ("Anular
                                                  aviso", no code) and the form → code

Every view reaches the card through ``card_for_member`` (404 for anyone else's card,
on GET and POST alike); the rules are the services' (``enlinea.cards.lock``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request
from enlinea.products.models import CardStatus

from . import confirmations_lock, lock
from .countries import country_names
from .forms_lock import TravelNoticeForm
from .models import TravelNotice
from .selectors import Card, card_for_member, card_label
from .views import SECTION, list_url


def _context(card: Card, kind: str, reference: str, **extra: Any) -> dict[str, Any]:
    return {
        "current_slug": SECTION,
        "card": card,
        "kind": kind,
        "reference": reference,
        "active": card.status == CardStatus.ACTIVE,
        "not_active": lock.not_active_message(card),
        "back_url": list_url(kind),
        **extra,
    }


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_http_methods(["GET", "POST"])
def card_lock(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Bloquear tarjeta: at once, without a code (a member in a hurry after a theft);
    back on the card list with the result."""
    member = member_for_request(request)
    card = card_for_member(member=member, kind=kind, reference=reference)
    if request.method == "POST":
        try:
            with transaction.atomic(durable=True):
                card = lock.card_lock(card=card, request=request)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                f"Tu {card_label(card)} quedó bloqueada temporalmente. Rechazaremos sus "
                "compras y retiros hasta que la desbloquees.",
            )
        return redirect(list_url(kind))
    return render(request, "cards/lock/lock.html", _context(card, kind, reference))


@login_required
@require_http_methods(["GET", "POST"])
def card_unlock(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Desbloquear tarjeta: the card's details, then the confirmation flow's Confirmar
    page and the security code e-mailed to the member."""
    member = member_for_request(request)
    card = card_for_member(member=member, kind=kind, reference=reference)
    if request.method == "POST":
        if not card.locked_by_member:
            messages.error(request, lock.MSG_NOT_LOCKED)
            return redirect(list_url(kind))
        started = operation_begin(
            request, member, confirmations_lock.UNLOCK, confirmations_lock.card_content(card)
        )
        if started is not None:
            return started
    return render(request, "cards/lock/unlock.html", _context(card, kind, reference))


def _notice_rows(card: Card) -> list[dict[str, Any]]:
    return [
        {"notice": notice, "countries": country_names(notice.countries)}
        for notice in lock.travel_notices_current(card=card)
    ]


def _cancel(request: HttpRequest, member: Any, card: Card, kind: str) -> None:
    """ "Anular aviso": one of this card's notices, owner-scoped (404 otherwise)."""
    notice_id = request.POST.get("anular", "")
    notice = TravelNotice.objects.filter(
        pk=int(notice_id) if notice_id.isdigit() else 0,
        member=member,
        card_kind=kind,
        card_id=card.pk,
    ).first()
    if notice is None:
        raise Http404(confirmations_lock.MSG_CARD_GONE)
    try:
        with transaction.atomic(durable=True):
            lock.travel_notice_cancel(card=card, notice=notice, request=request)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Anulaste el aviso de viaje.")


@login_required
@require_http_methods(["GET", "POST"])
def travel(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    """Aviso de viaje: the card's current and future notices, each with "Anular aviso";
    the form (Fecha de salida, Fecha de regreso, Países) → Confirmar → code."""
    member = member_for_request(request)
    card = card_for_member(member=member, kind=kind, reference=reference)
    if request.method == "POST" and "anular" in request.POST:
        _cancel(request, member, card, kind)
        return redirect(reverse("cards:travel", kwargs={"kind": kind, "reference": reference}))
    form = TravelNoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if card.status != CardStatus.ACTIVE:
            form.add_error(None, lock.not_active_message(card))
        else:
            data = form.cleaned_data
            started = operation_begin(
                request,
                member,
                confirmations_lock.TRAVEL,
                confirmations_lock.travel_content(
                    card, starts=data["starts"], ends=data["ends"], countries=data["countries"]
                ),
            )
            if started is not None:
                return started
    return render(
        request,
        "cards/lock/travel.html",
        _context(card, kind, reference, form=form, notices=_notice_rows(card)),
        status=400 if form.errors else 200,
    )
