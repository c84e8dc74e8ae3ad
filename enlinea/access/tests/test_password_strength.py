"""Finding 12: weak passwords passed (``Password#123``).

Django's common-password list compares the whole password in lower case, and
``password#123`` is not on it (``password123`` and ``password`` are): the manual's
compulsory special character let every listed word through. The similarity check
looked only at the user's ``first_name``/``last_name``/``email``, empty for members,
whose names, cédula and e-mail live on ``Member``.

Each rule is tested on the validators and on the three pages that set a password:
Primer ingreso, Perfil, Cambio de contraseña, and ¿Olvidaste tu contraseña?.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from enlinea.access import policy
from enlinea.access.tests.profile_support import ANSWERS, enrolled_member, last_code, text
from enlinea.access.tests.test_enrolment_services import (
    UA,
    new_member,
    register,
    temporary_credentials,
)
from enlinea.access.views_recovery import RECOVERY
from enlinea.members.tests.support import make_cedula
from enlinea.security.models import SecurityChallenge

MSG_COMMON = (
    "Tu contraseña es muy común: es una de las más usadas, o una de ellas con números o "
    "símbolos agregados (como Password#123). Elige otra que no sea fácil de adivinar."
)
MSG_SIMILAR = "Tu contraseña se parece demasiado a tu nombre, cédula, correo o usuario."

# A member whose names are not on the common list, so each message is its own rule.
PERSON = {
    "first_names": "Wilmer Efrain",
    "last_names": "Quishpe Tituana",
    "email": "wrqt2026@correo.example",
}


def errors(password: str, user=None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return caught.value.messages


# ---------------------------------------------------------------- the validators


def test_password_123_with_the_manuals_special_character_is_refused() -> None:
    assert errors("Password#123") == [MSG_COMMON]


@pytest.mark.parametrize(
    "password",
    [
        "Password#123",
        "password#123A",
        "123Password#",
        "P@ssw0rd!2026",
        "Qwerty#12345",
        "Admin#123456",
        "Ecuador#2026",
        "Contrasena#1",
        "#1Password99",
    ],
)
def test_a_common_password_decorated_with_digits_and_symbols_is_refused(password: str) -> None:
    assert MSG_COMMON in errors(password)


@pytest.mark.parametrize("password", ["Rio#Napo2026", "Nueva#Clave77", "Cumbaya#2026x"])
def test_uncommon_passwords_are_still_accepted(password: str) -> None:
    validate_password(password)


def test_the_example_in_the_indications_passes_every_rule() -> None:
    validate_password(policy.example_password())


def test_passwords_handed_out_as_temporary_ones_pass_the_common_check() -> None:
    from enlinea.access.enrolment import temporary_password

    validator = policy.CommonPasswordValidator()
    for _ in range(200):
        validator.validate(temporary_password())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Quishpe#2026a", "a last name inside"),
        ("Wilmer#Ef2026", "a first name inside"),
        ("Tituana$77xyz", "the second last name"),
        ("Wrqt2026#abcd", "the e-mail's local part"),
        ("Wqu!shpe#2026", "a look-alike of a name"),
    ],
)
def test_a_password_like_the_members_names_or_email_is_refused(password: str, why: str) -> None:
    member = enrolled_member("wquishpe77", **PERSON)
    assert errors(password, member.user) == [MSG_SIMILAR], why


@pytest.mark.django_db
def test_a_password_like_the_cedula_is_refused() -> None:
    cedula = make_cedula()
    member = enrolled_member("wquishpe77", identification=cedula, **PERSON)
    # Eight of its ten digits: not the cédula itself, which has its own message.
    assert errors(f"Xy#{cedula[:8]}", member.user) == [MSG_SIMILAR]


@pytest.mark.django_db
def test_a_password_like_the_username_is_refused() -> None:
    member = enrolled_member("efrainwq", **PERSON)
    # Not the username itself ("contener tu nombre de usuario"), but close to it.
    assert errors("Efrainq#2026", member.user) == [MSG_SIMILAR]


@pytest.mark.django_db
def test_the_same_password_is_fine_for_someone_else() -> None:
    member = enrolled_member("mariaperez", first_names="Maria Jose", last_names="Perez Ruiz")
    validate_password("Quishpe#2026a", member.user)


@pytest.mark.django_db
def test_staff_without_a_member_are_checked_on_their_own_user(django_user_model) -> None:
    staff = django_user_model.objects.create_user(
        username="operaciones1", first_name="Rosa", last_name="Chiriboga", is_staff=True
    )
    assert errors("Chiriboga#2026", staff) == [MSG_SIMILAR]
    validate_password("Rio#Napo2026", staff)


def test_both_rules_are_in_the_settings_and_in_the_indications() -> None:
    names = [entry["NAME"] for entry in settings.AUTH_PASSWORD_VALIDATORS]
    assert "enlinea.access.policy.CommonPasswordValidator" in names
    assert "enlinea.access.policy.SimilarityValidator" in names
    texts = password_validators_help_texts()
    # One line each, in order, no rule said twice: the manual's line names the username
    # and the cédula, the similarity line adds the names and the e-mail.
    manual = texts.index("No uses tu usuario ni tu número de cédula.")
    assert texts[manual + 1] == "Tampoco uses tus nombres, tus apellidos ni tu correo."
    assert (
        "No uses contraseñas comunes, ni una palabra común con números o símbolos agregados."
        in texts
    )


# ---------------------------------------------------------------- the three pages


WEAK = [("Password#123", MSG_COMMON), ("Quishpe#2026a", MSG_SIMILAR)]


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "message"), WEAK)
def test_first_login_refuses_weak_passwords(client, password: str, message: str) -> None:
    member = new_member(**PERSON)
    register(member)
    member.refresh_from_db()
    client.defaults["HTTP_USER_AGENT"] = UA
    client.force_login(member.user)
    temporary = temporary_credentials(member)[1]
    client.post(reverse("enrol:setup_username"), {"username": "wilmer2026"})
    client.post(reverse("enrol:setup_questions"), ANSWERS)
    client.post(reverse("enrol:setup_image"), {"image": "delfin"})

    response = client.post(
        reverse("enrol:setup_password"),
        {"current": temporary, "password": password, "confirmation": password},
    )

    assert not response.has_header("Location")  # the wizard stays on this step
    assert message in text(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "message"), WEAK)
def test_perfil_password_change_refuses_weak_passwords(password: str, message: str) -> None:
    member = enrolled_member("wquishpe77", **PERSON)
    client = Client()
    client.force_login(member.user)

    response = client.post(
        reverse("profile:password"),
        {"current": "Progreso#2026", "password": password, "confirmation": password},
    )

    assert response.status_code == 400
    assert message in text(response)
    assert not SecurityChallenge.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "message"), WEAK)
def test_recovery_refuses_weak_passwords(client, password: str, message: str) -> None:
    member = enrolled_member("wquishpe77", **PERSON)
    client.post(
        reverse("profile:recover"),
        {"identification": member.identification, "username": "wquishpe77"},
    )
    asked = client.session[RECOVERY]["questions"]
    code_step = client.post(reverse("profile:recover_questions"), {q: ANSWERS[q] for q in asked})
    client.post(code_step["Location"], {"code": last_code(member)})

    response = client.post(
        reverse("profile:recover_password"), {"password": password, "confirmation": password}
    )

    assert response.status_code == 400
    assert message in text(response)
    member.user.refresh_from_db()
    assert member.user.check_password("Progreso#2026")
