"""Regístrate and Primer ingreso pages through Django's test client.

Their code steps are the confirmation flow's pages (``/operaciones/<token>/…``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from enlinea.access import enrolment
from enlinea.access.catalog import ConsentDocument, SecurityImage
from enlinea.access.devices import DEVICE_COOKIE
from enlinea.access.enrolment import not_eligible_message
from enlinea.access.models import AuditKind, Consent, Device, OnlineProfile
from enlinea.access.tests.cast import online_member
from enlinea.access.tests.test_enrolment_services import (
    ANSWERS,
    NEW_PASSWORD,
    UA,
    last_code,
    new_member,
    registered_member,
    temporary_credentials,
    wrong,
)
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.services import MSG_EXPIRED
from enlinea.confirmation.views import MSG_ALREADY_DONE
from enlinea.members.tests.support import make_cedula, with_wrong_check_digit
from enlinea.security.models import AuditEvent, SecurityChallenge
from enlinea.security.ratelimit import MSG_RATE_LIMITED

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_USER_AGENT"] = UA
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _main(response) -> str:
    page = _text(response)
    return page[page.index("<main") : page.index("</main>")]


def _start(client, cedula: str):
    return client.post(reverse("enrol:register"), {"identification": cedula})


def _token(url: str) -> str:
    return resolve(url).kwargs["token"]


def _code_url(token: str) -> str:
    return reverse("confirmation:code", kwargs={"token": token})


def _resend_url(token: str) -> str:
    return reverse("confirmation:resend", kwargs={"token": token})


def _result_url(token: str) -> str:
    return reverse("confirmation:result", kwargs={"token": token})


def _register_until_code(client, member) -> str:
    """Pasos 1-4; returns the registration operation's token (its code was sent)."""
    assert _start(client, member.identification).url == reverse("enrol:register_terms")
    client.post(reverse("enrol:register_terms"), {"accept": "on"})
    response = client.post(reverse("enrol:register_data"), {"accept": "on"})
    assert response.status_code == 302
    token = _token(response.url)
    assert response.url == _code_url(token)
    return token


# ---------------------------------------------------------------- Regístrate


def test_registration_page_asks_for_the_identification_number(client) -> None:
    page = _text(client.get(reverse("enrol:register")))
    assert "Regístrate" in page
    assert "Número de identificación" in page
    assert ">Validar</button>" in page


def test_wrong_check_digit_is_shown_at_the_field(client) -> None:
    response = _start(client, with_wrong_check_digit(make_cedula()))
    page = _text(response)
    assert "<title>Error: Regístrate" in page
    assert "El número de cédula no es válido: revisa el dígito verificador." in page
    assert "Hay un problema" in page


def test_short_number_asks_for_ten_digits(client) -> None:
    page = _text(_start(client, "17143"))
    assert "Ingresa un número de cédula de 10 dígitos." in page


def test_unknown_cedula_and_enrolled_member_get_the_same_page(client) -> None:
    enrolled = online_member()
    unknown = make_cedula()
    first = _start(client, unknown)
    second = _start(client, enrolled.identification)
    assert first.status_code == second.status_code == 200
    message = not_eligible_message()
    assert message in _text(first)
    assert message in _text(second)
    # The same page apart from the number typed and the CSRF token.
    scrub = re.compile(r'value="[^"]*"')
    assert scrub.sub("", _main(first)) == scrub.sub("", _main(second))


def test_eligible_member_goes_to_the_terms(client) -> None:
    member = new_member()
    response = _start(client, member.identification)
    assert response.status_code == 302
    page = _text(client.get(response.url))
    assert "<h2>Términos y Condiciones Canales Digitales</h2>" in page
    assert "3. Registro y Afiliación a Canales Digitales" in page
    assert "Versión 2026.1" in page
    assert "Aceptar términos y condiciones" in page
    assert ">Cancelar</a>" in page
    assert ">Aceptar</button>" in page


