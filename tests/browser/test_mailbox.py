"""The development mailbox in a real Chromium: a code sent by e-mail and SMS, read there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from enlinea.access.tests.cast import online_member
from enlinea.security.codes import challenge_issue
from tests.support.browser import DESKTOP, PHONE, assert_accessible, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
)
def test_a_code_can_be_read_in_the_development_mailbox(
    open_page, live_server, settings, viewport
) -> None:
    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "enlinea.notifications.backends.MailboxEmailBackend"
    socio = online_member()
    other = online_member(
        username="mariaperez", email="maria@example.com", mobile_phone="0987654321"
    )
    for member in (socio, other):  # delivered at COMMIT (autocommit: right away)
        challenge_issue(
            member=member,
            kind="image_change",
            content={"image": "delfin"},
            description="Cambio de imagen",
        )
    page, outside = open_page(viewport)
    page.goto(live_server.url + "/dev/buzon/")
    expect(page.get_by_role("heading", level=1, name="Buzón de desarrollo")).to_be_visible()
    table = page.get_by_role("table", name="Mensajes recibidos")
    expect(table.get_by_role("row")).to_have_count(5)  # header + 2 e-mails + 2 SMS
    assert_accessible(page)
    assert page_width(page) <= viewport["width"]

    page.get_by_label("Destinatario (correo o celular)").fill(socio.email)
    page.get_by_role("button", name="Filtrar").click()
    expect(table.get_by_role("row")).to_have_count(2)
    expect(page.get_by_label("Destinatario (correo o celular)")).to_have_value(socio.email)
    table.get_by_role("link", name="Tu código de seguridad de Cooprogreso En Línea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tu código de seguridad de Cooprogreso En Línea"
    )
    body = page.locator(".mail-body")
    expect(body).to_contain_text("Tu código de seguridad para «Cambio de imagen» es:")
    assert re.search(r"\b\d{6}\b", body.inner_text())
    assert_accessible(page)
    assert page_width(page) <= viewport["width"]

    page.get_by_role("link", name="Volver al buzón").click()
    page.get_by_label("Destinatario (correo o celular)").fill(socio.mobile_phone)
    page.get_by_role("button", name="Filtrar").click()
    sms_link = table.get_by_role(
        "link", name=re.compile(r"^Cooprogreso: tu codigo para Cambio de imagen es \d{6}")
    )
    expect(sms_link).to_be_visible()
    sms_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SMS")
    assert_accessible(page)
    assert outside == []


def test_the_mailbox_is_not_found_outside_demo_and_development(
    open_page, live_server, settings
) -> None:
    settings.DEMO_MODE = False
    settings.DEBUG = False
    page, outside = open_page(DESKTOP)
    response = page.goto(live_server.url + "/dev/buzon/")
    assert response.status == 404
    assert_accessible(page)
    assert outside == []
