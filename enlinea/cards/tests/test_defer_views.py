"""Diferir consumos' page: owner-scoped, Spanish errors at the fields, Simular, and
Continuar → the code → "Diferido de consumos exitoso"."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import Consent
from enlinea.access.tests.profile_support import enrolled_member, last_code, text
from enlinea.cards.models import Deferral
from enlinea.confirmation.models import PendingOperation
from enlinea.ledger.services import chart_ensure
from enlinea.products.models import CreditCard
from enlinea.products.selectors.cards import credit_card_reference
from enlinea.products.services import card_purchase_record, credit_card_issue

pytestmark = pytest.mark.django_db


def _member(settings, username: str):
    member = enrolled_member(username)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member


@pytest.fixture
def socio(settings):
    chart_ensure()
    return _member(settings, "andreslopez")


@pytest.fixture
def card(socio) -> CreditCard:
    card = credit_card_issue(member=socio, credit_limit=500_000, idempotency_key="view-card")
    for key, amount in (("a", 6853), ("b", 80_000)):
        card_purchase_record(
            card=card,
            amount=amount,
            merchant="COMPRA",
            idempotency_key=f"view-{key}",
            occurred_at=timezone.now() - datetime.timedelta(minutes=5),
        )
    return card


def _client(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _url(card: CreditCard) -> str:
    return reverse("cards:defer", kwargs={"reference": credit_card_reference(card)})


def _small(card: CreditCard) -> int:
    return card.purchases.get(amount=6853).pk


def test_another_members_card_is_404_on_get_and_post(settings, card) -> None:
    other = _client(_member(settings, "mariaperez"))
    assert other.get(_url(card)).status_code == 404
    assert other.post(_url(card), {"consumos": [_small(card)], "plazo": 3}).status_code == 404
    assert other.get(reverse("cards:defer", kwargs={"reference": "0000-zz"})).status_code == 404


def test_the_page_shows_the_card_and_its_purchases_to_select(socio, card) -> None:
    response = _client(socio).get(_url(card))
    assert response.status_code == 200
    body = text(response)
    for words in ("Titular", "N.º Tarjeta", card.masked_number, "Tipo de tarjeta"):
        assert words in body
    assert "Consumos para diferir" in body
    assert "Total a diferir" in body
    assert "Seleccione una opción" in body
    assert "3 meses" in body
    assert "36 meses" in body
    assert f'for="consumo-{_small(card)}">Seleccionar<span class="visually-hidden"> COMPRA' in body


def test_simular_without_a_selection_or_a_term_says_so_at_each_field(socio, card) -> None:
    response = _client(socio).post(_url(card), {"accion": "simular"})
    assert response.status_code == 400
    body = text(response)
    assert "<title>Error: Diferir consumos" in body
    assert "Hay un problema" in body
    assert "Selecciona al menos un consumo para diferir." in body
    assert "Selecciona el plazo del diferido." in body
    assert "Simulación de diferido" not in body


def test_a_term_outside_the_policy_is_refused_at_the_field(socio, card) -> None:
    response = _client(socio).post(
        _url(card), {"accion": "simular", "consumos": [_small(card)], "plazo": "4"}
    )
    assert response.status_code == 400
    assert "Selecciona el plazo del diferido." in text(response)


def test_simular_then_continuar_then_the_code_defers_the_purchase(socio, card) -> None:
    client = _client(socio)
    data = {"accion": "simular", "consumos": [_small(card)], "plazo": "3"}
    body = text(client.post(_url(card), data))
    assert "Simulación de diferido" in body
    assert "$ 68.53" in body
    assert "$ 23.42" in body
    assert "$ 0.87" in body
    assert "$ 1.74" in body
    assert 'name="cuota" value="2342"' in body

    # Cerrar keeps what was ticked and the term.
    closed = text(client.post(_url(card), {**data, "accion": "cerrar"}))
    assert "Simulación de diferido" not in closed
    assert f'value="{_small(card)}" id="consumo-{_small(card)}" checked' in closed
    assert '<option value="3" selected>' in closed

    response = client.post(_url(card), {**data, "accion": "continuar", "cuota": "2342"})
    operation = PendingOperation.objects.get(member=socio, kind="card_deferral")
    assert response.status_code == 302
    assert response["Location"] == reverse("confirmation:code", kwargs={"token": operation.token})
    assert operation.content["purchases"] == [_small(card)]
    assert operation.content["installment"] == 2342

    done = client.post(response["Location"], {"code": last_code(socio)})
    assert done.status_code == 302
    result = text(client.get(done["Location"]))
    assert "Diferido de consumos exitoso" in result
    assert "Regresar" in result
    assert reverse("cards:credit_list") in result
    deferral = Deferral.objects.get(credit_card=card)
    assert (deferral.amount, deferral.months, deferral.installment) == (6853, 3, 2342)
    fresh = CreditCard.objects.get(pk=card.pk)
    assert fresh.deferred_balance == 6853
    assert fresh.current_balance == 80_000

    # The deferred purchase is no longer offered.
    assert f"consumo-{_small(card)}" not in text(client.get(_url(card)))


def test_continuar_with_a_stale_simulation_shows_the_new_one(socio, card) -> None:
    client = _client(socio)
    data = {"accion": "continuar", "consumos": [_small(card)], "plazo": "6", "cuota": "2342"}
    body = text(client.post(_url(card), data))
    assert "Cambiaste los consumos o el plazo después de simular" in body
    assert "Simulación de diferido" in body
    assert not PendingOperation.objects.filter(member=socio).exists()


def test_a_card_without_eligible_purchases_says_so(socio) -> None:
    card = credit_card_issue(member=socio, credit_limit=500_000, idempotency_key="empty-card")
    body = text(_client(socio).get(_url(card)))
    assert "Esta tarjeta no tiene consumos para diferir" in body
    assert "$ 20.00" in body
