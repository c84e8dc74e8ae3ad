"""Credential rules from the manual, driven by settings (docs/security.md).

Password rules are Django password validators (``AUTH_PASSWORD_VALIDATORS``) so every
password form uses them, and the "Indicaciones" shown on screen are generated from
the same settings: the text can never disagree with the check.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ObjectDoesNotExist, ValidationError

USERNAME_CHARS = re.compile(r"^[a-z0-9]+$")
# The shape of the temporary usernames Regístrate hands out ("tmp" + digits). No member
# may choose it, so the login can treat every username of this shape, existing or not,
# as a temporary one (no security image yet) without telling which ones exist.
TEMPORARY_USERNAME = re.compile(r"^tmp[0-9]+$")
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


def _member(user: Any) -> Any:
    """The member behind ``user`` (None for staff and users without one)."""
    try:
        return user.member
    except (ObjectDoesNotExist, AttributeError):  # staff and users without a member
        return None


def _identification(user: Any) -> str:
    member = _member(user)
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
    if is_temporary_username(value):
        raise ValidationError(
            "El usuario no puede ser «tmp» seguido solo de números: así son los usuarios "
            "temporales. Elige otro, por ejemplo usuario01.",
            code="username_temporary_shape",
        )
    return value


def is_temporary_username(username: str) -> bool:
    """Does ``username`` look like a temporary one (``TEMPORARY_USERNAME``)?"""
    return bool(TEMPORARY_USERNAME.match((username or "").strip().lower()))


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

MSG_TOO_COMMON = (
    "Tu contraseña es muy común: es una de las más usadas, o una de ellas con números o "
    "símbolos agregados (como Password#123). Elige otra que no sea fácil de adivinar."
)
MSG_TOO_SIMILAR = "Tu contraseña se parece demasiado a tu nombre, cédula, correo o usuario."

# Look-alike characters people put in a word to pass composition rules (P@ssw0rd).
# "1" stands for "i" or "l": both readings are tried.
_LEET_I = {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
_LEET = (_LEET_I, {**_LEET_I, "1": "l"})
_LETTER = re.compile(r"[a-z]")
_LETTER_RUN = re.compile(r"[a-z]+")
# Shorter runs ("rio", "napo" in Rio#Napo2026) are on the list too often to mean much.
_MIN_RUN = 5
# For the "contains" check: a name part, the e-mail's local part… must be this long
# (shorter pieces, "de", "com", match too many unrelated passwords).
_MIN_CONTAINED = 4


def password_cores(password: str) -> set[str]:
    """What a password is "really", for the common and similarity checks.

    The manual's composition rule (upper, lower, digit, one of ``$@#%!*?&``) pushes
    people to decorate a word: ``Password#123``, ``123Andres$``, ``P@ssw0rd!``. Besides
    the password itself (lower case) this returns: the password without its special
    characters (``password123``); the stretch from its first to its last letter, with
    digits and symbols around it dropped (``password``); that stretch with look-alikes
    read back as letters (``p@ssw0rd`` → ``password``) and without inner symbols; and
    each run of at least five letters in it (``password#123a`` → ``password``).
    """
    lowered = password.lower().strip()
    cores = {lowered, "".join(c for c in lowered if c.isalnum())}
    letters = [m.start() for m in _LETTER.finditer(lowered)]
    if letters:
        span = lowered[letters[0] : letters[-1] + 1]
        cores.add(span)
        cores.add("".join(c for c in span if c.isalnum()))
        for table in _LEET:
            cores.add("".join(table.get(c, c) for c in span))
        # A listed word of five letters or more anywhere: ``Xk#Password9``.
        for table in _LEET:
            read = "".join(table.get(c, c) for c in span)
            cores.update(run for run in _LETTER_RUN.findall(read) if len(run) >= _MIN_RUN)
    cores.discard("")
    return cores


def _personal_values(user: Any) -> list[tuple[str, bool]]:
    """(value, may be checked for containment) for the user and their member record.

    The member's names, cédula and e-mail live on ``Member``, not on the user (whose
    ``first_name``/``last_name`` are empty for members), so Django's default attribute
    list would never see them. An e-mail's domain is compared but not searched for.
    """
    values: list[tuple[str, bool]] = []
    for attribute in ("username", "first_name", "last_name"):
        values.append((getattr(user, attribute, "") or "", True))
    emails = [getattr(user, "email", "") or ""]
    member = _member(user)
    if member is not None:
        values.append((member.first_names or "", True))
        values.append((member.last_names or "", True))
        values.append((member.identification or "", True))
        emails.append(member.email or "")
    for email in emails:
        local, _, _domain = email.partition("@")
        values.append((email, False))
        values.append((local, True))
    return [(value.lower(), contained) for value, contained in values if value]


class SimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity check over the member's names, cédula, e-mail and username.

    Refused: a password similar to any of them or any of their parts, Django's way
    (``quick_ratio`` ≥ ``max_similarity``, 0.7, on the password as typed); or one whose
    core (``password_cores``: ``Wqu!shpe#2026`` → ``wquishpe``) contains a part of at
    least four characters (``Lopez#2026ab`` for a member called López). The cores are
    only searched, never scored: a short core scores high against short names by
    chance (``cumbaya`` against ``maya``).
    """

    def validate(self, password: str, user: Any = None) -> None:
        if not user:
            return
        whole = password.lower().strip()
        cores = password_cores(password)
        for value, contained in _personal_values(user):
            parts = [part for part in re.split(r"\W+", value) if part] + [value]
            for part in parts:
                if contained and len(part) >= _MIN_CONTAINED and any(part in c for c in cores):
                    self._refuse()
                if password_validation.exceeds_maximum_length_ratio(
                    whole, self.max_similarity, part
                ):
                    continue
                if SequenceMatcher(a=whole, b=part).quick_ratio() >= self.max_similarity:
                    self._refuse()

    def _refuse(self) -> None:
        raise ValidationError(MSG_TOO_SIMILAR, code="password_too_similar")

    def get_error_message(self) -> str:
        return MSG_TOO_SIMILAR

    def get_help_text(self) -> str:
        # The manual's line before it already names the username and the cédula.
        return "Tampoco uses tus nombres, tus apellidos ni tu correo."


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords (NIST 800-63B's "known bad" check),
    also against the password's core: Django compares only the whole password in lower
    case, and ``password#123`` is not on the list although ``password123`` and
    ``password`` are, so every listed word passed once the manual's special character
    was added."""

    def validate(self, password: str, user: Any = None) -> None:
        if password_cores(password) & self.passwords:
            raise ValidationError(MSG_TOO_COMMON, code="password_too_common")

    def get_error_message(self) -> str:
        return MSG_TOO_COMMON

    def get_help_text(self) -> str:
        return "No uses contraseñas comunes, ni una palabra común con números o símbolos agregados."
