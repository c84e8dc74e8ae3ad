"""Cambiar PIN and Generar PIN on the confirmation flow (kinds registered at import).

* ``card_pin_change`` — the form (PIN actual, Nuevo PIN, Confirmar PIN) is the
  confirmation, as the manual draws it: "Cambiar PIN" sends the code at once. The
  content carries the new PIN's hash and the fingerprint of the PIN it replaces, never
  a PIN; the code confirms exactly that change → "¡PIN cambiado con éxito!".
* ``card_pin_generate`` — "Generar PIN" on the card's page sends the code at once →
  "¡PIN generado con éxito!"; the e-mail carries the one-time link (``pins``).

``execute`` re-reads the card owner-scoped from the content's kind and id.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, register

from . import pins
from .selectors import card_by_id_for_member
from .views import list_url

CHANGE = "card_pin_change"
GENERATE = "card_pin_generate"


def _card(operation: PendingOperation) -> Any:
    content = operation.content
    try:
        return card_by_id_for_member(
            member=operation.member, kind=content["card_kind"], card_id=content["card_id"]
        )
    except Http404 as exc:
        raise pins.PinRefused("Esa tarjeta ya no está entre tus productos.") from exc


def _back(operation: PendingOperation) -> str:
    return list_url(operation.content["card_kind"])


def _change(operation: PendingOperation, request: HttpRequest | None) -> None:
    content = operation.content
    pins.pin_change_apply(
        card=_card(operation),
        new_hash=content["new_hash"],
        replaces=content["replaces"],
        request=request,
    )


def _generate(operation: PendingOperation, request: HttpRequest | None) -> None:
    def link(token: str) -> str:
        path = reverse("cards:pin_link", kwargs={"token": token})
        return request.build_absolute_uri(path) if request is not None else path

    pins.pin_generate(card=_card(operation), request=request, link=link)


def _result(title: str, message: str) -> Any:
    def result(operation: PendingOperation) -> dict[str, Any]:
        return {
            "title": title,
            "message": message,
            "details": [("Tarjeta", operation.content["card_label"])],
            "back_url": _back(operation),
            "back_label": "Regresar",
        }

    return result


register(
    OperationKind(
        name=CHANGE,
        title="Cambiar PIN",
        description="Cambiar el PIN de tu tarjeta",
        start_url=_back,
        execute=_change,
        result=_result(
            "¡PIN cambiado con éxito!",
            "Se cambió el PIN de tu tarjeta. Revisa tu correo para ver los detalles e "
            "instrucciones.",
        ),
    )
)

register(
    OperationKind(
        name=GENERATE,
        title="Generar PIN",
        description="Generar un nuevo PIN para tu tarjeta",
        start_url=_back,
        execute=_generate,
        result=_result(
            "¡PIN generado con éxito!",
            "Se generó el PIN de tu tarjeta. Revisa tu correo para ver los detalles e "
            "instrucciones.",
        ),
    )
)
