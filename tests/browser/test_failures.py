"""The issue's failures in a real Chromium, each with its Spanish message.

Security codes (expired, third wrong code, reused, meant for another operation) are
read from the e-mails the local SMTP server receives; the rules of the Perfil forms
(username, password, answers) are typed into the pages. The happy paths and the
pages' first accessibility checks are in test_profile.py.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from enlinea.access.models import AuditKind, OnlineProfile
from enlinea.access.tests.profile_support import NEW_PASSWORD, PASSWORD, enrolled_member, wrong_code
from enlinea.security import codes
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent
from tests.browser.test_profile import code_sent, open_option
from tests.support.browser import DESKTOP, PHONE, assert_accessible, guard_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"


@pytest.fixture
def socio(settings):
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0  # "Reenviar" at once
    return enrolled_member(USERNAME)  # security image: Delfín


def image_current(socio) -> str:
    return OnlineProfile.objects.get(user=socio.user).security_image


def dialog_of(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Factor de seguridad")


def code_type(page: Page, code: str) -> None:
    dialog = dialog_of(page)
    dialog.get_by_label("Código de verificación").fill(code)
    dialog.get_by_role("button", name="Validar").click()


def code_refused(page: Page, message: str) -> None:
    """The message is the code field's error, and the field's description says it."""
    dialog = dialog_of(page)
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(dialog.get_by_role("alert")).to_contain_text(message)
    expect(dialog.get_by_label("Código de verificación")).to_have_accessible_description(
        re.compile(re.escape(message))
    )


def image_request(page: Page, name: str) -> None:
    """Cambio de imagen de seguridad: pick an image and press Validar (a code is sent)."""
    open_option(page, "Cambio de imagen de seguridad")
    page.locator("label.image-card", has_text=name).click()
    page.get_by_role("button", name="Validar").click()
    expect(dialog_of(page)).to_be_visible()


def done(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("El proceso se realizó correctamente.")


def second_tab(page: Page, live_server, path: str) -> tuple[Page, list[str]]:
    """Another tab of the same browser (same session cookie) at ``path``."""
    tab = page.context.new_page()
    outside = guard_network(tab, live_server.url)
    tab.goto(live_server.url + path)
    return tab, outside


def test_expired_code_and_third_wrong_code_then_reenviar(
    open_page, login, smtp_server, socio
) -> None:
    page, outside = open_page(PHONE)
    login(page, USERNAME, PASSWORD)

    # Expired: the code received is typed after its 3 minutes.
    since = len(smtp_server.messages)
    image_request(page, "Paloma")
    code = code_sent(smtp_server, socio.email, since)
    SecurityChallenge.objects.filter(member=socio).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    code_type(page, code)
    code_refused(page, codes.MSG_EXPIRED)
    expect(dialog_of(page).get_by_role("button", name="Validar")).to_be_disabled()
    assert_accessible(page)  # the dialog with its countdown run out
    assert image_current(socio) == "delfin"
    since = len(smtp_server.messages)
    dialog_of(page).get_by_role("button", name="Reenviar").click()
    new_code = code_sent(smtp_server, socio.email, since)
    # A fresh code: the countdown starts again and "Validar" works again.
    expect(dialog_of(page)).to_contain_text(re.compile(r"El código expira en: 0[23]:"))
    expect(dialog_of(page).get_by_role("button", name="Validar")).to_be_enabled()
    code_type(page, new_code)
    done(page, "Imagen de seguridad actualizada")
    assert image_current(socio) == "paloma"

    # Third wrong code: the code dies, even the right one is refused afterwards.
    since = len(smtp_server.messages)
    image_request(page, "Martillo")
    code = code_sent(smtp_server, socio.email, since)
    code_type(page, wrong_code(code))
    code_refused(page, "El código ingresado es incorrecto. Te quedan 2 intentos.")
    code_type(page, wrong_code(code))
    code_refused(page, "El código ingresado es incorrecto. Te queda 1 intento.")
    exhausted = codes.MSG_EXHAUSTED.format(n=3)
    code_type(page, wrong_code(code))
    code_refused(page, exhausted)
    code_type(page, code)
    code_refused(page, exhausted)
    assert image_current(socio) == "paloma"
    # As the message says, «Reenviar» gives a code that works.
    since = len(smtp_server.messages)
    dialog_of(page).get_by_role("button", name="Reenviar").click()
    code_type(page, code_sent(smtp_server, socio.email, since))
    done(page, "Imagen de seguridad actualizada")
    assert image_current(socio) == "martillo"
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_EXPIRED).count() == 1
    assert AuditEvent.objects.filter(kind=SecurityEvent.CODE_EXHAUSTED).count() == 1
    assert outside == []


OTHER_OPERATION = (
    "Ese código es de otra operación o fue reemplazado por uno nuevo: usa el último "
    "código que te enviamos para esta operación."
)


def test_code_reused_or_meant_for_another_operation(
    open_page, login, live_server, smtp_server, socio
) -> None:
    page, outside = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)

    # Reused: the same code page open in two tabs; the code works in the first, and
    # typing it again in the second changes nothing more: it shows the first result.
    since = len(smtp_server.messages)
    image_request(page, "Paloma")
    code = code_sent(smtp_server, socio.email, since)
    code_path = page.url.removeprefix(live_server.url)
    other, other_outside = second_tab(page, live_server, code_path)
    expect(dialog_of(other)).to_be_visible()
    code_type(page, code)
    done(page, "Imagen de seguridad actualizada")
    code_type(other, code)
    expect(other.get_by_role("heading", level=1)).to_have_text("Imagen de seguridad actualizada")
    expect(other.get_by_role("main")).to_contain_text(
        "Esta operación ya se había realizado; no se realizó de nuevo."
    )
    assert image_current(socio) == "paloma"
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).count() == 1
    assert SecurityChallenge.objects.get().status == SecurityChallenge.Status.USED

    # Two tabs, two image changes: each keeps its own code. The first tab's code typed
    # in the second is refused, saying why; then each code works in its own tab.
    since = len(smtp_server.messages)
    image_request(page, "Delfín")
    first = code_sent(smtp_server, socio.email, since)
    since = len(smtp_server.messages)
    image_request(other, "Billete")
    second = code_sent(smtp_server, socio.email, since)
    code_type(other, first)
    code_refused(other, OTHER_OPERATION + " Te quedan 2 intentos.")
    assert image_current(socio) == "paloma"
    code_type(page, first)
    done(page, "Imagen de seguridad actualizada")
    assert image_current(socio) == "delfin"
    code_type(other, second)
    done(other, "Imagen de seguridad actualizada")
    assert image_current(socio) == "billete"

    # A code sent for another operation (Cambio de usuario) typed in the image's dialog.
    since = len(smtp_server.messages)
    open_option(other, "Personalización de usuario")
    other.get_by_label("Nuevo nombre de usuario").fill("andres2027")
    other.get_by_role("button", name="Aceptar").click()
    username_code = code_sent(smtp_server, socio.email, since)
    since = len(smtp_server.messages)
    image_request(page, "Martillo")
    image_code = code_sent(smtp_server, socio.email, since)
    code_type(page, username_code)
    code_refused(page, OTHER_OPERATION + " Te quedan 2 intentos.")
    assert image_current(socio) == "billete"
    # The username change in the other tab is still pending: its code works there.
    code_type(other, username_code)
    expect(other.get_by_role("heading", level=1, name="Cambio de usuario")).to_be_visible()
    socio.user.refresh_from_db()
    assert socio.user.username == "andres2027"
    # The image's own code still works.
    code_type(page, image_code)
    done(page, "Imagen de seguridad actualizada")
    assert image_current(socio) == "martillo"
    assert outside == other_outside == []


def field_error(page: Page, field: Locator) -> Locator:
    """The error message printed at a field (ui/field.html: ``<id>_error``)."""
    return page.locator(f"#{field.get_attribute('id')}_error")


def test_perfil_forms_refuse_each_rule(open_page, login, smtp_server, socio, other_member) -> None:
    page, outside = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)

    # Personalización de usuario.
    open_option(page, "Personalización de usuario")
    new_username = page.get_by_label("Nuevo nombre de usuario")
    for typed, message in (
        ("andres", "El usuario debe tener entre 8 y 15 caracteres."),
        (
            "Andres_2026",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        ("12345678", "El usuario debe tener al menos una letra."),
        (socio.identification, "El usuario debe ser distinto a tu número de cédula."),
        (other_member.username, "Ese nombre de usuario no está disponible. Prueba con otro."),
        (USERNAME, "El nuevo usuario debe ser distinto al actual."),
    ):
        new_username.fill(typed)
        page.get_by_role("button", name="Aceptar").click()
        expect(page).to_have_title(re.compile(r"^Error: "))
        expect(field_error(page, new_username)).to_contain_text(message)

    # Cambio de contraseña.
    open_option(page, "Cambio de contraseña")
    current = page.get_by_label("Ingresa tu contraseña actual", exact=True)
    new = page.get_by_label("Nueva contraseña", exact=True)
    confirmation = page.get_by_label("Confirmar contraseña", exact=True)
    for typed_current, typed, typed_confirmation, field, message in (
        (
            "Otra#Clave2026",
            NEW_PASSWORD,
            NEW_PASSWORD,
            current,
            "La contraseña actual es incorrecta.",
        ),
        (PASSWORD, "Ab#12", "Ab#12", new, "La contraseña debe tener entre 10 y 15 caracteres."),
        (
            PASSWORD,
            "progreso2026",
            "progreso2026",
            new,
            "A la contraseña le falta una letra mayúscula y un carácter especial ($@#%!*?&).",
        ),
        (
            PASSWORD,
            "Progreso 2026#",
            "Progreso 2026#",
            new,
            "La contraseña solo puede tener letras sin tildes, números y los caracteres "
            "$@#%!*?&; quita « ».",
        ),
        (
            PASSWORD,
            "Andreslopez#1",
            "Andreslopez#1",
            new,
            "La contraseña no puede contener tu nombre de usuario.",
        ),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", confirmation, "Las contraseñas no coinciden."),
        (PASSWORD, PASSWORD, PASSWORD, new, "La nueva contraseña debe ser distinta a la actual."),
    ):
        current.fill(typed_current)
        new.fill(typed)
        confirmation.fill(typed_confirmation)
        page.get_by_role("button", name="Confirmar").click()
        expect(page).to_have_title(re.compile(r"^Error: "))
        expect(field_error(page, field)).to_contain_text(message)
    assert_accessible(page)  # the page with an error at the password's confirmation

    # Cambio de preguntas: a bad answer for each rule at once, then too few questions.
    open_option(page, "Cambio de preguntas")
    main = page.get_by_role("main")
    bad = {
        "¿Cuál es tu color favorito?": ("verde claro", "La respuesta debe ser una sola palabra."),
        "¿Serie de televisión favorita?": ("chavo8", "La respuesta no puede tener números."),
        "¿Cuál fue tu primer trabajo?": (
            "mecánico",
            "Ingresa solo letras minúsculas sin tildes, de la a a la z.",
        ),
        "¿Amigo de la infancia?": (
            "Pedro",
            "Ingresa solo letras minúsculas sin tildes, de la a a la z.",
        ),
        "¿Nombre de tu colegio?": ("x", "La respuesta debe tener entre 2 y 40 letras."),
    }
    for label, (typed, _) in bad.items():
        main.get_by_role("textbox", name=label, exact=True).fill(typed)
    page.get_by_role("button", name="Confirmar").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    for label, (_, message) in bad.items():
        field = main.get_by_role("textbox", name=label, exact=True)
        expect(field_error(page, field)).to_contain_text(message)
    assert_accessible(page)  # an error at each of several answers
    for label in bad:
        main.get_by_role("textbox", name=label, exact=True).fill("")
    main.get_by_role("textbox", name="¿Cuál es tu color favorito?", exact=True).fill("verde")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Responde mínimo 5 preguntas de seguridad."
    )
    # Nothing was sent or changed by any of these.
    assert not SecurityChallenge.objects.exists()
    socio.user.refresh_from_db()
    assert socio.user.username == USERNAME
    assert socio.user.check_password(PASSWORD)
    assert outside == []
