"""Transferencias in a real Chromium, at a phone's width and a desktop's: an own transfer
and an interbank one from the form to the receipt, every code read from the e-mail
really sent to the local SMTP server, the balances checked against the ledger."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import Consent
from enlinea.access.tests.profile_support import PASSWORD, enrolled_member
from enlinea.beneficiaries import services as beneficiary_services
from enlinea.beneficiaries.models import BeneficiaryKind
from enlinea.institutions.models import Institution
from enlinea.ledger.models import LedgerAccount
from enlinea.ledger.services import chart_ensure
from enlinea.products.models import AccountKind
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt
from enlinea.transfers.models import InterbankTransfer, TransferStatus
from tests.browser.test_beneficiaries import open_option
from tests.browser.test_profile import validate_code
from tests.support.browser import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


def balance(account) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio(settings):
    # A transactional test's flush empties the catalogue its data migration loaded.
    catalogue = importlib.import_module("enlinea.institutions.migrations.0002_spi_participants")
    catalogue.forwards(apps, None)
    chart_ensure()
    member = enrolled_member(USERNAME)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member


def confirm_and_validate(page: Page, smtp_server, email: str) -> None:
    expect(page).to_have_title(re.compile(r"^Confirmar transferencia"))
    expect(page.get_by_role("main")).to_contain_text("Verifica que todos los datos estén correctos")
    assert_accessible(page)
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Confirmar").click()
    validate_code(page, smtp_server, email, since)


@pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
)
def test_an_own_and_an_interbank_transfer_to_the_receipt(
    open_page, login, smtp_server, socio, viewport
) -> None:
    savings = account_open(member=socio, idempotency_key="bt-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bt-fund")
    checking = account_open(member=socio, idempotency_key="bt-chk", kind=AccountKind.CHECKING)
    beneficiary = beneficiary_services.beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.EXTERNAL,
        institution_id=Institution.objects.get(name="BANCO PICHINCHA").pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )
    page, _ = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    email = socio.email

    # Entre cuentas propias: first an amount above the balance, refused at the field.
    open_option(page, "transferencias", "Transferencias entre cuentas propias")
    main = page.get_by_role("main")
    expect(main).to_contain_text("$ 1,000.00")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Cuenta destino").select_option(checking.number)
    page.get_by_label("Ingresar el monto a transferir").fill("2000")
    page.get_by_role("button", name="Confirmar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("Saldo disponible insuficiente")
    assert_accessible(page)
    page.get_by_label("Ingresar el monto a transferir").fill("20.00")
    page.get_by_label("Motivo (Opcional)").fill("Sueldo")
    page.get_by_role("button", name="Confirmar").click()
    expect(main).to_contain_text("Total a debitar")
    expect(main).to_contain_text("$ 20.00")
    confirm_and_validate(page, smtp_server, email)
    expect(page.get_by_role("heading", level=1, name="¡Transferencia exitosa!")).to_be_visible()
    receipt = Receipt.objects.get(member=socio, kind="transfer_own")
    expect(main).to_contain_text(f"Comprobante N.º {receipt.number}")
    expect(main).to_contain_text("Sueldo")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimir").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert balance(savings) == 100_000 - 2_000
    assert balance(checking) == 2_000

    # Interbancaria: the tariff's $ 0.36 + IVA on Confirmar and on the receipt.
    page.get_by_role("link", name="Realizar otra transferencia").click()
    open_option(page, "transferencias", "Transferencias interbancarias")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Cuenta destino").select_option(str(beneficiary.pk))
    page.get_by_label("Ingresar el monto a transferir").fill("10")
    page.get_by_role("button", name="Confirmar").click()
    expect(main).to_contain_text("$ 0.36")
    expect(main).to_contain_text("$ 10.41")
    confirm_and_validate(page, smtp_server, email)
    expect(page.get_by_role("heading", level=1, name="¡Transferencia enviada!")).to_be_visible()
    expect(main).to_contain_text("En proceso")
    expect(main).to_contain_text("BANCO PICHINCHA")
    expect(main).to_contain_text("$ 10.41")
    assert_accessible(page)
    order = InterbankTransfer.objects.get(member=socio)
    assert order.status == TransferStatus.PENDING
    assert balance(savings) == 100_000 - 2_000 - 1_041

    # Transacciones frecuentes: both destinations, one tap back to a filled form.
    open_option(page, "transferencias", "Transacciones frecuentes")
    expect(main).to_contain_text("BANCO PICHINCHA")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Transferir a ")).first.click()
    expect(page.get_by_label("Cuenta destino")).to_have_value(str(beneficiary.pk))

    # Historial: both transfers, each with its comprobante; the Hoy filter.
    open_option(page, "transferencias", "Historial")
    expect(page.get_by_role("heading", level=1, name="Historial de transferencias")).to_be_visible()
    expect(main).to_contain_text("Externa")
    expect(main).to_contain_text("Propia")
    assert_accessible(page)
    page.get_by_role("radio", name="Hoy").check()
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_role("link", name=f"Comprobante N.º {receipt.number}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Comprobante N.º {receipt.number}").click()
    expect(main).to_contain_text(str(receipt.number))
