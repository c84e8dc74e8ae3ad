"""Comprobante pages and PDFs: who sees a receipt, from which side, what it shows; the
movement rows' Referencia and "Descargar"; commission and IVA as their own movements."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from conftest import enrolled_member_user
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import Posting
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.position.tests.products_support import page_queries
from enlinea.products.selectors.accounts import account_movements
from enlinea.products.services import cash_deposit
from enlinea.receipts.models import Receipt, ReceiptKind
from enlinea.transfers.services import interbank_transfer_record, transfer_record

from .support import ROSA, interbank_receipt, logged, savings

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def transfer(member, other_member):
    source = savings(member.member)
    destination = savings(other_member.member, amount=0)
    receipt = transfer_record(
        source=source,
        kind="internal",
        destination=destination,
        amount=600,
        motive="Cena",
        idempotency_key="t-1",
    )
    return source, destination, receipt


def test_the_sender_sees_a_debit_note_with_both_sides_masked(member, transfer) -> None:
    source, destination, receipt = transfer
    body = logged(member).get(reverse("receipts:detail", args=[receipt.number])).content.decode()
    assert "Comprobante NOTA DE DEBITO" in body
    assert f"<dd data-receipt-number>{receipt.number}</dd>" in body
    assert "Transferencia interna" in body
    assert "Valor transferido" in body
    assert "$ 6.00" in body
    assert "Cena" in body
    assert "Banca Web" in body
    assert f"CUENTA DE AHORROS *****{source.number[-4:]}" in body
    assert f"*****{destination.number[-4:]}" in body
    assert destination.number not in body
    assert source.number in body
    assert destination.member.identification not in body
    assert "Imprimir" in body
    assert "receipts/print.js" in body
    assert "Descargar PDF" in body


def test_the_receiver_sees_it_as_a_credit_note(other_member, transfer) -> None:
    _, destination, receipt = transfer
    client = logged(other_member)
    body = client.get(reverse("receipts:detail", args=[receipt.number])).content.decode()
    assert "Comprobante NOTA DE CREDITO" in body
    assert reverse("position:account_movements", args=[destination.number]) in body
    posting = Posting.objects.get(account_id=destination.ledger_account_id, amount=600)
    url = reverse("position:movement_receipt", args=[destination.number, posting.pk])
    assert "Comprobante NOTA DE CREDITO" in client.get(url).content.decode()


def test_anyone_else_gets_404(transfer) -> None:
    stranger = enrolled_member_user(
        username="tercero",
        first_names="Luis",
        last_names="Tercero Paz",
        email="luis.tercero@example.com",
        mobile_phone="0981112233",
        image="delfin",
    )
    savings(stranger.member)
    source, _, receipt = transfer
    client = logged(stranger)
    assert client.get(reverse("receipts:detail", args=[receipt.number])).status_code == 404
    assert client.get(reverse("receipts:pdf", args=[receipt.number])).status_code == 404
    assert client.get(reverse("receipts:detail", args=[receipt.number + 999])).status_code == 404
    posting = Posting.objects.filter(account_id=source.ledger_account_id).first()
    url = reverse("position:movement_receipt", args=[source.number, posting.pk])
    assert client.get(url).status_code == 404


def test_a_posting_of_another_account_is_404_even_for_its_owner(member) -> None:
    first = savings(member.member)
    second = savings(member.member, n=1)
    posting = Posting.objects.filter(account_id=second.ledger_account_id).first()
    url = reverse("position:movement_receipt", args=[first.number, posting.pk])
    assert logged(member).get(url).status_code == 404


def test_the_pdf_reads_back_with_the_number_and_amounts(member, transfer) -> None:
    _, _, receipt = transfer
    response = logged(member).get(reverse("receipts:pdf", args=[receipt.number]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = _pdf_text(response)
    assert "Comprobante NOTA DE DEBITO" in text
    assert "Comprobante N.º" in text
    assert str(receipt.number) in text
    assert "$ 6.00" in text
    assert "Cena" in text
    assert "Beneficiario" in text


def test_commission_and_iva_are_their_own_movements_and_on_the_receipt(member) -> None:
    account = savings(member.member)
    receipt = interbank_receipt(account)
    now = timezone.now()
    rows, _ = account_movements(
        account=account, since=now - dt.timedelta(days=1), until=now + dt.timedelta(days=1)
    )
    fee_rows = [(m.concept, m.amount, m.reference) for m in rows[:3]]
    assert fee_rows == [
        ("IVA TRANSFERENCIA INTERBANCARIA", -5, str(receipt.number)),
        ("COMISIÓN TRANSFERENCIA INTERBANCARIA", -36, str(receipt.number)),
        ("ND TRANSFERENCIA INTERBANCARIA BANCO PICHINCHA C.A.", -1_500, str(receipt.number)),
    ]
    assert all(m.receipt_number == receipt.number for m in rows[:3])

    client = logged(member)
    body = client.get(reverse("receipts:detail", args=[receipt.number])).content.decode()
    for text in ("$ 15.00", "$ 0.36", "$ 0.05", "Total debitado", "$ 15.41"):
        assert text in body
    assert "AHORROS *****9993" in body
    assert "******5678" in body
    assert "BANCO PICHINCHA" in body
    text = _pdf_text(client.get(reverse("receipts:pdf", args=[receipt.number])))
    for needle in ("$ 15.00", "$ 0.36", "$ 0.05", "$ 15.41", "BANCO PICHINCHA C.A."):
        assert needle in text

    # Each of the three movements opens the same comprobante.
    for posting in Posting.objects.filter(
        entry__receipt_link__receipt=receipt, account_id=account.ledger_account_id
    ):
        url = reverse("position:movement_receipt", args=[account.number, posting.pk])
        page = client.get(url).content.decode()
        assert f"<dd data-receipt-number>{receipt.number}</dd>" in page
        assert "Comprobante NOTA DE DEBITO" in page


def test_a_movement_without_receipt_still_opens_a_comprobante(member) -> None:
    account = savings(member.member)
    entry = entry_record(
        idempotency_key="interes-1",
        kind="interest",
        lines=[
            Line(coop_account(LedgerKind.INTEREST_EXPENSE).pk, -123),
            Line(account.ledger_account_id, 123),
        ],
        description="Interés ganado",
    )
    posting = Posting.objects.get(entry=entry, account_id=account.ledger_account_id)
    client = logged(member)
    url = reverse("position:movement_receipt", args=[account.number, posting.pk])
    body = client.get(url).content.decode()
    assert "Comprobante NOTA DE CREDITO" in body
    assert f"<dd>{entry.pk}</dd>" in body  # Referencia: the entry
    assert "Intereses ganados" in body
    assert "Sistema" in body
    assert "$ 1.23" in body
    text = _pdf_text(client.get(url + "?formato=pdf"))
    assert "Referencia" in text
    assert "$ 1.23" in text


def test_rows_link_their_comprobante_with_constant_queries(member) -> None:
    account = savings(member.member)
    client = logged(member)
    url = reverse("position:account_movements", args=[account.number])
    client.get(url)  # warm the session and caches

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(page_queries(captured))

    few = count()
    for i in range(12):
        cash_deposit(account=account, amount=100 + i, idempotency_key=f"mas-{i}")
    assert count() == few
    body = client.get(url).content.decode()
    receipt = Receipt.objects.get(idempotency_key="mas-11")
    posting = Posting.objects.get(
        entry__receipt_link__receipt=receipt, account_id=account.ledger_account_id
    )
    link = reverse("position:movement_receipt", args=[account.number, posting.pk])
    assert (
        f'<a href="{link}">Descargar<span class="visually-hidden"> comprobante '
        f"{receipt.number}</span></a>"
    ) in body
    assert f'<td data-label="Referencia">{receipt.number}</td>' in body


def test_an_interbank_comprobante_says_in_process_then_returned(member, settings) -> None:
    import dataclasses

    from enlinea.transfers.clearing import clearing_cycle

    settings.SPI_SIMULATOR_CYCLE_SECONDS = 120
    settings.INTERBANK_NETWORK = "enlinea.transfers.simulator.SpiSimulator"
    account = savings(member.member)
    receipt = interbank_transfer_record(
        source=account,
        amount=1_500,
        beneficiary=dataclasses.replace(ROSA, account_number="2203340000"),  # ends in 0000
        motive="Arriendo",
        idempotency_key="ib-returned",
    )
    client = logged(member)
    url = reverse("receipts:detail", args=[receipt.number])
    body = client.get(url).content.decode()
    assert "<dt>Estado</dt><dd data-receipt-status>En proceso</dd>" in body

    now = timezone.now()
    clearing_cycle(now=now)
    clearing_cycle(now=now + dt.timedelta(seconds=120))
    body = client.get(url).content.decode()
    assert "Devuelta: CUENTA INEXISTENTE" in body
    returned = Receipt.objects.get(kind=ReceiptKind.TRANSFER_RETURNED, member=member.member)
    assert f"comprobante N.º {returned.number}" in body
    assert "Devuelta: CUENTA INEXISTENTE" in _pdf_text(
        client.get(reverse("receipts:pdf", args=[receipt.number]))
    )
    back = client.get(reverse("receipts:detail", args=[returned.number])).content.decode()
    assert "NOTA DE CREDITO" in back
    assert "Devolución de transferencia interbancaria" in back
