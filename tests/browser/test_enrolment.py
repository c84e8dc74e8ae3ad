"""Regístrate and Primer ingreso in a real Chromium, codes read from real e-mails.

The registration is walked as a member does it, from the identification number to
the temporary credentials (the username in the e-mail, the password in the SMS); then
the login page, showing no security image for a temporary username, leads with those
credentials into the first-login wizard, every step of it, and Paso 9 logs in with the
personalised username, the chosen security image and the new password.
"""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from enlinea.access.devices import DEVICE_COOKIE
from enlinea.access.models import Consent, OnlineProfile
from enlinea.members.services import member_create
from enlinea.members.tests.support import make_cedula, with_wrong_check_digit
from enlinea.notifications.models import Channel, MailboxItem
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [pytest.param(PHONE, id="phone-390x844"), pytest.param(DESKTOP, id="desktop-1366x768")]
NEW_PASSWORD = "Cumbaya#2026x"


def _check_page(page, viewport) -> None:
    page.wait_for_load_state("load")  # styles applied before axe measures targets
    assert_accessible(page)
    # Nothing wider than the screen on a phone.
    assert page_width(page) <= viewport["width"]


def _sms_to(phone: str, contains: str, timeout: float = 10.0) -> str:
    """The newest SMS the simulator delivered to ``phone`` that contains ``contains``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = (
            MailboxItem.objects.filter(
                channel=Channel.SMS, recipient=phone, body__contains=contains
            )
            .order_by("-id")
            .first()
        )
        if item is not None:
            return item.body
        time.sleep(0.05)
    raise AssertionError(f"No SMS to {phone} with {contains!r} within {timeout} s")


def _credentials(smtp_server, email: str, phone: str) -> tuple[str, str]:
    """Point 14: the username from the real e-mail, the password from the SMS."""
    message = smtp_server.wait_for(to=email, subject="usuario temporal")
    body = smtp_server.body(message)
    username = re.search(r"Usuario temporal: (\S+)", body).group(1)
    assert "por SMS" in body
    sms = _sms_to(phone, "contrasena temporal")
    password = re.search(r"contrasena temporal de En Linea es (\S+)", sms).group(1)
    assert password not in body
    assert username not in sms
    for other in smtp_server.messages:  # no e-mail at all carries the password
        assert password not in smtp_server.body(other)
    return username, password


def _register(page, live_server, smtp_server, viewport, *, cedula: str, email: str, phone: str):
    # Paso 1: "Regístrate" on the login page.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Regístrate").click()
    expect(page.get_by_role("heading", level=1, name="Regístrate")).to_be_visible()
    _check_page(page, viewport)

    # Paso 2: a mistyped cédula is caught by its check digit.
    field = page.get_by_label("Número de identificación")
    field.fill(with_wrong_check_digit(cedula))
    page.get_by_role("button", name="Validar").click()
    expect(page).to_have_title(re.compile(r"^Error: Regístrate"))
    expect(page.get_by_role("alert")).to_contain_text(
        "El número de cédula no es válido: revisa el dígito verificador."
    )
    _check_page(page, viewport)
    field.fill(cedula)
    page.get_by_role("button", name="Validar").click()

    # Paso 3: Términos y Condiciones Canales Digitales.
    expect(
        page.get_by_role("heading", level=2, name="Términos y Condiciones Canales Digitales")
    ).to_be_visible()
    _check_page(page, viewport)
    page.get_by_role("button", name="Aceptar").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Marca la casilla «Aceptar términos y condiciones» para continuar."
    )
    page.get_by_label("Aceptar términos y condiciones").check()
    page.get_by_role("button", name="Aceptar").click()

    # Paso 4: Tratamiento de datos; accepting it sends the code.
    expect(page.get_by_role("heading", level=2, name="Tratamiento de datos")).to_be_visible()
    _check_page(page, viewport)
    smtp_server.clear()
    page.get_by_label("Autorizar Tratamiento de datos").check()
    page.get_by_role("button", name="Aceptar").click()

    # Paso 5: Factor de seguridad, with the code from the e-mail.
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("El código expira en: 0")
    expect(dialog.get_by_role("button", name="Reenviar")).to_be_visible()
    _check_page(page, viewport)
    code = smtp_server.code_in(smtp_server.wait_for(to=email))
    smtp_server.clear()
    dialog.get_by_label("Código de verificación").fill(code)
    dialog.get_by_role("button", name="Validar").click()

    # Paso 6: ¡Registro exitoso!
    expect(page.get_by_role("heading", level=1, name="¡Registro exitoso!")).to_be_visible()
    expect(
        page.get_by_text("Revisa el correo asociado a tu cuenta para completar tu acceso.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Regresar")).to_be_visible()
    expect(page.get_by_text("la contraseña por SMS a tu celular registrado")).to_be_visible()
    _check_page(page, viewport)
    return _credentials(smtp_server, email, phone)


def _log_in(page, live_server, username: str, password: str, viewport, image: str = "") -> None:
    """The login page: "Usuario" → "Continuar" → "Contraseña" → "Iniciar Sesión"."""
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_label("Contraseña")).to_be_visible()
    if image:
        expect(page.get_by_role("img", name=image)).to_be_visible()
    _check_page(page, viewport)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar Sesión").click()


def _expect_plain_temporary_step(page, username: str) -> None:
    """Point 13: no security image for a temporary username, only the manual's step."""
    expect(page.get_by_text(f"Usuario temporal: {username}")).to_be_visible()
    expect(
        page.get_by_text(
            "Ingresa tu usuario y contraseña temporales enviados a tus medios de notificación"
        )
    ).to_be_visible()
    expect(page.locator("svg.security-image")).to_have_count(0)
    expect(page.get_by_text("¿Es tu imagen de seguridad?")).to_have_count(0)
    expect(page.get_by_role("link", name="No es mi imagen")).to_have_count(0)


