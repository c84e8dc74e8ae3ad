"""Tarjeta de débito / Tarjeta de crédito: the card lists and a credit card's detail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enlinea.products.models import CardStatus
from enlinea.products.selectors.cards import (
    credit_card_for_member,
    credit_card_reference,
    credit_cards_for_member,
    debit_cards_for_member,
)
from enlinea.web.templatetags.formato import dinero

from .products_support import funded_account, give_credit_card, give_debit_card, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def socio(member):
    return member.member


@pytest.fixture
def account(socio):
    return funded_account(socio)


@pytest.fixture
def debit_card(account):
    return give_debit_card(account)


@pytest.fixture
def credit_card(socio):
    return give_credit_card(socio)


def test_selectors_are_owner_scoped(socio, other_member, debit_card, credit_card) -> None:
    assert [c.pk for c in debit_cards_for_member(member=socio)] == [debit_card.pk]
    assert [c.pk for c in credit_cards_for_member(member=socio)] == [credit_card.pk]
    assert list(debit_cards_for_member(member=other_member.member)) == []
    assert list(credit_cards_for_member(member=other_member.member)) == []
    reference = credit_card_reference(credit_card)
    assert credit_card_for_member(member=socio, reference=reference).pk == credit_card.pk
    with pytest.raises(Http404):
        credit_card_for_member(member=other_member.member, reference=reference)


def _detail(card) -> str:
    return reverse("position:credit_card_detail", args=[credit_card_reference(card)])


def test_credit_card_reference_is_neither_the_id_nor_the_number(socio, credit_card) -> None:
    reference = credit_card_reference(credit_card)
    last4, token = reference.split("-")
    assert last4 == credit_card.last4
    assert len(token) == 16
    assert token != str(credit_card.pk).zfill(16)
    assert int(token, 16) != credit_card.pk
    with override_settings(SECRET_KEY="another key for this test only, long enough to be a key"):
        assert (
            credit_card_reference(credit_card) != reference
        )  # keyed: not computable without the key
    assert credit_card.bin6 not in reference
    assert credit_card_reference(credit_card) == reference  # stable: links keep working
    second = give_credit_card(socio, 1)
    assert credit_card_reference(second).split("-")[1] != token  # not a counter


@pytest.mark.parametrize(
    "mangle",
    [
        lambda card, ref: str(card.pk),  # the old address by database id
        lambda card, ref: ref[:-1] + ("0" if ref[-1] != "0" else "1"),  # altered token
        lambda card, ref: ("0000" if card.last4 != "0000" else "1111") + ref[4:],  # other last4
        lambda card, ref: ref.upper(),
        lambda card, ref: ref + "0",
    ],
    ids=["database-id", "altered-token", "other-last4", "uppercase", "too-long"],
)
def test_a_wrong_or_forged_reference_is_404(client, member, credit_card, mangle) -> None:
    client.force_login(member)
    url = reverse(
        "position:credit_card_detail",
        args=[mangle(credit_card, credit_card_reference(credit_card))],
    )
    assert client.get(url).status_code == 404


def test_debit_card_list_shows_masked_number_type_holder_and_status(
    client, member, debit_card
) -> None:
    client.force_login(member)
    response = client.get(reverse("position:debit_cards"))
    assert response.status_code == 200
    body = response.content.decode()
    for column in ("N° Tarjeta", "Tipo de tarjeta", "Titular", "Estado"):
        assert f">{column}</th>" in body, column
    assert f'data-label="N° Tarjeta">{debit_card.masked_number}<' in body
    assert "**" in debit_card.masked_number
    assert f'data-label="Tipo de tarjeta">{debit_card.card_type}<' in body
    assert f'data-label="Titular">{debit_card.holder_name}<' in body
    assert 'data-label="Estado">ACTIVA<' in body


def test_a_card_the_member_locked_reads_bloqueo_temporal_in_mis_productos(
    client, member, debit_card, credit_card
) -> None:
    for card in (debit_card, credit_card):
        card.locked_by_member = True
        card.save(update_fields=["locked_by_member"])
    client.force_login(member)
    for name in ("position:debit_cards", "position:credit_cards"):
        body = client.get(reverse(name)).content.decode()
        assert 'data-label="Estado">BLOQUEO TEMPORAL<' in body, name
    debit_card.status = CardStatus.BLOCKED  # a lock of the staff's is said as it is
    debit_card.save(update_fields=["status"])
    assert debit_card.state_label == "BLOQUEADA"


def test_credit_card_list_has_ver_detalle_and_no_detail(client, member, credit_card) -> None:
    client.force_login(member)
    body = client.get(reverse("position:credit_cards")).content.decode()
    assert f'data-label="N° Tarjeta">{credit_card.masked_number}<' in body
    assert f'data-label="Titular">{credit_card.holder_name}<' in body
    assert _detail(credit_card) in body
    assert "Ver detalle" in body
    assert "Pago mínimo" not in body


def test_credit_card_detail_shows_the_statement_figures_from_the_ledger(
    client, member, credit_card
) -> None:
    client.force_login(member)
    response = client.get(_detail(credit_card))
    assert response.status_code == 200
    body = response.content.decode()
    credit_card.ledger_account.refresh_from_db()
    debt = -credit_card.ledger_account.balance
    assert debt == 12_345 + 12_346
    deferred = 12_345  # the 3-installment purchase, nothing billed yet
    expected = {
        "Pago mínimo": dinero(0),
        "Deuda total": dinero(debt),
        "Fecha máx. de pago": "Aún sin corte",
        "Saldo diferido": dinero(deferred),
        "Saldo corriente": dinero(debt - deferred),
        "Cupo disponible": dinero(300_000 - debt),
        "Cupo autorizado": dinero(300_000),
    }
    for label, value in expected.items():
        row = body.split(f"<dt>{label}</dt>")[1].split("</dd>")[0]
        assert value in row, (label, row)
    assert "Ocultar detalle" in body
    assert f'href="{reverse("position:credit_cards")}"' in body
    purchases = body.split("<h3>Últimos consumos</h3>")[1]
    assert "SUPERMAXI 0" in purchases
    assert "SUPERMAXI 1" in purchases
    assert purchases.index("SUPERMAXI 0") < purchases.index("SUPERMAXI 1")  # newest first
    assert "Diferido a 3 cuotas" in purchases
    assert dinero(12_346) in purchases


def test_another_members_credit_card_is_not_found(client, other_member, credit_card) -> None:
    client.force_login(other_member)
    url = _detail(credit_card)
    assert client.get(url).status_code == 404


def test_card_pages_need_login_and_are_get_only(client, member, credit_card) -> None:
    urls = [
        reverse("position:debit_cards"),
        reverse("position:credit_cards"),
        _detail(credit_card),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(member)
    for url in urls:
        assert client.post(url).status_code == 405


def test_card_lists_without_cards_say_so(client, member) -> None:
    client.force_login(member)
    assert (
        "No tienes tarjetas de débito."
        in client.get(reverse("position:debit_cards")).content.decode()
    )
    assert (
        "No tienes tarjetas de crédito."
        in client.get(reverse("position:credit_cards")).content.decode()
    )


@pytest.mark.parametrize("name", ["position:debit_cards", "position:credit_cards"])
def test_card_list_query_count_does_not_grow(client, member, socio, account, name) -> None:
    client.force_login(member)
    give_debit_card(account, 0)
    give_credit_card(socio, 0, purchases=1)
    url = reverse(name)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 4):
        give_debit_card(account, n)
        give_credit_card(socio, n, purchases=3)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count('data-label="N° Tarjeta"') == 4
    assert len(page_queries(many)) == len(page_queries(one))


def test_credit_card_detail_query_count_does_not_grow_with_purchases(client, member, socio) -> None:
    client.force_login(member)
    few = give_credit_card(socio, 0, purchases=1)
    lots = give_credit_card(socio, 1, purchases=12)
    client.get(_detail(few))
    with CaptureQueriesContext(connection) as one:
        client.get(_detail(few))
    with CaptureQueriesContext(connection) as many:
        body = client.get(_detail(lots)).content.decode()
    assert body.split("<h3>Últimos consumos</h3>")[1].count('data-label="Establecimiento"') == 10
    assert len(page_queries(many)) == len(page_queries(one))
