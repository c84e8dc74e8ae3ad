"""The Ventanilla in a real Chromium, as the demo teller cajero.demo: a new socio with
an opening deposit (first refused over the daily limit, with nothing registered), then a
withdrawal, each confirmed and ending on its comprobante."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enlinea.demo.staff import DEMO_ROLE_USERS, demo_staff_seed
from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.members.tests.support import make_cedula
from enlinea.products.models import CashKind, CashOperation, CashStatus, DepositAccount
from enlinea.receipts.selectors import receipt_for_cash_operation
from enlinea.staff.testing import staff_browser_login
from tests.support.browser import DESKTOP, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop-1366x768")])
def test_the_teller_registers_a_socio_with_a_deposit_and_pays_a_withdrawal(
    open_page, live_server, settings, viewport
) -> None:
    settings.CASH_TELLER_DAILY_LIMIT = 50_000_00
    chart_ensure()
    demo_staff_seed()
    cajero = next(d for d in DEMO_ROLE_USERS if d.username == "cajero.demo")
    cedula = make_cedula()
    page, outside = open_page(viewport)
    staff_browser_login(page, live_server.url, cajero.username, cajero.password)

    # From the back office's index to «Nuevo socio».
    page.get_by_role("link", name="Nuevo socio").first.click()
    expect(page.get_by_role("heading", name="Nuevo socio")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)
    page.get_by_label("Cédula").fill(cedula)
    page.get_by_label("Nombres").fill("Rosa Elena")
    page.get_by_label("Apellidos").fill("Quishpe Tene")
    page.get_by_label("Correo electrónico").fill("rosa.quishpe@example.com")
    page.get_by_label("Celular").fill("0991112233")
    page.get_by_label("Fecha de nacimiento").fill("24/05/1985")
    page.get_by_label("Dirección").fill("Av. Amazonas N24, Quito")
    page.get_by_label("Tipo de cuenta").select_option(label="CUENTA DE AHORROS")
    # An opening deposit over the teller's daily limit: nothing is registered, the
    # refusal is beside the field and everything typed is still there.
    page.get_by_label("Depósito inicial").fill("60,000.00")
    page.get_by_role("button", name="Registrar socio").click()
    expect(page.locator(".field-deposit .errorlist")).to_contain_text(
        "El monto supera tu límite diario de efectivo de $ 50,000.00"
    )
    expect(page.locator(".field-deposit .errorlist")).to_contain_text(
        "No se registró al socio ni se abrió su cuenta"
    )
    expect(page.get_by_label("Cédula")).to_have_value(cedula)
    expect(page.get_by_label("Apellidos")).to_have_value("Quishpe Tene")
    expect(page.get_by_label("Depósito inicial")).to_have_value("60,000.00")
    assert not Member.objects.filter(identification=cedula).exists()
    assert_accessible(page)

    page.get_by_label("Depósito inicial").fill("250.00")
    page.get_by_role("button", name="Registrar socio").click()

    # The opening deposit's comprobante.
    expect(page.get_by_role("heading", name="Comprobante de depósito en efectivo")).to_be_visible()
    member = Member.objects.get(identification=cedula)
    account = DepositAccount.objects.get(member=member)
    deposit = CashOperation.objects.get(account=account, kind=CashKind.DEPOSIT)
    assert deposit.status == CashStatus.POSTED
    receipt = receipt_for_cash_operation(deposit)
    expect(page.locator("[data-receipt-number]")).to_have_text(str(receipt.number))
    expect(page.locator("[data-receipt-amount]")).to_have_text("$ 250.00")
    expect(page.locator("#content-main")).to_contain_text("ROSA ELENA QUISHPE TENE")
    expect(page.locator("#content-main")).to_contain_text(f"…{account.number[-4:]}")
    expect(page.get_by_role("button", name="Imprimir")).to_be_visible()
    assert_accessible(page)

    # The socio's page, found again through the search by cédula.
    page.get_by_role("link", name="Buscar otro socio").click()
    page.get_by_label("Buscar socio").fill(cedula)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name="ROSA ELENA QUISHPE TENE").click()
    row = page.get_by_role("row").filter(has_text=account.number)
    expect(row).to_contain_text("$ 250.00")
    assert_accessible(page)

    # A withdrawal: amount, confirmation, comprobante.
    row.get_by_role("link", name=f"Retirar de la cuenta {account.number}").click()
    page.get_by_label("Monto").fill("80.25")
    page.get_by_role("button", name="Continuar").click()
    expect(
        page.get_by_text(
            f"¿Confirmas el retiro de $ 80.25 en la cuenta …{account.number[-4:]} de "
            "ROSA ELENA QUISHPE TENE?"
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("heading", name="Comprobante de retiro en efectivo")).to_be_visible()
    withdrawal = CashOperation.objects.get(account=account, kind=CashKind.WITHDRAWAL)
    second = receipt_for_cash_operation(withdrawal)
    assert second.number != receipt.number
    expect(page.locator("[data-receipt-number]")).to_have_text(str(second.number))
    expect(page.locator("[data-receipt-amount]")).to_have_text("$ 80.25")
    assert_accessible(page)

    page.get_by_role("link", name="Volver al socio").click()
    expect(page.get_by_role("row").filter(has_text=account.number)).to_contain_text("$ 169.75")
    account.ledger_account.refresh_from_db()
    assert account.ledger_account.balance == 169_75
    assert re.search(r"/backoffice/ventanilla/socio/\d+/$", page.url)
    assert outside == []
