"""Regístrate and Primer ingreso services: every rule and refusal (issue 4, points 3-4).

Their codes are the confirmation flow's: ``registration_start`` / ``setup_start`` open
the operation, ``operation_confirm`` checks the code and runs the kind's execute
(``registration_complete`` / ``setup_complete``) in the transaction that spends it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from enlinea.access import credentials, enrolment, policy
from enlinea.access.catalog import ConsentDocument
from enlinea.access.models import AuditKind, Consent, Device, OnlineProfile, SecurityAnswer
from enlinea.access.tests.cast import online_member
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.services import operation_confirm
from enlinea.members.models import Member
from enlinea.members.services import member_create
from enlinea.members.tests.support import make_cedula, member_data, with_wrong_check_digit
from enlinea.notifications.models import Channel, Message
from enlinea.notifications.services import REDACTED_BODY
from enlinea.security.codes import ChallengeError
from enlinea.security.models import AuditEvent, SecurityChallenge, SecurityEvent

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
NEW_PASSWORD = "Cumbaya#2026x"
ANSWERS = {"comida": "encebollado", "ciudad": "quito", "color": "verde"}
Status = PendingOperation.Status


# ---------------------------------------------------------------- helpers (also used by
# the view tests)


def web_request(path: str = "/registro/", *, user=None, **extra: str):
    """A request as the views pass it: a browser session, anonymous unless ``user``."""
    request = RequestFactory().post(path, HTTP_USER_AGENT=UA, REMOTE_ADDR="190.152.1.20", **extra)
    request.user = user or AnonymousUser()
    request.session = {}
    return request


def new_member(**overrides: object) -> Member:
    overrides.setdefault("identification", make_cedula())
    return member_create(**member_data(**overrides))


def last_code(member: Member) -> str:
    """The newest security code e-mailed to the member (from the outbox)."""
    message = (
        Message.objects.filter(
            kind="codigo_seguridad", channel=Channel.EMAIL, recipient=member.email
        )
        .order_by("-id")
        .first()
    )
    assert message is not None, "no code was sent"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def temporary_credentials(member: Member) -> tuple[str, str]:
    """The temporary username from the e-mail and the password from the SMS (outbox)."""
    email = (
        Message.objects.filter(
            kind=enrolment.KIND_TEMP_USERNAME, channel=Channel.EMAIL, recipient=member.email
        )
        .order_by("-id")
        .first()
    )
    assert email is not None, "no temporary username e-mail"
    sms = (
        Message.objects.filter(
            kind=enrolment.KIND_TEMP_PASSWORD, channel=Channel.SMS, recipient=member.mobile_phone
        )
        .order_by("-id")
        .first()
    )
    assert sms is not None, "no temporary password SMS"
    username = re.search(r"Usuario temporal: (\S+)", email.body).group(1)
    password = re.search(r"contrasena temporal de En Linea es (\S+)", sms.body).group(1)
    return username, password


def consents_for(member: Member) -> list[int]:
    request = web_request()
    terms = enrolment.consent_record(member=member, document=ConsentDocument.TERMS, request=request)
    data = enrolment.consent_record(member=member, document=ConsentDocument.DATA, request=request)
    return [terms.pk, data.pk]


def registration_started(member: Member, request=None) -> tuple[PendingOperation, list[int]]:
    """Pasos 3-4: both consents accepted, the registration's operation open (code sent)."""
    consent_ids = consents_for(member)
    operation = enrolment.registration_start(
        member=member, consent_ids=consent_ids, request=request or web_request()
    )
    return operation, consent_ids


def register(member: Member) -> tuple[PendingOperation, list[int]]:
    """The whole registration through the services, as the views drive it."""
    request = web_request()
    operation, consent_ids = registration_started(member, request)
    operation, executed = operation_confirm(
        operation=operation, code=last_code(member), request=request
    )
    assert executed
    assert operation.status == Status.DONE, operation.result
    return operation, consent_ids


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def registered_member() -> Member:
    member = new_member()
    register(member)
    member.refresh_from_db()
    return member


def full_state(user, **overrides: object) -> enrolment.SetupState:
    state = enrolment.SetupState(
        user_id=user.pk,
        username="andres2026",
        answer_hashes=enrolment.setup_answers_hash(answers=ANSWERS),
        image="delfin",
        password_hash=enrolment.setup_password_hash(
            user=user,
            username="andres2026",
            current=temporary_credentials(user.member)[1],
            password=NEW_PASSWORD,
            confirmation=NEW_PASSWORD,
        ),
        device_save=True,
        device_alias="Mi laptop personal",
    )
    for name, value in overrides.items():
        setattr(state, name, value)
    return state


