"""Login: username, security image (or decoy), password, lockout, temporaries, new device."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import MEMBER_PASSWORD
from enlinea.access import credentials, session
from enlinea.access.catalog import SecurityImage
from enlinea.access.devices import DEVICE_COOKIE
from enlinea.access.models import AuditKind, Device, LoginRecord, OnlineProfile
from enlinea.confirmation.models import PendingOperation
from enlinea.notifications.models import Channel, Message
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent
from enlinea.security.ratelimit import MSG_RATE_LIMITED

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def _username(client: Client, username: str = "andreslopez", **extra):
    return client.post(reverse("session:login"), {"username": username}, **extra)


def _password(client: Client, password: str = MEMBER_PASSWORD, **extra):
    return client.post(reverse("session:password"), {"password": password}, **extra)


def _login_steps(client: Client, username: str, password: str, **extra):
    _username(client, username, **extra)
    return _password(client, password, **extra)


def _shown_image(body: str) -> str:
    found = re.search(r'<svg[^>]*class="security-image"[^>]*>\s*<title>([^<]+)</title>', body)
    assert found, "no security image on the page"
    return found.group(1)


def _error_text(body: str) -> list[str]:
    return re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', body, re.S)


def _last_code(email: str) -> str:
    message = Message.objects.filter(
        kind="codigo_seguridad", channel=Channel.EMAIL, recipient=email
    ).first()
    assert message is not None, "no security code was sent"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


# ---------------------------------------------------------------- decoy image


def test_decoy_image_is_deterministic_and_ignores_case_and_spaces() -> None:
    first = session.decoy_image("fulanodetal")
    assert first in SecurityImage.values
    assert session.decoy_image("FulanoDeTal ") == first
    assert session.decoy_image("fulanodetal") == first


def test_decoy_image_depends_on_the_secret_key(settings) -> None:
    names = [f"usuario{n:03d}" for n in range(40)]
    before = [session.decoy_image(name) for name in names]
    settings.SECRET_KEY = "otra-clave-secreta-para-esta-prueba-0123456789"
    assert [session.decoy_image(name) for name in names] != before


def test_decoy_images_spread_over_all_ten_images() -> None:
    shown = {session.decoy_image(f"persona{n}") for n in range(400)}
    assert shown == set(SecurityImage.values)


def test_a_member_sees_their_own_image_with_a_greeting(client: Client, member) -> None:
    response = _username(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("session:password")
    body = client.get(reverse("session:password")).content.decode()
    assert _shown_image(body) == "Delfín"
    assert "Hola, <strong>andreslopez</strong>" in body
    assert "¿Es tu imagen de seguridad?" in body
    assert ">No es mi imagen</a>" in body


def test_an_unknown_username_gets_the_same_page_with_its_decoy_image(client: Client) -> None:
    _username(client, "NoExiste99")
    body = client.get(reverse("session:password")).content.decode()
    expected = SecurityImage(session.decoy_image("noexiste99")).label
    assert _shown_image(body) == expected
    assert "Hola, <strong>noexiste99</strong>" in body
    assert "¿Es tu imagen de seguridad?" in body
    # The same username shows the same image every time.
    again = Client()
    _username(again, "noexiste99")
    assert _shown_image(again.get(reverse("session:password")).content.decode()) == expected


def test_a_member_without_an_image_gets_the_decoy(client: Client, member) -> None:
    OnlineProfile.objects.filter(user=member).update(security_image="")
    _username(client)
    body = client.get(reverse("session:password")).content.decode()
    assert _shown_image(body) == SecurityImage(session.decoy_image("andreslopez")).label


def test_the_password_step_needs_the_username_first(client: Client) -> None:
    response = client.get(reverse("session:password"))
    assert response.status_code == 302
    assert response["Location"] == reverse("session:login")


def test_not_my_image_goes_back_to_the_username_with_advice(client: Client, member) -> None:
    _username(client)
    body = client.get(reverse("session:not_my_image")).content.decode()
    assert "No ingreses tu contraseña si no reconoces la imagen." in body
    assert 'value="andreslopez"' in body
    assert client.get(reverse("session:password")).status_code == 302


# ---------------------------------------------------------------- failures and lock


def test_wrong_password_and_unknown_user_give_the_same_message(client: Client, member) -> None:
    wrong = _login_steps(client, "andreslopez", "Incorrecta#1").content.decode()
    unknown = _login_steps(Client(), "nadie1234", "Incorrecta#1").content.decode()
    assert _error_text(wrong) == _error_text(unknown)
    assert session.MSG_INVALID in wrong
    audit = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED)
    assert audit.filter(user=member).count() == 1
    assert audit.filter(username="nadie1234", detail__reason="unknown").count() == 1


def test_fourth_failure_warns_and_fifth_locks_and_emails(client: Client, member) -> None:
    _username(client)
    for _ in range(3):
        body = _password(client, "Incorrecta#1").content.decode()
        assert session.MSG_INVALID in body
    body = _password(client, "Incorrecta#1").content.decode()
    assert "Te queda un intento antes de que tu acceso se bloquee" in body
    assert OnlineProfile.objects.get(user=member).locked_at is None

    response = _password(client, "Incorrecta#1")
    body = response.content.decode()
    assert "Tu acceso está bloqueado" in body
    assert "Cómo desbloquear tu acceso" in body
    assert f'href="{reverse("profile:recover")}"' in body
    assert 'name="password"' not in body
    profile = OnlineProfile.objects.get(user=member)
    assert profile.locked_at is not None
    assert profile.lock_reason == OnlineProfile.LockReason.FAILURES
    assert profile.failed_logins == 5
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED, user=member).exists()
    mail = Message.objects.get(kind="acceso_bloqueado", channel=Channel.EMAIL)
    assert mail.recipient == "andres.lopez@example.com"
    assert "¿Olvidaste tu contraseña?" in mail.body


def test_a_successful_login_resets_the_failure_count(client: Client, member, client_login) -> None:
    _login_steps(Client(), "andreslopez", "Incorrecta#1")
    _login_steps(Client(), "andreslopez", "Incorrecta#1")
    assert OnlineProfile.objects.get(user=member).failed_logins == 2
    client_login(client)
    assert OnlineProfile.objects.get(user=member).failed_logins == 0


@pytest.mark.parametrize(
    "reason", [OnlineProfile.LockReason.FAILURES, OnlineProfile.LockReason.SELF]
)
def test_a_locked_member_is_refused_even_with_the_right_password(
    client: Client, member, reason
) -> None:
    credentials.access_lock(user=member, reason=reason)
    client.cookies[DEVICE_COOKIE] = "no-importa"
    response = _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    assert response.status_code == 200
    body = response.content.decode()
    # Who knows the password is told the access is locked, and how to unlock it.
    assert "Tu acceso está bloqueado" in body
    assert "Cómo desbloquear tu acceso" in body
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGIN).exists()
    profile = OnlineProfile.objects.get(user=member)
    assert (profile.failed_logins, profile.is_locked) == (0, True)  # the right one counts nothing
    assert AuditEvent.objects.filter(
        kind=AuditKind.LOGIN_FAILED, user=member, detail__reason="locked"
    ).exists()


def _said(body: str) -> str:
    """Which of the password step's answers the page gives."""
    found = [
        name
        for name, message in [
            ("invalid", session.MSG_INVALID),
            ("last try", session.MSG_LAST_TRY),
            ("locked", session.MSG_LOCKED),
        ]
        if message in body
    ]
    assert len(found) == 1, found
    return found[0]


