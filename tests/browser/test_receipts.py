"""Comprobante of a movement in a real Chromium: "Descargar" on a row, the page, "Imprimir"
(print stylesheet) and its PDF, at phone and desktop widths."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.position.tests.products_support import funded_account
from enlinea.receipts.models import Channel, ReceiptKind
from enlinea.receipts.services import Counterpart, receipt_issue
from enlinea.tariff.services import fees_for, fees_post
from tests.support.browser import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]


@pytest.fixture
def interbank(member):
    """An interbank transfer of $ 15.00 with the tariff's COMISIÓN and IVA, and its receipt."""
    account = funded_account(member.member, amount=100_000)
    fees = fees_for("transfer_interbank")
    main = entry_record(
        idempotency_key="b-ib-1",
        kind="transfer_interbank",
        lines=[
            Line(account.ledger_account_id, -1_500),
            Line(coop_account(LedgerKind.CLEARING).pk, 1_500),
        ],
        description="ND TRANSFERENCIA INTERBANCARIA",
    )
    extra = fees_post(
        fees=fees, account=account, idempotency_key="b-ib-1", concept="TRANSFERENCIA INTERBANCARIA"
    )
    receipt = receipt_issue(
        member=account.member,
        kind=ReceiptKind.TRANSFER_INTERBANK,
        channel=Channel.WEB,
        amount=1_500,
        commission=fees.commission,
        iva=fees.iva,
        entries=[main, *extra],
        idempotency_key="b-ib-1",
        account=account,
        motive="Arriendo",
        counterpart=Counterpart(
            name="ROSA QUISHPE",
            identification="1712345678",
            account_number="2203349993",
            account_type="AHORROS",
            institution="BANCO PICHINCHA C.A.",
        ),
    )
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
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
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
