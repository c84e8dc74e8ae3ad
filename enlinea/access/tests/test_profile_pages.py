"""Perfil pages (manual "1 PERFIL"): each change, its code, and each refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from enlinea.access import devices
from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import AuditKind, Consent, OnlineProfile, SecurityAnswer
from enlinea.access.tests.profile_support import (
    NEW_PASSWORD,
    PASSWORD,
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
    result_url,
    text,
    wrong_code,
)
from enlinea.confirmation.models import PendingOperation
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent

pytestmark = pytest.mark.django_db


MSG_MISMATCH = (
    "El código no corresponde a esta operación: los datos cambiaron después de "
    "solicitarlo. Solicita un nuevo código."
)


@pytest.fixture
def socio():
    return enrolled_member()


@pytest.fixture
def client(socio) -> Client:
    return logged_in(socio)


def _validate(client: Client, socio, code: str, operation=None):
    """ "Validar" in the code step of ``operation`` (default: the member's newest)."""
    return client.post(code_url(operation or latest_operation(socio)), {"code": code})


def _tamper(socio, **changes) -> None:
    """Change the pending operation's content behind the code's back (as an attacker
    with database access, or a bug, would)."""
    operation = latest_operation(socio)
    operation.content = {**operation.content, **changes}
    operation.save(update_fields=["content"])


def _questions_post(client: Client, **answers: str):
    return client.post(reverse("profile:questions"), answers)


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    "name", ["questions", "image", "password", "username", "devices", "terms", "block"]
)
def test_every_perfil_page_needs_a_login(name) -> None:
    response = Client().get(reverse(f"profile:{name}"))
    assert response.status_code == 302
    assert "?next=" in response["Location"]


def test_success_page_only_after_the_change(client, socio) -> None:
    _password_post(client)
    operation = latest_operation(socio)
    assert client.get(result_url(operation))["Location"] == code_url(operation)


def test_unknown_operation_is_404(client) -> None:
    assert client.get(reverse("confirmation:code", kwargs={"token": "saldo"})).status_code == 404


# ---------------------------------------------------------------- Cambio de preguntas


def test_questions_page_shows_twelve_questions_indications_and_answered_ones(client) -> None:
    response = client.get(reverse("profile:questions"))
    page = text(response)
    assert "Actualizar preguntas de seguridad" in page
    assert "Elige mínimo 5 preguntas" in page
    assert "La respuesta debe ser una sola palabra" in page
    assert page.count('class="answer-input"') == 12
    assert page.count("Respondida</span>") == 3
    assert "encebollado" not in page  # answers are never shown
    assert "Regresar" in page
    assert "Confirmar" in page


def test_questions_change_keeps_only_hashes_until_the_code(client, socio) -> None:
    response = _questions_post(client, color="verde", serie="chavo", comida="ceviche")
    operation = latest_operation(socio)
    assert response["Location"] == code_url(operation)
    assert operation.kind == "profile_questions"
    assert set(operation.content["answers"]) == {"color", "serie", "comida"}
    stored = repr(operation.content) + repr(dict(client.session))
    assert "verde" not in stored
    assert "chavo" not in stored
    assert "ceviche" not in stored
    assert check_password("verde", operation.content["answers"]["color"])
    page = text(client.get(response["Location"]))
    assert "Factor de seguridad" in page
    assert "El código expira en:" in page
    assert "Enviamos el código a an***@example.com y al celular" in page

    done = _validate(client, socio, last_code(socio))
    assert done["Location"] == result_url(operation)
    page = text(client.get(done["Location"]))
    assert "Preguntas de seguridad actualizadas" in page
    assert "El proceso se realizó correctamente." in page
    assert "Cerrar" in page
    answers = dict(
        SecurityAnswer.objects.filter(user=socio.user).values_list("question", "answer_hash")
    )
    assert len(answers) == 5
    assert check_password("ceviche", answers["comida"])  # replaced
    assert check_password("futbol", answers["deporte"])  # blank kept the stored one
    assert AuditEvent.objects.filter(kind=AuditKind.QUESTIONS_CHANGED, user=socio.user).exists()
    operation.refresh_from_db()
    assert operation.status == PendingOperation.Status.DONE


