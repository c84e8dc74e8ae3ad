"""Desbloquear tarjeta and Aviso de viaje on the confirmation flow (kinds registered at
import). Bloquear tarjeta needs no code (``views_lock.card_lock``): it only takes power
away from whoever holds the card.

* ``card_unlock`` — Desbloquear tarjeta → "Confirmar" (Tarjeta, Titular, Tipo de
  tarjeta) → the code → "Tarjeta desbloqueada".
* ``card_travel_notice`` — the Aviso de viaje form → "Confirmar aviso de viaje"
  (Tarjeta, Titular, Fecha de salida, Fecha de regreso, Países) → the code → "Aviso de
  viaje registrado".

The content names the card by kind and id (and its reference, for "Volver a
empezar"); ``execute`` reads it again owner-scoped (``card_by_id_for_member``) and the
services judge every rule again under the card's row lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, Rows, register
from enlinea.web.templatetags.formato import fecha

from . import lock
from .countries import country_names
from .models import CardKind
from .selectors import Card, card_by_id_for_member, card_kind, card_label, card_reference
from .views import list_url

UNLOCK = "card_unlock"
TRAVEL = "card_travel_notice"

MSG_CARD_GONE = "Esa tarjeta ya no está entre tus productos."


def card_content(card: Card) -> dict[str, Any]:
    """What every card operation's content says of its card."""
    return {
        "kind": card_kind(card),
        "card_id": card.pk,
        "reference": card_reference(card),
        "card": card_label(card),
        "holder": card.holder_name,
        "card_type": CardKind(card_kind(card)).label,
    }


def _card_rows(content: dict[str, Any]) -> Rows:
    return [
        ("Tarjeta", content["card"]),
        ("Titular", content["holder"]),
        ("Tipo de tarjeta", content["card_type"]),
    ]


def _card(operation: PendingOperation) -> Card:
    content = operation.content
    try:
        return card_by_id_for_member(
            member=operation.member, kind=content["kind"], card_id=content["card_id"]
        )
    except Http404 as exc:
        raise ValidationError(MSG_CARD_GONE) from exc


def _page_url(name: str, operation: PendingOperation) -> str:
    content = operation.content
    return reverse(name, kwargs={"kind": content["kind"], "reference": content["reference"]})


# ------------------------------------------------------------------------ unlock


def _unlock(operation: PendingOperation, request: HttpRequest | None) -> None:
    lock.card_unlock(card=_card(operation), request=request)


register(
    OperationKind(
        name=UNLOCK,
        title="Desbloquear tarjeta",
        description="Desbloquear tarjeta",
        start_url=lambda op: list_url(op.content["kind"]),
        details=lambda op: _card_rows(op.content),
        confirm_title="Confirmar desbloqueo",
        execute=_unlock,
        result=lambda op: {
            "title": "Tarjeta desbloqueada",
            "message": f"Tu {op.content['card']} ya puede usarse de nuevo.",
            "details": _card_rows(op.content),
            "back_url": list_url(op.content["kind"]),
            "back_label": "Ir a mis tarjetas",
        },
    )
)


# ------------------------------------------------------------------------ travel


def travel_content(
    card: Card, *, starts: dt.date, ends: dt.date, countries: list[str]
) -> dict[str, Any]:
    return {
        **card_content(card),
        "starts": starts.isoformat(),
        "ends": ends.isoformat(),
        "countries": countries,
    }


def _travel_rows(content: dict[str, Any]) -> Rows:
    return [
        ("Tarjeta", content["card"]),
        ("Titular", content["holder"]),
        ("Fecha de salida", fecha(dt.date.fromisoformat(content["starts"]))),
        ("Fecha de regreso", fecha(dt.date.fromisoformat(content["ends"]))),
        ("Países", country_names(content["countries"])),
    ]


def _travel(operation: PendingOperation, request: HttpRequest | None) -> dict[str, Any]:
    content = operation.content
    notice = lock.travel_notice_add(
        card=_card(operation),
        starts=dt.date.fromisoformat(content["starts"]),
        ends=dt.date.fromisoformat(content["ends"]),
        countries=content["countries"],
        request=request,
    )
    return {"notice": notice.pk}


register(
    OperationKind(
        name=TRAVEL,
        title="Aviso de viaje",
        description="Aviso de viaje",
        start_url=lambda op: _page_url("cards:travel", op),
        details=lambda op: _travel_rows(op.content),
        confirm_title="Confirmar aviso de viaje",
        execute=_travel,
        result=lambda op: {
            "title": "Aviso de viaje registrado",
            "message": (
                "Entre esas fechas aceptaremos las compras con tu tarjeta en los países "
                "que elegiste."
            ),
            "details": _travel_rows(op.content),
            "again_url": _page_url("cards:travel", op),
            "again_label": "Ver mis avisos de viaje",
            "back_url": list_url(op.content["kind"]),
            "back_label": "Ir a mis tarjetas",
        },
    )
)
