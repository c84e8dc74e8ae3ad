"""Every Perfil change in a real Chromium, codes read from the e-mails really sent."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import AuditKind, Consent, OnlineProfile, SecurityAnswer
from enlinea.access.tests.profile_support import NEW_PASSWORD, PASSWORD, enrolled_member
from enlinea.security.models import AuditEvent
from tests.support.browser import DESKTOP, PHONE, assert_accessible, wait_styled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


@pytest.fixture
def socio(settings):
    member = enrolled_member(USERNAME)
    Consent.objects.create(
        member=member, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    return member


def code_sent(smtp_server, email: str, since: int) -> str:
    """The security code in the first code e-mail to ``email`` after message ``since``."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with smtp_server.lock:
            fresh = [
                m
                for m in smtp_server.messages[since:]
                if email in str(m["To"]) and "código" in str(m["Subject"]).lower()
            ]
        if fresh:
            return smtp_server.code_in(fresh[0])
        time.sleep(0.05)
    raise AssertionError(f"No code e-mail to {email} arrived")


def validate_code(page: Page, smtp_server, email: str, since: int) -> None:
    """The "Factor de seguridad" dialog: type the code received and press Validar."""
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("El código expira en:")
    expect(dialog).to_contain_text("¿No te llegó el código?")
    assert_accessible(page)
    dialog.get_by_label("Código de verificación").fill(code_sent(smtp_server, email, since))
    dialog.get_by_role("button", name="Validar").click()


def open_option(page: Page, label: str) -> None:
    """From the Perfil section page (/menu/perfil/), open one of its options."""
    origin = re.match(r"^https?://[^/]+", page.url).group(0)
    page.goto(origin + "/menu/perfil/")
    page.get_by_role("main").get_by_role("link", name=label).click()


def success(page: Page, title: str, message: str) -> None:
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(message)
    assert_accessible(page)
    page.get_by_role("link", name="Cerrar").click()


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone")])
def test_questions_image_and_username_changes(
    open_page, login, smtp_server, socio, viewport
) -> None:
    page, outside = open_page(viewport)
    login(page, USERNAME, PASSWORD)
    email = socio.email

    # Cambio de preguntas: two more answers (5 in all) and one replaced.
    open_option(page, "Cambio de preguntas")
    expect(page.get_by_role("heading", level=1)).to_have_text("Actualizar preguntas de seguridad")
    expect(page.get_by_text("Elige mínimo 5 preguntas")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="¿Cuál es tu color favorito?").fill("verde")
    page.get_by_role("button", name="Confirmar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("alert").first).to_contain_text("Responde mínimo 5 preguntas")
    assert_accessible(page)
    answer = page.get_by_role("textbox", name="¿Serie de televisión favorita?")
    answer.fill("chavo")
    masking = "e => getComputedStyle(e).webkitTextSecurity"
    wait_styled(page)
    assert answer.evaluate(masking) == "disc"  # typed answers are masked…
    page.get_by_role("checkbox", name="Ver respuesta: ¿Serie de televisión favorita?").check()
    assert answer.evaluate(masking) == "none"  # …until "Ver"
    expect(answer).to_have_value("chavo")
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Confirmar").click()
    validate_code(page, smtp_server, email, since)
    success(page, "Preguntas de seguridad actualizadas", "El proceso se realizó correctamente.")
    expect(page.get_by_role("heading", level=1, name="Perfil")).to_be_visible()
    assert SecurityAnswer.objects.filter(user=socio.user).count() == 5

    # Cambio de imagen de seguridad.
    open_option(page, "Cambio de imagen de seguridad")
    assert_accessible(page)
    page.locator("label.image-card", has_text="Paloma").click()
    expect(page.get_by_role("radio", name="Paloma")).to_be_checked()
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Validar").click()
    validate_code(page, smtp_server, email, since)
    success(page, "Imagen de seguridad actualizada", "El proceso se realizó correctamente.")
    assert OnlineProfile.objects.get(user=socio.user).security_image == "paloma"

    # Personalización de usuario: a rule first, then a good one.
    open_option(page, "Personalización de usuario")
    expect(page.get_by_label("Anterior nombre de usuario (Opcional)")).to_have_value(USERNAME)
    assert_accessible(page)
    page.get_by_label("Nuevo nombre de usuario").fill("Andres")
    page.get_by_role("button", name="Aceptar").click()
    expect(page.get_by_role("main")).to_contain_text(
        "El usuario debe tener entre 8 y 15 caracteres."
    )
    assert_accessible(page)
    page.get_by_label("Nuevo nombre de usuario").fill("andres2026")
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Aceptar").click()
    validate_code(page, smtp_server, email, since)
    success(page, "Cambio de usuario", "Se ha cambiado el usuario correctamente")
    socio.user.refresh_from_db()
    assert socio.user.username == "andres2026"
    assert outside == []


def test_devices_terms_and_password(open_page, login, smtp_server, socio) -> None:
    page, outside = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    email = socio.email

    # Dispositivos: the browser the login registered; Ver detalle, then Eliminar.
    open_option(page, "Dispositivos")
    card = page.get_by_role("listitem").filter(has_text="Dispositivo de pruebas")
    expect(card).to_contain_text("Este dispositivo")
    assert_accessible(page)
    card.locator("summary", has_text="Más opciones de Dispositivo de pruebas").click()
    card.get_by_role("link", name="Ver detalle").click()
    for label in ("Marca", "Modelo", "Versión sistema operativo", "Fecha activo", "IP"):
        expect(page.get_by_role("main")).to_contain_text(label)
    assert_accessible(page)
    page.get_by_role("link", name="Cerrar").click()
    card = page.get_by_role("listitem").filter(has_text="Dispositivo de pruebas")
    card.locator("summary", has_text="Más opciones de Dispositivo de pruebas").click()
    card.get_by_role("link", name="Eliminar").click()
    page.get_by_role("button", name="Sí, eliminar").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Ingresa el motivo por el cual eliminas el dispositivo."
    )
    assert_accessible(page)
    page.get_by_label("Motivo").fill("Ya no uso este computador")
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Sí, eliminar").click()
    validate_code(page, smtp_server, email, since)
    success(page, "Dispositivo eliminado", "El proceso se ha realizado con éxito.")
    expect(page.get_by_text("No tienes dispositivos registrados")).to_be_visible()

    # Contrato de términos y condiciones.
    open_option(page, "Contrato de términos y condiciones")
    expect(page.get_by_role("main")).to_contain_text("Aceptaste la versión")
    expect(page.get_by_role("main")).to_contain_text("Registro y Afiliación a Canales Digitales")
    assert_accessible(page)

    # Cambio de contraseña: wrong current one, then the change.
    open_option(page, "Cambio de contraseña")
    expect(page.get_by_role("heading", level=1)).to_have_text("Actualizar contraseña")
    assert_accessible(page)
    page.get_by_label("Ingresa tu contraseña actual").fill("Otra#Clave2026")
    page.get_by_label("Nueva contraseña").fill(NEW_PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("main")).to_contain_text("La contraseña actual es incorrecta.")
    assert_accessible(page)
    page.get_by_label("Ingresa tu contraseña actual").fill(PASSWORD)
    page.get_by_label("Nueva contraseña").fill(NEW_PASSWORD)
    page.get_by_label("Confirmar contraseña").fill(NEW_PASSWORD)
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Confirmar").click()
    validate_code(page, smtp_server, email, since)
    success(page, "Contraseña actualizada", "El proceso se realizó correctamente.")
    expect(page.get_by_role("heading", level=1, name="Perfil")).to_be_visible()  # still in
    socio.user.refresh_from_db()
    assert socio.user.check_password(NEW_PASSWORD)
    assert outside == []


