"""Transferencias in a real Chromium, each walk at a phone's width or a desktop's (the
other width's pages: test_layouts.py): an own transfer
and an interbank one from the form to the receipt, every code read from the e-mail
really sent to the local SMTP server, the balances checked against the ledger."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from enlinea.access.tests.profile_support import PASSWORD, enrolled_member
from enlinea.beneficiaries import services as beneficiary_services
from enlinea.beneficiaries.models import Beneficiary, BeneficiaryKind
from enlinea.institutions.models import Institution
from enlinea.ledger.models import LedgerAccount
from enlinea.products.models import AccountKind
from enlinea.products.services import account_open, cash_deposit
from enlinea.receipts.models import Receipt
from enlinea.transfers.models import InterbankTransfer, TransferStatus
from tests.browser.test_beneficiaries import open_option
from tests.browser.test_profile import validate_code
from tests.support.browser import DESKTOP, PHONE, assert_accessible
from tests.support.members import online_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


def balance(account) -> int:
    return LedgerAccount.objects.get(pk=account.ledger_account_id).balance


@pytest.fixture
def socio():
    return online_member(USERNAME)


def confirm_and_validate(page: Page, smtp_server, email: str) -> None:
    expect(page).to_have_title(re.compile(r"^Confirmar transferencia"))
    expect(page.get_by_role("main")).to_contain_text("Verifica que todos los datos estén correctos")
    assert_accessible(page)
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Confirmar").click()
    validate_code(page, smtp_server, email, since)


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone")])
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


@pytest.fixture
def maria_account(socio):
    maria = enrolled_member("mariaperez", first_names="Maria Fernanda", last_names="Perez Guaman")
    return account_open(member=maria, idempotency_key=f"bt-maria-{maria.pk}")


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop")])
def test_a_cooprogreso_transfer_to_a_new_account_saved_as_beneficiary(
    open_page, login, smtp_server, socio, maria_account, viewport
) -> None:
    savings = account_open(member=socio, idempotency_key="bt-new-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bt-new-fund")
    page, outside = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    email = socio.email
    main = page.get_by_role("main")

    # No beneficiary saved yet: the form opens on a new account to type.
    open_option(page, "transferencias", "Transferencias Cooprogreso")
    expect(page.get_by_role("heading", level=1, name="Transferencias Cooprogreso")).to_be_visible()
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Ingresar el monto a transferir").fill("12.50")
    # An unknown number: the message at the field, what was typed kept.
    page.get_by_label("Número de cuenta").fill("4100999999")
    page.get_by_role("button", name="Validar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("No podemos registrar esta cuenta")
    expect(page.get_by_label("Ingresar el monto a transferir")).to_have_value("12.50")
    assert_accessible(page)
    # The right one: Validar shows the holder's masked name, nothing more of them.
    page.get_by_label("Número de cuenta").fill(maria_account.number)
    page.get_by_role("button", name="Validar").click()
    expect(main).to_contain_text("MA*** PE***")
    expect(main).not_to_contain_text("Fernanda")
    assert_accessible(page)
    page.get_by_label("Guardar beneficiario").check()
    page.get_by_label("Alias (Opcional)").fill("Mari")
    page.get_by_label("Motivo (Opcional)").fill("Almuerzo")
    page.get_by_role("button", name="Confirmar").click()
    expect(main).to_contain_text("MA*** PE***")
    expect(main).to_contain_text("Guardar beneficiario")
    expect(main).to_contain_text("Mari")
    expect(main).to_contain_text("$ 12.50")
    confirm_and_validate(page, smtp_server, email)
    expect(page.get_by_role("heading", level=1, name="¡Transferencia exitosa!")).to_be_visible()
    receipt = Receipt.objects.get(member=socio, kind="transfer_internal")
    expect(main).to_contain_text(f"Comprobante N.º {receipt.number}")
    expect(main).to_contain_text("Mari está entre tus beneficiarios")
    assert_accessible(page)
    assert balance(savings) == 100_000 - 1_250
    assert balance(maria_account) == 1_250
    saved = Beneficiary.objects.get(member=socio, deleted_at__isnull=True)
    assert (saved.internal_account_id, saved.alias) == (maria_account.pk, "Mari")
    # The member's notice of the transfer arrived by e-mail too.
    notice = smtp_server.wait_for(to=email, subject="Realizaste una transferencia de $ 12.50")
    assert f"Comprobante N.º {receipt.number}" in smtp_server.body(notice)

    # Next time she is a saved beneficiary: chosen in the list, one more transfer.
    page.get_by_role("link", name="Realizar otra transferencia").click()
    expect(page.get_by_label("Cuenta destino")).to_be_visible()
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Cuenta destino").select_option(str(saved.pk))
    page.get_by_label("Ingresar el monto a transferir").fill("1")
    page.get_by_role("button", name="Confirmar").click()
    confirm_and_validate(page, smtp_server, email)
    expect(page.get_by_role("heading", level=1, name="¡Transferencia exitosa!")).to_be_visible()
    assert balance(maria_account) == 1_350
    assert Beneficiary.objects.filter(member=socio).count() == 1
    assert outside == []


def test_interbank_transfers_one_settled_and_one_returned_with_its_fees(
    open_page, login, smtp_server, socio
) -> None:
    """Two interbank transfers through the pages, the clearing job's cycles, then what
    the member reads: the settled one Acreditada, the returned one Devuelta with the
    amount, the COMISIÓN and the IVA credited back, and the e-mail of the return."""
    from django.utils import timezone

    from enlinea.transfers.clearing import clearing_cycle

    savings = account_open(member=socio, idempotency_key="bt-spi-sav")
    cash_deposit(account=savings, amount=100_000, idempotency_key="bt-spi-fund")
    saved = beneficiary_services.beneficiary_create(
        member=socio,
        kind=BeneficiaryKind.EXTERNAL,
        institution_id=Institution.objects.get(name="BANCO PICHINCHA").pk,
        account_type="savings",
        account_number="2200123456",
        name="Xavier Gonzalez",
        identification_type="CEDULA",
        identification="1710034065",
    )
    page, outside = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    email = socio.email
    main = page.get_by_role("main")

    # One to the saved beneficiary (the simulator settles it).
    open_option(page, "transferencias", "Transferencias interbancarias")
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Cuenta destino").select_option(str(saved.pk))
    page.get_by_label("Ingresar el monto a transferir").fill("10")
    page.get_by_label("Motivo (Opcional)").fill("Arriendo")
    page.get_by_role("button", name="Confirmar").click()
    confirm_and_validate(page, smtp_server, email)
    expect(page.get_by_role("heading", level=1, name="¡Transferencia enviada!")).to_be_visible()

    # One to an account typed on the spot, ending 0000 (the network returns it).
    page.get_by_role("link", name="Realizar otra transferencia").click()
    page.get_by_role("button", name="Agregar nuevo beneficiario").click()
    page.get_by_label("Cuenta de origen").select_option(savings.number)
    page.get_by_label("Entidad financiera").select_option(label="BANCO PICHINCHA")
    page.get_by_role("radio", name="Cédula").check()
    page.get_by_label("Identificación del beneficiario").fill("1710034065")
    page.get_by_role("radio", name="Ahorros").check()
    page.get_by_label("Número de cuenta").fill("2200990000")
    page.get_by_label("Nombre del beneficiario").fill("Luis Toapanta")
    page.get_by_label("Ingresar el monto a transferir").fill("20")
    page.get_by_label("Motivo (Opcional)").fill("Prestamo")
    assert_accessible(page)
    page.get_by_role("button", name="Confirmar").click()
    expect(main).to_contain_text("LUIS TOAPANTA - BANCO PICHINCHA - Ahorros …0000")
    confirm_and_validate(page, smtp_server, email)
    expect(page.get_by_role("heading", level=1, name="¡Transferencia enviada!")).to_be_visible()
    expect(main).to_contain_text("En proceso")
    assert balance(savings) == 100_000 - 1_041 - 2_041
    assert not Beneficiary.objects.filter(account_number="2200990000").exists()

    settled_receipt = Receipt.objects.get(member=socio, kind="transfer_interbank", amount=1_000)
    returned_receipt = Receipt.objects.get(member=socio, kind="transfer_interbank", amount=2_000)

    # The clearing job, as the periodic task runs it: a cycle sends, the next one (after
    # the simulator's cycle) applies the outcomes.
    now = timezone.now()
    clearing_cycle(now=now)
    clearing_cycle(now=now + dt.timedelta(seconds=130))
    states = dict(InterbankTransfer.objects.filter(member=socio).values_list("amount", "status"))
    assert states == {1_000: TransferStatus.SETTLED, 2_000: TransferStatus.RETURNED}

    # Historial → each comprobante says where its transfer is.
    open_option(page, "transferencias", "Historial")
    page.get_by_role("link", name=f"Comprobante N.º {settled_receipt.number}").click()
    expect(page.locator("[data-receipt-status]")).to_have_text(
        "Acreditada en la institución de destino"
    )
    assert_accessible(page)
    open_option(page, "transferencias", "Historial")
    page.get_by_role("link", name=f"Comprobante N.º {returned_receipt.number}").click()
    expect(page.locator("[data-receipt-status]")).to_have_text("Devuelta: CUENTA INEXISTENTE")
    expect(main).to_contain_text("se acreditaron de nuevo en tu cuenta")
    assert_accessible(page)

    # Consulta de movimientos: the three credits back, and the balance restored.
    origin = re.match(r"^https?://[^/]+", page.url).group(0)
    page.goto(f"{origin}/")
    row = page.locator(f'tr[data-account="{savings.number}"]')
    expect(row.locator('[data-label="Saldo disponible"]')).to_have_text("$ 989.59")
    row.get_by_role("link", name=f"Ver movimientos de la cuenta {savings.number}").click()
    expect(page.get_by_role("heading", level=1, name="Movimientos")).to_be_visible()
    rows = page.locator("table.movements-table tbody tr")
    for concept, amount in (
        ("NC DEVOLUCIÓN TRANSFERENCIA INTERBANCARIA CUENTA INEXISTENTE", "$ 20.00"),
        ("NC DEVOLUCIÓN COMISIÓN TRANSFERENCIA INTERBANCARIA", "$ 0.36"),
        ("NC DEVOLUCIÓN IVA TRANSFERENCIA INTERBANCARIA", "$ 0.05"),
    ):
        credit = rows.filter(has=page.locator('[data-label="Concepto"]', has_text=concept))
        expect(credit).to_have_count(1)
        expect(credit.locator('[data-label="Monto"]')).to_contain_text(f"Crédito {amount}")
    # The settled transfer's debit and fees stay: $ 1,000.00 - $ 10.41.
    expect(rows.first.locator('[data-label="Saldo"]')).to_have_text("$ 989.59")
    assert_accessible(page)
    assert balance(savings) == 100_000 - 1_041

    # The return's notice, by e-mail.
    notice = smtp_server.wait_for(to=email, subject="fue devuelta")
    body = smtp_server.body(notice)
    assert f"N.º {returned_receipt.number}" in str(notice["Subject"])
    assert "CUENTA INEXISTENTE" in body
    assert "$ 20.41" in body
    assert outside == []
