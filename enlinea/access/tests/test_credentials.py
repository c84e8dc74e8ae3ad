"""Credential primitives: answers, image, username, password, lock and unlock."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from enlinea.access import credentials
from enlinea.access.models import AuditKind, OnlineProfile, SecurityAnswer
from enlinea.access.tests.cast import PASSWORD, online_member
from enlinea.notifications.models import Channel, Message
from enlinea.security.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def socio():
    return online_member()


@pytest.fixture
def user(socio):
    return socio.user


@pytest.fixture
def web_request():
    request = RequestFactory().post(
        "/", REMOTE_ADDR="179.60.191.12", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Edg/120"
    )
    return request


def _questions() -> list[str]:
    from enlinea.access.catalog import Question

    return list(Question.values)


def _answers(count: int, start: int = 0) -> dict[str, str]:
    words = ["firulais", "loja", "mejia", "azul", "pizza", "cuenca", "roble", "tigre"]
    return {
        q: words[i % len(words)]
        for i, q in enumerate(_questions()[start : start + count], start=start)
    }


def _notices(member, kind: str = "cambio_seguridad") -> list[Message]:
    return list(Message.objects.filter(kind=kind, recipient=member.email))


def _refusal(call, **kwargs) -> tuple[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return getattr(caught.value, "code", None), caught.value.messages


# ---------------------------------------------------------------- answers


def test_first_setup_needs_the_minimum_and_stores_only_hashes(socio, user) -> None:
    code, messages = _refusal(credentials.answers_set, user=user, answers=_answers(2), minimum=3)
    assert (code, messages) == ("answers_minimum", ["Responde mínimo 3 preguntas de seguridad."])
    assert SecurityAnswer.objects.count() == 0
    assert credentials.answers_set(user=user, answers=_answers(3), minimum=3) == 3
    for answer in SecurityAnswer.objects.filter(user=user):
        assert answer.answer_hash.startswith("argon2")
        assert _answers(3)[answer.question] not in answer.answer_hash
    assert credentials.answered_questions(user=user) == list(_answers(3))
    # The first setup is not a "change": no audit row, no notice.
    assert not AuditEvent.objects.filter(kind=AuditKind.QUESTIONS_CHANGED).exists()
    assert _notices(socio) == []


def test_update_keeps_blank_answers_and_adds_new_ones(socio, user, web_request) -> None:
    credentials.answers_set(user=user, answers=_answers(3), minimum=3)
    first = dict(SecurityAnswer.objects.values_list("question", "answer_hash"))
    blanks = dict.fromkeys(_answers(3), "")
    total = credentials.answers_set(
        user=user, answers={**blanks, **_answers(2, start=3)}, minimum=5, request=web_request
    )
    assert total == 5
    kept = dict(
        SecurityAnswer.objects.filter(question__in=first).values_list("question", "answer_hash")
    )
    assert kept == first
    assert credentials.answers_check(user=user, answers=_answers(2, start=3))
    event = AuditEvent.objects.get(kind=AuditKind.QUESTIONS_CHANGED)
    assert (event.detail, event.ip) == ({"count": 5}, "179.60.191.12")
    assert [m.channel for m in _notices(socio)] == [Channel.EMAIL]
    assert Message.objects.filter(recipient=socio.mobile_phone, channel=Channel.SMS).count() == 1


def test_update_below_the_minimum_changes_nothing(user) -> None:
    credentials.answers_set(user=user, answers=_answers(3), minimum=3)
    before = dict(SecurityAnswer.objects.values_list("question", "answer_hash"))
    refusal = _refusal(credentials.answers_set, user=user, answers=_answers(1, start=3), minimum=5)
    assert refusal == ("answers_minimum", ["Responde mínimo 5 preguntas de seguridad."])
    assert dict(SecurityAnswer.objects.values_list("question", "answer_hash")) == before


def test_replace_drops_the_answers_not_given(user) -> None:
    credentials.answers_set(user=user, answers=_answers(5), minimum=3)
    credentials.answers_set(user=user, answers=_answers(3, start=5), minimum=3, replace=True)
    assert set(credentials.answered_questions(user=user)) == set(_answers(3, start=5))


def test_bad_answers_are_reported_per_question_and_nothing_is_saved(user) -> None:
    questions = _questions()
    with pytest.raises(ValidationError) as caught:
        credentials.answers_set(
            user=user,
            answers={questions[0]: "Quito", questions[1]: "dos palabras", questions[2]: "loja"},
            minimum=3,
        )
    assert caught.value.message_dict == {
        questions[0]: ["Ingresa solo letras minúsculas sin tildes, de la a a la z."],
        questions[1]: ["La respuesta debe ser una sola palabra."],
    }
    assert SecurityAnswer.objects.count() == 0
    with pytest.raises(ValidationError, match=r"Pregunta desconocida\."):
        credentials.answers_clean({"no_existe": "loja"})


def test_answers_check_is_all_or_nothing(user) -> None:
    credentials.answers_set(user=user, answers=_answers(3), minimum=3)
    q = list(_answers(3))
    good = _answers(3)
    assert credentials.answers_check(user=user, answers={q[0]: good[q[0]], q[1]: good[q[1]]})
    assert credentials.answers_check(user=user, answers={q[0]: f"  {good[q[0]]} "})
    assert not credentials.answers_check(user=user, answers={q[0]: good[q[0]], q[1]: "otra"})
    assert not credentials.answers_check(user=user, answers={q[0]: good[q[0]].upper()})
    unanswered = _questions()[5]
    assert not credentials.answers_check(user=user, answers={q[0]: good[q[0]], unanswered: "x"})
    assert not credentials.answers_check(user=user, answers={})


# ---------------------------------------------------------------- image


def test_image_set_validates_and_notifies_only_on_change(socio, user) -> None:
    code, messages = _refusal(credentials.image_set, user=user, image="gato")
    assert (code, messages) == ("image_required", ["Selecciona una imagen de seguridad."])
    OnlineProfile.objects.filter(user=user).update(security_image="")
    credentials.image_set(user=user, image="delfin")
    assert credentials.profile_for(user).security_image == "delfin"
    assert _notices(socio) == []
    credentials.image_set(user=user, image="paloma")
    assert credentials.profile_for(user).security_image == "paloma"
    assert AuditEvent.objects.filter(kind=AuditKind.IMAGE_CHANGED, user=user).count() == 1
    assert "Cambiaste tu imagen de seguridad." in _notices(socio)[0].body


# ---------------------------------------------------------------- username


def test_username_set_changes_it_audits_and_notifies(socio, user) -> None:
    assert credentials.username_set(user=user, username="andres2026") == "andres2026"
    user.refresh_from_db()
    assert user.username == "andres2026"
    event = AuditEvent.objects.get(kind=AuditKind.USERNAME_CHANGED)
    assert event.detail == {"previous": "andreslopez"}
    assert "Cambiaste tu nombre de usuario a «andres2026»." in _notices(socio)[0].body


def test_username_set_refuses_a_taken_name_whatever_its_case(django_user_model, user) -> None:
    django_user_model.objects.create_user(username="MariaPerez01")
    assert _refusal(credentials.username_set, user=user, username="mariaperez01") == (
        "username_taken",
        ["Ese nombre de usuario no está disponible. Prueba con otro."],
    )
    user.refresh_from_db()
    assert user.username == "andreslopez"


def test_temporary_user_may_keep_its_name_and_is_not_notified(socio, user) -> None:
    OnlineProfile.objects.filter(user=user).update(temporary=True)
    credentials.username_set(user=user, username="andreslopez")
    assert not AuditEvent.objects.filter(kind=AuditKind.USERNAME_CHANGED).exists()
    assert _notices(socio) == []


# ---------------------------------------------------------------- password


def test_password_clean_rules(user) -> None:
    assert _refusal(
        credentials.password_clean, password="Rio#Napo2026", confirmation="Rio#Napo2027", user=user
    ) == ("password_mismatch", ["Las contraseñas no coinciden."])
    assert _refusal(
        credentials.password_clean, password=PASSWORD, confirmation=PASSWORD, user=user
    ) == ("password_same", ["La nueva contraseña debe ser distinta a la actual."])
    _, messages = _refusal(
        credentials.password_clean, password="corta", confirmation="corta", user=user
    )
    assert "La contraseña debe tener entre 10 y 15 caracteres." in messages
    assert (
        credentials.password_clean(password="Rio#Napo2026", confirmation="Rio#Napo2026", user=user)
        == "Rio#Napo2026"
    )


def test_password_set_ends_every_other_session(client, socio, user) -> None:
    client.force_login(user)
    session_key = client.session.session_key
    credentials.password_set(user=user, password="Rio#Napo2026")
    user.refresh_from_db()
    assert user.check_password("Rio#Napo2026")
    request = RequestFactory().get("/")
    request.session = client.session.__class__(session_key)
    assert request.session[SESSION_KEY] == str(user.pk)  # the session still exists…
    assert not get_user(request).is_authenticated  # …but no longer logs anyone in
    assert credentials.profile_for(user).password_changed_at is not None
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_CHANGED, user=user).count() == 1
    assert "Cambiaste tu contraseña." in _notices(socio)[0].body


def test_recovered_password_says_so(socio, user) -> None:
    from enlinea.access.models import AuditKind as K

    credentials.password_set(user=user, password="Rio#Napo2026", kind=K.PASSWORD_RECOVERED)
    assert AuditEvent.objects.filter(kind=K.PASSWORD_RECOVERED).count() == 1
    assert "Recuperaste tu contraseña y se desbloqueó tu acceso." in _notices(socio)[0].body


# ---------------------------------------------------------------- lock


def test_five_failures_lock_and_email_the_member(socio, user, web_request, settings) -> None:
    assert settings.ACCESS_MAX_FAILED_LOGINS == 5
    left = [credentials.login_failure_record(user=user, request=web_request) for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    profile = credentials.profile_for(user)
    assert profile.is_locked
    assert profile.lock_reason == OnlineProfile.LockReason.FAILURES
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, user=user).count() == 5
    locked = AuditEvent.objects.get(kind=AuditKind.LOCKED, user=user)
    assert (locked.ip, locked.detail) == ("179.60.191.12", {"reason": "failures"})
    notice = Message.objects.get(kind="acceso_bloqueado", channel=Channel.EMAIL)
    assert notice.recipient == socio.email
    assert notice.subject == "Tu acceso a Cooprogreso En Línea está bloqueado"
    assert "contraseña incorrecta varias veces seguidas" in notice.body
    assert "«¿Olvidaste tu contraseña?»" in notice.body
    # A sixth failure does not lock twice nor send a second notice.
    assert credentials.login_failure_record(user=user) == 0
    assert Message.objects.filter(kind="acceso_bloqueado", channel=Channel.EMAIL).count() == 1


def test_success_resets_the_count(user) -> None:
    for _ in range(4):
        credentials.login_failure_record(user=user)
    credentials.login_success_record(user=user)
    assert credentials.login_failure_record(user=user) == 4
    assert not credentials.profile_for(user).is_locked


def test_self_block_and_unlock(socio, user) -> None:
    credentials.access_lock(user=user, reason=OnlineProfile.LockReason.SELF)
    profile = credentials.profile_for(user)
    assert (profile.is_locked, profile.lock_reason) == (True, "self")
    assert AuditEvent.objects.filter(kind=AuditKind.SELF_BLOCKED).count() == 1
    notice = Message.objects.get(kind="acceso_bloqueado", channel=Channel.EMAIL)
    assert "Bloqueaste tu acceso a Cooprogreso En Línea, como pediste." in notice.body
    credentials.access_unlock(user=user)
    profile.refresh_from_db()
    assert (profile.is_locked, profile.lock_reason, profile.failed_logins) == (False, "", 0)
    assert AuditEvent.objects.filter(kind=AuditKind.UNLOCKED).count() == 1
    credentials.access_unlock(user=user)  # nothing to do: no second audit row
    assert AuditEvent.objects.filter(kind=AuditKind.UNLOCKED).count() == 1
