"""Password recovery ("¿Olvidaste tu contraseña?") and "Bloquear mi acceso" from it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlinea.access import credentials, recovery
from enlinea.access.models import AuditKind, OnlineProfile, RecoveryAttempt
from enlinea.access.tests.profile_support import (
    ANSWERS,
    NEW_PASSWORD,
    PASSWORD,
    code_url,
    enrolled_member,
    last_code,
    latest_operation,
    logged_in,
    text,
    wrong_code,
)
from enlinea.access.views_recovery import RECOVERY
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent

pytestmark = pytest.mark.django_db


MSG_NO_MATCH = (
    "Los datos ingresados no coinciden con nuestros registros. Revisa tu número de "
    "cédula y tu usuario."
)


@pytest.fixture
def socio():
    return enrolled_member()


def _start(client: Client, socio, username: str = "andreslopez", identification=None):
    return client.post(
        reverse("profile:recover"),
        {"identification": identification or socio.identification, "username": username},
    )


def _asked(client: Client) -> list[str]:
    return client.session[RECOVERY]["questions"]


def _answer(client: Client, answers: dict[str, str] | None = None):
    asked = _asked(client)
    given = answers or {question: ANSWERS[question] for question in asked}
    return client.post(reverse("profile:recover_questions"), given)


def _profile(socio) -> OnlineProfile:
    return OnlineProfile.objects.get(user=socio.user)


def _recover(client: Client, socio, password: str = NEW_PASSWORD):
    """Walk the four steps; returns the last response."""
    assert _start(client, socio)["Location"] == reverse("profile:recover_questions")
    code_step = _answer(client)["Location"]
    assert code_step == code_url(latest_operation(socio))
    code = client.post(code_step, {"code": last_code(socio)})
    assert code["Location"] == reverse("profile:recover_password")
    return client.post(
        reverse("profile:recover_password"), {"password": password, "confirmation": password}
    )


def test_recovery_page_is_public_and_offers_to_block(socio) -> None:
    page = text(Client().get(reverse("profile:recover")))
    assert "¿Olvidaste tu contraseña?" in page
    assert "Número de cédula" in page
    assert "Usuario" in page
    assert reverse("profile:recover_block") in page


def test_recovery_sets_the_new_password_and_unlocks_a_locked_access(socio) -> None:
    for _ in range(5):
        credentials.login_failure_record(user=socio.user)
    assert _profile(socio).is_locked
    elsewhere = logged_in(socio)
    client = Client()
    done = _recover(client, socio)
    assert done["Location"] == reverse("profile:recover_done")
    page = text(client.get(done["Location"]))
    assert "Tu contraseña fue actualizada" in page
    assert "Iniciar Sesión" in page
    socio.user.refresh_from_db()
    assert socio.user.check_password(NEW_PASSWORD)
    profile = _profile(socio)
    assert not profile.is_locked
    assert profile.failed_logins == 0
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RECOVERED, user=socio.user).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.UNLOCKED, user=socio.user).exists()
    assert elsewhere.get(reverse("profile:questions")).status_code == 302  # sessions ended
    # The success page is shown once; the attempt is over.
    assert RecoveryAttempt.objects.get(member=socio).ended_at is not None
    assert client.get(reverse("profile:recover_done"))["Location"] == reverse("profile:recover")
    assert client.get(reverse("profile:recover_password"))["Location"] == reverse("profile:recover")


@pytest.mark.parametrize("wrong", ["username", "cedula", "both"])
def test_any_mismatch_gets_the_same_neutral_message(socio, wrong) -> None:
    other = enrolled_member("mariaperez1")
    username = "mariaperez1" if wrong in ("username", "both") else "andreslopez"
    identification = other.identification if wrong in ("cedula",) else socio.identification
    if wrong == "both":
        identification = "1710034065"
    response = _start(Client(), socio, username=username, identification=identification)
    assert response.status_code == 400
    assert MSG_NO_MATCH in text(response)


def test_member_without_online_access_gets_the_same_neutral_message() -> None:
    from enlinea.members.services import member_create
    from enlinea.members.tests.support import member_data

    member = member_create(**member_data())
    response = Client().post(
        reverse("profile:recover"),
        {"identification": member.identification, "username": "andreslopez"},
    )
    assert MSG_NO_MATCH in text(response)


def test_cedula_format_is_checked_at_the_field(socio) -> None:
    response = _start(Client(), socio, identification="12345")
    assert "Ingresa un número de cédula de 10 dígitos." in text(response)


def test_cedula_with_separators_and_username_in_capitals_are_accepted(socio) -> None:
    cedula = socio.identification
    response = _start(
        Client(), socio, username="AndresLopez", identification=f"{cedula[:9]}-{cedula[9]}"
    )
    assert response["Location"] == reverse("profile:recover_questions")


def test_two_questions_at_random_stay_the_same_within_the_attempt(socio, settings) -> None:
    client = Client()
    _start(client, socio)
    asked = _asked(client)
    assert len(asked) == settings.ACCESS_RECOVERY_QUESTIONS == 2
    assert set(asked) <= set(ANSWERS)
    labels = re.findall(
        r'<label[^>]*for="id_(\w+)"',
        client.get(reverse("profile:recover_questions")).content.decode(),
    )
    assert labels == asked
    client.get(reverse("profile:recover_questions"))
    assert _asked(client) == asked


def test_wrong_answers_count_and_the_third_ends_the_attempt(socio) -> None:
    client = Client()
    _start(client, socio)
    wrong = {question: "incorrecta" for question in _asked(client)}
    first = _answer(client, wrong)
    assert first.status_code == 400
    assert "Las respuestas no coinciden con las que registraste. Te quedan 2 intentos." in text(
        first
    )
    assert "Te queda 1 intento." in text(_answer(client, wrong))
    last = _answer(client, wrong)
    assert last["Location"] == reverse("profile:recover")
    assert "Las respuestas no coincidieron 3 veces" in text(client.get(last["Location"]))
    assert RECOVERY not in client.session
    failures = AuditEvent.objects.filter(kind=AuditKind.RECOVERY_FAILED, user=socio.user)
    assert failures.count() == 3
    assert failures.first().detail["attempt_ended"] is True
    assert client.get(reverse("profile:recover_questions"))["Location"] == reverse(
        "profile:recover"
    )


def test_a_stale_copy_of_the_session_does_not_buy_more_wrong_answers(socio) -> None:
    """The count is the attempt's row, not the session: a parallel request that saves
    the session it read earlier (a lost update) cannot give the tries back."""
    client = Client()
    _start(client, socio)
    before = dict(client.session[RECOVERY])
    wrong = {question: "incorrecta" for question in _asked(client)}
    _answer(client, wrong)
    _answer(client, wrong)
    stale = client.session
    stale[RECOVERY] = before
    stale.save()
    last = _answer(client, wrong)
    assert last["Location"] == reverse("profile:recover")
    assert "Las respuestas no coincidieron 3 veces" in text(client.get(last["Location"]))
    attempt = RecoveryAttempt.objects.get(member=socio)
    assert attempt.wrong_sets == 3
    assert attempt.ended_at is not None


def test_an_ended_attempt_checks_no_answers_not_even_right_ones(socio) -> None:
    token = recovery.recovery_attempt_start(member=socio)
    wrong = {"comida": "incorrecta", "deporte": "incorrecta"}
    right = {"comida": ANSWERS["comida"], "deporte": ANSWERS["deporte"]}
    outcomes = [
        recovery.recovery_answers_check(member=socio, token=token, answers=wrong) for _ in range(3)
    ]
    assert [(o.ok, o.left, o.ended) for o in outcomes] == [
        (False, 2, False),
        (False, 1, False),
        (False, 0, True),
    ]
    refused = recovery.recovery_answers_check(member=socio, token=token, answers=right)
    assert (refused.ok, refused.ended) == (False, True)
    assert AuditEvent.objects.filter(kind=AuditKind.RECOVERY_FAILED).count() == 3
    # A token of another member's attempt, or none at all, opens nothing either.
    other = enrolled_member("mariaperez1")
    theirs = recovery.recovery_attempt_start(member=other)
    for member, attempt in [(socio, theirs), (socio, "inventado"), (other, token)]:
        outcome = recovery.recovery_answers_check(member=member, token=attempt, answers=right)
        assert (outcome.ok, outcome.ended) == (False, True)
    fresh = recovery.recovery_attempt_start(member=socio)
    assert recovery.recovery_answers_check(member=socio, token=fresh, answers=right).ok


def test_answers_are_rate_limited_per_member_across_attempts_and_addresses(socio, settings) -> None:
    settings.ACCESS_RATE_RECOVERY_ANSWERS_MEMBER = "2/h"
    first = Client(REMOTE_ADDR="10.0.0.1")
    _start(first, socio)
    wrong = {question: "incorrecta" for question in _asked(first)}
    for _ in range(2):
        assert _answer(first, wrong).status_code == 400
    # A new attempt from another address: still this member's answers.
    second = Client(REMOTE_ADDR="10.0.0.2")
    _start(second, socio)
    response = _answer(second)  # even the right answers
    assert response.status_code == 429
    assert "Hiciste demasiados intentos seguidos" in text(response)
    assert not SecurityChallenge.objects.filter(member=socio).exists()
    assert AuditEvent.objects.filter(
        kind=SecurityEvent.RATE_LIMITED, detail__group="recovery-answers"
    ).exists()
    # The refused try was not counted against the attempt.
    assert RecoveryAttempt.objects.filter(member=socio, wrong_sets=0).count() == 1


def test_answers_are_rate_limited_per_ip_across_members(socio, settings) -> None:
    settings.ACCESS_RATE_RECOVERY_ANSWERS_IP = "2/h"
    other = enrolled_member("mariaperez1")
    client = Client(REMOTE_ADDR="10.0.0.7")
    _start(client, socio)
    wrong = {question: "incorrecta" for question in _asked(client)}
    for _ in range(2):
        assert _answer(client, wrong).status_code == 400
    _start(client, other, username="mariaperez1")
    assert _answer(client).status_code == 429
    assert not SecurityChallenge.objects.exists()


def test_blank_recovery_answers_are_asked_for(socio) -> None:
    client = Client()
    _start(client, socio)
    response = client.post(reverse("profile:recover_questions"), {})
    assert response.status_code == 400
    assert "Escribe tu respuesta." in text(response)


def test_member_without_enough_questions_is_sent_to_the_call_center() -> None:
    socio = enrolled_member(answers={"comida": "encebollado"})
    response = _start(Client(), socio)
    assert response.status_code == 400
    assert recovery.MSG_NOT_READY in text(response)


def test_wrong_code_is_refused(socio) -> None:
    client = Client()
    _start(client, socio)
    code_step = _answer(client)["Location"]
    page = text(client.get(code_step))
    assert "Recuperar contraseña" in page
    assert "Enviamos el código a an***@example.com y al celular" in page
    response = client.post(code_step, {"code": wrong_code(last_code(socio))})
    assert response.status_code == 400
    assert "El código ingresado es incorrecto. Te quedan 2 intentos." in text(response)
    # Without the right code, the new password cannot be chosen.
    assert client.get(reverse("profile:recover_password"))["Location"] == reverse("profile:recover")


def test_the_code_is_bound_to_the_attempt(socio) -> None:
    client = Client()
    _start(client, socio)
    code_step = _answer(client)["Location"]
    code = last_code(socio)
    operation = latest_operation(socio)
    operation.content = {"attempt": "0" * 64}  # another attempt
    operation.save(update_fields=["content"])
    response = client.post(code_step, {"code": code})
    assert "El código no corresponde a esta operación" in text(response)
    assert client.get(reverse("profile:recover_password"))["Location"] == reverse("profile:recover")


def test_the_code_step_of_an_attempt_answers_only_its_browser(socio) -> None:
    client = Client()
    _start(client, socio)
    code_step = _answer(client)["Location"]
    stranger = Client().post(code_step, {"code": last_code(socio)})
    assert stranger["Location"].startswith(reverse("session:login"))
    assert logged_in(enrolled_member("mariaperez1")).get(code_step).status_code == 404
    assert not RecoveryAttempt.objects.get(member=socio).code_verified_at


def test_an_attempt_that_ended_after_its_code_sets_no_password(socio) -> None:
    client = Client()
    _start(client, socio)
    code_step = _answer(client)["Location"]
    client.post(code_step, {"code": last_code(socio)})
    RecoveryAttempt.objects.filter(member=socio).update(ended_at=timezone.now())
    response = client.post(
        reverse("profile:recover_password"),
        {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("profile:recover")
    socio.user.refresh_from_db()
    assert socio.user.check_password(PASSWORD)


def test_password_rules_apply_in_recovery(socio) -> None:
    client = Client()
    response = _recover(client, socio, password="corta")
    assert response.status_code == 400
    assert "La contraseña debe tener entre 10 y 15 caracteres." in text(response)
    assert "La longitud permitida es de 10 a 15 caracteres." in text(response)
    socio.user.refresh_from_db()
    assert socio.user.check_password(PASSWORD)


def test_recovery_is_rate_limited_per_cedula(socio, settings) -> None:
    settings.ACCESS_RATE_RECOVERY_IP = "2/h"
    for address in ("10.0.0.1", "10.0.0.2"):
        Client(REMOTE_ADDR=address).post(
            reverse("profile:recover"),
            {"identification": socio.identification, "username": "otro12345"},
        )
    response = Client(REMOTE_ADDR="10.0.0.3").post(
        reverse("profile:recover"),
        {"identification": socio.identification, "username": "andreslopez"},
    )
    assert response.status_code == 429
    assert "Hiciste demasiados intentos seguidos" in text(response)
    assert AuditEvent.objects.filter(kind=SecurityEvent.RATE_LIMITED).exists()


def test_recovery_is_rate_limited_per_ip(socio, settings) -> None:
    settings.ACCESS_RATE_RECOVERY_IP = "2/h"
    client = Client()
    for _ in range(2):
        client.post(
            reverse("profile:recover"), {"identification": "1710034065", "username": "nadie1234"}
        )
    response = _start(client, socio)
    assert response.status_code == 429


# ---------------------------------------------------------------- Bloquear mi acceso


def _block_start(client: Client, socio):
    """ "Bloquear mi acceso" step 1; returns the code step's URL it leads to."""
    response = client.post(
        reverse("profile:recover_block"),
        {"identification": socio.identification, "username": "andreslopez"},
    )
    operation = latest_operation(socio)
    assert operation.kind == "self_block"
    assert response["Location"] == code_url(operation)
    return response["Location"]


