"""«¿Olvidaste tu usuario?» in a real Chromium: cédula → code from the real e-mail →
the username arrives by e-mail (issue point 15)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enlinea.access.tests.profile_support import enrolled_member
from enlinea.members.tests.support import make_cedula
from tests.support.browser import PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_page(page, viewport) -> None:
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert page_width(page) <= viewport["width"]


def _start(page, live_server, cedula: str) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="¿Olvidaste tu usuario?").click()
    expect(page.get_by_role("heading", level=1, name="¿Olvidaste tu usuario?")).to_be_visible()
    page.get_by_label("Número de identificación").fill(cedula)
    page.get_by_role("button", name="Continuar").click()


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone")])
def test_a_forgotten_username_is_emailed_after_the_code(
    open_page, live_server, smtp_server, viewport
) -> None:
    socio = enrolled_member("rosaquishpe", email="rosa.quishpe@example.com")
    page, outside = open_page(viewport)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="¿Olvidaste tu contraseña?")).to_be_visible()
    page.get_by_role("link", name="¿Olvidaste tu usuario?").click()
    expect(page.get_by_role("heading", level=1, name="¿Olvidaste tu usuario?")).to_be_visible()
    _check_page(page, viewport)

    page.get_by_label("Número de identificación").fill(socio.identification)
    page.get_by_role("button", name="Continuar").click()
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("El código expira en: 0")
    _check_page(page, viewport)

    # A wrong code first, then the one from the real e-mail.
    message = smtp_server.wait_for(to=socio.email, subject="código de seguridad")
    assert "Recordar tu usuario" in smtp_server.body(message)
    code = smtp_server.code_in(message)
    smtp_server.clear()
    dialog.get_by_label("Código de verificación").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    dialog.get_by_role("button", name="Validar").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "El código ingresado es incorrecto. Te quedan 2 intentos."
    )
    _check_page(page, viewport)
    dialog.get_by_label("Código de verificación").fill(code)
    dialog.get_by_role("button", name="Validar").click()

    expect(page.get_by_role("heading", level=1, name="Te enviamos tu usuario")).to_be_visible()
    expect(page.get_by_text("rosaquishpe")).to_have_count(0)  # never on screen
    _check_page(page, viewport)
    reminder = smtp_server.wait_for(to=socio.email, subject="Tu usuario de")
    assert re.search(r"Usuario: rosaquishpe\b", smtp_server.body(reminder))

    # With it, the login shows the member's own image again.
    page.get_by_role("link", name="Iniciar Sesión").click()
    page.get_by_label("Usuario").fill("rosaquishpe")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("img", name="Delfín")).to_be_visible()
    assert outside == []


def test_an_unknown_cedula_walks_the_same_steps_and_gets_nothing(
    open_page, live_server, smtp_server
) -> None:
    page, outside = open_page(PHONE)
    _start(page, live_server, make_cedula())
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("El código expira en: 0")
    _check_page(page, PHONE)
    dialog.get_by_label("Código de verificación").fill("123456")
    dialog.get_by_role("button", name="Validar").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "El código ingresado es incorrecto. Te quedan 2 intentos."
    )
    assert smtp_server.messages == []
    assert outside == []
