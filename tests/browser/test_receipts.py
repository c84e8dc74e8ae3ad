"""Comprobante of a movement in a real Chromium: "Descargar" on a row, the page, "Imprimir"
(print stylesheet) and its PDF, at phone and desktop widths."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from enlinea.position.tests.products_support import funded_account
from enlinea.receipts.tests.support import interbank_receipt
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]


@pytest.fixture
def interbank(member):
    """An interbank transfer of $ 15.00 with the tariff's COMISIÓN and IVA, and its receipt."""
    account = funded_account(member.member, amount=100_000)
    receipt = interbank_receipt(account, key="b-ib-1")
    return account, receipt


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_descargar_opens_the_comprobante_to_print_and_download(
    open_page, live_server, login, interbank, viewport
) -> None:
    account, receipt = interbank
    page, outside = open_page(viewport)
    login(page)
    page.goto(f"{live_server.url}/posicion/cuentas/{account.number}/movimientos/")
    rows = page.locator("table.movements-table tbody tr")
    expect(rows).to_have_count(4)  # the opening deposit, the transfer, COMISIÓN and IVA
    expect(rows.nth(0).locator('[data-label="Concepto"]')).to_have_text(
        "IVA TRANSFERENCIA INTERBANCARIA"
    )
    expect(rows.nth(1).locator('[data-label="Concepto"]')).to_have_text(
        "COMISIÓN TRANSFERENCIA INTERBANCARIA"
    )
    expect(rows.nth(0).locator('[data-label="Referencia"]')).to_have_text(str(receipt.number))
    assert_accessible(page)

    rows.nth(2).get_by_role("link", name=f"Descargar comprobante {receipt.number}").click()
    expect(page.get_by_role("heading", level=1, name="Comprobante NOTA DE DEBITO")).to_be_visible()
    details = page.locator("article.receipt")
    expect(details.locator("[data-receipt-number]")).to_have_text(str(receipt.number))
    for text in ("$ 15.00", "$ 0.36", "$ 0.05", "$ 15.41", "AHORROS *****9993", "Arriendo"):
        expect(details).to_contain_text(text)
    expect(details).to_contain_text(f"CUENTA DE AHORROS *****{account.number[-4:]}")
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)

    imprimir = page.get_by_role("button", name="Imprimir")
    expect(imprimir).to_be_visible()
    page.evaluate("() => { window.__printed = 0; window.print = () => window.__printed++; }")
    imprimir.click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator(".sidemenu")).to_be_hidden()
    expect(imprimir).to_be_hidden()
    expect(details).to_be_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar PDF").click()
    with open(info.value.path(), "rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    for needle in ("Comprobante N.º", str(receipt.number), "$ 15.41", "BANCO PICHINCHA C.A."):
        assert needle in text

    page.get_by_role("link", name="Cerrar").click()
    expect(page.get_by_role("heading", level=1, name="Movimientos")).to_be_visible()
    assert outside == []
