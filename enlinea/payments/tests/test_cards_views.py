"""Pago de tarjetas' pages through the Django client: Agregar nueva tarjeta to the saved
card (the number never kept, not even in the pending operation), the payment through
Confirmar pago, the code and "¡Pago exitoso!", the Historial's "Pagar", and every URL
with a card id a 404 for another member."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from enlinea.access.tests.profile_support import (
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
)
from enlinea.beneficiaries import destinations
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.confirmation.models import PendingOperation
from enlinea.institutions.models import Institution
from enlinea.ledger.services import chart_ensure
from enlinea.products.models import CreditCard
from enlinea.products.selectors.cards import credit_card_reference
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt, ReceiptKind

from .test_cards import DEBT, _credit_card, _saved_card, card_number

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&nbsp;", " ").strip()


@pytest.fixture
def member(db):
    chart_ensure()
    return enrolled_member("andreslopez")


@pytest.fixture
def intruder(db):
    chart_ensure()
    return enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez Guaman")


@pytest.fixture
def account(member):
    savings = account_open(member=member, idempotency_key="cv-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="cv-fund")
    return savings


@pytest.fixture
def diners(db) -> Institution:
    return Institution.objects.get(name="BANCO DINERS CLUB DEL ECUADOR S.A.")


def _code(client, member, response) -> str:
    """From a form's redirect: the Confirmar page's text, then the code, the result's."""
    assert response.status_code == 302, text(response)
    operation = latest_operation(member)
    confirm = text(client.get(response["Location"]))
    sent = client.post(response["Location"])
    assert sent["Location"] == code_url(operation)
    done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    return confirm + " ||| " + text(client.get(done["Location"]))


def test_agregar_nueva_tarjeta_saves_the_card_without_its_number(member, diners) -> None:
    client = logged_in(member)
    number = card_number()
    bad = client.post(
        reverse("payments:card_new"),
        {
            "institution": diners.pk,
            "card_number": number[:-1] + "0" if number[-1] != "0" else number[:-1] + "1",
        },
    )
    assert bad.status_code == 400
    assert destinations.MSG_CARD_CHECK in text(bad)
    response = client.post(
        reverse("payments:card_new"),
        {
            "institution": diners.pk,
            "card_number": number,
            "name": "Yajaira Ibarra",
            "identification_type": "CEDULA",
            "identification": "1710034065",
            "email": "",
            "alias": "Yadi",
        },
    )
    pending = PendingOperation.objects.get(member=member)
    assert number not in str(pending.content)
    assert number[:12] not in str(pending.content)
    pages = _code(client, member, response)
    assert f"terminada en {number[-4:]}" in pages
    assert "Tarjeta registrada" in pages
    saved = Beneficiary.objects.get(member=member, kind=BeneficiaryKind.CARD)
    assert (saved.card_last4, saved.alias, saved.institution) == (number[-4:], "Yadi", diners)
    # Pago de tarjetas shows its tile; Administración de beneficiarios, Pago Tarjetas
    # its Pagar, Editar and Eliminar.
    tiles = text(client.get(reverse("payments:card_list")))
    assert f"XXXXXXXXXXXX{number[-4:]}" in tiles
    assert "Yadi" in tiles
    listing = client.get(reverse("beneficiaries:list"), {"tipo": "card"}).content.decode()
    for url in (
        reverse("payments:card_pay", kwargs={"beneficiary_id": saved.pk}),
        reverse("beneficiaries:edit", kwargs={"beneficiary_id": saved.pk}),
        reverse("beneficiaries:delete", kwargs={"beneficiary_id": saved.pk}),
    ):
        assert url in listing
    again = client.post(
        reverse("payments:card_new"),
        {
            "institution": diners.pk,
            "card_number": number,
            "name": "Yajaira Ibarra",
            "identification_type": "CEDULA",
            "identification": "1710034065",
        },
    )
    assert again.status_code == 400
    assert "Ya tienes registrada esta tarjeta." in text(again)