# ---------------------------------------------------------------- Regístrate: cédula


def test_cedula_with_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.cedula_clean(with_wrong_check_digit(make_cedula()))
    assert caught.value.messages == [
        "El número de cédula no es válido: revisa el dígito verificador."
    ]


@pytest.mark.parametrize("typed", ["", "12345", "17143071031", "17a4307103"])
def test_cedula_must_have_ten_digits(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.cedula_clean(typed)
    assert caught.value.messages == ["Ingresa un número de cédula de 10 dígitos."]


def test_pasted_cedula_with_dashes_and_spaces_is_accepted() -> None:
    cedula = make_cedula()
    assert enrolment.cedula_clean(f"{cedula[:3]} {cedula[3:9]}-{cedula[9]}") == cedula


def test_member_without_online_access_may_register() -> None:
    member = new_member()
    assert enrolment.registration_member(identification=member.identification) == member


def test_unknown_cedula_enrolled_member_and_valid_temporary_are_all_refused_alike() -> None:
    enrolled = online_member()
    with_temporary = registered_member()
    assert enrolment.registration_member(identification=make_cedula()) is None
    assert enrolment.registration_member(identification=enrolled.identification) is None
    assert enrolment.registration_member(identification=with_temporary.identification) is None


def test_member_with_expired_temporary_credentials_may_register_again() -> None:
    member = registered_member()
    OnlineProfile.objects.filter(user=member.user).update(
        temporary_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert enrolment.registration_member(identification=member.identification) == member


# ---------------------------------------------------------------- consents


def test_consents_are_recorded_with_version_time_ip_user_agent_and_audit(settings) -> None:
    settings.ACCESS_TERMS_VERSION = "2026.3"
    settings.ACCESS_DATA_CONSENT_VERSION = "2026.7"
    member = new_member()
    before = timezone.now()
    consents_for(member)
    terms = Consent.objects.get(member=member, document=ConsentDocument.TERMS)
    data = Consent.objects.get(member=member, document=ConsentDocument.DATA)
    assert (terms.version, data.version) == ("2026.3", "2026.7")
    assert terms.accepted_at >= before
    assert terms.ip == "190.152.1.20"
    assert terms.user_agent == UA
    audits = AuditEvent.objects.filter(kind=AuditKind.CONSENT, member=member)
    assert sorted(a.detail["version"] for a in audits) == ["2026.3", "2026.7"]


def test_code_is_not_sent_without_both_consents() -> None:
    member = new_member()
    terms = enrolment.consent_record(
        member=member, document=ConsentDocument.TERMS, request=web_request()
    )
    with pytest.raises(enrolment.EnrolmentError) as caught:
        enrolment.registration_start(member=member, consent_ids=[terms.pk], request=web_request())
    assert caught.value.code == "consents"
    assert not SecurityChallenge.objects.filter(member=member).exists()
    assert not PendingOperation.objects.filter(member=member).exists()


def test_consents_of_another_member_do_not_count() -> None:
    member, other = new_member(), new_member(email="otra@example.com")
    with pytest.raises(enrolment.EnrolmentError):
        enrolment.registration_start(
            member=member, consent_ids=consents_for(other), request=web_request()
        )
    assert not SecurityChallenge.objects.filter(member=member).exists()


# ---------------------------------------------------------------- registration result


def test_registration_creates_temporary_credentials_and_sends_them(settings) -> None:
    member = new_member()
    before = timezone.now()
    register(member)
    member.refresh_from_db()
    user = member.user
    assert re.fullmatch(r"tmp\d{8}", user.username)
    assert user.username != member.identification
    username, password = temporary_credentials(member)
    assert username == user.username
    assert user.check_password(password)
    password_validation.validate_password(password, user)  # satisfies the policy
    profile = OnlineProfile.objects.get(user=user)
    assert profile.temporary
    hours = settings.ACCESS_TEMP_CREDENTIALS_HOURS
    assert before + timedelta(hours=hours) <= profile.temporary_expires_at
    assert profile.temporary_expires_at <= timezone.now() + timedelta(hours=hours)
    assert AuditEvent.objects.filter(kind=AuditKind.REGISTERED, member=member, user=user).exists()


def test_temporary_username_and_password_never_travel_together(settings) -> None:
    """Point 14: the username by e-mail, the password by SMS (the default channel)."""
    assert settings.ACCESS_TEMP_PASSWORD_CHANNEL == "sms"
    member = new_member()
    register(member)
    username, password = temporary_credentials(member)
    emails = Message.objects.filter(channel=Channel.EMAIL, recipient=member.email)
    assert emails.filter(body__contains=username).exists()
    assert not emails.filter(body__contains=password).exists()
    assert not emails.filter(subject__contains=password).exists()
    sms = Message.objects.filter(channel=Channel.SMS, recipient=member.mobile_phone)
    assert sms.filter(body__contains=password).exists()
    assert not sms.filter(body__contains=username).exists()
    # The password SMS replaces the "look in your mailbox" one.
    assert not sms.filter(kind="credenciales_enviadas").exists()


def test_temporary_password_by_email_goes_in_a_second_email(settings) -> None:
    settings.ACCESS_TEMP_PASSWORD_CHANNEL = "email"
    member = new_member()
    register(member)
    member.refresh_from_db()
    username = member.user.username
    by_email = Message.objects.filter(channel=Channel.EMAIL, recipient=member.email)
    name_mail = by_email.get(kind=enrolment.KIND_TEMP_USERNAME)
    password_mail = by_email.get(kind=enrolment.KIND_TEMP_PASSWORD)
    password = re.search(r"Contraseña temporal: (\S+)", password_mail.body).group(1)
    assert member.user.check_password(password)
    assert password not in name_mail.body
    assert username not in password_mail.body
    assert "otro correo" in name_mail.body
    sms = Message.objects.filter(channel=Channel.SMS, recipient=member.mobile_phone)
    assert set(sms.values_list("kind", flat=True)) == {"codigo_seguridad", "credenciales_enviadas"}
    assert not sms.filter(body__contains=password).exists()


def test_credentials_email_names_the_minimum_and_the_date_as_the_manual(settings) -> None:
    settings.ACCESS_QUESTIONS_MIN_SETUP = 4
    member = new_member()
    register(member)
    member.refresh_from_db()
    expires_at = OnlineProfile.objects.get(user=member.user).temporary_expires_at
    body = Message.objects.get(kind=enrolment.KIND_TEMP_USERNAME).body
    assert "responder mínimo 4 preguntas de seguridad" in body
    local = timezone.localtime(expires_at)
    months = [f"{m}." for m in ("ene", "feb", "mar", "abr", "may", "jun")]
    months += [f"{m}." for m in ("jul", "ago", "sep", "oct", "nov", "dic")]
    shown = f"{local.day:02d}/{months[local.month - 1]}/{local.year} {local:%H:%M}"
    assert f"vencen en 24 horas, el {shown}." in body
    assert shown in Message.objects.get(kind=enrolment.KIND_TEMP_PASSWORD).body


def test_both_halves_are_redacted_from_the_outbox_once_delivered(
    settings, django_capture_on_commit_callbacks
) -> None:
    member = new_member()
    with django_capture_on_commit_callbacks(execute=True):
        register(member)
    for kind in (enrolment.KIND_TEMP_USERNAME, enrolment.KIND_TEMP_PASSWORD):
        message = Message.objects.get(kind=kind)
        assert message.status == Message.Status.SENT
        assert message.body == REDACTED_BODY
        assert message.html_body == ""
    member.refresh_from_db()
    assert not Message.objects.filter(body__contains=member.user.username).exists()


def test_credentials_messages_are_plain_text_not_html_escaped(monkeypatch) -> None:
    monkeypatch.setattr(enrolment, "temporary_password", lambda user=None: "Kq&Rt#x7y8z<w")
    member = new_member(first_names="Ana O'Brien")
    register(member)
    assert temporary_credentials(member)[1] == "Kq&Rt#x7y8z<w"
    assert "&amp;" not in Message.objects.get(kind=enrolment.KIND_TEMP_USERNAME).body
    assert "O'Brien" in Message.objects.get(kind=enrolment.KIND_TEMP_USERNAME).body


def test_temporary_usernames_have_the_shape_no_member_may_choose() -> None:
    for _ in range(20):
        assert policy.is_temporary_username(enrolment.temporary_username())


def test_temporary_password_always_satisfies_the_policy(settings) -> None:
    settings.ACCESS_PASSWORD_MIN_LENGTH = 14
    for _ in range(30):
        password = enrolment.temporary_password()
        password_validation.validate_password(password)
        assert len(password) >= 14
        assert not re.search(r"\d{4}", password)


# ---------------------------------------------------------------- registration code


def test_registration_starts_a_public_operation_whose_code_is_sent_at_once() -> None:
    member = new_member()
    operation, consent_ids = registration_started(member)
    assert operation.kind == enrolment.KIND_REGISTRATION
    assert operation.status == Status.PENDING
    assert operation.content == {"member": member.pk, "consents": sorted(consent_ids)}
    challenge = operation.challenge
    assert (challenge.kind, challenge.scope) == (enrolment.KIND_REGISTRATION, operation.token)
    assert challenge.description == "Registro en En Línea"
    member.refresh_from_db()
    assert member.user is None  # nothing before the code


def test_wrong_registration_code_is_refused_and_creates_nothing() -> None:
    member = new_member()
    operation, _ = registration_started(member)
    with pytest.raises(ChallengeError) as caught:
        operation_confirm(operation=operation, code=wrong(last_code(member)), request=web_request())
    assert caught.value.code == "wrong"
    assert str(caught.value) == "El código ingresado es incorrecto. Te quedan 2 intentos."
    operation.refresh_from_db()
    assert operation.status == Status.PENDING
    member.refresh_from_db()
    assert member.user is None


def test_expired_registration_code_is_refused() -> None:
    member = new_member()
    operation, _ = registration_started(member)
    SecurityChallenge.objects.filter(pk=operation.challenge_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ChallengeError) as caught:
        operation_confirm(operation=operation, code=last_code(member), request=web_request())
    assert caught.value.code == "expired"
    assert str(caught.value) == "El código expiró. Solicita uno nuevo con «Reenviar»."
    member.refresh_from_db()
    assert member.user is None


def test_registration_code_for_changed_consents_is_a_mismatch() -> None:
    """The code confirms this member and these consents: other content is refused."""
    member = new_member()
    operation, _ = registration_started(member)
    other_ids = consents_for(member)
    PendingOperation.objects.filter(pk=operation.pk).update(
        content={"member": member.pk, "consents": sorted(other_ids)}
    )
    operation.refresh_from_db()
    with pytest.raises(ChallengeError) as caught:
        operation_confirm(operation=operation, code=last_code(member), request=web_request())
    assert caught.value.code == "mismatch"
    member.refresh_from_db()
    assert member.user is None


def test_registration_code_of_another_member_does_not_work() -> None:
    member = new_member()
    intruder = new_member(email="intruso@example.com", mobile_phone="0987654321")
    registration_started(member)
    theirs, _ = registration_started(intruder)
    with pytest.raises(ChallengeError) as caught:
        operation_confirm(operation=theirs, code=last_code(member), request=web_request())
    assert caught.value.code == "wrong"
    intruder.refresh_from_db()
    assert intruder.user is None


def test_a_newer_registration_voids_the_older_ones_code() -> None:
    member = new_member()
    first, _ = registration_started(member)
    first_code = last_code(member)
    second, _ = registration_started(member)
    first.refresh_from_db()
    assert first.status == Status.EXPIRED
    assert operation_confirm(operation=first, code=first_code, request=web_request()) == (
        first,
        False,
    )
    member.refresh_from_db()
    assert member.user is None
    operation, executed = operation_confirm(
        operation=second, code=last_code(member), request=web_request()
    )
    assert executed
    assert operation.status == Status.DONE


def test_double_submit_creates_one_user_and_the_code_is_used_once() -> None:
    member = new_member()
    operation, _ = register(member)
    again, executed = operation_confirm(
        operation=operation, code=last_code(member), request=web_request()
    )
    assert not executed
    assert again.status == Status.DONE
    assert SecurityChallenge.objects.get(member=member).status == SecurityChallenge.Status.USED
    assert get_user_model().objects.filter(member=member).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.REGISTERED, member=member).count() == 1


def test_member_with_valid_temporary_credentials_cannot_register_again() -> None:
    member = new_member()
    register(member)
    with pytest.raises(enrolment.EnrolmentError) as caught:
        registration_started(member)
    assert str(caught.value) == enrolment.not_eligible_message()
    assert PendingOperation.objects.filter(member=member).count() == 1  # the first one
    # Nor when two browsers started before either finished: the second one fails.
    with pytest.raises(enrolment.EnrolmentError) as caught:
        enrolment.registration_complete(
            member_id=member.pk, consent_ids=consents_for(member), request=None
        )
    assert str(caught.value) == enrolment.not_eligible_message()


def test_registration_that_loses_a_race_fails_with_its_message() -> None:
    member = new_member()
    operation, _ = registration_started(member)
    code = last_code(member)
    # Meanwhile another registration of this member completed (e.g. its operation ran
    # first under the member's lock).
    enrolment.registration_complete(
        member_id=member.pk, consent_ids=consents_for(member), request=None
    )
    operation, executed = operation_confirm(operation=operation, code=code, request=web_request())
    assert executed
    assert operation.status == Status.FAILED
    assert operation.failure_message == enrolment.not_eligible_message()
    assert get_user_model().objects.filter(member=member).count() == 1


def test_a_contact_change_after_the_code_fails_the_registration() -> None:
    member = new_member()
    operation, _ = registration_started(member)
    code = last_code(member)
    Member.objects.filter(pk=member.pk).update(contact_changed_at=timezone.now())
    operation, executed = operation_confirm(operation=operation, code=code, request=web_request())
    assert executed
    assert operation.status == Status.FAILED
    assert "tus datos de contacto cambiaron hace poco" in operation.failure_message
    member.refresh_from_db()
    assert member.user is None
    assert not Message.objects.filter(kind=enrolment.KIND_TEMP_USERNAME).exists()
    assert AuditEvent.objects.filter(
        kind=SecurityEvent.OPERATION_FAILED, member=member, detail__error="EnrolmentError"
    ).exists()


def test_a_contact_change_before_the_code_sends_none() -> None:
    member = new_member()
    consent_ids = consents_for(member)
    Member.objects.filter(pk=member.pk).update(contact_changed_at=timezone.now())
    with pytest.raises(enrolment.EnrolmentError) as caught:
        enrolment.registration_start(member=member, consent_ids=consent_ids, request=web_request())
    assert caught.value.code == "contact_cooling_off"
    assert not SecurityChallenge.objects.filter(member=member).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.CONTACT_COOLING_OFF, member=member).exists()