def _block(client: Client, socio):
    return client.post(_block_start(client, socio), {"code": last_code(socio)})


def test_block_from_recovery_with_a_code_then_recovery_unblocks(socio) -> None:
    elsewhere = logged_in(socio)
    client = Client()
    response = _block(client, socio)
    assert response["Location"] == reverse("profile:blocked")
    assert "Tu acceso fue bloqueado" in text(client.get(response["Location"]))
    profile = _profile(socio)
    assert profile.lock_reason == OnlineProfile.LockReason.SELF
    assert elsewhere.get(reverse("profile:questions")).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditKind.SELF_BLOCKED, user=socio.user).exists()

    _recover(Client(), socio)
    assert not _profile(socio).is_locked


def test_block_from_recovery_with_a_wrong_code_does_not_block(socio) -> None:
    client = Client()
    code_step = _block_start(client, socio)
    page = text(client.get(code_step))
    assert "Bloquear mi acceso" in page
    assert "Enviamos el código a an***@example.com y al celular" in page
    response = client.post(code_step, {"code": wrong_code(last_code(socio))})
    assert response.status_code == 400
    assert "El código ingresado es incorrecto" in text(response)
    assert not _profile(socio).is_locked


def test_the_block_code_step_belongs_to_the_browser_that_started_it(socio) -> None:
    code_step = _block_start(Client(), socio)
    stranger = Client().post(code_step, {"code": last_code(socio)})
    assert stranger.status_code == 302
    assert stranger["Location"].startswith(reverse("session:login"))
    assert logged_in(enrolled_member("mariaperez1")).get(code_step).status_code == 404
    assert not _profile(socio).is_locked


def test_block_from_recovery_is_rate_limited_per_member(socio, settings) -> None:
    settings.ACCESS_RATE_CODE_IP = "1/h"
    _block_start(Client(), socio)
    response = Client().post(
        reverse("profile:recover_block"),
        {"identification": socio.identification, "username": "andreslopez"},
    )
    assert response.status_code == 429
    assert "Hiciste demasiados intentos seguidos" in text(response)
    assert SecurityChallenge.objects.count() == 1


def test_block_from_recovery_with_a_mismatch_is_neutral(socio) -> None:
    response = Client().post(
        reverse("profile:recover_block"),
        {"identification": socio.identification, "username": "otrousuario"},
    )
    assert MSG_NO_MATCH in text(response)
    assert not _profile(socio).is_locked


def test_sessions_end_only_for_that_user(socio) -> None:
    other = enrolled_member("mariaperez1")
    mine, theirs = logged_in(socio), logged_in(other)
    assert recovery.sessions_end(user=socio.user) == 1
    assert mine.get(reverse("profile:questions")).status_code == 302
    assert theirs.get(reverse("profile:questions")).status_code == 200
    assert get_user_model().objects.filter(pk=socio.user.pk).exists()
