"""Login in a real Chromium: security image, new device with a code read from the e-mail,
five failed logins and the lock e-mail, the idle-timeout warning and its expiry."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from conftest import MEMBER_PASSWORD
from enlinea.access.models import AuditKind, Device, OnlineProfile
from enlinea.security.models import AuditEvent
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "andres.lopez@example.com"


def _username_step(page, live_server, username: str = "andreslopez") -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_role("button", name="Continuar").click()


def _password_step(page, password: str) -> None:
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar Sesión").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_login_shows_the_security_image_then_goes_in_from_a_known_device(
    open_page, live_server, login, member, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page)  # registers this browser as a device, then logs in through the pages
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT).count() == 1

    _username_step(page, live_server)
    expect(page).to_have_url(re.compile(r"/ingreso/clave/$"))
    expect(page.get_by_text("Hola, andreslopez")).to_be_visible()
    expect(page.get_by_role("img", name="Delfín")).to_be_visible()
    expect(page.get_by_text("¿Es tu imagen de seguridad?")).to_be_visible()
    expect(page.get_by_role("link", name="No es mi imagen")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    assert_accessible(page)
    _password_step(page, MEMBER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/inicio/$"))
    expect(page.get_by_role("banner")).to_contain_text("Dispositivo: Chromium - WEB - 127.0.0.1")
    assert outside == []


def test_not_my_image_goes_back_without_asking_the_password(open_page, live_server) -> None:
    page, _ = open_page(PHONE)
    _username_step(page, live_server, "alguienmas1")
    expect(page.get_by_role("img")).to_have_count(2)  # the logo and a (decoy) image
    page.get_by_role("link", name="No es mi imagen").click()
    expect(page.get_by_text("No ingreses tu contraseña si no reconoces la imagen.")).to_be_visible()
    expect(page.get_by_label("Usuario")).to_have_value("alguienmas1")
    assert_accessible(page)


def test_new_device_asks_for_the_emailed_code_and_can_be_registered(
    open_page, live_server, member, smtp_server
) -> None:
    page, outside = open_page(DESKTOP)
    _username_step(page, live_server)
    _password_step(page, MEMBER_PASSWORD)

    expect(page.get_by_role("heading", level=1, name="Nuevo dispositivo")).to_be_visible()
    question = page.get_by_role(
        "group", name="Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?"
    )
    expect(question).to_be_visible()
    expect(page.get_by_placeholder("Ej: Mi laptop personal")).to_be_visible()
    assert_accessible(page)
    question.get_by_label("Si, guardar").check()
    page.get_by_role("button", name="Continuar").click()
    # "Si, guardar" without an alias says what to type.
    expect(page).to_have_title(re.compile(r"^Error: Nuevo dispositivo"))
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "Escribe un alias para el dispositivo"
    )
    assert_accessible(page)
    page.get_by_label("Si, guardar").check()
    page.get_by_label("Alias del dispositivo").fill("Mi laptop personal")
    page.get_by_role("button", name="Continuar").click()

    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(re.compile(r"El código expira en: 0[23]:\d\d"))
    expect(dialog.get_by_role("button", name="Reenviar")).to_be_visible()
    assert_accessible(page)
    code = smtp_server.code_in(smtp_server.wait_for(to=EMAIL, subject="Tu código de seguridad"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    dialog.get_by_label("Código de verificación").fill(wrong)
    dialog.get_by_role("button", name="Validar").click()
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_contain_text("El código ingresado es incorrecto. Te quedan 2 intentos.")
    assert_accessible(page)
    dialog.get_by_label("Código de verificación").fill(code)
    dialog.get_by_role("button", name="Validar").click()

    expect(page).to_have_url(re.compile(r"/inicio/$"))
    expect(page.get_by_role("heading", level=1, name="Mis productos")).to_be_visible()
    assert Device.objects.get(user=member).alias == "Mi laptop personal"
    notice = smtp_server.wait_for(to=EMAIL, subject="desde un nuevo dispositivo")
    body = smtp_server.body(notice)
    assert "Navegador: Chromium" in body
    assert "IP: 127.0.0.1" in body
    assert re.search(r"Fecha: \d\d/[a-z]{3}\./\d{4} \d\d:\d\d", body)
    assert "Mi laptop personal" in body

    # The next login from this browser needs no code.
    page.get_by_role("button", name="Cerrar sesión").click()
    smtp_server.clear()
    _username_step(page, live_server)
    _password_step(page, MEMBER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/inicio/$"))
    time.sleep(0.5)
    assert not [m for m in smtp_server.messages if "código" in str(m["Subject"])]
    assert outside == []


def test_five_failed_logins_warn_then_lock_and_email(
    open_page, live_server, member, smtp_server
) -> None:
    page, outside = open_page(PHONE)
    _username_step(page, live_server)
    for _ in range(3):
        _password_step(page, "Incorrecta#1")
        expect(page.get_by_label("Contraseña")).to_have_attribute("aria-invalid", "true")
    _password_step(page, "Incorrecta#1")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Te queda un intento antes de que tu acceso se bloquee")
    expect(summary).to_be_focused()
    assert_accessible(page)

    _password_step(page, "Incorrecta#1")
    expect(page.locator("[data-error-summary]")).to_contain_text("Tu acceso está bloqueado")
    expect(page.get_by_role("heading", name="Cómo desbloquear tu acceso")).to_be_visible()
    expect(page.get_by_label("Contraseña")).to_have_count(0)
    assert_accessible(page)
    mail = smtp_server.wait_for(to=EMAIL, subject="está bloqueado")
    assert "¿Olvidaste tu contraseña?" in smtp_server.body(mail)

    # Even the right password is refused now, and nothing more is counted.
    _username_step(page, live_server)
    _password_step(page, MEMBER_PASSWORD)
    expect(page.locator("[data-error-summary]")).to_contain_text("Tu acceso está bloqueado")
    assert OnlineProfile.objects.get(user=member).failed_logins == 5
    page.get_by_role("link", name="¿Olvidaste tu contraseña?").first.click()
    expect(page).to_have_url(re.compile(r"/recuperar/$"))
    assert outside == []


def test_idle_warning_continue_and_expiry(open_page, live_server, login, member, settings) -> None:
    settings.ACCESS_IDLE_TIMEOUT_SECONDS = 10
    settings.ACCESS_IDLE_WARNING_SECONDS = 6
    page, outside = open_page(DESKTOP)
    login(page)
    dialog = page.get_by_role("dialog", name="Tu sesión está por expirar")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog.locator("[data-idle-clock]")).to_have_text(re.compile(r"^00:0\d$"))
    expect(dialog.get_by_role("button", name="Continuar sesión")).to_be_focused()
    expect(dialog.locator("[data-idle-live]")).to_contain_text("Tu sesión se cerrará en")
    assert_accessible(page)

    page.evaluate("window.samePage = true")
    dialog.get_by_role("button", name="Continuar sesión").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#anuncios")).to_have_text("Tu sesión continúa.")
    # The keep-alive POST was accepted: no reload, no detour through the expired page.
    assert page.evaluate("window.samePage") is True
    # Past the first deadline the session is still open: the click counted as activity.
    page.wait_for_timeout(7_000)
    expect(page).to_have_url(re.compile(r"/inicio/$"))
    assert page.evaluate("window.samePage") is True
    assert not AuditEvent.objects.filter(kind=AuditKind.SESSION_EXPIRED).exists()

    # Left alone, the warning comes back and then the session closes.
    expect(page.get_by_role("heading", level=1, name="Tu sesión se cerró")).to_be_visible(
        timeout=15_000
    )
    expect(page).to_have_url(re.compile(r"/sesion/cerrada/$"))
    expect(page.get_by_text("proteger tu dinero")).to_be_visible()
    assert AuditEvent.objects.filter(kind=AuditKind.SESSION_EXPIRED, user=member).count() == 1
    assert_accessible(page)
    page.goto(live_server.url + "/inicio/")
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    assert outside == []


def test_idle_warning_can_close_the_session(
    open_page, live_server, login, member, settings
) -> None:
    settings.ACCESS_IDLE_TIMEOUT_SECONDS = 30
    settings.ACCESS_IDLE_WARNING_SECONDS = 29
    page, _ = open_page(PHONE)
    login(page)
    dialog = page.get_by_role("dialog", name="Tu sesión está por expirar")
    expect(dialog).to_be_visible(timeout=5_000)
    dialog.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", level=1, name="Iniciar Sesión")).to_be_visible()
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, user=member).count() == 1