def _answers(client: Client, username: str, tries: int) -> list[tuple[int, str, bool]]:
    """What ``tries`` wrong passwords get from a fresh session: status, answer, lock help."""
    _username(client, username)
    answers = []
    for _ in range(tries):
        response = _password(client, "Incorrecta#1")
        body = response.content.decode()
        answers.append((response.status_code, _said(body), "Cómo desbloquear" in body))
    return answers


@pytest.mark.parametrize(
    "reason",
    [
        OnlineProfile.LockReason.SELF,
        OnlineProfile.LockReason.STAFF,
        OnlineProfile.LockReason.FAILURES,
    ],
)
def test_a_locked_member_answers_a_wrong_password_like_an_unknown_username(
    member, reason, settings
) -> None:
    """A stranger trying passwords cannot tell a locked access from a name nobody has."""
    settings.ACCESS_RATE_LOGIN_IP = "100/m"
    settings.ACCESS_RATE_LOGIN_USER = "100/m"
    if reason == OnlineProfile.LockReason.FAILURES:
        # Both names saw five failures first: the member's locked the access.
        _answers(Client(), "andreslopez", 5)
        _answers(Client(), "nadie1234", 5)
    else:
        credentials.access_lock(user=member, reason=reason)
    assert OnlineProfile.objects.get(user=member).is_locked
    locked = _answers(Client(), "andreslopez", 6)
    unknown = _answers(Client(), "nadie1234", 6)
    assert locked == unknown
    if reason == OnlineProfile.LockReason.FAILURES:
        assert locked == [(200, "locked", True)] * 6
    else:
        # The usual warning on the fourth try, the lock message from the fifth.
        assert (
            locked
            == [(200, "invalid", False)] * 3
            + [(200, "last try", False)]
            + [(200, "locked", True)] * 2
        )
    profile = OnlineProfile.objects.get(user=member)
    assert profile.lock_reason == reason  # a locked access stays locked the same way
    assert profile.failed_logins == 5  # counted up to the limit, no further
    # No second lock notice for an access already locked.
    assert Message.objects.filter(kind="acceso_bloqueado", channel=Channel.EMAIL).count() == 1