def _first_login(page, live_server, smtp_server, viewport, *, cedula: str, email: str, temp):
    # Paso 1: the temporary credentials lead into the wizard, with no image on the way.
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill(temp["username"])
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_label("Contraseña")).to_be_visible()
    _expect_plain_temporary_step(page, temp["username"])
    _check_page(page, viewport)
    page.get_by_label("Contraseña").fill(temp["password"])
    page.get_by_role("button", name="Iniciar Sesión").click()
    page.wait_for_url("**/primer-ingreso/")
    temp = temp["password"]
    expect(page.get_by_text("Personalizar un nuevo nombre de usuario.")).to_be_visible()
    _check_page(page, viewport)
    page.get_by_role("link", name="Continuar").click()

    # Paso 2: username, refused when it is the cédula.
    expect(
        page.get_by_role("heading", level=1, name="Personaliza tu nombre de usuario")
    ).to_be_visible()
    expect(page.get_by_text("El usuario debe ser distinto a tu número de cédula")).to_be_visible()
    page.get_by_label("Nombre de usuario", exact=True).fill(cedula)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "El usuario debe ser distinto a tu número de cédula."
    )
    _check_page(page, viewport)
    page.get_by_label("Nombre de usuario", exact=True).fill("socio2026")
    page.get_by_role("button", name="Confirmar").click()

    # Paso 3: security questions, each answer's rule and the minimum.
    expect(
        page.get_by_role("heading", level=1, name="Registrar preguntas de seguridad")
    ).to_be_visible()
    _check_page(page, viewport)
    page.get_by_label("¿Cuál es tu comida favorita?").fill("Encebollado")
    page.get_by_role("button", name="Confirmar").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ingresa solo letras minúsculas sin tildes, de la a a la z.")
    expect(summary).to_contain_text("Responde mínimo 3 preguntas de seguridad.")
    expect(page.get_by_label("¿Cuál es tu comida favorita?")).to_have_value("Encebollado")
    _check_page(page, viewport)
    page.get_by_label("¿Cuál es tu comida favorita?").fill("encebollado")
    page.get_by_label("¿Ciudad dónde naciste?").fill("quito")
    page.get_by_label("¿Cuál es tu color favorito?").fill("verde")
    page.get_by_role("button", name="Confirmar").click()

    # Paso 4: security image, chosen with the keyboard then with a tap.
    expect(
        page.get_by_role("heading", level=1, name="Registrar imagen de seguridad")
    ).to_be_visible()
    _check_page(page, viewport)
    page.get_by_role("radio", name="Teléfono", exact=True).focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="Celular", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Celular", exact=True)).to_be_focused()
    page.get_by_role("radio", name="Delfín", exact=True).check()
    page.get_by_role("button", name="Validar").click()

    # Paso 5: new password under the policy shown in "Indicaciones".
    expect(page.get_by_role("heading", level=1, name="Actualizar contraseña")).to_be_visible()
    expect(page.get_by_text("La longitud permitida es de 10 a 15 caracteres.")).to_be_visible()
    _check_page(page, viewport)
    page.get_by_label("Ingresar tu contraseña actual o temporal").fill(temp)
    page.get_by_label("Nueva contraseña", exact=True).fill("corta")
    page.get_by_label("Confirmar contraseña", exact=True).fill("corta")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "La contraseña debe tener entre 10 y 15 caracteres."
    )
    _check_page(page, viewport)
    page.get_by_label("Ingresar tu contraseña actual o temporal").fill(temp)
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmar contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirmar").click()

    # Paso 6: register this device with an alias.
    expect(
        page.get_by_text("Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?")
    ).to_be_visible()
    _check_page(page, viewport)
    smtp_server.clear()
    page.get_by_label("Si, guardar").check()
    page.get_by_label("Alias del dispositivo").fill("Mi laptop personal")
    page.get_by_role("button", name="Continuar").click()

    # Paso 7: the code confirms everything.
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_be_visible()
    _check_page(page, viewport)
    code = smtp_server.code_in(smtp_server.wait_for(to=email))
    dialog.get_by_label("Código de verificación").fill(code)
    dialog.get_by_role("button", name="Validar").click()

    # Paso 8: credenciales configuradas con éxito; logged out for Paso 9.
    expect(
        page.get_by_role(
            "heading", level=1, name="¡Tus credenciales fueron configuradas con éxito!"
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Iniciar Sesión")).to_be_visible()
    _check_page(page, viewport)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert DEVICE_COOKIE in cookies
    assert cookies[DEVICE_COOKIE]["httpOnly"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_registration_then_first_login(open_page, live_server, smtp_server, viewport) -> None:
    cedula = make_cedula()
    email = f"socio.{cedula}@example.com"
    member = member_create(
        identification_type="CEDULA",
        identification=cedula,
        first_names="Rosa Elena",
        last_names="Quishpe Tipan",
        email=email,
        mobile_phone="0998765432",
    )
    page, outside = open_page(viewport)

    username, password = _register(
        page, live_server, smtp_server, viewport, cedula=cedula, email=email, phone="0998765432"
    )
    member.refresh_from_db()
    assert member.user.username == username
    assert re.fullmatch(r"tmp\d{8}", username)
    assert Consent.objects.filter(member=member).count() == 2

    _first_login(
        page,
        live_server,
        smtp_server,
        viewport,
        cedula=cedula,
        email=email,
        temp={"username": username, "password": password},
    )
    user = get_user_model().objects.get(pk=member.user_id)
    assert user.username == "socio2026"
    assert user.check_password(NEW_PASSWORD)
    profile = OnlineProfile.objects.get(user=user)
    assert (profile.temporary, profile.security_image) == (False, "delfin")
    # The wizard logged the member out: the wizard now asks to log in.
    page.goto(live_server.url + "/primer-ingreso/")
    assert "/primer-ingreso/" not in page.url.split("?")[0]

    # Paso 9: the personalised credentials, the security image, and this device is known.
    _log_in(page, live_server, "socio2026", NEW_PASSWORD, viewport, image="Delfín")
    page.wait_for_url("**/inicio/")
    expect(page.get_by_role("heading", level=1, name="Mis productos")).to_be_visible()
    _check_page(page, viewport)
    assert outside == []


def test_unknown_cedula_gets_the_neutral_message(open_page, live_server) -> None:
    page, outside = open_page(PHONE)
    page.goto(live_server.url + "/registro/")
    page.get_by_label("Número de identificación").fill(make_cedula())
    page.get_by_role("button", name="Validar").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("No pudimos validar tus datos para el registro.")
    expect(summary).to_be_focused()
    assert_accessible(page)
    assert outside == []


def test_any_username_of_the_temporary_shape_gets_the_plain_step(open_page, live_server) -> None:
    """No image, existing or not: the page tells nothing about which temporary users exist."""
    page, outside = open_page(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill("tmp48213375")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_label("Contraseña")).to_be_visible()
    _expect_plain_temporary_step(page, "tmp48213375")
    assert_accessible(page)
    page.get_by_label("Contraseña").fill("Cualquiera#2026")
    page.get_by_role("button", name="Iniciar Sesión").click()
    expect(page.get_by_role("alert")).to_contain_text("Usuario o contraseña incorrectos.")
    _expect_plain_temporary_step(page, "tmp48213375")
    assert outside == []