def test_the_registration_ends_the_browsers_registration_state() -> None:
    member = new_member()
    request = web_request()
    request.session[enrolment.SESSION_REGISTER] = {"member": member.pk}
    operation, _ = registration_started(member, request)
    operation_confirm(operation=operation, code=last_code(member), request=request)
    assert enrolment.SESSION_REGISTER not in request.session


def test_expired_temporary_user_is_replaced_by_a_new_registration() -> None:
    member = registered_member()
    old_user = member.user
    OnlineProfile.objects.filter(user=old_user).update(
        temporary_expires_at=timezone.now() - timedelta(minutes=1)
    )
    register(member)
    member.refresh_from_db()
    assert member.user is not None
    assert member.user != old_user
    assert not get_user_model().objects.filter(pk=old_user.pk).exists()
    done = AuditEvent.objects.filter(kind=SecurityEvent.OPERATION_DONE, member=member).latest("id")
    assert done.user == member.user  # the new user, not the deleted one
    assert AuditEvent.objects.filter(kind=AuditKind.REGISTERED, member=member).count() == 2


# ---------------------------------------------------------------- Primer ingreso: rules


@pytest.fixture
def temp_user():
    return registered_member().user


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc123", "El usuario debe tener entre 8 y 15 caracteres."),
        ("usuario12345678901", "El usuario debe tener entre 8 y 15 caracteres."),
        (
            "Usuario01",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        (
            "usuario 01",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        (
            "señor2026",
            "El usuario debe contener solo letras minúsculas y números, sin espacios ni tildes.",
        ),
        ("12345678", "El usuario debe tener al menos una letra."),
    ],
)
def test_username_rules(temp_user, typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_username_clean(user=temp_user, username=typed, request=web_request())
    assert caught.value.messages == [message]


def test_username_equal_to_the_cedula_is_refused(temp_user) -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_username_clean(
            user=temp_user, username=temp_user.member.identification, request=web_request()
        )
    assert caught.value.messages == ["El usuario debe ser distinto a tu número de cédula."]


def test_username_taken_by_someone_else_is_refused(temp_user) -> None:
    online_member(username="andres2026")
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_username_clean(user=temp_user, username="andres2026", request=web_request())
    assert caught.value.messages == ["Ese nombre de usuario no está disponible. Prueba con otro."]


MSG_TEMPORARY_SHAPE = (
    "El usuario no puede ser «tmp» seguido solo de números: así son los usuarios "
    "temporales. Elige otro, por ejemplo usuario01."
)


@pytest.mark.parametrize("typed", ["tmp12345678", "tmp00000", "tmp123456789012"])
def test_username_of_the_temporary_shape_cannot_be_chosen(temp_user, typed: str) -> None:
    """Point 13: the login treats that shape as temporary, so no member may have it."""
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_username_clean(user=temp_user, username=typed, request=web_request())
    assert caught.value.messages == [MSG_TEMPORARY_SHAPE]


def test_the_temporary_username_itself_cannot_be_kept(temp_user) -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_username_clean(
            user=temp_user, username=temp_user.username, request=web_request()
        )
    assert caught.value.messages == [MSG_TEMPORARY_SHAPE]


def test_usernames_that_only_start_with_tmp_are_allowed(temp_user) -> None:
    assert (
        enrolment.setup_username_clean(user=temp_user, username="tmpista01", request=web_request())
        == "tmpista01"
    )
    assert (
        enrolment.setup_username_clean(user=temp_user, username="tomas1234", request=web_request())
        == "tomas1234"
    )


def test_valid_username_is_accepted(temp_user) -> None:
    assert (
        enrolment.setup_username_clean(user=temp_user, username="usuario01", request=web_request())
        == "usuario01"
    )


def test_username_indications_include_the_cedula_rule() -> None:
    texts = enrolment.username_help_texts()
    assert "El usuario debe ser distinto a tu número de cédula" in texts
    assert any("mínimo de 8 caracteres y un máximo de 15" in t for t in texts)


def test_fewer_answers_than_the_minimum_are_refused(settings) -> None:
    settings.ACCESS_QUESTIONS_MIN_SETUP = 3
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_answers_hash(answers={"comida": "encebollado", "ciudad": "quito"})
    assert caught.value.messages == ["Responde mínimo 3 preguntas de seguridad."]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("dos palabras", "La respuesta debe ser una sola palabra."),
        ("quito2", "La respuesta no puede tener números."),
        ("Quito", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
        ("café", "Ingresa solo letras minúsculas sin tildes, de la a a la z."),
    ],
)
def test_each_answer_rule_is_reported_at_its_question(answer: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_answers_hash(answers={**ANSWERS, "serie": answer})
    assert caught.value.message_dict == {"serie": [message]}


def test_answers_are_kept_only_as_hashes() -> None:
    hashes = enrolment.setup_answers_hash(answers=ANSWERS)
    assert set(hashes) == set(ANSWERS)
    for question, answer in ANSWERS.items():
        assert answer not in hashes[question]
        assert check_password(answer, hashes[question])


def _password_errors(user, **fields: str) -> dict[str, list[str]]:
    values = {
        "username": "andres2026",
        "current": temporary_credentials(user.member)[1],
        "password": NEW_PASSWORD,
        "confirmation": NEW_PASSWORD,
        **fields,
    }
    with pytest.raises(ValidationError) as caught:
        enrolment.setup_password_hash(user=user, **values)
    return caught.value.message_dict


def test_wrong_current_password_is_refused(temp_user) -> None:
    assert _password_errors(temp_user, current="Otra#Clave2026") == {
        "current": ["La contraseña actual o temporal no es correcta."]
    }


def test_confirmation_must_match(temp_user) -> None:
    assert _password_errors(temp_user, confirmation="Cumbaya#2026y") == {
        "confirmation": ["Las contraseñas no coinciden."]
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Cum#2026", "La contraseña debe tener entre 10 y 15 caracteres."),
        ("Cumbaya#2026xyz1", "La contraseña debe tener entre 10 y 15 caracteres."),
        ("cumbaya#2026", "A la contraseña le falta una letra mayúscula."),
        ("Cumbaya2026x", "A la contraseña le falta un carácter especial ($@#%!*?&)."),
        ("Andres2026#x", "La contraseña no puede contener tu nombre de usuario."),
    ],
)
def test_new_password_follows_the_policy(temp_user, password: str, message: str) -> None:
    errors = _password_errors(temp_user, password=password, confirmation=password)
    assert message in errors["password"]


