"""The back office's login: password, second factor, enrolment, lockout, limits, audit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlinea.access.models import AuditKind
from enlinea.security.models import AuditEvent, SecurityEvent
from enlinea.staff import services
from enlinea.staff.models import StaffAccess
from enlinea.staff.testing import staff_login, staff_totp_device
from enlinea.staff.tests.conftest import STAFF_PASSWORD
from enlinea.staff.tests.support import device_code, password_step, secret_from_page, totp_now

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
LOGIN = reverse("admin:login")
CODE = reverse("admin:staff_code")
ENROL = reverse("admin:staff_enrol")


def _kinds(user) -> list[str]:
    return list(AuditEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def _enrol(client: Client, user) -> list[str]:
    """Password, then the enrolment page read as a person would; returns the codes shown."""
    assert password_step(client, user.username)["Location"] == CODE
    page = client.get(CODE, follow=True)
    assert page.redirect_chain[-1][0] == ENROL
    key = secret_from_page(page.content.decode())
    response = client.post(ENROL, {"code": totp_now(key)})
    assert response.status_code == 200
    return response.context["codes"]


# ---------------------------------------------------------------- the happy paths


def test_the_login_page_has_the_spanish_labels(client: Client) -> None:
    html = client.get(LOGIN).content.decode()
    for text in ('for="id_username">Usuario', 'for="id_password">Contraseña', 'value="Ingresar"'):
        assert text in html


@pytest.mark.parametrize("who", ["jefa", "cajero"])
def test_password_then_code_opens_the_back_office(client: Client, who, request) -> None:
    user = request.getfixturevalue(who)
    device = staff_totp_device(user)
    response = password_step(client, user.username)
    assert response["Location"] == CODE
    assert client.get(INDEX).status_code == 302  # the password alone opens nothing
    response = client.post(CODE, {"code": device_code(device)})
    assert response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200
    login = AuditEvent.objects.get(kind=AuditKind.STAFF_LOGIN, user=user)
    assert login.detail["factor"] == "totp"
    assert login.ip == "127.0.0.1"


def test_first_login_enrols_the_app_and_shows_recovery_codes_once(client: Client, jefa) -> None:
    assert password_step(client, "jefa")["Location"] == CODE
    assert client.get(CODE)["Location"] == ENROL
    page = client.get(ENROL)
    html = page.content.decode()
    assert '<svg viewBox="0 0' in html  # the QR code, inline
    assert 'class="staff-qr"' in html
    assert "Código de verificación" in html
    key = secret_from_page(html)
    assert secret_from_page(client.get(ENROL).content.decode()) == key  # a reload keeps it

    response = client.post(ENROL, {"code": totp_now(key)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    body = response.content.decode()
    assert all(code in body for code in codes)
    assert "no volverás a verlos" in body
    assert client.get(INDEX).status_code == 200
    assert TOTPDevice.objects.get(user=jefa).confirmed
    stored = set(StaticToken.objects.filter(device__user=jefa).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {services.recovery_code_normalize(code) for code in codes}  # hashed
    assert AuditKind.STAFF_OTP_ENROLLED in _kinds(jefa)
    assert AuditKind.STAFF_LOGIN in _kinds(jefa)
    # Never again: the enrolment page of an enrolled account leads to the code.
    other = Client()
    password_step(other, "jefa")
    assert other.get(ENROL)["Location"] == CODE


def test_a_wrong_enrolment_code_is_refused_and_nothing_is_confirmed(client: Client, jefa) -> None:
    password_step(client, "jefa")
    key = secret_from_page(client.get(ENROL).content.decode())
    wrong = f"{(int(totp_now(key)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert "El código de verificación no es correcto" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=jefa, confirmed=True).exists()
    assert client.get(INDEX).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditKind.STAFF_OTP_FAILED, user=jefa).count() == 1


def test_a_wrong_code_is_refused_in_spanish_and_audited(client: Client, cajero) -> None:
    device = staff_totp_device(cajero)
    password_step(client, "cajero")
    wrong = f"{(int(device_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 200
    assert "El código de verificación no es correcto o ya caducó" in response.content.decode()
    assert client.get(INDEX).status_code == 302
    failed = AuditEvent.objects.get(kind=AuditKind.STAFF_OTP_FAILED, user=cajero)
    assert failed.detail["reason"] == "wrong_totp"
    assert wrong not in str(failed.detail)


def test_a_recovery_code_works_once(client: Client, jefa) -> None:
    codes = _enrol(client, jefa)
    first = Client()
    password_step(first, "jefa")
    assert first.post(CODE, {"code": codes[0].upper()})["Location"] == INDEX
    assert first.get(INDEX).status_code == 200
    used = AuditEvent.objects.get(kind=AuditKind.STAFF_RECOVERY_CODE_USED, user=jefa)
    assert used.detail["left"] == 9
    again = Client()
    password_step(again, "jefa")
    response = again.post(CODE, {"code": codes[0]})
    assert "El código de verificación no es correcto" in response.content.decode()
    assert again.get(INDEX).status_code == 302


# ---------------------------------------------------------------- no page without both factors


ADMIN_PAGES = [
    "admin:index",
    "admin:security_auditevent_changelist",
    "admin:staff_staffaccess_changelist",
    "admin:password_change",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["jefa", "cajero"])
def test_admin_pages_are_unreachable_without_the_second_factor(
    client: Client, who, page, request
) -> None:
    user = request.getfixturevalue(who)
    client.force_login(user)  # a session with the password's worth only
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_superuser_with_the_second_factor_reaches_the_pages(client: Client, jefa) -> None:
    staff_login(client, jefa)
    for page in ADMIN_PAGES:
        assert client.get(reverse(page)).status_code == 200, page


def test_a_locked_staff_session_reaches_no_page(client: Client, cajero) -> None:
    staff_login(client, cajero)
    assert client.get(INDEX).status_code == 200
    StaffAccess.objects.update_or_create(user=cajero, defaults={"locked_at": "2026-01-01T00:00Z"})
    assert client.get(INDEX).status_code == 302


def test_a_stale_or_missing_pending_login_starts_again(client: Client, cajero) -> None:
    response = client.get(CODE, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert services.MSG_PENDING_GONE in response.content.decode()


def test_the_code_step_keeps_the_page_asked_for(client: Client, cajero) -> None:
    device = staff_totp_device(cajero)
    target = reverse("admin:security_auditevent_changelist")
    client.post(
        f"{LOGIN}?next={target}", {"username": "cajero", "password": STAFF_PASSWORD, "next": target}
    )
    assert client.post(CODE, {"code": device_code(device)})["Location"] == target


def test_an_outside_next_is_ignored(client: Client, cajero) -> None:
    device = staff_totp_device(cajero)
    client.post(
        LOGIN, {"username": "cajero", "password": STAFF_PASSWORD, "next": "https://evil.example"}
    )
    assert client.post(CODE, {"code": device_code(device)})["Location"] == INDEX


# ---------------------------------------------------------------- lockout


def test_five_wrong_passwords_lock_and_the_right_one_is_then_refused(
    client: Client, cajero, settings
) -> None:
    staff_totp_device(cajero)
    for _ in range(settings.ACCESS_MAX_FAILED_LOGINS):
        response = password_step(client, "cajero", "Equivocada#2026")
        assert response.status_code == 200
    access = StaffAccess.objects.get(user=cajero)
    assert access.is_locked
    assert access.failed_logins == settings.ACCESS_MAX_FAILED_LOGINS
    response = password_step(client, "cajero")
    assert response.status_code == 200
    assert services.MSG_INVALID in response.content.decode()
    assert client.get(CODE)["Location"] == LOGIN  # no pending login
    kinds = _kinds(cajero)
    assert kinds.count(AuditKind.STAFF_LOGIN_FAILED) == settings.ACCESS_MAX_FAILED_LOGINS + 1
    assert kinds.count(AuditKind.STAFF_LOCKED) == 1
    assert AuditEvent.objects.filter(
        kind=AuditKind.STAFF_LOGIN_FAILED, user=cajero, detail__reason="locked"
    ).exists()


def test_a_locked_account_answers_like_a_wrong_password_and_an_unknown_user(
    client: Client, cajero, jefa
) -> None:
    StaffAccess.objects.create(user=jefa, locked_at="2026-01-01T00:00Z")

    def error_of(username: str, password: str) -> str:
        response = password_step(Client(), username, password)
        assert response.status_code == 200
        return str(response.context["form"].non_field_errors())

    locked_right = error_of("jefa", STAFF_PASSWORD)
    wrong = error_of("cajero", "Equivocada#2026")
    unknown = error_of("nadie", "Equivocada#2026")
    assert locked_right == wrong == unknown
    assert AuditEvent.objects.filter(
        kind=AuditKind.STAFF_LOGIN_FAILED, username="nadie", detail__reason="unknown"
    ).exists()


def _wait_out_the_throttle(device) -> None:
    """As if the person waited django-otp's growing delay (the failure count stays)."""
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)


