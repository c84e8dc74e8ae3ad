"""Soporte in a real Chromium: a member files a complaint with an attachment, gets the
ticket by e-mail, staff work it in the back office, and the member is told."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import MEMBER_PASSWORD
from enlinea.ledger.services import chart_ensure
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.members.tests.support import member_data
from enlinea.products.services import account_open
from enlinea.staff.testing import staff_browser_login
from enlinea.support.models import Complaint, ComplaintStatus
from enlinea.support.tests.files import pdf_bytes, png_bytes
from tests.support.browser import DESKTOP, PHONE, assert_accessible, guard_network, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Soporte#2026-staff"
TEL = "1800266776"  # the default INSTITUTION_CALL_CENTER, "1800 266 776", digits only


def socio_of(user) -> Member:
    """The member behind the logged-in user (made here if the cast has none)."""
    socio = Member.objects.filter(user=user).first()
    if socio is None:
        socio = member_create(**member_data(email="andres.lopez@example.com"))
        socio.user = user
        socio.save(update_fields=["user"])
    return socio


def test_complaint_with_attachment_ticket_by_email_staff_queue_and_status_email(
    open_page, live_server, login, member, smtp_server, django_user_model, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    chart_ensure()
    socio = socio_of(member)
    savings = account_open(member=socio, idempotency_key="browser-support-savings")
    from django.contrib.auth.models import Group

    from enlinea.products.roles import roles_ensure

    roles_ensure()
    agent = django_user_model.objects.create_user(
        username="soporte1", password=STAFF_PASSWORD, is_staff=True
    )
    agent.groups.add(Group.objects.get(name="Soporte"))
    voucher = tmp_path / "comprobante.pdf"
    voucher.write_bytes(pdf_bytes("Retiro no entregado"))

    # The member, on a phone.
    page, outside = open_page(PHONE)
    login(page, password=MEMBER_PASSWORD)
    page.goto(live_server.url + "/soporte/")
    expect(page.get_by_role("heading", level=1, name="Soporte")).to_be_visible()
    assert_accessible(page)

    # With JavaScript the Centro de llamadas opens as a dialog over the options.
    page.get_by_role("link", name=re.compile("Centro de llamadas")).click()
    dialog = page.get_by_role("dialog", name="Centro de llamadas")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("link", name=settings.INSTITUTION["call_center"])).to_have_attribute(
        "href", "tel:" + TEL
    )
    assert_accessible(page)
    dialog.get_by_role("button", name="Cerrar").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/soporte/$"))

    page.get_by_role("link", name=re.compile("Quejas y reclamos")).click()
    expect(page.get_by_role("heading", level=1, name="Quejas y reclamos")).to_be_visible()
    # The registered e-mail, masked and read-only: there is no address to type.
    registered = page.get_by_label("Correo", exact=True)
    expect(registered).to_have_value("an***@example.com")
    expect(registered).not_to_be_editable()
    assert_accessible(page)

    # A first try without consent and with a file that is not a PDF: errors at the fields.
    fake = tmp_path / "factura.pdf"
    fake.write_text("esto no es un PDF")
    page.get_by_label("Producto", exact=True).select_option(label="Cuentas")
    page.get_by_label("Detalle").fill("El cajero automático debitó $ 20.00 y no entregó el dinero.")
    page.get_by_label("¿Quieres adjuntar un archivo? (Opcional)").set_input_files(str(fake))
    page.get_by_role("button", name="Enviar").click()
    expect(page).to_have_title(re.compile(r"^Error: Quejas y reclamos"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("El archivo debe ser PDF, JPG o PNG.")
    expect(summary).to_contain_text("debes aceptar las condiciones")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Detalle")).to_have_value(
        "El cajero automático debitó $ 20.00 y no entregó el dinero."
    )
    assert_accessible(page)

    page.get_by_label("Número de cuenta o tarjeta (Opcional)").select_option(
        label=f"CUENTA DE AHORROS {savings.number}"
    )
    page.get_by_label("¿Quieres adjuntar un archivo? (Opcional)").set_input_files(str(voucher))
    page.get_by_label("Acepto las condiciones para el tratamiento de mis datos").check()
    page.get_by_role("button", name="Enviar").click()

    expect(
        page.get_by_role("heading", level=1, name="¡Tu queja o reclamo fue enviado!")
    ).to_be_visible()
    complaint = Complaint.objects.get()
    expect(page.get_by_text(f"Número de ticket: {complaint.ticket}")).to_be_visible()
    assert re.fullmatch(r"QR-\d{4}-\d{6}", complaint.ticket)
    assert complaint.attachment_name == "comprobante.pdf"
    assert_accessible(page)

    received = smtp_server.wait_for(to=socio.email, subject=complaint.ticket)
    assert "Recibimos tu queja o reclamo" in received["Subject"]
    assert complaint.ticket in smtp_server.body(received)

    # Staff, on a desktop, in the back office.
    staff_page, staff_outside = open_page(DESKTOP)
    staff_browser_login(staff_page, live_server.url, "soporte1", STAFF_PASSWORD)
    staff_page.get_by_role("link", name="Quejas y reclamos").first.click()
    row = staff_page.get_by_role("row").filter(has_text=complaint.ticket)
    expect(row).to_contain_text("Recibido")
    row.get_by_role("link", name=complaint.ticket).click()
    expect(
        staff_page.get_by_role("link", name=re.compile("Descargar comprobante.pdf"))
    ).to_be_visible()
    with staff_page.expect_download() as download_info:
        staff_page.get_by_role("link", name=re.compile("Descargar comprobante.pdf")).click()
    download = download_info.value
    assert download.suggested_filename == "comprobante.pdf"
    assert Path(download.path()).read_bytes() == voucher.read_bytes()

    staff_page.get_by_role("link", name="Cambiar estado").click()
    staff_page.get_by_label("Nuevo estado").select_option(label="En gestión")
    staff_page.get_by_label("Respuesta al socio").fill(
        "Estamos revisando el cuadre del cajero; te responderemos en 48 horas."
    )
    staff_page.get_by_role("button", name="Guardar estado").click()
    expect(staff_page.get_by_text(f"{complaint.ticket} pasó a «En gestión»")).to_be_visible()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.updated_by == agent

    update = smtp_server.wait_for(to=socio.email, subject=f"{complaint.ticket} está en gestión")
    assert "Estamos revisando el cuadre del cajero" in smtp_server.body(update)

    # The member sees the new status in "Mis quejas y reclamos".
    page.get_by_role("link", name="Mis quejas y reclamos").click()
    row = page.get_by_role("row").filter(has_text=complaint.ticket)
    expect(row).to_contain_text("En gestión")
    assert_accessible(page)
    row.get_by_role("link", name=complaint.ticket).click()
    expect(page.get_by_role("heading", level=2, name="Respuesta de Cooprogreso")).to_be_visible()
    expect(page.locator(".support-response")).to_contain_text(
        "Estamos revisando el cuadre del cajero"
    )
    assert_accessible(page)
    assert page_width(page) <= PHONE["width"]

    assert outside == []
    assert staff_outside == []


def test_call_center_without_javascript_is_a_page(browser, live_server, login, member) -> None:
    context = browser.new_context(viewport=PHONE, locale="es-EC", java_script_enabled=False)
    try:
        page = context.new_page()
        outside = guard_network(page, live_server.url)
        # The login pages need no JavaScript either.
        login(page, password=MEMBER_PASSWORD)
        page.goto(live_server.url + "/soporte/")
        page.get_by_role("link", name=re.compile("Centro de llamadas")).click()
        expect(page).to_have_url(re.compile(r"/soporte/centro-de-llamadas/$"))
        expect(page.get_by_role("heading", level=1, name="Centro de llamadas")).to_be_visible()
        main = page.get_by_role("main")
        expect(main.get_by_role("link", name="1800 266 776")).to_have_attribute(
            "href", "tel:" + TEL
        )
        expect(page.get_by_role("dialog")).to_have_count(0)
        page.get_by_role("link", name="Cerrar").click()
        expect(page.get_by_role("heading", level=1, name="Soporte")).to_be_visible()
        assert outside == []
    finally:
        context.close()


@pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
)
def test_faq_without_login_opens_each_answer(open_page, live_server, settings, viewport) -> None:
    page, outside = open_page(viewport)
    page.goto(live_server.url + "/soporte/preguntas-frecuentes/")
    expect(page.get_by_role("heading", level=1, name="Preguntas frecuentes")).to_be_visible()
    question = page.locator("summary", has_text="¿Se encuentra bloqueado tu acceso a Cooprogreso?")
    answer = page.get_by_text("Responde 2 de tus preguntas de seguridad.")
    expect(answer).to_be_hidden()
    question.click()
    expect(answer).to_be_visible()
    page.locator("summary", has_text="¿Cómo bloqueo mi cuenta de ahorros si fui víctima").click()
    call_center = settings.INSTITUTION["call_center"]
    expect(page.get_by_role("main").get_by_role("link", name=call_center).first).to_be_visible()
    assert_accessible(page)
    assert page_width(page) <= viewport["width"]
    assert outside == []


def test_an_image_attachment_is_accepted_from_the_browser(
    open_page, live_server, login, member, smtp_server, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    chart_ensure()
    socio = socio_of(member)
    photo = tmp_path / "foto del voucher.png"
    photo.write_bytes(png_bytes(32, 32))

    page, outside = open_page(DESKTOP)
    login(page, password=MEMBER_PASSWORD)
    page.goto(live_server.url + "/soporte/quejas/nueva/")
    page.get_by_label("Producto", exact=True).select_option(label="Canales digitales")
    page.get_by_label("Detalle").fill("La App Móvil se cierra al abrir Transferencias.")
    page.get_by_label("¿Quieres adjuntar un archivo? (Opcional)").set_input_files(str(photo))
    page.get_by_label("Acepto las condiciones para el tratamiento de mis datos").check()
    page.get_by_role("button", name="Enviar").click()
    expect(
        page.get_by_role("heading", level=1, name="¡Tu queja o reclamo fue enviado!")
    ).to_be_visible()
    complaint = Complaint.objects.get(member=socio)
    assert complaint.attachment_type == "image/png"
    assert complaint.attachment_name == "foto del voucher.png"
    smtp_server.wait_for(to=socio.email, subject=complaint.ticket)
    assert outside == []