def test_questions_under_the_minimum_are_refused(client) -> None:
    response = _questions_post(client, color="verde")
    assert response.status_code == 400
    assert "Responde mínimo 5 preguntas de seguridad." in text(response)
    assert not SecurityChallenge.objects.exists()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("dos palabras", "La respuesta debe ser una sola palabra."),
        ("verde2", "La respuesta no puede tener números."),
        ("Verde", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
        ("canción", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
    ],
)
def test_questions_answer_rules(client, answer, message) -> None:
    response = _questions_post(client, color=answer, serie="chavo")
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'href="#id_color"' in page  # the error summary links to the field


def test_questions_changed_after_the_code_was_sent_is_refused(client, socio) -> None:
    _questions_post(client, color="verde", serie="chavo")
    code = last_code(socio)
    answers = dict(latest_operation(socio).content["answers"])
    answers.pop("serie")
    answers["amigo"] = SecurityAnswer.objects.first().answer_hash
    _tamper(socio, answers=answers)
    response = _validate(client, socio, code)
    assert response.status_code == 400
    assert MSG_MISMATCH in text(response)
    assert SecurityAnswer.objects.filter(user=socio.user).count() == 3


def test_wrong_code_is_refused_with_tries_left(client, socio) -> None:
    _questions_post(client, color="verde", serie="chavo")
    response = _validate(client, socio, wrong_code(last_code(socio)))
    assert response.status_code == 400
    page = text(response)
    assert "El código ingresado es incorrecto. Te quedan 2 intentos." in page
    assert page.startswith("<!doctype html>")
    assert "<title>Error: " in page
    assert SecurityAnswer.objects.filter(user=socio.user).count() == 3


def test_expired_code_is_refused(client, socio) -> None:
    _questions_post(client, color="verde", serie="chavo")
    SecurityChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _validate(client, socio, last_code(socio))
    assert "El código expiró. Solicita uno nuevo con «Reenviar»." in text(response)
    assert SecurityAnswer.objects.filter(user=socio.user).count() == 3


def test_questions_with_nothing_new_are_refused(client, settings) -> None:
    settings.ACCESS_QUESTIONS_MIN_UPDATE = 3
    response = _questions_post(client)
    assert response.status_code == 400
    assert "Escribe al menos una respuesta nueva para actualizar." in text(response)


def test_codes_sent_are_rate_limited_per_member(client, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "2/h"
    for _ in range(2):
        _questions_post(client, color="verde", serie="chavo")
    response = _questions_post(client, color="verde", serie="chavo")
    assert response["Location"] == reverse("profile:questions")
    assert "Hiciste demasiados intentos seguidos" in text(client.get(response["Location"]))
    assert SecurityChallenge.objects.count() == 2
    assert PendingOperation.objects.count() == 2  # the refused one was not kept


def test_a_code_sent_again_after_the_change_shows_the_first_result(client, socio) -> None:
    client.post(reverse("profile:image"), {"image": "paloma"})
    code = last_code(socio)
    operation = latest_operation(socio)
    assert _validate(client, socio, code)["Location"] == result_url(operation)
    again = _validate(client, socio, code)  # Back button, a double click, a second tab
    assert again["Location"] == result_url(operation)
    page = text(client.get(again["Location"]))
    assert "Imagen de seguridad actualizada" in page
    assert "Esta operación ya se había realizado; no se realizó de nuevo." in page
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED).count() == 1


def test_a_code_works_once(client, socio) -> None:
    _questions_post(client, color="verde", serie="chavo")
    first = latest_operation(socio)
    code = last_code(socio)
    assert _validate(client, socio, code).status_code == 302
    # The same code on a new operation with the same content: refused.
    _questions_post(client, color="verde", serie="chavo")
    response = _validate(client, socio, code)
    assert response.status_code == 400
    assert "Ese código es de otra operación" in text(response)
    assert latest_operation(socio) != first


