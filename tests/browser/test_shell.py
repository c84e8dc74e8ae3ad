"""The shell in a real Chromium: login page and member layout on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width, wait_styled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]
SECTIONS = [
    "Perfil",
    "Posición Consolidada",
    "Transferencias",
    "Pago de Tarjetas",
    "Pago de Servicios",
    "Tarjetas Cooprogreso",
    "Administración Beneficiarios",
    "Servicios",
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_login_page_in_spanish(open_page, live_server, viewport) -> None:
    page, outside = open_page(viewport)
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile(r"^Iniciar Sesión · Cooprogreso en Línea$"))
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    expect(page.get_by_label("Usuario")).to_be_visible()
    expect(page.get_by_role("button", name="Continuar")).to_be_visible()
    expect(page.get_by_role("link", name="Regístrate")).to_be_visible()
    expect(page.get_by_role("link", name="¿Olvidaste tu contraseña?")).to_be_visible()
    expect(page.get_by_role("link", name="1800 266 776")).to_have_attribute(
        "href", "tel:1800266776"
    )
    # Nothing wider than the screen on a phone.
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)
    assert outside == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_wrong_password_error_summary_takes_focus(open_page, live_server, member, viewport) -> None:
    page, outside = open_page(viewport)
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill("andreslopez")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_label("Contraseña").fill("incorrecta")
    page.get_by_role("button", name="Iniciar Sesión").click()
    expect(page).to_have_title(re.compile(r"^Error: Iniciar Sesión"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Hay un problema")
    expect(summary).to_contain_text("Usuario o contraseña incorrectos")
    expect(summary).to_be_focused()
    expect(page.get_by_text("Hola, andreslopez")).to_be_visible()
    expect(page.get_by_label("Contraseña")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    assert outside == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_member_layout_menu_header_and_logout(
    open_page, live_server, login, member, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page)
    expect(page.get_by_role("heading", level=1, name="Mis productos")).to_be_visible()
    expect(page.get_by_text("Última conexión: primera vez que ingresas")).to_be_visible()
    nav = page.get_by_role("navigation", name="Menú principal")
    if viewport is PHONE:
        # On a phone the menu folds behind a "Menú" button to leave room for the content.
        expect(nav.get_by_role("link", name="Transferencias")).to_be_hidden()
        nav.get_by_text("Menú", exact=True).click()
    links = nav.get_by_role("link")
    expect(links).to_have_text(SECTIONS)
    assert_accessible(page)

    nav.get_by_role("link", name="Transferencias").click()
    expect(page.get_by_role("heading", level=1, name="Transferencias")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/menu/transferencias/$"))
    assert_accessible(page)
    assert page_width(page) <= viewport["width"]

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    page.goto(live_server.url + "/inicio/")
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    assert outside == []


def test_second_login_shows_previous_connection(open_page, live_server, login, member) -> None:
    page, _ = open_page(DESKTOP)
    login(page)
    page.get_by_role("button", name="Cerrar sesión").click()
    login(page)
    header = page.get_by_role("banner")
    expect(header).to_contain_text(re.compile(r"Última conexión: \d\d/[a-z]{3}\./\d{4} \d\d:\d\d"))
    expect(header).to_contain_text("Dispositivo: Chromium - WEB - 127.0.0.1")


def test_keyboard_skip_link_and_visible_focus(open_page, live_server, login, member) -> None:
    page, _ = open_page(DESKTOP)
    login(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Saltar al contenido")
    expect(skip).to_be_focused()
    wait_styled(page)
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # Tabbing reaches the menu; each link shows a focus ring.
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Perfil":
            break
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
