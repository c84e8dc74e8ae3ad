"""Cambiar PIN and Generar PIN in a real Chromium, every code and the PIN's link read
from the e-mails really sent to the local SMTP server: each PIN rule refused at its
field in Spanish, a PIN changed and then checked against its hash, a PIN generated and
read once through its link (a second opening refused)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from playwright.sync_api import expect

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import Consent
from enlinea.access.tests.profile_support import PASSWORD
from enlinea.cards.tests.support import PIN, cardholder
from enlinea.products.models import CreditCard, DebitCard
from tests.browser.test_beneficiaries import open_option
from tests.browser.test_profile import validate_code
from tests.support.browser import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"
RULES = [
    ("2345", "No uses dígitos consecutivos"),
    ("1122", "No uses dígitos repetidos"),
    ("1407", "No uses tu fecha de nacimiento"),
    ("12a4", "El PIN debe tener 4 dígitos"),
]


@pytest.fixture
def holder(settings):
    member, debit, credit = cardholder(USERNAME)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member, debit, credit


def more_options(page, card) -> None:
    page.locator("summary", has_text=f"Más opciones de la tarjeta {card.masked_number}").click()


def test_cambiar_pin_then_generar_pin_read_once(open_page, login, smtp_server, holder) -> None:
    member, debit, credit = holder
    page, _ = open_page(PHONE)
    login(page, USERNAME, PASSWORD)
    main = page.get_by_role("main")

    open_option(page, "tarjetas", "Tarjeta de débito")
    expect(page.get_by_role("heading", level=1, name="Tarjetas de débito")).to_be_visible()
    assert_accessible(page)
    more_options(page, debit)
    main.get_by_role("link", name=f"Cambiar PIN de la tarjeta {debit.masked_number}").click()
    expect(page.get_by_role("heading", level=1, name="Cambiar PIN")).to_be_visible()
    expect(main).to_contain_text("Evita usar dígitos consecutivos")
    for pin, message in RULES:
        page.get_by_label("PIN actual").fill(PIN)
        page.get_by_label("Nuevo PIN").fill(pin)
        page.get_by_label("Confirmar PIN").fill(pin)
        main.get_by_role("button", name="Cambiar PIN").click()
        expect(page.locator("#id_new_error")).to_contain_text(message)
    assert_accessible(page)
    page.get_by_label("PIN actual").fill(PIN)
    page.get_by_label("Nuevo PIN").fill("2580")
    page.get_by_label("Confirmar PIN").fill("2580")
    since = len(smtp_server.messages)
    main.get_by_role("button", name="Cambiar PIN").click()
    validate_code(page, smtp_server, member.email, since)
    expect(page.get_by_role("heading", level=1, name="¡PIN cambiado con éxito!")).to_be_visible()
    expect(main).to_contain_text("Revisa tu correo para ver los detalles e instrucciones.")
    assert check_password("2580", DebitCard.objects.get(pk=debit.pk).pin_hash)
    notice = smtp_server.wait_for(to=member.email, subject="Cambiaste el PIN")
    assert "2580" not in smtp_server.body(notice)
    main.get_by_role("link", name="Regresar").click()

    # Generar PIN for the credit card: the code, then the link in the e-mail.
    page.get_by_role("main").get_by_role("link", name="Tarjetas de crédito").click()
    more_options(page, credit)
    main.get_by_role("link", name=f"Generar PIN de la tarjeta {credit.masked_number}").click()
    expect(page.get_by_role("heading", level=1, name="Generar PIN")).to_be_visible()
    since = len(smtp_server.messages)
    main.get_by_role("button", name="Generar PIN").click()
    validate_code(page, smtp_server, member.email, since)
    expect(page.get_by_role("heading", level=1, name="¡PIN generado con éxito!")).to_be_visible()
    mail = smtp_server.wait_for(to=member.email, subject="Generaste un nuevo PIN")
    body = smtp_server.body(mail)
    link = next(word for word in body.split() if "/tarjetas/pin/" in word)
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Tu nuevo PIN")).to_be_visible()
    assert "/tarjetas/pin/" in page.url
    assert link not in page.url
    main.get_by_role("button", name="Ver mi PIN").click()
    expect(main).to_contain_text("Memorízalo")
    shown = main.locator(".pin-reveal strong").inner_text()
    assert shown not in body
    assert check_password(shown, CreditCard.objects.get(pk=credit.pk).pin_hash)
    assert_accessible(page)

    page.goto(link)  # a second opening
    expect(main).to_contain_text("Este enlace ya se usó")
    expect(main.get_by_role("button", name="Ver mi PIN")).to_have_count(0)