def test_resend_sends_a_new_code_and_the_old_one_stops_working(client, socio, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    _questions_post(client, color="verde", serie="chavo")
    operation = latest_operation(socio)
    first = last_code(socio)
    response = client.post(reverse("confirmation:resend", kwargs={"token": operation.token}))
    assert response["Location"] == code_url(operation)
    second = last_code(socio)
    if first != second:
        assert _validate(client, socio, first).status_code == 400
    assert _validate(client, socio, second).status_code == 302


# ---------------------------------------------------------------- Cambio de contraseña


def _password_post(client: Client, current=PASSWORD, new=NEW_PASSWORD, confirmation=None):
    return client.post(
        reverse("profile:password"),
        {"current": current, "password": new, "confirmation": confirmation or new},
    )


def test_password_page_shows_the_policy_indications(client) -> None:
    page = text(client.get(reverse("profile:password")))
    assert "Actualizar contraseña" in page
    assert "La longitud permitida es de 10 a 15 caracteres." in page
    assert "Ingresa tu contraseña actual" in page
    assert "Nueva contraseña" in page
    assert "Confirmar contraseña" in page


def test_password_change_keeps_this_session_and_ends_the_others(client, socio) -> None:
    elsewhere = logged_in(socio)
    response = _password_post(client)
    operation = latest_operation(socio)
    assert response["Location"] == code_url(operation)
    assert NEW_PASSWORD not in repr(dict(client.session))  # only its hash is kept
    assert NEW_PASSWORD not in repr(operation.content)
    assert check_password(NEW_PASSWORD, operation.content["password"])
    done = _validate(client, socio, last_code(socio))
    page = text(client.get(done["Location"]))
    assert "Contraseña actualizada" in page
    assert "El proceso se realizó correctamente." in page
    socio.user.refresh_from_db()
    assert socio.user.check_password(NEW_PASSWORD)
    assert client.get(reverse("profile:password")).status_code == 200
    assert elsewhere.get(reverse("profile:password")).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_CHANGED, user=socio.user).exists()


def test_wrong_current_password_is_a_field_error_and_counts_as_a_failure(client, socio) -> None:
    response = _password_post(client, current="Otra#Clave2026")
    assert response.status_code == 400
    page = text(response)
    assert "La contraseña actual es incorrecta." in page
    assert 'href="#id_current"' in page
    assert OnlineProfile.objects.get(user=socio.user).failed_logins == 1
    assert not SecurityChallenge.objects.exists()


def test_wrong_current_password_warns_before_the_last_try_then_locks(client, socio) -> None:
    for _ in range(3):
        _password_post(client, current="Otra#Clave2026")
    page = text(_password_post(client, current="Otra#Clave2026"))
    assert "Te queda 1 intento" in page
    response = _password_post(client, current="Otra#Clave2026")
    assert response["Location"] == reverse("profile:blocked")
    profile = OnlineProfile.objects.get(user=socio.user)
    assert profile.is_locked
    assert profile.lock_reason == OnlineProfile.LockReason.FAILURES
    assert client.get(reverse("profile:password")).status_code == 302  # logged out


@pytest.mark.parametrize(
    ("new", "confirmation", "message"),
    [
        ("Corta#1", None, "La contraseña debe tener entre 10 y 15 caracteres."),
        ("sinmayuscula#12", None, "A la contraseña le falta una letra mayúscula."),
        ("SinEspecial1234", None, "A la contraseña le falta un carácter especial"),
        (NEW_PASSWORD, "Distinta#Clave1", "Las contraseñas no coinciden."),
        (PASSWORD, None, "La nueva contraseña debe ser distinta a la actual."),
    ],
)
def test_password_rules(client, new, confirmation, message) -> None:
    response = _password_post(client, new=new, confirmation=confirmation)
    assert response.status_code == 400
    assert message in text(response)
    assert not SecurityChallenge.objects.exists()


def test_password_changed_after_the_code_was_sent_is_refused(client, socio) -> None:
    _password_post(client)
    code = last_code(socio)
    _tamper(socio, password=socio.user.password)  # another operation
    response = _validate(client, socio, code)
    assert MSG_MISMATCH in text(response)
    socio.user.refresh_from_db()
    assert socio.user.check_password(PASSWORD)


# ---------------------------------------------------------------- Personalización de usuario


def test_username_page_shows_the_previous_username_read_only(client) -> None:
    page = text(client.get(reverse("profile:username")))
    assert "Personaliza tu nombre de usuario" in page
    assert "El usuario debe contener solo letras minúsculas y números, ej: usuario01" in page
    assert "Anterior nombre de usuario (Opcional)" in page
    assert 'value="andreslopez"' in page
    assert "readonly" in page
    assert "Ingresa tu nuevo nombre de usuario" in page
    assert "Aceptar" in page


def test_username_change(client, socio) -> None:
    response = client.post(reverse("profile:username"), {"username": "andres2026"})
    assert response["Location"] == code_url(latest_operation(socio))
    done = _validate(client, socio, last_code(socio))
    page = text(client.get(done["Location"]))
    assert "Cambio de usuario" in page
    assert "Se ha cambiado el usuario correctamente" in page
    socio.user.refresh_from_db()
    assert socio.user.username == "andres2026"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("andres", "El usuario debe tener entre 8 y 15 caracteres."),
        ("Andres2026", "El usuario debe contener solo letras minúsculas y números"),
        ("andres 2026", "El usuario debe contener solo letras minúsculas y números"),
        ("andreslopez", "El nuevo usuario debe ser distinto al actual."),
        ("mariaperez1", "Ese nombre de usuario no está disponible. Prueba con otro."),
    ],
)
def test_username_rules(client, typed, message) -> None:
    enrolled_member("mariaperez1")
    response = client.post(reverse("profile:username"), {"username": typed})
    assert response.status_code == 400
    assert message in text(response)