def test_new_password_cannot_contain_the_cedula(temp_user) -> None:
    password = "A#" + temp_user.member.identification + "b"
    errors = _password_errors(temp_user, password=password, confirmation=password)
    assert "La contraseña no puede contener tu número de identificación." in errors["password"]


def test_new_password_must_differ_from_the_temporary_one(temp_user) -> None:
    temporary = temporary_credentials(temp_user.member)[1]
    errors = _password_errors(temp_user, password=temporary, confirmation=temporary)
    assert errors == {"password": ["La nueva contraseña debe ser distinta a la actual."]}


def test_password_hash_is_returned_not_the_password(temp_user) -> None:
    state = full_state(temp_user)
    assert NEW_PASSWORD not in state.password_hash
    assert check_password(NEW_PASSWORD, state.password_hash)
    temp_user.refresh_from_db()
    assert re.fullmatch(r"tmp\d{8}", temp_user.username)  # nothing saved yet


@pytest.mark.parametrize(
    ("save", "alias", "result"),
    [(True, "  Mi   laptop ", "Mi laptop"), (False, "ignorado", "")],
)
def test_device_alias(save: bool, alias: str, result: str) -> None:
    assert enrolment.device_alias_clean(save=save, alias=alias) == result


def test_device_alias_is_required_to_save_the_device() -> None:
    with pytest.raises(ValidationError) as caught:
        enrolment.device_alias_clean(save=True, alias="  ")
    assert caught.value.messages == [
        "Escribe un alias para el dispositivo, por ejemplo «Mi laptop personal»."
    ]