def test_wrong_codes_count_towards_the_same_lock(client: Client, cajero, settings) -> None:
    device = staff_totp_device(cajero)
    password_step(client, "cajero")
    wrong = f"{(int(device_code(device)) + 7) % 1_000_000:06d}"
    for _ in range(settings.ACCESS_MAX_FAILED_LOGINS - 1):
        client.post(CODE, {"code": wrong})
        _wait_out_the_throttle(device)
    response = client.post(CODE, {"code": wrong}, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "se bloqueó por intentos fallidos" in response.content.decode()
    assert StaffAccess.objects.get(user=cajero).is_locked
    assert _kinds(cajero).count(AuditKind.STAFF_LOCKED) == 1
    assert password_step(Client(), "cajero").status_code == 200  # the password no longer opens


def test_a_right_code_typed_during_the_wait_is_not_a_failure(client: Client, cajero) -> None:
    """After a wrong code django-otp refuses every code for a moment, the right one too:
    the page says to wait, and that refusal counts towards no lock."""
    device = staff_totp_device(cajero)
    password_step(client, "cajero")
    right = device_code(device)
    client.post(CODE, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})

    response = client.post(CODE, {"code": right})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Espera unos segundos antes de escribir el código" in html
    assert "no es correcto" not in html
    assert StaffAccess.objects.get(user=cajero).failed_logins == 1
    throttled = (
        AuditEvent.objects.filter(kind=AuditKind.STAFF_OTP_FAILED, user=cajero)
        .order_by("id")
        .last()
    )
    assert throttled.detail["reason"] == "throttled"
    _wait_out_the_throttle(device)
    assert client.post(CODE, {"code": right})["Location"] == INDEX


