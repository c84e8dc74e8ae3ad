"""The design system's partials behave in a real browser: errors, dialog, countdown, tables."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def components(settings, open_page, live_server, login, member):
    settings.DEMO_MODE = True

    def _open(viewport):
        page, outside = open_page(viewport)
        login(page)
        page.goto(live_server.url + "/dev/componentes/")
        return page, outside

    return _open


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_components_page_is_accessible(components, viewport) -> None:
    page, outside = components(viewport)
    expect(page.get_by_role("heading", level=1, name="Componentes")).to_be_visible()
    assert_accessible(page)
    assert page_width(page) <= viewport["width"]
    assert outside == []


def test_form_errors_summary_links_to_fields_and_keeps_input(components) -> None:
    page, _ = components(PHONE)
    page.get_by_label("Número de identificación").fill("12-34")
    page.get_by_label("Monto").fill("abc")
    page.get_by_role("button", name="Confirmar").last.click()
    expect(page).to_have_title(re.compile(r"^Error: Componentes"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Ingresa un número de cédula de 10 dígitos.",
            "Ingresa un monto válido, por ejemplo 1,255.02.",
        ]
    )
    expect(page.get_by_label("Número de identificación")).to_have_value("12-34")
    expect(page.get_by_label("Número de identificación")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    summary.get_by_role("link", name="Ingresa un monto válido, por ejemplo 1,255.02.").click()
    expect(page.get_by_label("Monto")).to_be_focused()


def test_security_code_dialog_counts_down_from_three_minutes(components) -> None:
    page, _ = components(DESKTOP)
    page.get_by_role("button", name="Mostrar factor de seguridad").click()
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Código de verificación")).to_be_focused()
    expect(dialog).to_contain_text(
        "Ingresa el código de verificación enviado a tus medios de comunicación"
    )
    expect(dialog).to_contain_text("¿No te llegó el código?")
    expect(dialog.get_by_role("button", name="Reenviar")).to_be_visible()
    expect(dialog.get_by_role("button", name="Validar")).to_be_enabled()
    clock = dialog.locator("[data-countdown-clock]")
    expect(clock).to_have_text(re.compile(r"^0[23]:[0-5]\d$"))
    first = clock.text_content()
    expect(clock).not_to_have_text(first or "", timeout=3000)
    expect(dialog).to_contain_text(re.compile(r"El código expira en: 02:5\d"))
    assert_accessible(page)


def test_tables_become_cards_on_phones(components) -> None:
    page, _ = components(PHONE)
    cell = page.get_by_role("cell", name="CUENTA DE AHORROS")
    assert cell.evaluate("el => getComputedStyle(el).display") == "flex"
    # Each value is labelled by its column on the card.
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"Tipo de cuenta"'
    expect(page.get_by_role("cell", name="$ 199,956.84")).to_be_visible()

    desk, _ = components(DESKTOP)
    cell = desk.get_by_role("cell", name="CUENTA DE AHORROS")
    assert cell.evaluate("el => getComputedStyle(el).display") == "table-cell"
    expect(desk.get_by_role("columnheader", name="Saldo disponible")).to_be_visible()
