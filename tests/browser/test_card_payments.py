"""Pago de tarjetas in a real Chromium: Agregar nueva tarjeta (another institution's card)
→ Pagar it (through the interbank clearing), then one of the member's own credit cards
of this cooperative from its tile (its debt drops at once), every code read from the
e-mail really sent to the local SMTP server."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import Consent
from enlinea.access.tests.profile_support import PASSWORD, enrolled_member
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.payments.tests.test_cards import DEBT, _credit_card, card_number
from enlinea.products.models import CreditCard
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt, ReceiptKind
from enlinea.transfers.models import InterbankTransfer, TransferStatus
from tests.browser.test_beneficiaries import confirm_and_validate, open_option
from tests.support.browser import DESKTOP, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


def balance(account) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio(settings):
    catalogue = importlib.import_module("enlinea.institutions.migrations.0002_spi_participants")
    catalogue.forwards(apps, None)
    chart_ensure()
    member = enrolled_member(USERNAME)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member


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
    page.get_by_label("Alias (Opcional)").fill("Yadi")
    page.get_by_role("button", name="Guardar beneficiario").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("El número de tarjeta no es válido")
    assert_accessible(page)
    page.get_by_label("Número de tarjeta").fill(number)
    page.get_by_role("button", name="Guardar beneficiario").click()
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
