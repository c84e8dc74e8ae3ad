"""Diferir consumos in a real Chromium: Tarjetas ▸ Tarjetas de crédito ▸ Más opciones ▸
Diferir consumos, the manual's $ 68.53 ticked over 3 months, «Simular» ($ 23.42 a month,
$ 0.87 of interest in the first), «Continuar», the code read from the e-mail really sent
to the local SMTP server, "Diferido de consumos exitoso"; then the card's Saldo diferido
and Saldo corriente against the ledger, and the next statement cut-off billing the
first installment."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from enlinea.access.tests.profile_support import PASSWORD
from enlinea.cards.deferrals import next_cut_date
from enlinea.cards.models import Deferral
from enlinea.ledger.models import JournalEntry, LedgerAccount
from enlinea.ledger.verify import ledger_verify
from enlinea.products.models import CreditCard
from enlinea.products.selectors.cards import credit_card_reference
from enlinea.products.services import (
    card_purchase_record,
    credit_card_issue,
    credit_card_statement_cut,
)
from tests.browser.test_beneficiaries import open_option
from tests.browser.test_profile import validate_code
from tests.support.browser import PHONE, assert_accessible
from tests.support.members import online_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"
AMOUNTS = (6_853, 80_000, 88_000)  # the manual's $ 68.53, $ 800.00 and $ 880.00


@pytest.fixture
def socio():
    return online_member(USERNAME)


def _card(member) -> CreditCard:
    card = credit_card_issue(
        member=member,
        credit_limit=500_000,
        idempotency_key="bd-card",
        card_type="Mastercard Estándar",
    )
    for n, amount in enumerate(AMOUNTS):
        card_purchase_record(
            card=card,
            amount=amount,
            merchant="COMPRA",
            idempotency_key=f"bd-buy-{n}",
            occurred_at=timezone.now() - dt.timedelta(minutes=10 - n),
        )
    return card


def _fresh(card: CreditCard) -> CreditCard:
    return CreditCard.objects.select_related("ledger_account").get(pk=card.pk)


def detail(page: Page, label: str):
    return page.locator(".summary-row", has=page.get_by_text(label, exact=True)).locator("dd")


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone")])
def test_defer_the_manuals_purchase_with_the_code_and_bill_it_at_the_next_cut_off(
    open_page, login, smtp_server, socio, viewport
) -> None:
    card = _card(socio)
    total = sum(AMOUNTS)
    page, outside = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    main = page.get_by_role("main")

    open_option(page, "tarjetas", "Tarjetas de crédito")
    expect(page.get_by_role("heading", level=1, name="Tarjetas de crédito")).to_be_visible()
    page.locator("summary", has_text=f"Más opciones de la tarjeta {card.masked_number}").click()
    page.get_by_role("link", name=re.compile("^Diferir consumos")).click()
    expect(page.get_by_role("heading", level=1, name="Diferir consumos")).to_be_visible()
    expect(detail(page, "Titular")).to_have_text(card.holder_name)
    expect(detail(page, "N.º Tarjeta")).to_have_text(card.masked_number)
    expect(detail(page, "Tipo de tarjeta")).to_have_text("Mastercard Estándar")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Seleccionar COMPRA"))).to_have_count(3)
    assert_accessible(page)

    # Simular with nothing chosen: each field says what to do.
    page.get_by_role("button", name="Simular").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("Selecciona al menos un consumo para diferir.")
    expect(main).to_contain_text("Selecciona el plazo del diferido.")
    assert_accessible(page)

    page.get_by_role("checkbox", name=re.compile(r"^Seleccionar COMPRA .* \$ 68\.53$")).check()
    expect(page.get_by_label("Plazo")).to_contain_text("Seleccione una opción")
    page.get_by_label("Plazo").select_option("3")
    page.get_by_role("button", name="Simular").click()
    simulation = page.get_by_role("region", name="Simulación de diferido")
    expect(simulation).to_be_visible()
    expect(detail(page, "Monto a diferir")).to_have_text("$ 68.53")
    expect(detail(page, "N.º de cuotas")).to_have_text("3")
    expect(detail(page, "Valor interés (primera cuota)")).to_have_text("$ 0.87")
    expect(detail(page, "Valor cuota mensual")).to_have_text("$ 23.42")
    expect(detail(page, "Interés total en 3 cuotas")).to_have_text("$ 1.74")
    expect(detail(page, "Total a diferir")).to_have_text("$ 68.53")
    assert_accessible(page)

    since = len(smtp_server.messages)
    simulation.get_by_role("button", name="Continuar").click()
    validate_code(page, smtp_server, socio.email, since)
    expect(
        page.get_by_role("heading", level=1, name="Diferido de consumos exitoso")
    ).to_be_visible()
    first_cut = next_cut_date(card=card)
    expect(main).to_contain_text(
        f"La primera cuota se facturará en tu corte del {first_cut:%d/%m/%Y}"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Regresar").click()
    expect(page.get_by_role("heading", level=1, name="Tarjetas de crédito")).to_be_visible()

    # The balances changed at once, the debt in the ledger did not.
    deferral = Deferral.objects.get(credit_card=card)
    assert (deferral.installment, deferral.first_interest, deferral.total_interest) == (
        2342,
        87,
        174,
    )
    fresh = _fresh(card)
    ledger_debt = -LedgerAccount.objects.get(pk=card.ledger_account_id).balance
    assert fresh.total_debt == ledger_debt == total
    assert fresh.deferred_balance == 6_853
    assert fresh.current_balance == ledger_debt - 6_853
    page.goto(
        page.url.split("/tarjetas/")[0]
        + reverse("position:credit_card_detail", kwargs={"reference": credit_card_reference(card)})
    )
    expect(detail(page, "Saldo diferido")).to_have_text("$ 68.53")
    expect(detail(page, "Saldo corriente")).to_have_text("$ 1,680.00")
    assert_accessible(page)

    # The next statement cut-off bills the first installment: its interest in the ledger.
    credit_card_statement_cut(card=card, cut_date=first_cut)
    cut = _fresh(card)
    assert Deferral.objects.get(pk=deferral.pk).installments_billed == 1
    ledger_debt = -LedgerAccount.objects.get(pk=card.ledger_account_id).balance
    assert ledger_debt == cut.total_debt == total + 87
    assert cut.deferred_balance == 6_853 - 2_255
    assert cut.statement_balance == total - 6_853 + 2_342
    assert JournalEntry.objects.filter(idempotency_key=f"deferral:{deferral.pk}:1").exists()
    assert ledger_verify().ok
    assert outside == []
