"""Pago de tarjetas in a real Chromium: Agregar nueva tarjeta (another institution's card)
saved only → Pagar it (through the interbank clearing), then one of the member's own
credit cards of this cooperative from its tile (its debt drops at once); and payments to
another institution's cards (a saved one, and one typed in Agregar nueva tarjeta and
paid without saving it) through the clearing job's cycles: one settles, one is returned
with its fees. Every code is read from the e-mail really sent to the local SMTP server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from enlinea.access.tests.profile_support import PASSWORD
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.institutions.models import Institution
from enlinea.ledger.models import LedgerAccount
from enlinea.payments.tests.test_cards import DEBT, _credit_card, _saved_card, card_number
from enlinea.products.models import CreditCard
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt, ReceiptKind
from enlinea.tariff.models import Fee
from enlinea.transfers.models import InterbankTransfer, TransferStatus
from tests.browser.test_beneficiaries import confirm_and_validate, open_option
from tests.support.browser import DESKTOP, assert_accessible
from tests.support.members import online_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


def balance(account) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio():
    return online_member(USERNAME)


def test_agregar_nueva_tarjeta_then_pay_it_and_an_own_card(
    open_page, login, smtp_server, socio
) -> None:
    savings = account_open(member=socio, idempotency_key="bc-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bc-fund")
    own = _credit_card(socio, "browser")
    number = card_number("6488")
    page, _ = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    main = page.get_by_role("main")
    email = socio.email

    # Agregar nueva tarjeta: a mistyped number first, refused at the field.
    open_option(page, "pago-tarjetas", "Agregar nueva tarjeta")
    expect(page.get_by_role("heading", level=1, name="Registrar tarjeta")).to_be_visible()
    page.get_by_label("Entidad financiera").select_option(
        label="BANCO DINERS CLUB DEL ECUADOR S.A."
    )
    page.get_by_label("Número de tarjeta").fill(
        number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    )
    page.get_by_label("Nombre del beneficiario").fill("Yajaira Ibarra")
    page.get_by_role("radio", name="Cédula").check()
    page.get_by_label("Identificación del beneficiario").fill("1710034065")
    # «Guardar beneficiario» with no amount: only save the card (pay it later).
    page.get_by_label("Guardar beneficiario").check()
    page.get_by_label("Alias (Opcional)").fill("Yadi")
    page.get_by_role("button", name="Validar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("El número de tarjeta no es válido")
    assert_accessible(page)
    expect(page.get_by_label("Guardar beneficiario")).to_be_checked()
    page.get_by_label("Número de tarjeta").fill(number)
    page.get_by_role("button", name="Validar").click()
    expect(main).to_contain_text("terminada en 6488")
    confirm_and_validate(page, smtp_server, email, "Registrar beneficiario")
    expect(page.get_by_role("heading", level=1, name="Tarjeta registrada")).to_be_visible()
    saved = Beneficiary.objects.get(member=socio, kind=BeneficiaryKind.CARD)
    assert saved.card_last4 == "6488"

    # Pagar it: another institution's card goes through the SPI clearing.
    page.get_by_role("link", name="Pagar esta tarjeta").click()
    expect(main).to_contain_text("XXXXXXXXXXXX6488")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Ingresar el monto a pagar").fill("25")
    page.get_by_label("Motivo (Opcional)").fill("Compras")
    assert_accessible(page)
    page.get_by_role("button", name="Pagar").click()
    expect(main).to_contain_text("Total a debitar")
    confirm_and_validate(page, smtp_server, email, "Pago de tarjetas")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    receipt = Receipt.objects.get(member=socio, kind=ReceiptKind.CARD_PAYMENT)
    expect(main).to_contain_text(f"Comprobante N.º {receipt.number}")
    expect(main).to_contain_text("BANCO DINERS CLUB DEL ECUADOR S.A.")
    expect(main).to_contain_text("En proceso")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimir").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert InterbankTransfer.objects.get(member=socio).status == TransferStatus.PENDING
    assert balance(savings) == 100_000 - 2_500

    # Realizar otro pago: the own credit card from its tile; its debt drops at once.
    page.get_by_role("link", name="Realizar otro pago").click()
    expect(page.get_by_role("heading", level=1, name="Pago de tarjetas")).to_be_visible()
    page.get_by_label("Buscar tarjeta (Opcional)").fill(own.last4)
    page.get_by_role("button", name="Buscar").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"XXXXXXXXXXXX{own.last4}")).click()
    expect(main).to_contain_text("Deuda total")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Ingresar el monto a pagar").fill("100.00")
    page.get_by_role("button", name="Pagar").click()
    expect(main).to_contain_text("Tu transferencia se acreditará inmediatamente")
    confirm_and_validate(page, smtp_server, email, "Pago de tarjetas")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    expect(main).to_contain_text("Valor pagado")
    assert CreditCard.objects.get(pk=own.pk).total_debt == DEBT - 10_000
    assert balance(savings) == 100_000 - 2_500 - 10_000

    # Historial: both payments, each with "Pagar".
    open_option(page, "transferencias", "Historial")
    expect(main).to_contain_text("Pago de tarjeta")
    expect(page.get_by_role("link", name=re.compile(r"^Pagar a "))).to_have_count(2)
    assert_accessible(page)


def detail(page, label: str):
    """The value beside ``label`` in a page's summary list (Confirmar, the result)."""
    return page.locator(".summary-row", has=page.get_by_text(label, exact=True)).locator("dd")