def test_terms_shown_are_the_whole_versioned_text_perfil_shows(client) -> None:
    member = new_member()
    _start(client, member.identification)
    page = _text(client.get(reverse("enrol:register_terms")))
    for heading in (
        "1. Objeto",
        "3. Registro y Afiliación a Canales Digitales",
        "6. Modificaciones",
    ):
        assert f"<h3>{heading}</h3>" in page


def test_terms_must_be_checked(client) -> None:
    member = new_member()
    _start(client, member.identification)
    page = _text(client.post(reverse("enrol:register_terms"), {}))
    assert "Marca la casilla «Aceptar términos y condiciones» para continuar." in page
    assert not Consent.objects.filter(member=member).exists()


def test_data_consent_must_be_checked_and_comes_after_the_terms(client) -> None:
    member = new_member()
    _start(client, member.identification)
    assert client.get(reverse("enrol:register_data")).url == reverse("enrol:register")
    client.post(reverse("enrol:register_terms"), {"accept": "on"})
    page = _text(client.post(reverse("enrol:register_data"), {}))
    assert "Marca la casilla «Autorizar Tratamiento de datos» para continuar." in page
    assert not SecurityChallenge.objects.filter(member=member).exists()


def test_steps_cannot_be_skipped(client) -> None:
    for name in ("register_terms", "register_data"):
        assert client.get(reverse(f"enrol:{name}")).url == reverse("enrol:register")