# ---------------------------------------------------------------- Primer ingreso: apply


def setup_request(user, state: enrolment.SetupState):
    """The wizard's browser: logged in as the member, the choices in its session."""
    request = web_request("/primer-ingreso/dispositivo/", user=user)
    enrolment.setup_state_save(request, state)
    return request


def setup_started(user, state: enrolment.SetupState, request=None):
    """Paso 6 "Continuar": the operation open, its token kept by the wizard."""
    request = request or setup_request(user, state)
    operation = enrolment.setup_start(user=user, state=state, request=request)
    state.operation = operation.token
    enrolment.setup_state_save(request, state)
    return operation, request


def _confirm(user, state: enrolment.SetupState) -> tuple[PendingOperation, object]:
    operation, request = setup_started(user, state)
    operation, executed = operation_confirm(
        operation=operation, code=last_code(user.member), request=request
    )
    assert executed
    return operation, request


def test_setup_starts_an_operation_with_only_hashes_of_secrets(temp_user) -> None:
    state = full_state(temp_user)
    operation, _ = setup_started(temp_user, state)
    assert operation.kind == enrolment.KIND_FIRST_LOGIN
    assert operation.challenge.description == "Configuración de tus credenciales"
    raw = str(operation.content)
    assert NEW_PASSWORD not in raw
    assert temporary_credentials(temp_user.member)[1] not in raw
    for answer in ANSWERS.values():
        assert f"'{answer}'" not in raw
    assert operation.content["password"] == state.password_hash