def test_a_right_enrolment_code_typed_during_the_wait_is_not_a_failure(
    client: Client, jefa
) -> None:
    assert password_step(client, "jefa")["Location"] == CODE
    key = secret_from_page(client.get(ENROL).content.decode())
    client.post(ENROL, {"code": f"{(int(totp_now(key)) + 1) % 1_000_000:06d}"})

    response = client.post(ENROL, {"code": totp_now(key)})

    assert "Espera unos segundos antes de escribir el código" in response.content.decode()
    assert StaffAccess.objects.get(user=jefa).failed_logins == 1
    _wait_out_the_throttle(TOTPDevice.objects.get(user=jefa, confirmed=False))
    assert client.post(ENROL, {"code": totp_now(key)}).context["codes"]


def test_a_full_login_resets_the_count(client: Client, cajero, settings) -> None:
    device = staff_totp_device(cajero)
    for _ in range(settings.ACCESS_MAX_FAILED_LOGINS - 1):
        password_step(client, "cajero", "Equivocada#2026")
    password_step(client, "cajero")
    client.post(CODE, {"code": device_code(device)})
    assert StaffAccess.objects.get(user=cajero).failed_logins == 0


# ---------------------------------------------------------------- unlock


def _lock(user) -> None:
    StaffAccess.objects.update_or_create(
        user=user, defaults={"locked_at": "2026-01-01T00:00Z", "failed_logins": 5}
    )


def test_another_staff_member_with_the_permission_unlocks_in_the_admin(
    client: Client, jefa, cajero
) -> None:
    _lock(cajero)
    staff_login(client, jefa)
    access = StaffAccess.objects.get(user=cajero)
    listing = client.get(reverse("admin:staff_staffaccess_changelist"))
    assert "Desbloquear el acceso" in listing.content.decode()
    client.post(
        reverse("admin:staff_staffaccess_changelist"),
        {"action": "unlock", "_selected_action": [access.pk]},
    )
    access.refresh_from_db()
    assert not access.is_locked
    assert access.failed_logins == 0
    unlocked = AuditEvent.objects.get(kind=AuditKind.STAFF_UNLOCKED, user=cajero)
    assert unlocked.detail["by"] == "jefa"
    assert password_step(Client(), "cajero")["Location"] == CODE


def test_staff_without_the_permission_cannot_unlock(client: Client, jefa, cajero) -> None:
    _lock(jefa)
    staff_login(client, cajero)
    response = client.post(
        reverse("admin:staff_staffaccess_changelist"),
        {"action": "unlock", "_selected_action": [StaffAccess.objects.get(user=jefa).pk]},
    )
    assert response.status_code == 403
    assert StaffAccess.objects.get(user=jefa).is_locked


