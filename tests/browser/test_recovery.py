"""Password recovery and "Bloquear mi acceso" in a real Chromium (codes from e-mails)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from enlinea.access import credentials
from enlinea.access.models import OnlineProfile
from enlinea.access.tests.profile_support import ANSWERS, NEW_PASSWORD, PASSWORD, enrolled_member
from tests.browser.test_profile import code_sent
from tests.support.browser import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "andreslopez"
MSG_LOCKED = "Tu acceso está bloqueado por seguridad."


@pytest.fixture
def socio():
    return enrolled_member(USERNAME)


def _labels_to_answers() -> dict[str, str]:
    from enlinea.access.catalog import Question

    labels = dict(Question.choices)
    return {labels[question]: answer for question, answer in ANSWERS.items()}


def recover(page: Page, live_server, smtp_server, socio, *, wrong_answers: int = 0) -> None:
    """From the login page: "¿Olvidaste tu contraseña?" to "Tu contraseña fue actualizada"."""
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="¿Olvidaste tu contraseña?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Olvidaste tu contraseña?")
    assert_accessible(page)
    page.get_by_label("Número de cédula").fill(socio.identification)
    page.get_by_label("Usuario").fill(USERNAME)
    page.get_by_role("button", name="Continuar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preguntas de seguridad")
    assert_accessible(page)
    answers = _labels_to_answers()
    fields = page.get_by_role("main").get_by_role("textbox")
    expect(fields).to_have_count(2)
    for _ in range(wrong_answers):
        for i in range(2):
            fields.nth(i).fill("incorrecta")
        page.get_by_role("button", name="Continuar").click()
        expect(page.get_by_role("alert").first).to_contain_text(
            "Las respuestas no coinciden con las que registraste."
        )
        assert_accessible(page)
    for i in range(2):
        field = fields.nth(i)
        label = page.locator(f"label[for='{field.get_attribute('id')}']").inner_text()
        field.fill(answers[label.strip()])
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Continuar").click()

    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    expect(dialog).to_contain_text("El código expira en:")
    assert_accessible(page)
    dialog.get_by_label("Código de verificación").fill(code_sent(smtp_server, socio.email, since))
    dialog.get_by_role("button", name="Validar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Crea tu nueva contraseña")
    assert_accessible(page)
    page.get_by_label("Nueva contraseña", exact=True).fill("corta")
    page.get_by_label("Confirmar contraseña", exact=True).fill("corta")
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("main")).to_contain_text(
        "La contraseña debe tener entre 10 y 15 caracteres."
    )
    assert_accessible(page)
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmar contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu contraseña fue actualizada")
    assert_accessible(page)


def password_refused(page: Page, live_server, password: str) -> None:
    """Try to log in; the access is locked, so even the right password is refused."""
    page.goto(live_server.url + "/")
    page.get_by_label("Usuario").fill(USERNAME)
    page.get_by_role("button", name="Continuar").click()
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar Sesión").click()
    expect(page.get_by_role("main")).to_contain_text(MSG_LOCKED)
    assert_accessible(page)


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone")])
def test_recovery_unlocks_an_access_locked_by_failed_logins(
    open_page, live_server, login, smtp_server, socio, viewport
) -> None:
    for _ in range(5):
        credentials.login_failure_record(user=socio.user)
    page, outside = open_page(viewport)
    password_refused(page, live_server, PASSWORD)
    recover(page, live_server, smtp_server, socio, wrong_answers=1)
    page.get_by_role("link", name="Iniciar Sesión").click()
    login(page, USERNAME, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Mis productos")).to_be_visible()
    assert outside == []


def test_self_block_from_perfil_then_login_refused_then_recovery_unblocks(
    open_page, live_server, login, smtp_server, socio
) -> None:
    page, outside = open_page(DESKTOP)
    login(page, USERNAME, PASSWORD)
    page.goto(live_server.url + "/perfil/contrasena/")
    page.get_by_role("link", name="Bloquear mi acceso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bloquear mi acceso")
    expect(page.get_by_role("main")).to_contain_text("Se cerrarán todas tus sesiones abiertas")
    assert_accessible(page)
    page.get_by_label("Ingresa tu contraseña actual").fill(PASSWORD)
    page.get_by_role("button", name="Bloquear mi acceso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu acceso fue bloqueado")
    expect(page.get_by_role("main")).to_contain_text("¿Cómo lo desbloqueo?")
    assert_accessible(page)
    assert OnlineProfile.objects.get(user=socio.user).lock_reason == "self"

    page.goto(live_server.url + "/inicio/")  # the session is gone
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar Sesión")
    password_refused(page, live_server, PASSWORD)

    recover(page, live_server, smtp_server, socio)
    assert not OnlineProfile.objects.get(user=socio.user).is_locked
    page.get_by_role("link", name="Iniciar Sesión").click()
    login(page, USERNAME, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Mis productos")).to_be_visible()
    assert outside == []


def test_self_block_from_the_recovery_page_with_a_code(
    open_page, live_server, smtp_server, socio
) -> None:
    page, outside = open_page(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="¿Olvidaste tu contraseña?").click()
    page.get_by_role("link", name="bloquea tu acceso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bloquear mi acceso")
    assert_accessible(page)
    page.get_by_label("Número de cédula").fill(socio.identification)
    page.get_by_label("Usuario").fill("otrousuario")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Los datos ingresados no coinciden con nuestros registros."
    )
    assert_accessible(page)
    page.get_by_label("Usuario").fill(USERNAME)
    since = len(smtp_server.messages)
    page.get_by_role("button", name="Continuar").click()
    dialog = page.get_by_role("dialog", name="Factor de seguridad")
    dialog.get_by_label("Código de verificación").fill(code_sent(smtp_server, socio.email, since))
    dialog.get_by_role("button", name="Validar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu acceso fue bloqueado")
    profile = OnlineProfile.objects.get(user=socio.user)
    assert profile.lock_reason == OnlineProfile.LockReason.SELF
    blocked_mail = smtp_server.wait_for(to=socio.email)
    assert "bloqueado" in str(blocked_mail["Subject"])
    password_refused(page, live_server, PASSWORD)
    assert outside == []