def test_setup_applies_every_choice_at_once(temp_user) -> None:
    operation, _request = _confirm(temp_user, full_state(temp_user))
    assert operation.status == Status.DONE
    temp_user.refresh_from_db()
    assert temp_user.username == operation.result["username"] == "andres2026"
    assert temp_user.check_password(NEW_PASSWORD)
    assert credentials.answers_check(user=temp_user, answers=ANSWERS)
    assert SecurityAnswer.objects.filter(user=temp_user).count() == 3
    profile = OnlineProfile.objects.get(user=temp_user)
    assert profile.security_image == "delfin"
    assert not profile.temporary
    assert profile.setup_completed_at is not None
    assert profile.temporary_expires_at is None
    device = Device.objects.get(user=temp_user)
    assert device.alias == "Mi laptop personal"
    assert AuditEvent.objects.filter(kind=AuditKind.SETUP_COMPLETED, user=temp_user).exists()
    assert Message.objects.filter(
        kind="credenciales_configuradas", recipient=temp_user.member.email
    ).exists()


def test_setup_without_device_registers_none(temp_user) -> None:
    operation, _ = _confirm(temp_user, full_state(temp_user, device_save=False, device_alias=""))
    assert operation.status == Status.DONE
    assert not Device.objects.filter(user=temp_user).exists()


