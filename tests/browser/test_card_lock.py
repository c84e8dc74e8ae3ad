"""Bloquear / Desbloquear tarjeta and Aviso de viaje in a real Chromium: the member
locks their debit card at once from Tarjetas ▸ Tarjeta de débito ▸ Más opciones, a
purchase is then refused by the card processor simulator; Desbloquear with the code
read from the e-mail really sent to the local SMTP server, and the purchase is
approved; an Aviso de viaje registered with its code lets a purchase abroad through."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from enlinea.access.tests.profile_support import PASSWORD
from enlinea.products.card_processor import REASON_ABROAD, REASON_LOCKED
from enlinea.products.models import DebitCard
from enlinea.products.services import (
    ProductError,
    account_open,
    card_purchase_record,
    cash_deposit,
    debit_card_issue,
)
from tests.browser.test_beneficiaries import confirm_and_validate, open_option
from tests.support.browser import DESKTOP, assert_accessible
from tests.support.members import online_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


@pytest.fixture
def socio():
    return online_member(USERNAME)


def more_option(page: Page, card: DebitCard, label: str) -> None:
    """The card's "Más opciones" menu on the card list, then one of its links."""
    page.locator("summary", has_text=f"Más opciones de la tarjeta {card.masked_number}").click()
    page.get_by_role("link", name=re.compile(f"^{label}")).click()


def buy(card: DebitCard, key: str, country: str = "EC"):
    return card_purchase_record(
        card=DebitCard.objects.get(pk=card.pk),
        amount=2_000,
        merchant="SUPERMAXI",
        idempotency_key=key,
        country=country,
    )


def test_a_card_locked_refused_unlocked_with_the_code_and_a_travel_notice(
    open_page, login, smtp_server, socio
) -> None:
    savings = account_open(member=socio, idempotency_key="bl-sav")
    cash_deposit(account=savings, amount=50_000, idempotency_key="bl-fund")
    card = debit_card_issue(account=savings, idempotency_key="bl-debit")
    page, _ = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    main = page.get_by_role("main")
    email = socio.email

    # Bloquear tarjeta: what a temporary lock does, then at once, without a code.
    open_option(page, "tarjetas", "Tarjeta de débito")
    expect(page.get_by_role("heading", level=1, name="Tarjetas de débito")).to_be_visible()
    assert_accessible(page)
    more_option(page, card, "Bloquear tarjeta")
    expect(page.get_by_role("heading", level=1, name="Bloquear tarjeta")).to_be_visible()
    expect(main).to_contain_text("¿Qué hace el bloqueo temporal?")
    assert_accessible(page)
    page.get_by_role("button", name="Bloquear tarjeta").click()
    expect(main).to_contain_text(f"{card.masked_number} quedó bloqueada temporalmente")
    expect(main).to_contain_text("BLOQUEO TEMPORAL")
    assert_accessible(page)
    locked = smtp_server.wait_for(to=email, subject="Bloqueaste temporalmente")
    assert card.last4 in str(locked["Subject"])
    with pytest.raises(ProductError, match=REASON_LOCKED):
        buy(card, "bl-buy-locked")

    # Desbloquear tarjeta: Confirmar (Tarjeta, Titular, Tipo de tarjeta), the code.
    more_option(page, card, "Desbloquear tarjeta")
    expect(page.get_by_role("heading", level=1, name="Desbloquear tarjeta")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Desbloquear tarjeta").click()
    expect(main).to_contain_text("Tipo de tarjeta")
    expect(main).to_contain_text(card.holder_name)
    confirm_and_validate(page, smtp_server, email, "Desbloquear tarjeta")
    expect(page.get_by_role("heading", level=1, name="Tarjeta desbloqueada")).to_be_visible()
    assert_accessible(page)
    smtp_server.wait_for(to=email, subject="Desbloqueaste")
    assert buy(card, "bl-buy-open").authorization
    with pytest.raises(ProductError, match=REASON_ABROAD):
        buy(card, "bl-buy-bogota-1", country="CO")

    # Aviso de viaje: a missing country first, then Colombia from today, with a code.
    page.get_by_role("link", name="Ir a mis tarjetas").click()
    more_option(page, card, "Aviso de viaje")
    expect(page.get_by_role("heading", level=1, name="Aviso de viaje")).to_be_visible()
    today = timezone.localdate()
    page.get_by_label("Fecha de salida").fill(today.isoformat())
    page.get_by_label("Fecha de regreso").fill((today + dt.timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Registrar aviso de viaje").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(main).to_contain_text("Elige al menos un país que visitarás.")
    assert_accessible(page)
    page.get_by_role("checkbox", name="Colombia").check()
    page.get_by_role("button", name="Registrar aviso de viaje").click()
    expect(main).to_contain_text("Colombia")
    confirm_and_validate(page, smtp_server, email, "Aviso de viaje")
    expect(page.get_by_role("heading", level=1, name="Aviso de viaje registrado")).to_be_visible()
    assert_accessible(page)
    smtp_server.wait_for(to=email, subject="aviso de viaje")
    assert buy(card, "bl-buy-bogota-2", country="CO").authorization
    page.get_by_role("link", name="Ver mis avisos de viaje").click()
    expect(page.get_by_role("button", name=re.compile("^Anular aviso"))).to_have_count(1)
    assert_accessible(page)