def test_username_equal_to_the_cedula_is_refused(client, socio) -> None:
    response = client.post(reverse("profile:username"), {"username": socio.identification})
    assert "El usuario debe ser distinto a tu número de cédula." in text(response)


def test_username_taken_between_confirm_and_code_is_refused_and_says_why(client, socio) -> None:
    client.post(reverse("profile:username"), {"username": "andres2026"})
    operation = latest_operation(socio)
    enrolled_member("andres2026")
    response = _validate(client, socio, last_code(socio))
    assert response["Location"] == result_url(operation)
    page = text(client.get(response["Location"]))
    assert "Ese nombre de usuario no está disponible" in page
    assert f'href="{reverse("profile:username")}">Volver a empezar' in page
    socio.user.refresh_from_db()
    assert socio.user.username == "andreslopez"
    operation.refresh_from_db()
    assert operation.status == PendingOperation.Status.FAILED
    assert AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_FAILED).count() == 1


# ---------------------------------------------------------------- Dispositivos

UA_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)


def _device(user, alias="Mi celular"):
    request = RequestFactory().get("/", HTTP_USER_AGENT=UA_ANDROID, REMOTE_ADDR="179.60.191.12")
    device, _ = devices.device_register(user=user, alias=alias, request=request)
    return device


def test_devices_list_and_detail(client, socio) -> None:
    device = _device(socio.user)
    page = text(client.get(reverse("profile:devices")))
    assert "Mi celular" in page
    assert "Google Chrome" in page
    assert "Fecha activo" in page
    assert "Ver detalle" in page
    assert "Eliminar" in page
    page = text(client.get(reverse("profile:device", args=[device.pk])))
    for label in ("Marca", "Modelo", "Versión sistema operativo", "Fecha activo", "IP"):
        assert f"<dt>{label}</dt>" in page
    assert "Samsung" in page
    assert "Android 13" in page
    assert "179.60.191.12" in page
    assert "Cerrar" in page


def test_device_removed_meanwhile_is_said_not_a_404(client, socio) -> None:
    device = _device(socio.user)
    client.post(reverse("profile:device_remove", args=[device.pk]), {"reason": "Lo perdí"})
    request = RequestFactory().get("/")
    devices.device_remove(
        user=socio.user, device_id=device.pk, reason="otra sesión", request=request
    )
    response = _validate(client, socio, last_code(socio))
    assert response["Location"] == result_url(latest_operation(socio))
    page = text(client.get(response["Location"]))
    assert "Ese dispositivo ya no está registrado." in page
    assert f'href="{reverse("profile:devices")}">Volver a empezar' in page


def test_another_members_device_is_404(client) -> None:
    other = enrolled_member("mariaperez1")
    device = _device(other.user)
    assert client.get(reverse("profile:device", args=[device.pk])).status_code == 404
    remove = reverse("profile:device_remove", args=[device.pk])
    assert client.get(remove).status_code == 404
    assert client.post(remove, {"reason": "No es mío"}).status_code == 404


def test_device_removal_needs_a_reason_and_a_code(client, socio) -> None:
    device = _device(socio.user)
    remove = reverse("profile:device_remove", args=[device.pk])
    response = client.post(remove, {"reason": "  "})
    assert response.status_code == 400
    assert "Ingresa el motivo por el cual eliminas el dispositivo." in text(response)
    response = client.post(remove, {"reason": "Lo perdí"})
    assert response["Location"] == code_url(latest_operation(socio))
    done = _validate(client, socio, last_code(socio))
    page = text(client.get(done["Location"]))
    assert "El proceso se ha realizado con éxito." in page
    device.refresh_from_db()
    assert device.removed_at is not None
    assert device.removal_reason == "Lo perdí"
    assert "Mi celular" not in text(client.get(reverse("profile:devices")))
    assert client.get(reverse("profile:device", args=[device.pk])).status_code == 404


# ---------------------------------------------------------------- Términos y condiciones