def test_a_wrong_code_then_the_right_one(open_page, login, smtp_server, socio) -> None:
    page, _ = open_page(PHONE)
    login(page, USERNAME, PASSWORD)
    open_option(page, "Cambio de imagen de seguridad")
    page.locator("label.image-card", has_text="Martillo").click()
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Validar").click()
    code = code_sent(smtp_server, socio.email, since)
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    dialog.get_by_label("Código de verificación").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    dialog.get_by_role("button", name="Validar").click()
    expect(page.get_by_role("dialog")).to_contain_text(
        "El código ingresado es incorrecto. Te quedan 2 intentos."
    )
    assert_accessible(page)
    page.get_by_role("dialog").get_by_label("Código de verificación").fill(code)
    page.get_by_role("dialog").get_by_role("button", name="Validar").click()
    success(page, "Imagen de seguridad actualizada", "El proceso se realizó correctamente.")


def test_one_change_through_the_confirmation_flow(
    open_page, login, smtp_server, socio, settings
) -> None:
    """Cambio de imagen on the one confirmation flow: where the code went, "Reenviar"
    disabled during its cool-down and enabled when it ends, the code from the e-mail,
    and a result that a refresh shows again without a second change."""
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 3
    page, outside = open_page(PHONE)
    login(page, USERNAME, PASSWORD)
    open_option(page, "Cambio de imagen de seguridad")
    page.locator("label.image-card", has_text="Billete").click()
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Validar").click()
    expect(page).to_have_url(re.compile(r"/operaciones/[\w-]{32,}/codigo/$"))
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_contain_text(
        "Enviamos el código a an***@example.com y al celular 09*****567."
    )
    resend = dialog.get_by_role("button", name="Reenviar")
    expect(resend).to_be_disabled()
    expect(dialog).to_contain_text("Podrás pedir otro código en")
    assert_accessible(page)
    first = code_sent(smtp_server, socio.email, since)
    expect(resend).to_be_enabled(timeout=6000)  # the countdown ran out
    expect(dialog.get_by_text("Podrás pedir otro código en")).to_be_hidden()
    since = len(smtp_server.messages)
    resend.click()
    expect(page.get_by_role("dialog")).to_contain_text(
        "Te enviamos un nuevo código a tu correo y a tu celular."
    )
    expect(page.get_by_role("dialog").get_by_role("button", name="Reenviar")).to_be_disabled()
    second = code_sent(smtp_server, socio.email, since)
    if first != second:  # the resent code replaced the first one
        page.get_by_role("dialog").get_by_label("Código de verificación").fill(first)
        page.get_by_role("dialog").get_by_role("button", name="Validar").click()
        expect(page.get_by_role("dialog").get_by_role("alert")).to_contain_text("incorrecto")
    page.get_by_role("dialog").get_by_label("Código de verificación").fill(second)
    page.get_by_role("dialog").get_by_role("button", name="Validar").click()
    expect(page).to_have_url(re.compile(r"/operaciones/[\w-]{32,}/resultado/$"))
    expect(
        page.get_by_role("heading", level=1, name="Imagen de seguridad actualizada")
    ).to_be_visible()
    page.reload()  # a refresh shows the same result and changes nothing more
    expect(
        page.get_by_role("heading", level=1, name="Imagen de seguridad actualizada")
    ).to_be_visible()
    assert_accessible(page)
    assert OnlineProfile.objects.get(user=socio.user).security_image == "billete"
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).count() == 1
    page.get_by_role("link", name="Cerrar").click()
    expect(page.get_by_role("heading", level=1, name="Perfil")).to_be_visible()
    assert outside == []
