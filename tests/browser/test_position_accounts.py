"""Mis productos, Cuentas and Consulta de movimientos in a real Chromium, phone and desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enlinea.position.tests.products_support import funded_account
from enlinea.products.services import cash_deposit, cash_withdrawal
from enlinea.web.templatetags.formato import dinero
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]


@pytest.fixture
def account(member):
    account = funded_account(member.member, amount=1_000_000)
    for i in range(27):  # with the opening deposit: 30 movements, more than one page
        cash_deposit(account=account, amount=1_000 + i, idempotency_key=f"b-dep-{i}")
    cash_withdrawal(account=account, amount=2_500, idempotency_key="b-ret-1")
    cash_withdrawal(account=account, amount=700, idempotency_key="b-ret-2")
    account.ledger_account.refresh_from_db()
    return account


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_mis_productos_cuentas_and_movements(
    open_page, live_server, login, member, account, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page)
    expect(page.get_by_role("heading", level=1, name="Mis productos")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Cuentas")).to_be_visible()
    row = page.locator(f'tr[data-account="{account.number}"]')
    ledger = account.ledger_account
    expect(row.locator('[data-label="Saldo disponible"]')).to_have_text(dinero(ledger.available))
    expect(row.locator('[data-label="Saldo contable"]')).to_have_text(dinero(ledger.balance))
    expect(row.locator('[data-label="Estado"]')).to_have_text("ACTIVA")
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)

    row.get_by_role("link", name=f"Ver movimientos de la cuenta {account.number}").click()
    expect(page.get_by_role("heading", level=1, name="Movimientos")).to_be_visible()
    rows = page.locator("table.movements-table tbody tr")
    expect(rows).to_have_count(25)
    assert_accessible(page)

    page.get_by_role("link", name="Ver más").click()
    expect(rows).to_have_count(5)
    expect(page.get_by_role("link", name="Ver más")).to_have_count(0)
    assert_accessible(page)

    page.get_by_text("Filtrar", exact=True).click()
    page.get_by_label("Hoy").check()
    page.get_by_label("Tipo movimiento").select_option(label="Débitos")
    page.get_by_role("button", name="Consultar").click()
    expect(rows).to_have_count(2)
    expect(rows.first.locator('[data-label="Monto"]')).to_contain_text("Débito")
    expect(rows.first.locator('[data-label="Monto"]')).to_contain_text("-$ 7.00")
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)

    page.get_by_text("Filtrar", exact=True).click()
    page.get_by_label("Ayer").check()
    page.get_by_role("button", name="Consultar").click()
    expect(page.get_by_text("SU CUENTA NO TIENE MOVIMIENTOS.")).to_be_visible()

    page.get_by_text("Filtrar", exact=True).click()
    page.get_by_label("Personalizado").check()
    page.get_by_label("Fecha desde").fill("")
    page.get_by_role("button", name="Consultar").click()
    expect(page).to_have_title(re.compile(r"^Error: Movimientos"))
    expect(page.get_by_role("alert")).to_contain_text("Ingresa la fecha desde.")
    assert_accessible(page)
    assert outside == []