def test_the_right_password_ends_the_run_of_failures_even_before_the_device_code(
    client: Client, member
) -> None:
    for _ in range(4):
        credentials.login_failure_record(user=member)
    response = _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    assert response["Location"] == reverse("session:device")  # not logged in yet
    assert OnlineProfile.objects.get(user=member).failed_logins == 0
    # So a wrong try right after it (another browser, say) does not lock the member.
    _login_steps(Client(), "andreslopez", "Incorrecta#1")
    profile = OnlineProfile.objects.get(user=member)
    assert (profile.failed_logins, profile.is_locked) == (1, False)


def test_an_unknown_username_warns_and_locks_like_a_real_one(client: Client) -> None:
    _username(client, "inventado7")
    bodies = [_password(client, "Incorrecta#1").content.decode() for _ in range(5)]
    assert "Te queda un intento" in bodies[3]
    assert "Tu acceso está bloqueado" in bodies[4]
    assert "Te queda un intento" not in bodies[2]


def test_staff_cannot_use_the_members_login(client: Client, django_user_model) -> None:
    django_user_model.objects.create_user(
        username="operador1", password="Operaciones#2026", is_staff=True
    )
    response = _login_steps(client, "operador1", "Operaciones#2026")
    assert response.status_code == 200
    assert session.MSG_INVALID in response.content.decode()
    assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------- temporary credentials


def _make_temporary(user, *, expires_in: timedelta) -> None:
    OnlineProfile.objects.filter(user=user).update(
        temporary=True,
        security_image="",
        setup_completed_at=None,
        temporary_expires_at=timezone.now() + expires_in,
    )


def test_expired_temporary_credentials_are_refused(client: Client, member) -> None:
    _make_temporary(member, expires_in=timedelta(minutes=-1))
    response = _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    body = response.content.decode()
    assert "Tus credenciales temporales expiraron. Regístrate nuevamente." in body
    assert f'href="{reverse("enrol:register")}"' in body
    assert "_auth_user_id" not in client.session


def test_temporary_credentials_lead_to_the_first_login_only(client: Client, member) -> None:
    _make_temporary(member, expires_in=timedelta(hours=1))
    response = _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("enrol:setup")
    assert client.session["_auth_user_id"] == str(member.pk)
    # Every other member page sends them back to the first login.
    for url in [reverse("web:home"), reverse("web:section", args=["transferencias"])]:
        page = client.get(url)
        assert page.status_code == 302
        assert page["Location"] == reverse("enrol:setup")
    setup = client.get(reverse("enrol:setup"))
    assert setup.status_code == 200 or setup["Location"] != reverse("enrol:setup")
    # Once the first login is finished, the member pages open.
    OnlineProfile.objects.filter(user=member).update(temporary=False)
    assert client.get(reverse("web:home")).status_code == 200


# ---------------------------------------------------------------- devices


def test_a_registered_device_goes_straight_in(client: Client, member, client_login) -> None:
    response = client_login(client)
    assert response["Location"] == reverse("web:home")
    assert client.session["_auth_user_id"] == str(member.pk)
    assert LoginRecord.objects.filter(user=member).count() == 1  # user_logged_in fired
    login = AuditEvent.objects.get(kind=AuditKind.LOGIN, user=member)
    assert login.detail["new_device"] is False
    assert not SecurityChallenge.objects.exists()