def test_paying_an_own_card_walks_to_pago_exitoso_and_shows_in_the_historial(
    member, account
) -> None:
    card = _credit_card(member, "view")
    client = logged_in(member)
    url = reverse("payments:own_card_pay", kwargs={"reference": credit_card_reference(card)})
    page = text(client.get(url))
    assert "$ 1,000.00" in page  # the source's available balance
    assert "Ingresar el monto a pagar" in page
    response = client.post(url, {"source": account.number, "amount": "45.50", "motive": "Junio"})
    confirm, result = _code(client, member, response).split(" ||| ")
    for words in (
        "Confirmar pago",
        "Monto a pagar $ 45.50",
        "Total a debitar $ 45.50",
        "Tu transferencia se acreditará inmediatamente",
    ):
        assert words in confirm
    receipt = Receipt.objects.get(member=member, kind=ReceiptKind.CARD_PAYMENT)
    for words in (
        "¡Pago exitoso!",
        f"Comprobante N.º {receipt.number}",
        "Valor pagado $ 45.50",
        "Total debitado $ 45.50",
        "Junio",
        f"XXXXXXXXXXXX{card.last4}",
        "Realizar otro pago",
        "Imprimir",
    ):
        assert words in result, words
    assert CreditCard.objects.get(pk=card.pk).total_debt == DEBT - 4_550
    history = client.get(reverse("transfers:history")).content.decode()
    assert "Pago de tarjeta" in history
    assert f'href="{url}">Pagar' in history


def test_an_amount_above_the_debt_is_refused_at_the_field(member, account) -> None:
    card = _credit_card(member, "over")
    client = logged_in(member)
    url = reverse("payments:own_card_pay", kwargs={"reference": credit_card_reference(card)})
    response = client.post(url, {"source": account.number, "amount": "300.01"})
    assert response.status_code == 400
    assert "supera la deuda total" in text(response)
    assert not PendingOperation.objects.filter(member=member).exists()


def _urls(member, diners) -> list[str]:
    saved = _saved_card(member, diners, card_number())
    own = _credit_card(member, "own-404")
    return [
        reverse("payments:card_pay", kwargs={"beneficiary_id": saved.pk}),
        reverse("payments:own_card_pay", kwargs={"reference": credit_card_reference(own)}),
        reverse("beneficiaries:edit", kwargs={"beneficiary_id": saved.pk}),
        reverse("beneficiaries:delete", kwargs={"beneficiary_id": saved.pk}),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_card_url_is_a_404_for_another_member(member, intruder, diners, method) -> None:
    client = logged_in(intruder)
    for url in _urls(member, diners):
        assert getattr(client, method)(url).status_code == 404, url


def test_a_saved_card_is_edited_and_deleted_through_the_beneficiary_flows(member, diners) -> None:
    saved = _saved_card(member, diners, card_number(), alias="Vieja")
    client = logged_in(member)
    edit = reverse("beneficiaries:edit", kwargs={"beneficiary_id": saved.pk})
    page = text(client.get(edit))
    assert f"**** {saved.card_last4}" in page
    pages = _code(client, member, client.post(edit, {"alias": "Nueva", "email": ""}))
    assert "Datos guardados" in pages
    saved.refresh_from_db()
    assert saved.alias == "Nueva"
    delete = reverse("beneficiaries:delete", kwargs={"beneficiary_id": saved.pk})
    response = client.post(delete)
    operation = latest_operation(member)
    assert response["Location"] == code_url(operation)
    done = client.post(code_url(operation), {"code": last_code(member)})
    assert done.status_code == 302
    saved.refresh_from_db()
    assert saved.deleted_at is not None
    tiles = text(client.get(reverse("payments:card_list")))
    assert saved.card_last4 not in tiles


def test_the_member_is_told_of_the_payment_by_email(member, account) -> None:
    from enlinea.notifications.models import Channel, Message

    card = _credit_card(member, "notice")
    client = logged_in(member)
    url = reverse("payments:own_card_pay", kwargs={"reference": credit_card_reference(card)})
    _code(client, member, client.post(url, {"source": account.number, "amount": "10"}))
    notice = Message.objects.get(
        channel=Channel.EMAIL, recipient=member.email, kind="pago_tarjeta_realizado"
    )
    assert f"terminada en {card.last4}" in notice.subject
    assert "Valor pagado: $ 10.00" in notice.body