def test_card_payments_to_another_institution_one_settled_and_one_returned_with_its_fees(
    open_page, login, smtp_server, socio
) -> None:
    """A saved card of another institution (the simulator settles it) and a card ending
    0000 typed in Agregar nueva tarjeta and paid without saving it (the network returns
    it: CUENTA INEXISTENTE), through the pages; the clearing job's cycles; then what the
    member reads: Acreditada and Devuelta on the comprobantes, and in Consulta de
    movimientos the amount, the COMISIÓN and the IVA credited back."""
    from django.utils import timezone

    from enlinea.transfers.clearing import clearing_cycle

    # The institution's tariff charges $ 1.00 + 15 % IVA for a card payment.
    Fee.objects.update_or_create(
        operation="card_payment", biller=None, defaults={"commission": 100, "iva_rate_bp": 1500}
    )
    savings = account_open(member=socio, idempotency_key="bc-spi-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bc-spi-fund")
    diners = Institution.objects.get(name="BANCO DINERS CLUB DEL ECUADOR S.A.")
    _saved_card(socio, diners, card_number("6488"), alias="Yadi")
    page, outside = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    email = socio.email
    main = page.get_by_role("main")

    # The saved card, from its tile.
    open_option(page, "pago-tarjetas", "Pago de tarjetas")
    page.get_by_role("link", name=re.compile("XXXXXXXXXXXX6488")).click()
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Ingresar el monto a pagar").fill("10")
    page.get_by_label("Motivo (Opcional)").fill("Compras")
    page.get_by_role("button", name="Pagar").click()
    expect(detail(page, "Total a debitar")).to_have_text("$ 11.15")
    confirm_and_validate(page, smtp_server, email, "Pago de tarjetas")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    expect(main).to_contain_text("En proceso")

    # A new card ending 0000, paid without saving it: one code.
    open_option(page, "pago-tarjetas", "Agregar nueva tarjeta")
    page.get_by_label("Entidad financiera").select_option(label="BANCO PICHINCHA")
    page.get_by_role("radio", name="Cédula").check()
    page.get_by_label("Número de tarjeta").fill(card_number("0000"))
    page.get_by_label("Identificación del beneficiario").fill("1710034065")
    page.get_by_label("Nombre del beneficiario").fill("Luis Toapanta")
    expect(page.get_by_label("Guardar beneficiario")).not_to_be_checked()
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Ingresar el monto a pagar").fill("20")
    page.get_by_label("Motivo (Opcional)").fill("Cuota")
    assert_accessible(page)
    page.get_by_role("button", name="Validar").click()
    expect(detail(page, "Tarjeta")).to_have_text(
        "LUIS TOAPANTA - BANCO PICHINCHA - XXXXXXXXXXXX0000"
    )
    expect(detail(page, "Guardar beneficiario")).to_have_text("No")
    expect(detail(page, "Total a debitar")).to_have_text("$ 21.15")
    confirm_and_validate(page, smtp_server, email, "Pago de tarjetas")
    expect(page.get_by_role("heading", level=1, name="¡Pago exitoso!")).to_be_visible()
    expect(main).to_contain_text("En proceso")
    assert_accessible(page)
    assert balance(savings) == 100_000 - 1_115 - 2_115
    assert not Beneficiary.objects.filter(member=socio, card_last4="0000").exists()

    settled = Receipt.objects.get(member=socio, kind=ReceiptKind.CARD_PAYMENT, amount=1_000)
    returned = Receipt.objects.get(member=socio, kind=ReceiptKind.CARD_PAYMENT, amount=2_000)

    # The clearing job, as the periodic task runs it: a cycle sends, the next one (after
    # the simulator's cycle) applies the outcomes.
    now = timezone.now()
    clearing_cycle(now=now)
    clearing_cycle(now=now + dt.timedelta(seconds=130))
    states = dict(InterbankTransfer.objects.filter(member=socio).values_list("amount", "status"))
    assert states == {1_000: TransferStatus.SETTLED, 2_000: TransferStatus.RETURNED}

    # Historial → each comprobante says where its payment is.
    open_option(page, "transferencias", "Historial")
    page.get_by_role("link", name=f"Comprobante N.º {settled.number}").click()
    expect(page.locator("[data-receipt-status]")).to_have_text(
        "Acreditada en la institución de destino"
    )
    expect(main).to_contain_text("TARJETA DE CRÉDITO *****6488")
    expect(main).to_contain_text("BANCO DINERS CLUB DEL ECUADOR S.A.")
    assert_accessible(page)
    open_option(page, "transferencias", "Historial")
    page.get_by_role("link", name=f"Comprobante N.º {returned.number}").click()
    expect(page.locator("[data-receipt-status]")).to_have_text("Devuelta: CUENTA INEXISTENTE")
    expect(main).to_contain_text("TARJETA DE CRÉDITO *****0000")
    expect(main).to_contain_text("BANCO PICHINCHA")
    expect(main).to_contain_text("se acreditaron de nuevo en tu cuenta")
    assert_accessible(page)

    # Consulta de movimientos: the three credits back, and the balance restored.
    origin = re.match(r"^https?://[^/]+", page.url).group(0)
    page.goto(f"{origin}/")
    row = page.locator(f'tr[data-account="{savings.number}"]')
    expect(row.locator('[data-label="Saldo disponible"]')).to_have_text("$ 988.85")
    row.get_by_role("link", name=f"Ver movimientos de la cuenta {savings.number}").click()
    expect(page.get_by_role("heading", level=1, name="Movimientos")).to_be_visible()
    rows = page.locator("table.movements-table tbody tr")
    for concept, amount in (
        ("NC DEVOLUCIÓN PAGO DE TARJETA CUENTA INEXISTENTE", "$ 20.00"),
        ("NC DEVOLUCIÓN COMISIÓN PAGO DE TARJETA", "$ 1.00"),
        ("NC DEVOLUCIÓN IVA PAGO DE TARJETA", "$ 0.15"),
    ):
        credit = rows.filter(has=page.locator('[data-label="Concepto"]', has_text=concept))
        expect(credit).to_have_count(1)
        expect(credit.locator('[data-label="Monto"]')).to_contain_text(f"Crédito {amount}")
    # The settled payment's debit and fees stay: $ 1,000.00 - $ 11.15.
    expect(rows.first.locator('[data-label="Saldo"]')).to_have_text("$ 988.85")
    assert_accessible(page)
    assert balance(savings) == 100_000 - 1_115
    assert outside == []