def test_wrong_setup_code_changes_nothing(temp_user) -> None:
    operation, request = setup_started(temp_user, full_state(temp_user))
    with pytest.raises(ChallengeError) as caught:
        operation_confirm(
            operation=operation, code=wrong(last_code(temp_user.member)), request=request
        )
    assert caught.value.code == "wrong"
    assert OnlineProfile.objects.get(user=temp_user).temporary
    assert not SecurityAnswer.objects.filter(user=temp_user).exists()


def test_choice_changed_after_the_code_voids_it_and_changes_nothing(temp_user) -> None:
    state = full_state(temp_user)
    operation, request = setup_started(temp_user, state)
    # Paso 4 again: the wizard's state no longer waits for this operation.
    state.image = "martillo"
    state.operation = ""
    enrolment.setup_state_save(request, state)
    operation, executed = operation_confirm(
        operation=operation, code=last_code(temp_user.member), request=request
    )
    assert executed
    assert operation.status == Status.FAILED
    assert operation.failure_message == enrolment.MSG_SETUP_CHANGED
    profile = OnlineProfile.objects.get(user=temp_user)
    assert profile.temporary
    assert profile.security_image != "delfin"


def test_the_code_is_bound_to_the_choices(temp_user) -> None:
    operation, request = setup_started(temp_user, full_state(temp_user))
    content = {**operation.content, "image": "martillo"}
    PendingOperation.objects.filter(pk=operation.pk).update(content=content)
    operation.refresh_from_db()
    with pytest.raises(ChallengeError) as caught:
        operation_confirm(operation=operation, code=last_code(temp_user.member), request=request)
    assert caught.value.code == "mismatch"
    assert OnlineProfile.objects.get(user=temp_user).temporary


