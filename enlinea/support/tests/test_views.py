"""The member's support pages: login, owner scoping, CSRF, errors at the field, limits."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from enlinea.security.ratelimit import MSG_RATE_LIMITED
from enlinea.support.models import Complaint
from enlinea.support.services import complaint_file
from enlinea.support.tests.conftest import complaint_data, upload
from enlinea.support.tests.files import pdf_bytes, png_bytes

NEW = reverse("support:complaint_new")


def form_data(member, **overrides) -> dict[str, object]:
    data = complaint_data(identification=member.identification, consent="on")
    data.pop("attachment")
    data.update(overrides)
    return data


def html_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    "name",
    ["support:home", "support:call_center", "support:complaints", "support:complaint_new"],
)
def test_member_pages_need_login(client, db, name) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_home_offers_the_three_options(member_client) -> None:
    response = member_client.get(reverse("support:home"))
    text = html_text(response)
    for label, url in (
        ("Centro de llamadas", reverse("support:call_center")),
        ("Quejas y reclamos", reverse("support:complaint_new")),
        ("Preguntas frecuentes", reverse("support:faq")),
    ):
        assert label in text
        assert f'href="{url}"' in text
    assert "Última conexión" in text  # the member layout
    # With JavaScript the Centro de llamadas opens in place, as a dialog.
    assert 'data-dialog="centro-de-llamadas"' in text
    assert '<dialog id="centro-de-llamadas"' in text
    assert 'href="tel:1800266776"' in text


def test_call_center_is_a_tel_link_with_digits_only(member_client, settings) -> None:
    settings.INSTITUTION = {**settings.INSTITUTION, "call_center": "(02) 398-9000"}
    response = member_client.get(reverse("support:call_center"))
    text = html_text(response)
    assert '<a href="tel:023989000">(02) 398-9000</a>' in text
    assert f'href="{reverse("support:home")}">Cerrar</a>' in text


def test_faq_is_public_and_answers_the_manuals_three_questions(client, db, settings) -> None:
    settings.INSTITUTION = {
        **settings.INSTITUTION,
        "name": "Cooperativa Ejemplo",
        "short_name": "Coopejemplo",
    }
    response = client.get(reverse("support:faq"))
    assert response.status_code == 200
    text = html_text(response)
    for question in (
        "¿Cómo bloqueo mi cuenta de ahorros si fui víctima de fraude?",
        "¿Cómo bloqueo Coopejemplo En Línea o la App Móvil si fui víctima de fraude?",
        "¿Se encuentra bloqueado tu acceso a Coopejemplo?",
    ):
        assert f"<summary>{question}</summary>" in text
    assert "Cooprogreso" not in text
    assert "Última conexión" not in text  # public layout
    assert "Ir a Iniciar Sesión" in text
    # Numbers come from the settings.
    assert "incorrecta 5 veces seguidas" in text
    assert "después de 5 minutos sin actividad" in text
    assert "valen 24 horas" in text


def test_faq_follows_the_access_settings(client, db, settings) -> None:
    settings.ACCESS_MAX_FAILED_LOGINS = 3
    settings.ACCESS_IDLE_TIMEOUT_SECONDS = 600
    settings.ACCESS_TEMP_CREDENTIALS_HOURS = 48
    text = html_text(client.get(reverse("support:faq")))
    assert "incorrecta 3 veces seguidas" in text
    assert "después de 10 minutos sin actividad" in text
    assert "valen 48 horas" in text


def test_faq_links_to_block_and_recovery_pages(member_client) -> None:
    text = html_text(member_client.get(reverse("support:faq")))
    assert "Última conexión" in text  # member layout when logged in
    assert f'href="{reverse("profile:block")}">Bloquear mi acceso</a>' in text
    assert f'href="{reverse("profile:recover")}">¿Olvidaste tu contraseña?</a>' in text


def test_form_is_prefilled_from_the_member_and_lists_only_their_products(
    member_client, socio, savings, debit_card, otro_socio
) -> None:
    from enlinea.products.services import account_open

    theirs = account_open(member=otro_socio, idempotency_key="theirs")
    response = member_client.get(NEW)
    form = response.context["form"]
    assert form["full_name"].value() == "ANDRES DAVID LOPEZ MAYA"
    assert form["identification"].value() == socio.identification
    assert "email" not in form.fields
    assert form.registered_email == "an***@example.com"
    text = html_text(response)
    assert f"CUENTA DE AHORROS {savings.number}" in text
    assert f"Tarjeta de débito {debit_card.masked_number}" in text
    assert theirs.number not in text
    for label in (
        "Producto",
        "Número de cuenta o tarjeta (Opcional)",
        "Nombre y Apellido",
        "Número de cédula o Pasaporte",
        "Correo",
        "Detalle",
        "¿Quieres adjuntar un archivo? (Opcional)",
        "Acepto las condiciones para el tratamiento de mis datos",
    ):
        assert label in text
    assert 'enctype="multipart/form-data"' in text


def test_filing_redirects_to_the_ticket_page(member_client, socio, savings) -> None:
    response = member_client.post(
        NEW,
        {
            **form_data(socio, product_reference=f"cuenta-{savings.pk}"),
            "attachment": upload("voucher.png", png_bytes(), "image/png"),
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:complaint_sent", args=[complaint.pk])

    page = member_client.get(response["Location"])
    text = html_text(page)
    assert f"Número de ticket: <strong>{complaint.ticket}</strong>" in text
    assert "voucher.png" in text
    assert complaint.attachment_type == "image/png"


def test_errors_are_shown_in_spanish_at_the_field(member_client, socio) -> None:
    response = member_client.post(
        NEW,
        {
            **form_data(socio, consent="", detail=""),
            "attachment": upload("factura.pdf", b"no soy un pdf" * 20, "application/pdf"),
        },
    )
    assert response.status_code == 200
    text = html_text(response)
    assert "<title>Error: Quejas y reclamos" in text
    assert "Hay un problema" in text
    for message, field in (
        ("El archivo debe ser PDF, JPG o PNG.", "id_attachment"),
        ("Cuéntanos qué pasó: escribe el detalle de tu queja o reclamo.", "id_detail"),
        (
            "Para enviar tu queja o reclamo debes aceptar las condiciones para el tratamiento de tus datos.",
            "id_consent",
        ),
    ):
        assert f'<a href="#{field}">{message}</a>' in text  # summary links to the field
        assert f'id="{field}_error"' in text
    assert "vuelve a elegirlo" in text  # the chosen file is not kept
    assert not Complaint.objects.exists()


def test_oversized_file_message_at_the_field(member_client, socio, settings) -> None:
    settings.SUPPORT_MAX_ATTACHMENT_MB = 1
    big = pdf_bytes() + b"0" * (1024 * 1024)
    response = member_client.post(
        NEW, {**form_data(socio), "attachment": upload("grande.pdf", big)}
    )
    assert "El archivo supera el máximo de 1 MB." in html_text(response)
    assert not Complaint.objects.exists()


def test_a_tampered_product_number_is_refused(member_client, socio, otro_socio) -> None:
    from enlinea.products.services import account_open

    theirs = account_open(member=otro_socio, idempotency_key="theirs")
    response = member_client.post(NEW, form_data(socio, product_reference=f"cuenta-{theirs.pk}"))
    assert "Selecciona una de tus cuentas o tarjetas de la lista." in html_text(response)
    assert not Complaint.objects.exists()


def test_list_shows_only_the_members_own_complaints(member_client, socio, otro_socio) -> None:
    mine = complaint_file(member=socio, **complaint_data(identification=socio.identification))
    theirs = complaint_file(
        member=otro_socio,
        **complaint_data(identification=otro_socio.identification, full_name="Maria Perez"),
    )
    text = html_text(member_client.get(reverse("support:complaints")))
    assert mine.ticket in text
    assert theirs.ticket not in text
    assert "Recibido" in text


@pytest.mark.parametrize("name", ["support:complaint_detail", "support:complaint_sent"])
def test_someone_elses_complaint_answers_404(member_client, otro_socio, name) -> None:
    theirs = complaint_file(
        member=otro_socio,
        **complaint_data(identification=otro_socio.identification, full_name="Maria Perez"),
    )
    assert member_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert member_client.get(reverse(name, args=[theirs.pk + 1000])).status_code == 404


def test_detail_shows_status_history_and_response(member_client, socio, staff) -> None:
    from enlinea.support.services import complaint_status_change

    complaint = complaint_file(member=socio, **complaint_data(identification=socio.identification))
    complaint_status_change(
        complaint_id=complaint.pk,
        expected_status="RECIBIDO",
        to_status="RECHAZADO",
        response="Ya atendimos este caso en el ticket anterior.",
        by=staff("Soporte"),
    )
    text = html_text(member_client.get(reverse("support:complaint_detail", args=[complaint.pk])))
    assert "Rechazado" in text
    assert "Ya atendimos este caso en el ticket anterior." in text
    assert complaint.detail in text


def test_staff_without_a_member_gets_404_on_the_form(client, staff) -> None:
    client.force_login(staff("Soporte"))
    assert client.get(NEW).status_code == 404


def test_csrf_is_enforced_on_the_complaint_form(socio) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(socio.user)

    refused = browser.post(NEW, form_data(socio))
    assert refused.status_code == 403
    assert not Complaint.objects.exists()

    browser.get(NEW)
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(NEW, {**form_data(socio), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert Complaint.objects.count() == 1


def test_complaints_per_member_are_rate_limited(member_client, socio, settings) -> None:
    settings.SUPPORT_RATE_COMPLAINT_MEMBER = "2/h"
    for _ in range(2):
        assert member_client.post(NEW, form_data(socio)).status_code == 302
    # Invalid submissions do not count; a third valid one is refused.
    assert member_client.post(NEW, form_data(socio, detail="")).status_code == 200
    refused = member_client.post(NEW, form_data(socio))
    assert refused.status_code == 429
    assert MSG_RATE_LIMITED in refused.content.decode().replace("&#x27;", "'")
    assert Complaint.objects.count() == 2


def test_default_rate_is_five_an_hour(member_client, socio) -> None:
    for _ in range(5):
        assert member_client.post(NEW, form_data(socio)).status_code == 302
    assert member_client.post(NEW, form_data(socio)).status_code == 429
    assert Complaint.objects.count() == 5
