"""Tarjetas {short_name} (manual 6), under ``/tarjetas/`` in the ``cards`` namespace.

    /tarjetas/debito/  /tarjetas/credito/          the member's cards, "Más opciones"
    /tarjetas/<kind>/<reference>/cambiar-pin/       Cambiar PIN          (urls_pin)
    /tarjetas/<kind>/<reference>/generar-pin/       Generar PIN          (urls_pin)
    /tarjetas/pin/<token>/                          the generated PIN, once
    /tarjetas/credito/<reference>/diferir/          Diferir consumos     (urls_defer)
    /tarjetas/<kind>/<reference>/bloquear/          Bloquear tarjeta     (urls_lock)
    /tarjetas/<kind>/<reference>/desbloquear/       Desbloquear tarjeta  (urls_lock)
    /tarjetas/<kind>/<reference>/aviso-de-viaje/    Aviso de viaje       (urls_lock)

``<kind>`` is "debito" or "credito"; ``<reference>`` the card's reference, never its id.
"Pagar" is Pago de tarjetas' own page (``payments:own_card_pay``).
"""

from __future__ import annotations

from django.urls import include, path, register_converter

from . import views


class CardKindConverter:
    regex = "debito|credito"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(CardKindConverter, "cardkind")

app_name = "cards"

urlpatterns = [
    path("debito/", views.card_list, {"kind": "debito"}, name="debit_list"),
    path("credito/", views.card_list, {"kind": "credito"}, name="credit_list"),
    path("", include("enlinea.cards.urls_pin")),
    path("", include("enlinea.cards.urls_defer")),
    path("", include("enlinea.cards.urls_lock")),
]