def test_username_taken_meanwhile_rolls_everything_back(temp_user) -> None:
    operation, request = setup_started(temp_user, full_state(temp_user))
    online_member(username="andres2026")
    operation, executed = operation_confirm(
        operation=operation, code=last_code(temp_user.member), request=request
    )
    assert executed
    assert operation.status == Status.FAILED
    message = "Ese nombre de usuario no está disponible. Prueba con otro."
    assert operation.failure_message == message
    temp_user.refresh_from_db()
    assert re.fullmatch(r"tmp\d{8}", temp_user.username)
    assert not SecurityAnswer.objects.filter(user=temp_user).exists()
    assert OnlineProfile.objects.get(user=temp_user).temporary
    assert not temp_user.check_password(NEW_PASSWORD)
    # The wizard goes back to Paso 2, which says why.
    state = enrolment.setup_state_load(request)
    assert state.username == ""
    assert state.next_step() == "setup_username"
    assert request.session[enrolment.SESSION_SETUP_ERROR] == message


def test_setup_code_is_used_once(temp_user) -> None:
    operation, request = _confirm(temp_user, full_state(temp_user))
    again, executed = operation_confirm(
        operation=operation, code=last_code(temp_user.member), request=request
    )
    assert not executed
    assert again.status == Status.DONE
    assert AuditEvent.objects.filter(kind=AuditKind.SETUP_COMPLETED, user=temp_user).count() == 1
    with pytest.raises(enrolment.EnrolmentError) as caught:
        enrolment.setup_complete(user=temp_user, content=operation.content, request=request)
    assert caught.value.code == "done"


def test_setup_with_expired_temporary_credentials_is_refused(temp_user) -> None:
    operation, request = setup_started(temp_user, full_state(temp_user))
    OnlineProfile.objects.filter(user=temp_user).update(
        temporary_expires_at=timezone.now() - timedelta(seconds=1)
    )
    operation, _executed = operation_confirm(
        operation=operation, code=last_code(temp_user.member), request=request
    )
    assert operation.status == Status.FAILED
    assert operation.failure_message == enrolment.MSG_TEMPORARY_EXPIRED
    assert OnlineProfile.objects.get(user=temp_user).temporary


def test_a_newer_setup_code_voids_the_older_one(temp_user) -> None:
    state = full_state(temp_user)
    first, request = setup_started(temp_user, state)
    first_code = last_code(temp_user.member)
    second, _ = setup_started(temp_user, state, request)
    first.refresh_from_db()
    assert first.status == Status.EXPIRED
    assert operation_confirm(operation=first, code=first_code, request=request)[1] is False
    operation, executed = operation_confirm(
        operation=second, code=last_code(temp_user.member), request=request
    )
    assert executed
    assert operation.status == Status.DONE


def test_code_is_not_sent_for_an_incomplete_setup(temp_user) -> None:
    state = full_state(temp_user, image="")
    with pytest.raises(enrolment.EnrolmentError):
        enrolment.setup_start(user=temp_user, state=state, request=setup_request(temp_user, state))
    assert not SecurityChallenge.objects.filter(
        member=temp_user.member, kind=enrolment.KIND_FIRST_LOGIN
    ).exists()


def test_setup_is_only_for_valid_temporary_credentials(temp_user) -> None:
    assert enrolment.setup_allowed(temp_user)
    assert not enrolment.setup_expired(temp_user)
    OnlineProfile.objects.filter(user=temp_user).update(
        temporary_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert enrolment.setup_expired(temp_user)
    enrolled = online_member(username="mariaperez").user
    assert not enrolment.setup_allowed(enrolled)


def test_setup_state_of_another_user_is_ignored(temp_user) -> None:
    state = enrolment.SetupState.load({"user_id": temp_user.pk + 1, "username": "x"}, temp_user.pk)
    assert state.username == ""
    assert state.next_step() == "setup_username"
