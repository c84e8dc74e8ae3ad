"""Downloads in a real Chromium: movements as PDF and Excel, Estado de cuenta, Certificado
bancario, amortization table; each file read back and checked against the ledger."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enlinea.ledger.models import Posting
from enlinea.position.tests.products_support import funded_account, give_loan
from enlinea.products.services import cash_deposit, cash_withdrawal
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]


@pytest.fixture
def account(member):
    account = funded_account(member.member, amount=1_000_000)
    for i in range(12):
        cash_deposit(account=account, amount=1_000 + i, idempotency_key=f"bd-dep-{i}")
    cash_withdrawal(account=account, amount=2_500, idempotency_key="bd-ret-1")
    return account


def _download(page, action) -> bytes:
    with page.expect_download() as info:
        action()
    return Path(info.value.path()).read_bytes()


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_download_movements_statement_and_certificate(
    open_page, live_server, login, member, account, viewport
) -> None:
    page, _ = open_page(viewport)
    login(page)
    page.goto(f"{live_server.url}/posicion/cuentas/{account.number}/movimientos/")
    expect(page.get_by_role("heading", level=1, name="Movimientos")).to_be_visible()
    page.locator("summary", has_text="Descargar").click()
    expect(page.get_by_role("heading", name="Descargar movimientos")).to_be_visible()
    assert_accessible(page)

    pdf = _pdf_text(_download(page, page.get_by_role("link", name="PDF", exact=True).click))
    postings = Posting.objects.filter(account=account.ledger_account).count()
    assert postings == 14
    assert pdf.count("N/C") - 1 == 13
    assert pdf.count("N/D") - 1 == 1
    assert "(N/D) = Nota de débito" in pdf

    content = _download(page, page.get_by_role("link", name="EXCEL", exact=True).click)
    rows = list(openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.values)
    data = [r for r in rows if r and r[2] in ("N/D", "N/C")]
    assert len(data) == 14
    account.ledger_account.refresh_from_db()
    assert round(sum(r[5] for r in data) - sum(r[4] for r in data), 2) == (
        account.ledger_account.balance / 100
    )

    certificate = _pdf_text(
        _download(page, page.get_by_role("link", name=re.compile("^Certificado bancario")).click)
    )
    assert "CERTIFICADO BANCARIO" in certificate
    assert account.number in certificate

    page.goto(f"{live_server.url}/menu/servicios/")
    page.get_by_role("link", name="Estado de cuenta").click()
    expect(page.get_by_role("heading", level=1, name="Estado de cuenta")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)
    page.get_by_label(re.compile(f"Nro. Cta. {account.number}")).check()
    page.get_by_label("Mes").fill("2999-01")
    page.get_by_role("button", name="Descargar").click()
    expect(page.get_by_text("El mes no puede ser posterior al mes actual.").first).to_be_visible()
    assert_accessible(page)
    today = timezone.localdate()
    page.get_by_label("Mes").fill(f"{today:%Y-%m}")
    statement = _pdf_text(_download(page, page.get_by_role("button", name="Descargar").click))
    assert "ESTADO DE CUENTA" in statement
    assert "DETALLE DE MOVIMIENTOS" in statement
    assert "SALDO FINAL:" in statement


def test_amortization_table_downloads(open_page, live_server, login, member, account) -> None:
    loan = give_loan(member.member, account)
    page, _ = open_page(DESKTOP)
    login(page)
    page.goto(f"{live_server.url}/posicion/creditos/{loan.number}/")
    content = _download(page, page.get_by_role("link", name="Descargar Excel").click)
    rows = list(openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.values)
    assert len([r for r in rows if r and isinstance(r[0], int)]) == loan.term_months
    text = _pdf_text(_download(page, page.get_by_role("link", name="Descargar PDF").click))
    assert "TABLA DE AMORTIZACIÓN" in text
