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
            "guardar_beneficiario": "on",
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
            "guardar_beneficiario": "on",
        },
    )
    assert again.status_code == 400
    assert "Ya tienes registrada esta tarjeta." in text(again)


def _new_card(institution: Institution, number: str, **fields: str) -> dict[str, object]:
    """ "Registrar tarjeta" as the member fills it."""
    return {
        "institution": institution.pk,
        "card_number": number,
        "name": "Yajaira Ibarra",
        "identification_type": "CEDULA",
        "identification": "1710034065",
        "email": "",
        **fields,
    }


def test_a_new_card_is_paid_without_saving_it_with_one_code(member, account, diners) -> None:
    from enlinea.transfers.models import InterbankTransfer

    client = logged_in(member)
    number = card_number("4521")
    page = text(client.get(reverse("payments:card_new")))
    for words in ("Guardar beneficiario", "Alias (Opcional)", "Cuenta de origen", "Validar"):
        assert words in page
    response = client.post(
        reverse("payments:card_new"),
        _new_card(diners, number, source=account.number, amount="25", motive="Compras"),
    )
    pending = PendingOperation.objects.get(member=member)
    assert pending.kind == "card_payment"
    assert number not in str(pending.content)
    assert number[:12] not in str(pending.content)
    confirm, result = _code(client, member, response).split(" ||| ")
    for words in (
        "Confirmar pago",
        "Monto a pagar $ 25.00",
        "YAJAIRA IBARRA - BANCO DINERS CLUB DEL ECUADOR S.A. - XXXXXXXXXXXX4521",
        "Guardar beneficiario No",
        "próximo ciclo de la red interbancaria",
    ):
        assert words in confirm, words
    receipt = Receipt.objects.get(member=member, kind=ReceiptKind.CARD_PAYMENT)
    assert f"Comprobante N.º {receipt.number}" in result
    assert "está entre tus tarjetas" not in result
    assert receipt.counterpart_account == "XXXXXXXXXXXX4521"
    # The clearing gets what a saved card sends: the masked number, never the digits.
    order = InterbankTransfer.objects.get(receipt=receipt)
    assert (order.beneficiary_account, order.institution) == ("XXXXXXXXXXXX4521", diners.name)
    assert not Beneficiary.objects.filter(member=member).exists()
    assert "XXXXXXXXXXXX4521" not in text(client.get(reverse("payments:card_list")))


def test_a_new_card_is_paid_and_saved_with_one_code(member, account, diners) -> None:
    client = logged_in(member)
    number = card_number("6488")
    response = client.post(
        reverse("payments:card_new"),
        _new_card(
            diners,
            number,
            guardar_beneficiario="on",
            alias="Yadi",
            source=account.number,
            amount="10.50",
        ),
    )
    assert PendingOperation.objects.filter(member=member).count() == 1
    confirm, result = _code(client, member, response).split(" ||| ")
    assert "Guardar beneficiario Sí" in confirm
    assert "Alias Yadi" in confirm
    assert "Yadi está entre tus tarjetas para los próximos pagos." in result
    saved = Beneficiary.objects.get(member=member, kind=BeneficiaryKind.CARD)
    assert (saved.card_last4, saved.alias) == ("6488", "Yadi")
    assert saved.card_digest == destinations.card_digest(number)
    assert Receipt.objects.get(member=member, kind=ReceiptKind.CARD_PAYMENT).amount == 1_050
    # The Historial's "Pagar" now leads to the saved card.
    history = client.get(reverse("transfers:history")).content.decode()
    pay = reverse("payments:card_pay", kwargs={"beneficiary_id": saved.pk})
    assert f'href="{pay}">Pagar' in history


def test_a_new_card_already_saved_is_paid_and_not_saved_twice(member, account, diners) -> None:
    number = card_number("9830")
    first = _saved_card(member, diners, number, identification="1710034065", alias="Nicole")
    client = logged_in(member)
    form = _new_card(diners, number, guardar_beneficiario="on", source=account.number)
    page = client.post(reverse("payments:card_new"), {**form, "amount": "abc"})
    assert "Esta tarjeta ya está entre tus tarjetas como «Nicole»" in text(page)
    pages = _code(
        client, member, client.post(reverse("payments:card_new"), {**form, "amount": "5"})
    )
    assert "Nicole está entre tus tarjetas" in pages
    assert list(Beneficiary.objects.filter(member=member)) == [first]
    assert Receipt.objects.filter(member=member, kind=ReceiptKind.CARD_PAYMENT).count() == 1


def test_a_refused_save_moves_no_money(member, account, diners, monkeypatch) -> None:
    """Payment and save are one: a save refused when the code is right (here the
    beneficiaries' service refusing) leaves the payment undone."""
    from django.core.exceptions import ValidationError

    from enlinea.ledger.models import LedgerAccount
    from enlinea.payments import confirmations_cards

    def refused(**kwargs):
        raise ValidationError("No pudimos guardar la tarjeta.")

    client = logged_in(member)
    response = client.post(
        reverse("payments:card_new"),
        _new_card(
            diners,
            card_number("4521"),
            guardar_beneficiario="on",
            source=account.number,
            amount="25",
        ),
    )
    monkeypatch.setattr(confirmations_cards, "beneficiary_ensure", refused)
    operation = latest_operation(member)
    client.post(response["Location"])
    client.post(code_url(operation), {"code": last_code(member)})
    operation.refresh_from_db()
    assert operation.status == "failed"
    assert operation.failure_message == "No pudimos guardar la tarjeta."
    assert not Receipt.objects.filter(member=member, kind=ReceiptKind.CARD_PAYMENT).exists()
    assert not Beneficiary.objects.filter(member=member).exists()
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).balance == 100_000


def test_a_new_card_of_this_cooperative_is_paid_at_once(member, account, intruder) -> None:
    """A card of this cooperative typed on the spot pays that member's credit card (found
    by its last four digits and the holder's identification), without saving it."""
    card = _credit_card(intruder, "typed")
    home = Institution.objects.get(is_home=True)
    response = logged_in(member).post(
        reverse("payments:card_new"),
        {
            **_new_card(home, "0", source=account.number, amount="20"),
            "identification": intruder.identification,
            "name": intruder.full_name,
        },
    )
    assert response.status_code == 400  # "0" is no card number
    number = card_number(card.last4)
    client = logged_in(member)
    response = client.post(
        reverse("payments:card_new"),
        {
            **_new_card(home, number, source=account.number, amount="20"),
            "identification": intruder.identification,
            "name": intruder.full_name,
        },
    )
    pages = _code(client, member, response)
    assert "Tu transferencia se acreditará inmediatamente" in pages
    assert CreditCard.objects.get(pk=card.pk).total_debt == DEBT - 2_000
    assert not Beneficiary.objects.filter(member=member).exists()


def test_neither_an_amount_nor_guardar_beneficiario_is_refused_at_the_fields(
    member, account, diners
) -> None:
    client = logged_in(member)
    response = client.post(
        reverse("payments:card_new"), _new_card(diners, card_number(), source=account.number)
    )
    assert response.status_code == 400
    page = text(response)
    assert page.startswith("Error: ")
    assert "Hay un problema" in page
    assert (
        "Ingresa el monto a pagar, o marca «Guardar beneficiario» para solo registrar la "
        "tarjeta." in page
    )
    alias = client.post(
        reverse("payments:card_new"),
        _new_card(diners, card_number(), alias="Yadi", source=account.number, amount="5"),
    )
    assert alias.status_code == 400
    assert "marca «Guardar beneficiario» o deja el alias vacío" in text(alias)
    assert not PendingOperation.objects.filter(member=member).exists()


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
