"""Credential rules (policy.py): each rule with its Spanish message, texts from settings."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError

from enlinea.access import policy
from enlinea.access.tests.cast import online_member

SPECIALS = "$@#%!*?&"
MSG_LENGTH = "La contraseña debe tener entre 10 y 15 caracteres."
MSG_COMMON = policy.MSG_TOO_COMMON


def _password_errors(password: str, user=None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return caught.value.messages


def _one_error(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    error = caught.value
    return error.code, error.messages[0]


# ---------------------------------------------------------------- passwords


def test_a_password_following_every_rule_is_accepted() -> None:
    validate_password("Rio#Napo2026")
    validate_password("Aa1$aaaaaa")  # exactly 10
    validate_password("Aa1$aaaaaaaaaaa")  # exactly 15


@pytest.mark.parametrize("password", ["Aa1$aaaaa", "Aa1$aaaaaaaaaaaa"])
def test_password_length_follows_the_settings(password: str) -> None:
    assert _password_errors(password) == [MSG_LENGTH]


def test_password_length_rule_and_text_move_with_the_settings(settings) -> None:
    settings.ACCESS_PASSWORD_MIN_LENGTH = 12
    settings.ACCESS_PASSWORD_MAX_LENGTH = 64
    assert _password_errors("Rio#Napo2026x" + "y" * 52) == [
        "La contraseña debe tener entre 12 y 64 caracteres."
    ]
    assert _password_errors("Rio#Napo202") == ["La contraseña debe tener entre 12 y 64 caracteres."]
    validate_password("Rio#Napo2026" + "x" * 40)
    assert "La longitud permitida es de 12 a 64 caracteres." in password_validators_help_texts()


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("rio#napo2026", "una letra mayúscula"),
        ("RIO#NAPO2026", "una letra minúscula"),
        ("Rio#NapoNapo", "un número"),
        ("RioxNapo2026", f"un carácter especial ({SPECIALS})"),
        ("rionapo20261", f"una letra mayúscula y un carácter especial ({SPECIALS})"),
        (
            "riooonapoooo",
            f"una letra mayúscula, un número y un carácter especial ({SPECIALS})",
        ),
    ],
)
def test_each_missing_character_class_is_named(password: str, missing: str) -> None:
    assert _password_errors(password) == [f"A la contraseña le falta {missing}."]


@pytest.mark.parametrize(
    ("password", "bad"),
    [("Río#Napo2026", "í"), ("Rio Napo#2026", " "), ("Rio#Ñapo2026", "Ñ"), ("Rio#Napo-2026", "-")],
)
def test_characters_outside_the_policy_are_named(password: str, bad: str) -> None:
    assert _password_errors(password) == [
        "La contraseña solo puede tener letras sin tildes, números y los caracteres "
        f"{SPECIALS}; quita «{bad}»."
    ]


def test_composition_can_be_turned_off(settings) -> None:
    settings.ACCESS_PASSWORD_REQUIRE_CLASSES = False
    validate_password("rionapoguayas")
    assert (
        f"Puedes usar letras, números y los caracteres {SPECIALS}."
        in password_validators_help_texts()
    )
    # Characters outside the alphabet are still refused.
    assert _password_errors("rionapo guayas")[0].endswith("quita « ».")


def test_common_password_is_refused() -> None:
    assert _password_errors("Password1!") == [MSG_COMMON]


@pytest.mark.django_db
def test_password_may_not_contain_the_username_or_the_cedula() -> None:
    member = online_member(username="rionapo77")
    user = member.user
    assert "La contraseña no puede contener tu nombre de usuario." in _password_errors(
        "X#RioNapo77y", user
    )
    cedula = member.identification
    password = f"A#{cedula}b"
    assert "La contraseña no puede contener tu número de identificación." in _password_errors(
        password, user
    )


@pytest.mark.django_db
def test_staff_without_member_can_still_be_validated(django_user_model) -> None:
    staff = django_user_model.objects.create_user(username="operaciones1", is_staff=True)
    validate_password("Rio#Napo2026", staff)


def test_help_texts_follow_the_settings(settings) -> None:
    texts = password_validators_help_texts()
    assert texts[:3] == [
        "La longitud permitida es de 10 a 15 caracteres.",
        "La contraseña debe contener letras mayúsculas y minúsculas, números y caracteres "
        f"especiales como: {SPECIALS}, ej: Progreso2026$",
        "No uses tu usuario ni tu número de cédula.",
    ]
    settings.ACCESS_PASSWORD_MIN_LENGTH = 14
    settings.ACCESS_PASSWORD_SPECIALS = "#!"
    texts = password_validators_help_texts()
    assert texts[0] == "La longitud permitida es de 14 a 15 caracteres."
    assert texts[1].endswith("como: #!, ej: Progreso2026#7")


@pytest.mark.parametrize(("low", "high"), [(8, 15), (10, 15), (12, 20), (15, 15), (20, 64)])
def test_the_example_shown_always_satisfies_the_policy(settings, low: int, high: int) -> None:
    settings.ACCESS_PASSWORD_MIN_LENGTH, settings.ACCESS_PASSWORD_MAX_LENGTH = low, high
    example = policy.example_password()
    assert low <= len(example) <= high
    policy.PasswordLengthValidator().validate(example)
    policy.PasswordCompositionValidator().validate(example)


# ---------------------------------------------------------------- usernames


def test_a_username_following_the_rules_is_returned_trimmed() -> None:
    assert policy.validate_username("  andres2026 ") == "andres2026"
    assert policy.validate_username("abcdefgh") == "abcdefgh"
    assert policy.validate_username("abcdefghijklmno") == "abcdefghijklmno"


@pytest.mark.parametrize(
    ("username", "code", "message"),
    [
        ("andres1", "username_length", "El usuario debe tener entre 8 y 15 caracteres."),
        ("andreslopezmaya1", "username_length", "El usuario debe tener entre 8 y 15 caracteres."),
        (
            "AndresLopez",
            "username_chars",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        (
            "andrés2026",
            "username_chars",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        (
            "andres lopez",
            "username_chars",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        (
            "andres.lopez",
            "username_chars",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        ("1234567890", "username_digits_only", "El usuario debe tener al menos una letra."),
    ],
)
def test_each_username_rule_has_its_message(username: str, code: str, message: str) -> None:
    assert _one_error(policy.validate_username, username) == (code, message)


def test_username_may_not_be_the_cedula() -> None:
    assert _one_error(policy.validate_username, "1710034065", identification="1710034065") == (
        "username_identification",
        "El usuario debe ser distinto a tu número de cédula.",
    )


def test_username_rules_and_texts_follow_the_settings(settings) -> None:
    assert policy.username_help_texts() == [
        "El usuario debe contener solo letras minúsculas y números, ej: usuario01",
        "El nombre de usuario debe de tener un mínimo de 8 caracteres y un máximo de 15 caracteres",
    ]
    settings.ACCESS_USERNAME_MIN_LENGTH = 6
    assert policy.validate_username("andres") == "andres"
    assert "mínimo de 6 caracteres" in policy.username_help_texts()[1]


@pytest.mark.django_db
def test_username_taken_ignores_case_and_same_username_is_refused(django_user_model) -> None:
    from enlinea.access.credentials import username_clean

    django_user_model.objects.create_user(username="SoporteAna1", is_staff=True)
    member = online_member(username="andreslopez")
    assert _one_error(username_clean, username="soporteana1", user=member.user) == (
        "username_taken",
        "Ese nombre de usuario no está disponible. Prueba con otro.",
    )
    assert _one_error(username_clean, username="andreslopez", user=member.user) == (
        "username_same",
        "El nuevo usuario debe ser distinto al actual.",
    )
    assert username_clean(username="andres2026", user=member.user) == "andres2026"
    assert get_user_model().objects.filter(username="andres2026").count() == 0


# ---------------------------------------------------------------- security answers


@pytest.mark.parametrize("answer", ["quito", "  firulais ", "ab", "a" * 40])
def test_a_valid_answer_is_returned_trimmed(answer: str) -> None:
    assert policy.validate_answer(answer) == answer.strip()


@pytest.mark.parametrize(
    ("answer", "code", "message"),
    [
        ("", "answer_required", "Escribe tu respuesta."),
        ("   ", "answer_required", "Escribe tu respuesta."),
        ("san pedro", "answer_words", "La respuesta debe ser una sola palabra."),
        ("san\tpedro", "answer_words", "La respuesta debe ser una sola palabra."),
        ("quito2", "answer_digits", "La respuesta no puede tener números."),
        ("Quito", "answer_chars", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
        ("mamá", "answer_chars", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
        ("ñandu", "answer_chars", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
        ("san-pedro", "answer_chars", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
        ("a", "answer_length", "La respuesta debe tener entre 2 y 40 letras."),
        ("a" * 41, "answer_length", "La respuesta debe tener entre 2 y 40 letras."),
    ],
)
def test_each_answer_rule_has_its_message(answer: str, code: str, message: str) -> None:
    assert _one_error(policy.validate_answer, answer) == (code, message)


@pytest.mark.parametrize("minimum", [3, 5])
def test_answer_help_texts_name_the_minimum(minimum: int) -> None:
    assert policy.answer_help_texts(minimum) == [
        "Elige una respuesta fácil de recordar",
        f"Elige mínimo {minimum} preguntas",
        "La respuesta debe ser una sola palabra",
        "Ingresa solo letras minúsculas sin tildes ni números",
    ]
