"""Cambiar PIN, Generar PIN, and the generated PIN's one-time page (manual 6).

The card is reached only through ``card_for_member`` (404 for anyone else's, on GET and
POST). Generar PIN's e-mailed link ``/tarjetas/pin/<token>/`` only moves the token
into the browser's session and redirects to ``/tarjetas/pin/``, which asks for the
member's login: the token leaves the address bar, the history and the login's
``next`` at once, and the page answers the same (200) to every token, so no error log
line carries it (``enlinea.cards.log_filters.PinLinkFilter`` masks the one access-log
line). "Ver mi PIN" (POST) shows the PIN once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from enlinea.confirmation.shortcuts import operation_begin
from enlinea.members.selectors import member_for_request

from . import confirmations_pin, pins
from .forms_pin import PinChangeForm
from .selectors import card_for_member, card_kind, card_label
from .views import SECTION, list_url

SESSION_TOKEN = "cards.pin_reveal_token"  # noqa: S105 - a session key's name


def _context(card: Any, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "current_slug": SECTION,
        "card": card,
        "kind": kind,
        "back_url": list_url(kind),
        **extra,
    }


def _card_content(card: Any) -> dict[str, Any]:
    return {"card_kind": card_kind(card), "card_id": card.pk, "card_label": card_label(card)}


@login_required
@require_http_methods(["GET", "POST"])
def pin_change(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    member = member_for_request(request)
    card = card_for_member(member=member, kind=kind, reference=reference)
    form = PinChangeForm(request.POST or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prepared = pins.pin_change_prepare(
                card=card, current=data["current"], new=data["new"], request=request
            )
        except pins.PinRefused as exc:
            message = exc.messages[0]
            if exc.field:
                form.add_error(exc.field, message)
            else:
                refused = message
        else:
            started = operation_begin(
                request,
                member,
                confirmations_pin.CHANGE,
                {
                    **_card_content(card),
                    "new_hash": prepared.new_hash,
                    "replaces": prepared.replaces,
                },
            )
            if started is not None:
                return started
    status = 400 if request.method == "POST" else 200
    card.refresh_from_db(fields=["pin_failures"])
    return render(
        request,
        "cards/pin/change.html",
        _context(
            card,
            kind,
            form=form,
            refused=refused,
            locked=_locked(card),
            generate_url=reverse("cards:pin_generate", args=[kind, reference]),
        ),
        status=status,
    )


def _locked(card: Any) -> bool:
    return card.pin_failures >= settings.CARDS_PIN_MAX_FAILURES


@login_required
@require_http_methods(["GET", "POST"])
def pin_generate(request: HttpRequest, kind: str, reference: str) -> HttpResponse:
    member = member_for_request(request)
    card = card_for_member(member=member, kind=kind, reference=reference)
    if request.method == "POST":
        started = operation_begin(request, member, confirmations_pin.GENERATE, _card_content(card))
        if started is not None:
            return started
    return render(request, "cards/pin/generate.html", _context(card, kind))


@require_GET
def pin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: keep the token in this browser's session, then the clean page."""
    request.session[SESSION_TOKEN] = token[:100]
    return redirect("cards:pin_reveal")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def pin_reveal(request: HttpRequest) -> HttpResponse:
    member = member_for_request(request)
    token = request.session.get(SESSION_TOKEN, "")
    reveal = pins.pin_reveal_find(member=member, token=token)
    problem = pins.pin_reveal_state(reveal)
    context: dict[str, Any] = {"current_slug": SECTION, "problem": problem, "pin": ""}
    if not problem and request.method == "POST":
        try:
            reveal, pin = pins.pin_reveal_open(member=member, token=token, request=request)
        except pins.PinRefused as exc:
            context["problem"] = exc.messages[0]
        else:
            context["pin"] = pin
        request.session.pop(SESSION_TOKEN, None)
    if reveal is not None:
        context["kind"] = reveal.card_kind
        context["back_url"] = list_url(reveal.card_kind)
        context["expires_at"] = reveal.expires_at
    else:
        context["back_url"] = list_url("debito")
    return render(request, "cards/pin/reveal.html", context)