def test_full_registration_with_the_code(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    assert Consent.objects.filter(member=member).count() == 2
    operation = PendingOperation.objects.get(token=token)
    assert (operation.kind, operation.member) == (enrolment.KIND_REGISTRATION, member)
    page = _text(client.get(_code_url(token)))
    assert '<h1 tabindex="-1">Regístrate</h1>' in page
    assert "Factor de seguridad" in page
    assert "El código expira en:" in page
    assert "¿No te llegó el código?" in page
    assert "Enviamos el código a an***@example.com y al celular 09*****567." in page
    assert f'href="{reverse("enrol:register")}"' in page  # Cancelar
    response = client.post(_code_url(token), {"code": last_code(member)})
    assert response.url == _result_url(token)
    page = _text(client.get(response.url))
    assert "¡Registro exitoso!" in page
    assert "Revisa el correo asociado a tu cuenta para completar tu acceso." in page
    assert f'<a class="button" href="{reverse("session:login")}">Regresar</a>' in page
    member.refresh_from_db()
    assert member.user.username == temporary_credentials(member)[0]
    # The wizard is over: its steps start again; the result stays the same on a refresh.
    assert "enrol_registro" not in client.session
    assert client.get(reverse("enrol:register_data")).url == reverse("enrol:register")
    assert "¡Registro exitoso!" in _text(client.get(_result_url(token)))


def test_wrong_code_is_shown_in_the_dialog(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    response = client.post(_code_url(token), {"code": wrong(last_code(member))})
    assert response.status_code == 400
    assert "El código ingresado es incorrecto. Te quedan 2 intentos." in _text(response)
    member.refresh_from_db()
    assert member.user is None


def test_expired_code_is_refused_in_the_dialog(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    SecurityChallenge.objects.filter(member=member).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(_code_url(token), {"code": last_code(member)})
    assert response.status_code == 400
    assert "El código expiró. Solicita uno nuevo con «Reenviar»." in _text(response)
    member.refresh_from_db()
    assert member.user is None


def test_a_registration_left_past_its_time_starts_again(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    PendingOperation.objects.filter(token=token).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = _text(client.post(_code_url(token), {"code": last_code(member)}))
    assert MSG_EXPIRED in page
    assert f'href="{reverse("enrol:register")}">Volver a empezar</a>' in page
    member.refresh_from_db()
    assert member.user is None


def test_double_submit_of_the_code_registers_once(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    code = last_code(member)
    client.post(_code_url(token), {"code": code})
    again = client.post(_code_url(token), {"code": code})
    assert again.url == _result_url(token)
    page = _text(client.get(again.url))
    assert MSG_ALREADY_DONE in page  # the first result, said to be the first
    assert "¡Registro exitoso!" in page
    assert get_user_model().objects.filter(member=member).count() == 1


def test_another_browser_cannot_use_the_pending_registration(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    code = last_code(member)
    other = Client(HTTP_USER_AGENT=UA)
    for response in (
        other.get(_code_url(token)),
        other.post(_code_url(token), {"code": code}),
        other.post(_resend_url(token)),
        other.get(_result_url(token)),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("session:login"))
    member.refresh_from_db()
    assert member.user is None
    assert SecurityChallenge.objects.get(member=member).resends == 0
    # A logged-in member of someone else gets a 404.
    intruder = online_member()
    other.force_login(intruder.user)
    assert other.post(_code_url(token), {"code": code}).status_code == 404
    member.refresh_from_db()
    assert member.user is None
    # The browser that started it still can.
    assert client.post(_code_url(token), {"code": code}).url == _result_url(token)


def test_a_second_registration_voids_the_first_code(client) -> None:
    member = new_member()
    first = _register_until_code(client, member)
    first_code = last_code(member)
    second = _register_until_code(Client(HTTP_USER_AGENT=UA), member)
    assert first != second
    response = client.post(_code_url(first), {"code": first_code})
    assert MSG_EXPIRED in _text(response)
    member.refresh_from_db()
    assert member.user is None


def test_resend_sends_a_new_code(client, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    member = new_member()
    token = _register_until_code(client, member)
    first = last_code(member)
    response = client.post(_resend_url(token))
    assert response.url == _code_url(token)
    assert "Te enviamos un nuevo código" in _text(client.get(response.url))
    challenge = SecurityChallenge.objects.get(member=member)
    assert challenge.resends == 1
    second = last_code(member)
    if first != second:  # the old code no longer works
        refused = client.post(_code_url(token), {"code": first})
        assert refused.status_code == 400
    assert client.post(_code_url(token), {"code": second}).url == _result_url(token)


def test_resend_during_the_cool_down_says_how_long_to_wait(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    page = _text(client.get(_code_url(token)))
    assert re.search(r"Podrás pedir otro código en <span data-resend-clock>\d+</span>", page)
    response = client.post(_resend_url(token), follow=True)
    assert re.search(r"Espera \d+ segundos para solicitar un nuevo código.", _text(response))
    assert SecurityChallenge.objects.get(member=member).resends == 0


def test_registration_is_rate_limited_per_ip(client, settings) -> None:
    settings.ACCESS_RATE_REGISTER_IP = "2/h"
    for _ in range(2):
        _start(client, make_cedula())
    response = _start(client, make_cedula())
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in _text(response)


def test_registration_is_rate_limited_per_cedula_whatever_the_ip(client, settings) -> None:
    settings.ACCESS_RATE_REGISTER_ACCOUNT = "3/h"
    member = new_member()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.defaults["REMOTE_ADDR"] = address
        assert _start(client, member.identification).status_code == 302
    client.defaults["REMOTE_ADDR"] = "10.0.0.9"
    response = _start(client, member.identification)
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in _text(response)


def test_codes_sent_and_resent_are_rate_limited(client, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "2/h"
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    member = new_member()
    token = _register_until_code(client, member)  # the first code
    assert client.post(_resend_url(token)).url == _code_url(token)  # the second
    response = client.post(_resend_url(token), follow=True)
    assert MSG_RATE_LIMITED in _text(response)
    assert SecurityChallenge.objects.get(member=member).resends == 1


def test_data_consent_sends_no_code_over_the_code_limit(client, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/h"
    first, second = new_member(), new_member()
    _register_until_code(client, first)
    _start(client, second.identification)
    client.post(reverse("enrol:register_terms"), {"accept": "on"})
    response = client.post(reverse("enrol:register_data"), {"accept": "on"})
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in _text(response)
    assert not SecurityChallenge.objects.filter(member=second).exists()


def test_logged_in_member_is_sent_home_from_registration(client) -> None:
    client.force_login(online_member().user)
    assert client.get(reverse("enrol:register")).url == reverse("web:home")


def test_registration_done_says_where_each_half_arrives(client) -> None:
    member = new_member()
    token = _register_until_code(client, member)
    client.post(_code_url(token), {"code": last_code(member)})
    page = _text(client.get(_result_url(token)))
    assert "el usuario a tu correo y la contraseña por SMS a tu celular registrado" in page


# ---------------------------------------------------------------- Primer ingreso: login


def _password_page(client, username: str) -> str:
    client.post(reverse("session:login"), {"username": username})
    return _main(client.get(reverse("session:password")))


PLAIN_STEP = (
    "Ingresa tu usuario y contraseña temporales enviados a tus medios de notificación "
    "y presiona «Iniciar Sesión»."
)


def test_a_temporary_username_gets_the_plain_step_without_an_image(client) -> None:
    """Point 13: a new member has no security image; she is not shown a stranger's."""
    member = registered_member()
    username, password = temporary_credentials(member)
    page = _password_page(client, username)
    assert PLAIN_STEP in page
    assert f"Usuario temporal: <strong>{username}</strong>" in page
    assert 'class="security-image"' not in page
    assert "¿Es tu imagen de seguridad?" not in page
    assert "No es mi imagen" not in page
    response = client.post(reverse("session:password"), {"password": password})
    assert response["Location"] == reverse("enrol:setup")


def test_every_username_of_the_temporary_shape_gets_the_same_plain_step(client) -> None:
    """Existing or not, the page is the same: it tells nothing about who registered."""
    member = registered_member()
    username = member.user.username
    unknown = "tmp" + f"{(int(username[3:]) + 1) % 10**8:08d}"
    pages = [_password_page(c, name) for c, name in ((client, username), (Client(), unknown))]
    pages = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", p) for p in pages]
    assert pages[0].replace(username, "X") == pages[1].replace(unknown, "X")
    assert PLAIN_STEP in pages[1]
    # A wrong password is refused alike.
    answers = []
    for c in (client, Client()):
        c.post(reverse("session:login"), {"username": username if c is client else unknown})
        answers.append(_text(c.post(reverse("session:password"), {"password": "Otra#Clave2026"})))
    for answer in answers:
        assert "Usuario o contraseña incorrectos." in answer
        assert PLAIN_STEP in answer


def test_other_usernames_still_get_an_image(client) -> None:
    page = _password_page(client, "tmpista01")
    assert 'class="security-image"' in page
    assert "¿Es tu imagen de seguridad?" in page


# ---------------------------------------------------------------- Primer ingreso


@pytest.fixture
def temp_client(client):
    member = registered_member()
    client.force_login(member.user)
    client.member = member
    client.temporary_password = temporary_credentials(member)[1]
    return client


def _walk_to_code(client, *, device: str = "si", alias: str = "Mi laptop personal") -> str:
    """Pasos 2-6; returns the first-login operation's token (its code was sent)."""
    assert client.post(reverse("enrol:setup_username"), {"username": "andres2026"}).url == reverse(
        "enrol:setup_questions"
    )
    assert client.post(reverse("enrol:setup_questions"), ANSWERS).url == reverse(
        "enrol:setup_image"
    )
    assert client.post(reverse("enrol:setup_image"), {"image": "delfin"}).url == reverse(
        "enrol:setup_password"
    )
    response = client.post(
        reverse("enrol:setup_password"),
        {
            "current": client.temporary_password,
            "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert response.url == reverse("enrol:setup_device")
    response = client.post(reverse("enrol:setup_device"), {"save_device": device, "alias": alias})
    assert response.status_code == 302
    token = _token(response.url)
    assert response.url == _code_url(token)
    return token


def test_setup_start_lists_what_will_be_asked(temp_client) -> None:
    page = _text(temp_client.get(reverse("enrol:setup")))
    assert "Personalizar un nuevo nombre de usuario." in page
    assert "Personalizar mínimo 3 preguntas de seguridad." in page
    assert "Registrar una imagen de seguridad." in page
    assert "Actualizar una nueva contraseña personalizada." in page


def test_full_first_login(temp_client) -> None:
    token = _walk_to_code(temp_client)
    operation = PendingOperation.objects.get(token=token)
    assert (operation.kind, operation.member) == (enrolment.KIND_FIRST_LOGIN, temp_client.member)
    page = _text(temp_client.get(_code_url(token)))
    assert '<h1 tabindex="-1">Primer ingreso</h1>' in page
    assert "Factor de seguridad" in page
    assert (
        "Con él confirmas tu nuevo usuario «andres2026», tus preguntas e imagen de seguridad, "
        "tu nueva contraseña y que registras este dispositivo como «Mi laptop personal»."
    ) in page
    assert f'href="{reverse("enrol:setup_device")}"' in page  # Cancelar: back to Paso 6
    response = temp_client.post(_code_url(token), {"code": last_code(temp_client.member)})
    assert response.url == reverse("enrol:setup_done")
    assert DEVICE_COOKIE in response.cookies
    assert response.cookies[DEVICE_COOKIE]["httponly"]
    page = _text(temp_client.get(response.url))
    assert "credenciales configuradas con éxito" in page.lower()
    assert "andres2026" in page
    assert ">Iniciar Sesión</a>" in page
    # Logged out: Paso 9 is a fresh login with the new credentials.
    assert "_auth_user_id" not in temp_client.session
    user = get_user_model().objects.get(pk=temp_client.member.user_id)
    assert user.username == "andres2026"
    assert user.check_password(NEW_PASSWORD)
    assert not OnlineProfile.objects.get(user=user).temporary


def test_double_submit_of_the_setup_code_applies_it_once(temp_client) -> None:
    token = _walk_to_code(temp_client)
    code = last_code(temp_client.member)
    first = temp_client.post(_code_url(token), {"code": code})
    assert first.url == reverse("enrol:setup_done")
    again = temp_client.post(_code_url(token), {"code": code})
    assert again.status_code == 302
    assert DEVICE_COOKIE not in again.cookies
    user = temp_client.member.user
    assert AuditEvent.objects.filter(kind=AuditKind.SETUP_COMPLETED, user=user).count() == 1
    assert Device.objects.filter(user=user).count() == 1


def test_the_setup_code_can_be_resent(temp_client, settings) -> None:
    settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS = 0
    token = _walk_to_code(temp_client)
    response = temp_client.post(_resend_url(token))
    assert response.url == _code_url(token)
    assert "Te enviamos un nuevo código" in _text(temp_client.get(response.url))
    response = temp_client.post(_code_url(token), {"code": last_code(temp_client.member)})
    assert response.url == reverse("enrol:setup_done")


def test_another_member_cannot_reach_the_first_login_operation(temp_client) -> None:
    token = _walk_to_code(temp_client)
    other = Client(HTTP_USER_AGENT=UA)
    response = other.post(_code_url(token), {"code": last_code(temp_client.member)})
    assert response.url.startswith(reverse("session:login"))
    other.force_login(online_member(username="mariaperez").user)
    assert other.get(_code_url(token)).status_code == 404
    assert OnlineProfile.objects.get(user=temp_client.member.user).temporary


def test_session_keeps_only_hashes_of_secrets(temp_client) -> None:
    _walk_to_code(temp_client)
    raw = str(dict(temp_client.session.items()))
    assert NEW_PASSWORD not in raw
    assert temp_client.temporary_password not in raw
    for answer in ANSWERS.values():
        assert f"'{answer}'" not in raw


def test_setup_steps_follow_the_manual_order(temp_client) -> None:
    for name in ("setup_questions", "setup_image", "setup_password", "setup_device"):
        assert temp_client.get(reverse(f"enrol:{name}")).url == reverse("enrol:setup_username")


def test_username_step_shows_indications_and_errors(temp_client) -> None:
    page = _text(temp_client.get(reverse("enrol:setup_username")))
    assert "Indicaciones" in page
    assert "El usuario debe contener solo letras minúsculas y números, ej: usuario01" in page
    assert "El usuario debe ser distinto a tu número de cédula" in page
    response = temp_client.post(
        reverse("enrol:setup_username"), {"username": temp_client.member.identification}
    )
    page = _text(response)
    assert "El usuario debe ser distinto a tu número de cédula." in page
    assert f'value="{temp_client.member.identification}"' in page  # what was typed stays


def test_questions_step_reports_each_field_and_the_minimum(temp_client) -> None:
    temp_client.post(reverse("enrol:setup_username"), {"username": "andres2026"})
    page = _text(temp_client.get(reverse("enrol:setup_questions")))
    assert "Elige mínimo 3 preguntas" in page
    assert "¿Serie de televisión favorita?" in page
    response = temp_client.post(
        reverse("enrol:setup_questions"), {"comida": "Encebollado", "ciudad": "quito"}
    )
    page = _text(response)
    assert "Ingresa solo letras minúsculas sin tildes, de la a a la z." in page
    assert "Responde mínimo 3 preguntas de seguridad." in page
    assert 'value="Encebollado"' in page
    assert 'value="quito"' in page


def test_image_step_offers_the_ten_images(temp_client) -> None:
    temp_client.post(reverse("enrol:setup_username"), {"username": "andres2026"})
    temp_client.post(reverse("enrol:setup_questions"), ANSWERS)
    page = _text(temp_client.get(reverse("enrol:setup_image")))
    for value, label in SecurityImage.choices:
        assert f'value="{value}"' in page
        assert f'<span class="image-name">{label}</span>' in page
        assert f"<title>{label}</title>" in page
    page = _text(temp_client.post(reverse("enrol:setup_image"), {}))
    assert "Selecciona una imagen de seguridad." in page


def test_password_step_shows_the_policy_and_refuses_a_weak_password(temp_client) -> None:
    temp_client.post(reverse("enrol:setup_username"), {"username": "andres2026"})
    temp_client.post(reverse("enrol:setup_questions"), ANSWERS)
    temp_client.post(reverse("enrol:setup_image"), {"image": "delfin"})
    page = _text(temp_client.get(reverse("enrol:setup_password")))
    assert "La longitud permitida es de 10 a 15 caracteres." in page
    assert "Ingresar tu contraseña actual o temporal" in page
    response = temp_client.post(
        reverse("enrol:setup_password"),
        {"current": "incorrecta", "password": "abc", "confirmation": "abc"},
    )
    page = _text(response)
    assert "La contraseña actual o temporal no es correcta." in page


def test_device_alias_required_when_saving(temp_client) -> None:
    temp_client.post(reverse("enrol:setup_username"), {"username": "andres2026"})
    temp_client.post(reverse("enrol:setup_questions"), ANSWERS)
    temp_client.post(reverse("enrol:setup_image"), {"image": "delfin"})
    temp_client.post(
        reverse("enrol:setup_password"),
        {
            "current": temp_client.temporary_password,
            "password": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    page = _text(temp_client.get(reverse("enrol:setup_device")))
    assert "Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?" in page
    assert "Si, guardar" in page
    page = _text(temp_client.post(reverse("enrol:setup_device"), {"save_device": "si"}))
    assert "Escribe un alias para el dispositivo, por ejemplo «Mi laptop personal»." in page


def test_first_login_without_saving_the_device(temp_client) -> None:
    token = _walk_to_code(temp_client, device="no", alias="")
    page = _text(temp_client.get(_code_url(token)))
    assert "y que no registras este dispositivo." in page
    response = temp_client.post(_code_url(token), {"code": last_code(temp_client.member)})
    assert response.url == reverse("enrol:setup_done")
    assert DEVICE_COOKIE not in response.cookies


def test_wrong_setup_code_changes_nothing(temp_client) -> None:
    token = _walk_to_code(temp_client)
    response = temp_client.post(_code_url(token), {"code": wrong(last_code(temp_client.member))})
    assert response.status_code == 400
    assert "El código ingresado es incorrecto." in _text(response)
    assert OnlineProfile.objects.get(user=temp_client.member.user).temporary


def test_changing_a_step_after_the_code_voids_it(temp_client) -> None:
    token = _walk_to_code(temp_client)
    code = last_code(temp_client.member)
    temp_client.post(reverse("enrol:setup_image"), {"image": "martillo"})
    # The code confirmed the old choices: refused, and back to Paso 6 for a new one.
    response = temp_client.post(_code_url(token), {"code": code})
    assert response.url == _result_url(token)
    page = _text(temp_client.get(response.url))
    assert enrolment.MSG_SETUP_CHANGED in page
    assert f'href="{reverse("enrol:setup_device")}">Volver a empezar</a>' in page
    profile = OnlineProfile.objects.get(user=temp_client.member.user)
    assert profile.temporary
    assert profile.security_image != "delfin"


def test_username_taken_meanwhile_goes_back_to_paso_2(temp_client) -> None:
    token = _walk_to_code(temp_client)
    online_member(username="andres2026")
    response = temp_client.post(_code_url(token), {"code": last_code(temp_client.member)})
    page = _text(temp_client.get(response.url))
    message = "Ese nombre de usuario no está disponible. Prueba con otro."
    assert message in page
    # "Volver a empezar" leads to Paso 2, which says why and asks for another name.
    again = temp_client.get(reverse("enrol:setup_device"))
    assert again.url == reverse("enrol:setup_username")
    page = _text(temp_client.get(again.url))
    assert message in page
    assert OnlineProfile.objects.get(user=temp_client.member.user).temporary


def test_expired_temporary_credentials_at_the_code_change_nothing(temp_client) -> None:
    token = _walk_to_code(temp_client)
    OnlineProfile.objects.filter(user=temp_client.member.user).update(
        temporary_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = temp_client.post(_code_url(token), {"code": last_code(temp_client.member)})
    assert enrolment.MSG_TEMPORARY_EXPIRED in _text(temp_client.get(response.url))
    assert OnlineProfile.objects.get(user=temp_client.member.user).temporary


def test_member_with_finished_setup_is_sent_home(client) -> None:
    client.force_login(online_member().user)
    for name in ("setup", "setup_username", "setup_device"):
        assert client.get(reverse(f"enrol:{name}")).url == reverse("web:home")


def test_anonymous_visitor_must_log_in(client) -> None:
    response = client.get(reverse("enrol:setup_username"))
    assert response.status_code == 302
    assert "next=" in response.url


def test_expired_temporary_credentials_end_the_wizard(temp_client) -> None:
    OnlineProfile.objects.filter(user=temp_client.member.user).update(
        temporary_expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = _text(temp_client.get(reverse("enrol:setup_username")))
    assert "Tus credenciales temporales vencieron." in page
    assert "_auth_user_id" not in temp_client.session


def test_exit_logs_out_without_applying_anything(temp_client) -> None:
    temp_client.post(reverse("enrol:setup_username"), {"username": "andres2026"})
    response = temp_client.post(reverse("enrol:setup_exit"))
    assert response.status_code == 302
    assert "_auth_user_id" not in temp_client.session
    user = get_user_model().objects.get(pk=temp_client.member.user_id)
    assert user.username != "andres2026"


def test_consent_records_are_those_of_the_flow(client) -> None:
    member = new_member()
    _register_until_code(client, member)
    documents = set(Consent.objects.filter(member=member).values_list("document", flat=True))
    assert documents == {ConsentDocument.TERMS, ConsentDocument.DATA}


def test_first_login_code_is_rate_limited_per_member(temp_client, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/h"
    _walk_to_code(temp_client)
    response = temp_client.post(reverse("enrol:setup_device"), {"save_device": "no", "alias": ""})
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in _text(response)
    assert (
        SecurityChallenge.objects.filter(member=temp_client.member, kind="first_login").count() == 1
    )
