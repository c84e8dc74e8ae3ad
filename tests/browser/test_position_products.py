"""Créditos, Inversiones and Tarjetas in a real Chromium, on a phone and a desktop."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enlinea.position.tests.products_support import (
    funded_account,
    give_credit_card,
    give_debit_card,
    give_investment,
    give_loan,
)
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]


@pytest.fixture
def products(member):
    socio = member.member
    account = funded_account(socio)
    return {
        "loan": give_loan(socio, account),
        "investment": give_investment(socio, account),
        "debit": give_debit_card(account),
        "credit": give_credit_card(socio),
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_member_reviews_loans_investments_and_cards(
    open_page, live_server, login, products, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page)
    loan, investment = products["loan"], products["investment"]

    page.goto(live_server.url + reverse("web:section", args=["posicion-consolidada"]))
    page.get_by_role("main").get_by_role("link", name="Créditos", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Créditos")).to_be_visible()
    expect(page.get_by_role("cell", name="CONSUMO AGIL")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"Ver detalle del crédito {loan.number}").click()
    expect(page.get_by_role("heading", level=1, name="Detalle producto")).to_be_visible()
    expect(page.get_by_text("Tasa (%)")).to_be_visible()
    expect(page.get_by_text("15.60%")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Visualizar").click()
    expect(page.get_by_role("heading", level=1, name="Tabla de amortización")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(24)
    expect(page.locator("tbody tr").first).to_contain_text("Pendiente")
    # The seven columns become stacked cards on a phone: nothing scrolls sideways.
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Regresar").click()
    expect(page.get_by_role("heading", level=1, name="Detalle producto")).to_be_visible()

    page.goto(live_server.url + reverse("position:investments"))
    expect(page.get_by_role("heading", level=1, name="Inversiones")).to_be_visible()
    expect(page.get_by_role("cell", name="180 días")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Ver detalle de la inversión {investment.number}").click()
    expect(page.get_by_role("heading", level=1, name="Detalle de la inversión")).to_be_visible()
    expect(page.get_by_text("Total a recibir")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("position:debit_cards"))
    expect(page.get_by_role("heading", level=1, name="Tarjetas de débito")).to_be_visible()
    expect(page.get_by_role("cell", name=products["debit"].masked_number)).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + reverse("position:credit_cards"))
    expect(page.get_by_role("heading", level=1, name="Tarjetas de crédito")).to_be_visible()
    expect(page.get_by_text("Cupo autorizado")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Ver detalle").click()
    expect(page.get_by_text("Cupo autorizado")).to_be_visible()
    expect(page.get_by_text("Pago mínimo")).to_be_visible()
    expect(page.get_by_role("cell", name="SUPERMAXI 0")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ocultar detalle").click()
    expect(page.get_by_role("link", name="Ver detalle")).to_be_visible()
    expect(page.get_by_text("Cupo autorizado")).to_have_count(0)
    assert outside == []