@pytest.fixture
def supervisora(db, django_user_model):
    """A staff member of the Operaciones role (the supervisor), not a superuser."""
    from django.contrib.auth.models import Group

    from enlinea.products.roles import OPERATIONS, roles_ensure

    roles_ensure()
    user = django_user_model.objects.create_user(
        username="supervisora", password=STAFF_PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=OPERATIONS))
    return user


def test_the_supervisor_role_unlocks_a_teller_but_not_a_superuser(
    client: Client, supervisora, cajero, jefa
) -> None:
    _lock(cajero)
    _lock(jefa)
    staff_login(client, supervisora)
    changelist = reverse("admin:staff_staffaccess_changelist")
    listing = client.get(changelist).content.decode()
    assert "Desbloquear el acceso" in listing
    assert "Reiniciar el segundo factor" not in listing  # superusers only

    done = client.post(
        changelist,
        {"action": "unlock", "_selected_action": [StaffAccess.objects.get(user=cajero).pk]},
        follow=True,
    )
    assert "Accesos desbloqueados: 1." in done.content.decode()
    refused = client.post(
        changelist,
        {"action": "unlock", "_selected_action": [StaffAccess.objects.get(user=jefa).pk]},
        follow=True,
    )

    assert not StaffAccess.objects.get(user=cajero).is_locked
    unlocked = AuditEvent.objects.get(kind=AuditKind.STAFF_UNLOCKED, user=cajero)
    assert unlocked.detail["by"] == "supervisora"
    assert StaffAccess.objects.get(user=jefa).is_locked
    html = refused.content.decode()
    assert "Solo un superusuario puede desbloquear el acceso de jefa." in html
    assert "Accesos desbloqueados" not in html
    assert not AuditEvent.objects.filter(kind=AuditKind.STAFF_UNLOCKED, user=jefa).exists()


def test_the_supervisor_role_cannot_reset_a_second_factor(
    client: Client, supervisora, cajero
) -> None:
    device = staff_totp_device(cajero)
    StaffAccess.objects.create(user=cajero)
    staff_login(client, supervisora)

    response = client.post(
        reverse("admin:staff_staffaccess_changelist"),
        {
            "action": "second_factor_reset",
            "_selected_action": [StaffAccess.objects.get(user=cajero).pk],
        },
    )

    assert response.status_code in (200, 302)  # the admin ignores an action not offered
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_only_a_superuser_resets_a_superusers_second_factor(jefa, supervisora) -> None:
    from django.contrib.auth.models import Permission

    supervisora.user_permissions.add(Permission.objects.get(codename="reset_staffaccess"))
    device = staff_totp_device(jefa)

    with pytest.raises(services.PermissionDenied, match="Solo un superusuario"):
        services.staff_second_factor_reset(actor=supervisora, user=jefa)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_nobody_unlocks_their_own_access(jefa) -> None:
    _lock(jefa)
    with pytest.raises(services.PermissionDenied):
        services.staff_unlock(actor=jefa, user=jefa)
    assert StaffAccess.objects.get(user=jefa).is_locked


def test_the_operator_unlocks_with_a_command(cajero) -> None:
    _lock(cajero)
    call_command("staff_unlock", "cajero")
    assert not StaffAccess.objects.get(user=cajero).is_locked
    unlocked = AuditEvent.objects.get(kind=AuditKind.STAFF_UNLOCKED, user=cajero)
    assert unlocked.detail["by"] == "manage.py staff_unlock"


def test_a_second_factor_reset_makes_the_next_login_enrol(client: Client, jefa, cajero) -> None:
    staff_totp_device(cajero)
    StaffAccess.objects.create(user=cajero)
    staff_login(client, jefa)
    client.post(
        reverse("admin:staff_staffaccess_changelist"),
        {"action": "second_factor_reset", "_selected_action": [cajero.staff_access.pk]},
    )
    assert not TOTPDevice.objects.filter(user=cajero).exists()
    assert AuditEvent.objects.filter(
        kind=AuditKind.STAFF_UNLOCKED, user=cajero, detail__reason="second_factor_reset"
    ).exists()
    other = Client()
    password_step(other, "cajero")
    assert other.get(CODE)["Location"] == ENROL


