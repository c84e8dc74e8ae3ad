"""The back office's login in a real Chromium: enrolment of the authenticator app by its
QR page, then password + code, a wrong code refused, a recovery code used once."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from playwright.sync_api import expect

from enlinea.access.models import AuditKind
from enlinea.security.models import AuditEvent
from enlinea.staff.testing import staff_totp_code
from tests.support.browser import DESKTOP, assert_accessible, styled_box

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Operaciones#2026"


@pytest.fixture
def jefa(django_user_model):
    return django_user_model.objects.create_superuser(
        username="jefa", email="jefa@example.com", password=PASSWORD
    )


def _password_step(page, live_server, password: str = PASSWORD) -> None:
    page.goto(live_server.url + "/backoffice/")
    expect(page).to_have_url(re.compile(r"/backoffice/login/"))
    page.get_by_label("Usuario").fill("jefa")
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar", exact=True).click()


def _code_step(page, code: str) -> None:
    page.get_by_label("Código de verificación").fill(code)
    page.get_by_role("button", name="Ingresar", exact=True).click()


def _log_out(page) -> None:
    page.get_by_role("button", name=re.compile("Cerrar sesión", re.I)).click()


# One width per walk (the suite's time); its pages at the other width:
# tests/browser/test_layouts.py.
@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop")])
def test_staff_enrol_then_log_in_with_password_and_code(
    open_page, live_server, jefa, viewport
) -> None:
    page, outside = open_page(viewport)
    _password_step(page, live_server)

    # First login: the QR page. "Scanning" is reading the secret shown in text.
    expect(page).to_have_url(re.compile(r"/backoffice/login/activar/$"))
    expect(page.get_by_role("heading", name="Activa tu segundo factor")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Código QR"))).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    from django_otp.oath import TOTP

    page.get_by_label("Código de verificación").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Activar e ingresar").click()

    # The recovery codes, shown this once.
    expect(page.get_by_role("heading", name="Tus códigos de recuperación")).to_be_visible()
    codes = page.get_by_role("list", name="Códigos de recuperación").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Ya los guardé, continuar al back office").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    expect(page.get_by_role("heading", name="Administración")).to_be_visible()
    _log_out(page)

    # Every later login: password, then the app's code.
    _password_step(page, live_server)
    expect(page).to_have_url(re.compile(r"/backoffice/login/codigo/$"))
    assert_accessible(page)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _code_step(page, staff_totp_code(TOTPDevice.objects.get(user=jefa, confirmed=True)))
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    assert AuditEvent.objects.filter(kind=AuditKind.STAFF_OTP_ENROLLED, user=jefa).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.STAFF_LOGIN, user=jefa).count() == 2
    assert outside == []


def test_staff_wrong_code_is_refused_and_a_recovery_code_works_once(
    open_page, live_server, jefa
) -> None:
    from enlinea.staff.services import staff_recovery_codes_replace
    from enlinea.staff.testing import staff_totp_device

    device = staff_totp_device(jefa)
    recovery = staff_recovery_codes_replace(user=jefa)
    page, _ = open_page(DESKTOP)

    _password_step(page, live_server)
    right = staff_totp_code(device)
    _code_step(page, f"{(int(right) + 1) % 1_000_000:06d}")
    expect(page.get_by_text("El código de verificación no es correcto o ya caducó")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/backoffice/login/codigo/$"))
    assert_accessible(page)

    _code_step(page, recovery[0])
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    expect(page.get_by_text("Usaste un código de recuperación; te quedan 9.")).to_be_visible()
    _log_out(page)

    _password_step(page, live_server)
    _code_step(page, recovery[0])  # spent
    expect(page.get_by_text("El código de verificación no es correcto o ya caducó")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/backoffice/login/codigo/$"))


def test_ingresar_con_otro_usuario_ends_the_half_done_login(
    open_page, live_server, jefa, django_user_model
) -> None:
    """Between the password and the code, «Ingresar con otro usuario» really starts over:
    the pending login is gone, so coming back to the code page asks for the password."""
    from enlinea.staff.testing import staff_totp_device

    staff_totp_device(jefa)
    page, outside = open_page(DESKTOP)
    _password_step(page, live_server)
    expect(page).to_have_url(re.compile(r"/backoffice/login/codigo/$"))
    link = page.get_by_role("button", name="Ingresar con otro usuario")
    box = styled_box(link)
    assert box is not None
    assert box["height"] >= 24
    link.click()

    expect(page).to_have_url(re.compile(r"/backoffice/login/$"))
    expect(page.get_by_label("Usuario")).to_be_visible()
    page.goto(live_server.url + "/backoffice/login/codigo/")
    expect(page).to_have_url(re.compile(r"/backoffice/login/$"))
    expect(
        page.get_by_text("Por tu seguridad, vuelve a ingresar tu usuario y contraseña.")
    ).to_be_visible()
    assert_accessible(page)
    assert not AuditEvent.objects.filter(kind=AuditKind.STAFF_LOGIN, user=jefa).exists()
    assert outside == []
