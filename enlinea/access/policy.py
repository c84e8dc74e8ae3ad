"""Credential rules from the manual, driven by settings (docs/security.md).

Password rules are Django password validators (``AUTH_PASSWORD_VALIDATORS``) so every
password form uses them, and the "Indicaciones" shown on screen are generated from
the same settings: the text can never disagree with the check.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ObjectDoesNotExist, ValidationError

USERNAME_CHARS = re.compile(r"^[a-z0-9]+$")
ANSWER_CHARS = re.compile(r"^[a-z]+$")


# ---------------------------------------------------------------- passwords


class PasswordLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        low, high = settings.ACCESS_PASSWORD_MIN_LENGTH, settings.ACCESS_PASSWORD_MAX_LENGTH
        if not low <= len(password) <= high:
            raise ValidationError(
                f"La contraseña debe tener entre {low} y {high} caracteres.",
                code="password_length",
            )

    def get_help_text(self) -> str:
        low, high = settings.ACCESS_PASSWORD_MIN_LENGTH, settings.ACCESS_PASSWORD_MAX_LENGTH
        return f"La longitud permitida es de {low} a {high} caracteres."


class PasswordCompositionValidator:
    """Upper and lower case letters, digits and one of the manual's special characters."""

    def validate(self, password: str, user: Any = None) -> None:
        specials = settings.ACCESS_PASSWORD_SPECIALS
        allowed = set(specials)
        bad = sorted(
            {c for c in password if not (c.isascii() and c.isalnum()) and c not in allowed}
        )
        if bad:
            raise ValidationError(
                f"La contraseña solo puede tener letras sin tildes, números y los caracteres {specials}; quita «{''.join(bad)}».",
                code="password_chars",
            )
        if not settings.ACCESS_PASSWORD_REQUIRE_CLASSES:
            return
        missing = []
        if not any(c.isupper() for c in password):
            missing.append("una letra mayúscula")
        if not any(c.islower() for c in password):
            missing.append("una letra minúscula")
        if not any(c.isdigit() for c in password):
            missing.append("un número")
        if not any(c in allowed for c in password):
            missing.append(f"un carácter especial ({specials})")
        if missing:
            raise ValidationError(
                "A la contraseña le falta " + _join(missing) + ".", code="password_classes"
            )

    def get_help_text(self) -> str:
        if not settings.ACCESS_PASSWORD_REQUIRE_CLASSES:
            return (
                f"Puedes usar letras, números y los caracteres {settings.ACCESS_PASSWORD_SPECIALS}."
            )
        return (
            "La contraseña debe contener letras mayúsculas y minúsculas, números y "
            f"caracteres especiales como: {settings.ACCESS_PASSWORD_SPECIALS}, ej: {example_password()}"
        )


class PasswordNotUsernameValidator:
    """Neither the username nor the identification number inside the password."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        lowered = password.lower()
        username = (getattr(user, "username", "") or "").lower()
        if username and username in lowered:
            raise ValidationError(
                "La contraseña no puede contener tu nombre de usuario.", code="password_username"
            )
        identification = _identification(user)
        if identification and identification in password:
            raise ValidationError(
                "La contraseña no puede contener tu número de identificación.",
                code="password_identification",
            )

    def get_help_text(self) -> str:
        return "No uses tu usuario ni tu número de cédula."


def example_password() -> str:
    """An example that satisfies the configured policy (shown, never assigned)."""
    base = "Progreso"
    digits = "2026"
    special = settings.ACCESS_PASSWORD_SPECIALS[:1] or ""
    example = base + digits + special
    low = settings.ACCESS_PASSWORD_MIN_LENGTH
    while len(example) < low:
        example += "7"
    return example[: settings.ACCESS_PASSWORD_MAX_LENGTH]


def _identification(user: Any) -> str:
    try:
        member = user.member
    except ObjectDoesNotExist:  # staff and users without a member
        return ""
    return member.identification if member is not None else ""


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " y " + items[-1]


# ---------------------------------------------------------------- usernames


def username_help_texts() -> list[str]:
    low, high = settings.ACCESS_USERNAME_MIN_LENGTH, settings.ACCESS_USERNAME_MAX_LENGTH
    return [
        "El usuario debe contener solo letras minúsculas y números, ej: usuario01",
        f"El nombre de usuario debe de tener un mínimo de {low} caracteres y un máximo de {high} caracteres",
    ]


def validate_username(username: str, *, identification: str = "") -> str:
    """Return the username if it follows the policy; raise a Spanish ValidationError."""
    value = username.strip()
    low, high = settings.ACCESS_USERNAME_MIN_LENGTH, settings.ACCESS_USERNAME_MAX_LENGTH
    if not low <= len(value) <= high:
        raise ValidationError(
            f"El usuario debe tener entre {low} y {high} caracteres.", code="username_length"
        )
    if not USERNAME_CHARS.match(value):
        raise ValidationError(
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
            code="username_chars",
        )
    if identification and value == identification:
        raise ValidationError(
            "El usuario debe ser distinto a tu número de cédula.", code="username_identification"
        )
    if value.isdigit():
        raise ValidationError(
            "El usuario debe tener al menos una letra.", code="username_digits_only"
        )
    return value


# ---------------------------------------------------------------- answers


def answer_help_texts(minimum: int) -> list[str]:
    return [
        "Elige una respuesta fácil de recordar",
        f"Elige mínimo {minimum} preguntas",
        "La respuesta debe ser una sola palabra",
        "Ingresa solo letras minúsculas sin tildes ni números",
    ]


def normalize_answer(answer: str) -> str:
    """What is hashed and compared: trimmed. (Case and accents are rules, not fixed up.)"""
    return unicodedata.normalize("NFC", answer.strip())


def validate_answer(answer: str) -> str:
    value = normalize_answer(answer)
    if not value:
        raise ValidationError("Escribe tu respuesta.", code="answer_required")
    if " " in value or "\t" in value:
        raise ValidationError("La respuesta debe ser una sola palabra.", code="answer_words")
    if any(c.isdigit() for c in value):
        raise ValidationError("La respuesta no puede tener números.", code="answer_digits")
    if not ANSWER_CHARS.match(value):
        raise ValidationError(
            "Ingresa solo letras minúsculas sin tildes, de la a a la z.", code="answer_chars"
        )
    if len(value) < 2 or len(value) > 40:
        raise ValidationError("La respuesta debe tener entre 2 y 40 letras.", code="answer_length")
    return value


# ---------------------------------------------------------------- Django's own checks, in "tú"


class SimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity check, worded like the rest of the site."""

    def get_error_message(self) -> str:
        return "La contraseña se parece demasiado a tu %(verbose_name)s."

    def get_help_text(self) -> str:
        return "No uses tus nombres, tu usuario ni tu correo en la contraseña."


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords (NIST 800-63B's "known bad" check)."""

    def get_error_message(self) -> str:
        return "Esa contraseña es demasiado común: elige una que no sea fácil de adivinar."

    def get_help_text(self) -> str:
        return "No uses contraseñas comunes."