def test_no_admin_page_shows_a_totp_secret(client: Client, jefa, cajero) -> None:
    device = staff_totp_device(cajero)
    staff_login(client, jefa)
    html = client.get(INDEX).content.decode()
    assert "otp_totp" not in html
    assert "otp_static" not in html
    access = StaffAccess.objects.create(user=cajero)
    page = client.get(reverse("admin:staff_staffaccess_change", args=[access.pk])).content
    assert device.key not in page.decode()


# ---------------------------------------------------------------- rate limits


def test_staff_logins_are_rate_limited_per_ip(client: Client, cajero, settings) -> None:
    settings.STAFF_RATE_LOGIN_IP = "3/10m"
    for name in ("uno", "dos", "tres"):
        assert password_step(client, name, "Equivocada#2026").status_code == 200
    response = password_step(client, "cajero")
    assert response.status_code == 429
    assert "demasiados intentos" in response.content.decode()
    assert client.get(CODE)["Location"] == LOGIN  # the right password did not count
    assert AuditEvent.objects.filter(
        kind=SecurityEvent.RATE_LIMITED, detail__group="staff-password"
    ).exists()


def test_staff_logins_are_rate_limited_per_username(client: Client, cajero, settings) -> None:
    settings.STAFF_RATE_LOGIN_USER = "3/10m"
    settings.ACCESS_MAX_FAILED_LOGINS = 10
    for last in range(3):
        extra = {"REMOTE_ADDR": f"190.11.2.{last}"}
        assert password_step(Client(), "cajero", "Equivocada#2026", **extra).status_code == 200
    response = password_step(Client(), "cajero", REMOTE_ADDR="200.50.1.1")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(kind=SecurityEvent.RATE_LIMITED, username="cajero").exists()


def test_the_code_step_is_rate_limited_too(client: Client, cajero, settings) -> None:
    settings.STAFF_RATE_LOGIN_USER = "2/10m"
    device = staff_totp_device(cajero)
    password_step(client, "cajero")
    wrong = f"{(int(device_code(device)) + 3) % 1_000_000:06d}"
    client.post(CODE, {"code": wrong})
    client.post(CODE, {"code": wrong})
    assert client.post(CODE, {"code": device_code(device)}).status_code == 429
    assert client.get(INDEX).status_code == 302


# ---------------------------------------------------------------- logout


def test_logout_is_audited(client: Client, cajero) -> None:
    staff_login(client, cajero)
    client.post(reverse("admin:logout"))
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, user=cajero).exists()
    assert client.get(INDEX).status_code == 302


def test_logging_out_between_the_steps_ends_the_pending_login(
    client: Client, cajero, settings
) -> None:
    """«Ingresar con otro usuario» / Cerrar sesión after the password step: the pending
    login is gone, so the same session (or a copy of its cookie) cannot finish it."""
    device = staff_totp_device(cajero)
    assert password_step(client, "cajero")["Location"] == CODE
    page = client.get(CODE).content.decode()
    assert f'action="{reverse("admin:logout")}"' in page
    assert "Ingresar con otro usuario" in page
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.post(reverse("admin:logout"))["Location"] == LOGIN

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get(CODE)["Location"] == LOGIN
    response = replay.post(CODE, {"code": device_code(device)})
    assert response["Location"] == LOGIN
    assert replay.get(INDEX).status_code == 302
    assert AuditKind.STAFF_LOGIN not in _kinds(cajero)


def test_a_locked_account_can_still_log_its_open_session_out(client: Client, cajero) -> None:
    staff_login(client, cajero)
    _lock(cajero)

    client.post(reverse("admin:logout"))

    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, user=cajero).exists()
    assert "_auth_user_id" not in client.session


def test_staff_login_events_are_in_the_audit_log_for_support(
    client: Client, cajero, settings
) -> None:
    from enlinea.access.tests.cast import support_staff

    device = staff_totp_device(cajero)
    for _ in range(settings.ACCESS_MAX_FAILED_LOGINS):
        password_step(Client(), "cajero", "Equivocada#2026")
    StaffAccess.objects.filter(user=cajero).update(locked_at=None, failed_logins=0)
    ok = Client()
    password_step(ok, "cajero")
    ok.post(CODE, {"code": device_code(device)})
    staff_login(client, support_staff())
    html = client.get(reverse("admin:security_auditevent_changelist")).content.decode()
    for label in (
        "Ingreso del personal fallido",
        "Acceso del personal bloqueado",
        "Ingreso del personal",
    ):
        assert label in html