def test_a_new_device_needs_a_code_and_can_be_registered(client: Client, member) -> None:
    response = _login_steps(
        client, "andreslopez", MEMBER_PASSWORD, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="190.11.2.3"
    )
    assert response["Location"] == reverse("session:device")
    assert "_auth_user_id" not in client.session
    body = client.get(reverse("session:device")).content.decode()
    assert "Estás ingresando desde un nuevo dispositivo, ¿Deseas registrarlo?" in body
    assert "Si, guardar" in body
    assert "Ej: Mi laptop personal" in body

    # "Si, guardar" needs an alias.
    body = client.post(reverse("session:device"), {"save_device": "si"}).content.decode()
    assert "Escribe un alias para el dispositivo" in body
    response = client.post(
        reverse("session:device"), {"save_device": "si", "alias": "Mi laptop personal"}
    )
    operation = PendingOperation.objects.get(member=member.member)
    code_url = reverse("confirmation:code", kwargs={"token": operation.token})
    assert response["Location"] == code_url  # the one confirmation flow
    assert operation.kind == session.DEVICE_CODE_KIND
    challenge = SecurityChallenge.objects.get(member=member.member)
    assert challenge.kind == session.DEVICE_CODE_KIND
    assert challenge.scope == operation.token
    body = client.get(code_url).content.decode()
    assert "Factor de seguridad" in body
    assert "Lo registraremos como «Mi laptop personal» cuando valides el código." in body
    assert f'href="{reverse("session:device")}">Cambiar</a>' in body
    assert re.search(r"El código expira en: <span data-countdown-clock>0[23]:\d\d</span>", body)
    assert "Reenviar" in body

    code = _last_code("andres.lopez@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(code_url, {"code": wrong})
    assert response.status_code == 400  # one rule: a refused code answers 400
    body = response.content.decode()
    assert "El código ingresado es incorrecto. Te quedan 2 intentos." in body
    assert "<title>Error: Iniciar Sesión" in body
    assert "_auth_user_id" not in client.session
    response = client.post(
        code_url,
        {"code": _last_code("andres.lopez@example.com")},
        HTTP_USER_AGENT=FIREFOX,
        REMOTE_ADDR="190.11.2.3",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.session["_auth_user_id"] == str(member.pk)
    device = Device.objects.get(user=member)
    assert device.alias == "Mi laptop personal"
    assert device.browser == "Mozilla Firefox"
    assert response.cookies[DEVICE_COOKIE]["httponly"]
    login = AuditEvent.objects.get(kind=AuditKind.LOGIN, user=member)
    assert login.detail == {
        "device": device.pk,
        "new_device": True,
        "temporary": False,
    }
    notice = Message.objects.get(kind="ingreso_nuevo_dispositivo", channel=Channel.EMAIL)
    assert "Navegador: Mozilla Firefox" in notice.body
    assert "IP: 190.11.2.3" in notice.body
    assert re.search(r"Fecha: \d\d/[a-z]{3}\./\d{4} \d\d:\d\d", notice.body)

    # Next time from the same browser: no code.
    client.post(reverse("session:logout"))
    response = _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    assert response["Location"] == reverse("web:home")
    assert SecurityChallenge.objects.filter(member=member.member).count() == 1


def test_a_new_device_not_registered_asks_for_a_code_every_time(client: Client, member) -> None:
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    code_url = client.post(reverse("session:device"), {"save_device": "no", "alias": "ignorado"})[
        "Location"
    ]
    assert "No lo registraremos" in client.get(code_url).content.decode()
    response = client.post(code_url, {"code": _last_code("andres.lopez@example.com")})
    assert response["Location"] == reverse("web:home")
    assert DEVICE_COOKIE not in response.cookies
    assert not Device.objects.filter(user=member).exists()
    assert Message.objects.filter(kind="ingreso_nuevo_dispositivo").count() == 2  # e-mail, SMS
    client.post(reverse("session:logout"))
    response = _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    assert response["Location"] == reverse("session:device")


def test_a_newer_login_attempt_voids_the_older_code(member) -> None:
    first, second = Client(), Client()
    _login_steps(first, "andreslopez", MEMBER_PASSWORD)
    code_url = first.post(reverse("session:device"), {"save_device": "no"})["Location"]
    code = _last_code("andres.lopez@example.com")
    _login_steps(second, "andreslopez", MEMBER_PASSWORD)
    second.post(reverse("session:device"), {"save_device": "no"})
    response = first.post(code_url, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in first.session
    assert "El tiempo para confirmar esta operación terminó" in response.content.decode()
    older, newer = PendingOperation.objects.order_by("pk")
    assert (older.status, newer.status) == ("expired", "pending")


def test_a_password_change_voids_a_pending_device_login(client: Client, member) -> None:
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    code_url = client.post(reverse("session:device"), {"save_device": "no"})["Location"]
    code = _last_code("andres.lopez@example.com")
    member.set_password("Nueva#Clave2026")
    member.save()
    response = client.post(code_url, {"code": code}, follow=True)
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert session.MSG_PENDING_GONE in body
    assert f'href="{reverse("session:login")}">Volver a empezar</a>' in body
    assert PendingOperation.objects.get().status == "failed"


def test_resend_sends_a_new_code_and_respects_the_cool_down(
    client: Client, member, settings
) -> None:
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    code_url = client.post(reverse("session:device"), {"save_device": "no"})["Location"]
    resend_url = code_url.replace("/codigo/", "/reenviar/")
    body = client.post(resend_url, follow=True).content.decode()
    assert re.search(r"Espera \d+ segundos para solicitar un nuevo código", body)
    SecurityChallenge.objects.update(sent_at=timezone.now() - timedelta(minutes=1))
    response = client.post(resend_url)
    assert response["Location"] == code_url
    assert SecurityChallenge.objects.get().resends == 1
    body = client.get(code_url).content.decode()
    assert "Te enviamos un nuevo código" in body


def test_next_page_is_honoured_but_only_on_this_site(client: Client, member, client_login) -> None:
    target = reverse("web:section", args=["transferencias"])
    client.get(reverse("session:login"), {"next": target})
    assert client_login(client)["Location"] == target
    other = Client()
    other.get(reverse("session:login"), {"next": "https://malo.example.com/"})
    assert client_login(other)["Location"] == reverse("web:home")


# ---------------------------------------------------------------- rate limits


def test_username_step_is_rate_limited_per_ip(client: Client, settings) -> None:
    settings.ACCESS_RATE_LOGIN_IP = "3/m"
    for n in range(3):
        assert _username(client, f"persona{n}").status_code == 302
    response = _username(client, "persona9")
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in response.content.decode()
    assert "Hay un problema" in response.content.decode()


def test_password_step_is_rate_limited_per_username_across_ips(
    client: Client, member, settings
) -> None:
    settings.ACCESS_RATE_LOGIN_USER = "2/m"
    _username(client)
    for n in range(2):
        _password(client, "Incorrecta#1", REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = _password(client, MEMBER_PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=SecurityEvent.RATE_LIMITED).exists()


def test_code_resends_are_rate_limited_per_ip(client: Client, member, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/m"
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    code_url = client.post(reverse("session:device"), {"save_device": "no"})["Location"]
    # The first code was 1 of 1: the resend is refused, on the code page.
    SecurityChallenge.objects.update(sent_at=timezone.now() - timedelta(minutes=1))
    response = client.post(code_url.replace("/codigo/", "/reenviar/"), follow=True)
    assert MSG_RATE_LIMITED in response.content.decode()
    assert SecurityChallenge.objects.get().resends == 0
    # And a second login's code, from the same address, is refused at the choice (429).
    client.get(reverse("session:login"))
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    response = client.post(reverse("session:device"), {"save_device": "no"})
    assert response.status_code == 429
    assert MSG_RATE_LIMITED in response.content.decode()
    assert PendingOperation.objects.count() == 1


def test_login_records_audit_with_ip_and_agent(client: Client, member, client_login) -> None:
    client_login(client, HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="190.11.2.3")
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert event.ip == "190.11.2.3"
    assert event.user_agent == FIREFOX
    assert get_user_model().objects.get(pk=member.pk).last_login is not None


def test_a_plain_visit_to_the_login_page_stores_no_session(client: Client) -> None:
    response = client.get(reverse("session:login"))
    assert response.status_code == 200
    assert "enlinea_sesion" not in response.cookies


def test_a_second_post_of_the_right_code_logs_in_once_and_sets_no_second_cookie(
    client: Client, member
) -> None:
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    code_url = client.post(reverse("session:device"), {"save_device": "si", "alias": "Portátil"})[
        "Location"
    ]
    code = _last_code("andres.lopez@example.com")
    first = client.post(code_url, {"code": code})
    assert first["Location"] == reverse("web:home")
    assert DEVICE_COOKIE in first.cookies
    client.cookies.pop(DEVICE_COOKIE)
    again = client.post(code_url, {"code": code})  # a double click, a retried request
    assert again["Location"] == reverse("web:home")
    assert DEVICE_COOKIE not in again.cookies  # the hook acts only on the executing request
    assert Device.objects.filter(user=member).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN, user=member).count() == 1


def test_the_code_page_of_a_login_is_this_browsers_only(client: Client, member) -> None:
    _login_steps(client, "andreslopez", MEMBER_PASSWORD)
    code_url = client.post(reverse("session:device"), {"save_device": "no"})["Location"]
    stranger = Client()
    response = stranger.post(code_url, {"code": _last_code("andres.lopez@example.com")})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("session:login"))
    assert "_auth_user_id" not in stranger.session
    assert PendingOperation.objects.get().status == "pending"