def test_terms_show_the_accepted_version_and_date(client, socio, settings) -> None:
    Consent.objects.create(
        member=socio, document=ConsentDocument.TERMS, version=settings.ACCESS_TERMS_VERSION
    )
    page = text(client.get(reverse("profile:terms")))
    assert "Contrato de términos y condiciones" in page
    assert f"Aceptaste la versión {settings.ACCESS_TERMS_VERSION} el" in page
    assert "Registro y Afiliación a Canales Digitales" in page


def test_terms_page_also_shows_the_accepted_data_consent(client, socio, settings) -> None:
    page = text(client.get(reverse("profile:terms")))
    assert "Autorizaste el tratamiento" not in page  # nothing accepted, nothing claimed
    Consent.objects.create(
        member=socio, document=ConsentDocument.DATA, version=settings.ACCESS_DATA_CONSENT_VERSION
    )
    page = text(client.get(reverse("profile:terms")))
    assert (
        f"Autorizaste el tratamiento de tus datos personales (versión "
        f"{settings.ACCESS_DATA_CONSENT_VERSION}) el" in page
    )
    assert "Autorización para el Tratamiento de Datos Personales" in page


def test_terms_of_a_version_no_longer_kept_say_so(client, socio) -> None:
    Consent.objects.create(member=socio, document=ConsentDocument.TERMS, version="2019.1")
    page = text(client.get(reverse("profile:terms")))
    assert "El texto de la versión 2019.1 ya no está disponible en línea" in page
    assert "Registro y Afiliación a Canales Digitales" in page


# ---------------------------------------------------------------- Bloquear mi acceso


def test_self_block_ends_every_session_and_says_how_to_unblock(client, socio) -> None:
    elsewhere = logged_in(socio)
    page = text(client.get(reverse("profile:block")))
    assert "Se cerrarán todas tus sesiones abiertas" in page
    response = client.post(reverse("profile:block"), {"current": PASSWORD})
    assert response["Location"] == reverse("profile:blocked")
    page = text(client.get(response["Location"]))
    assert "Tu acceso fue bloqueado" in page
    assert "¿Olvidaste tu contraseña?" in page
    profile = OnlineProfile.objects.get(user=socio.user)
    assert profile.lock_reason == OnlineProfile.LockReason.SELF
    assert AuditEvent.objects.filter(kind=AuditKind.SELF_BLOCKED, user=socio.user).exists()
    assert client.get(reverse("profile:questions")).status_code == 302
    assert elsewhere.get(reverse("profile:questions")).status_code == 302


def test_self_block_with_a_wrong_password_is_refused(client, socio) -> None:
    response = client.post(reverse("profile:block"), {"current": "Otra#Clave2026"})
    assert response.status_code == 400
    assert "La contraseña actual es incorrecta." in text(response)
    assert not OnlineProfile.objects.get(user=socio.user).is_locked


# ---------------------------------------------------------------- Cambio de imagen


def test_image_page_shows_the_ten_images_with_the_current_one_selected(client) -> None:
    page = text(client.get(reverse("profile:image")))
    assert "Actualizar imagen de seguridad" in page
    assert page.count('class="image-radio"') == 10
    assert 'value="delfin" checked' in page
    assert "Validar" in page


def test_image_change(client, socio) -> None:
    response = client.post(reverse("profile:image"), {"image": "paloma"})
    assert response["Location"] == code_url(latest_operation(socio))
    done = _validate(client, socio, last_code(socio))
    page = text(client.get(done["Location"]))
    assert "Imagen de seguridad actualizada" in page
    assert "El proceso se realizó correctamente." in page
    assert OnlineProfile.objects.get(user=socio.user).security_image == "paloma"
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED, user=socio.user).exists()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Selecciona una imagen de seguridad."),
        ({"image": "dragon"}, "Selecciona una de las imágenes de seguridad."),
        ({"image": "delfin"}, "Esa ya es tu imagen de seguridad: elige otra."),
    ],
)
def test_image_refusals(client, posted, message) -> None:
    response = client.post(reverse("profile:image"), posted)
    assert response.status_code == 400
    assert message in text(response)


def test_image_changed_after_the_code_was_sent_is_refused(client, socio) -> None:
    client.post(reverse("profile:image"), {"image": "paloma"})
    _tamper(socio, image="martillo")
    response = _validate(client, socio, last_code(socio))
    assert MSG_MISMATCH in text(response)
    assert OnlineProfile.objects.get(user=socio.user).security_image == "delfin"
