"""Regístrate and Primer ingreso: the services behind the two wizards.

Registration (manual "COMO AFILIARTE"): a member without online access proves who
they are with their cédula, accepts the two consents and a security code sent to
their registered e-mail and mobile; they get a temporary username by e-mail and a
temporary password by SMS (``ACCESS_TEMP_PASSWORD_CHANNEL``), valid
``ACCESS_TEMP_CREDENTIALS_HOURS``.

First login (manual "PRIMER INGRESO"): with the temporary credentials the member
chooses a username, answers security questions, picks a security image, sets a
password, optionally registers the device and confirms everything with a code. The
wizard keeps only hashes of secrets between steps (``SetupState``); the whole setup
is applied in one transaction by ``setup_complete``.

Both codes are the confirmation flow's (``enlinea.confirmation``; kinds in
``access/confirmations.py``): ``registration_start`` and ``setup_start`` open the
pending operation once every rule before the code holds, and the flow runs
``registration_complete`` / ``setup_complete`` inside the transaction that spends
the right code.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access import credentials, devices, policy
from enlinea.access.catalog import ConsentDocument, SecurityImage
from enlinea.access.models import AuditKind, Consent, OnlineProfile
from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.services import operation_start
from enlinea.members import validators
from enlinea.members.models import Member
from enlinea.members.selectors import contact_cooling_off_message, member_contact_cooling_off
from enlinea.members.services import member_contact_cooling_off_refuse
from enlinea.notifications.models import Channel
from enlinea.notifications.services import member_notify, notification_send
from enlinea.security.audit import audit_record, request_meta

KIND_REGISTRATION = "registration"
KIND_FIRST_LOGIN = "first_login"
# The two halves of the temporary credentials travel apart (notification kinds).
KIND_TEMP_USERNAME = "usuario_temporal"
KIND_TEMP_PASSWORD = "clave_temporal"  # noqa: S105 - a notification kind, not a password

# One message for "not a member" and "already has online access": the page must not
# tell a stranger which cédulas belong to members with or without online banking.
MSG_NOT_ELIGIBLE = (
    "No pudimos validar tus datos para el registro. Si eres socio de {institution}, "
    "acércate a una agencia o llama al centro de llamadas {call_center}."
)
MSG_TEMPORARY_EXPIRED = (
    "Tus credenciales temporales vencieron. Vuelve a registrarte con «Regístrate» para "
    "recibir unas nuevas."
)
MSG_SETUP_CHANGED = (
    "Cambiaste tus datos después de pedir este código, así que ya no los confirma. "
    "Vuelve a «Continuar» para recibir un código nuevo."
)
MSG_SETUP_DONE = "Tus credenciales ya fueron configuradas."
MSG_INCOMPLETE = "Completa los pasos anteriores."

# Session keys. Regístrate's state (the member, the consents) between its steps; the
# wizard's choices (SetupState) between its steps; what its last step hands on.
SESSION_REGISTER = "enrol_registro"
SESSION_SETUP = "enrol_primer_ingreso"
SESSION_SETUP_DONE = "enrol_primer_ingreso_listo"  # the new username, for Paso 8
SESSION_SETUP_ERROR = "enrol_primer_ingreso_error"  # shown at Paso 2

TEMP_USERNAME_PREFIX = "tmp"
_TEMP_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O: easy to copy by hand
_TEMP_LOWER = "abcdefghijkmnpqrstuvwxyz"  # no l, o
_TEMP_DIGITS = "23456789"  # no 0, 1


class EnrolmentError(Exception):
    """A refusal the member sees; ``str()`` is the Spanish message."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def not_eligible_message() -> str:
    institution = settings.INSTITUTION
    return MSG_NOT_ELIGIBLE.format(
        institution=institution["short_name"], call_center=institution["call_center"]
    )


# ---------------------------------------------------------------- registration


def cedula_clean(value: str) -> str:
    """The cédula's 10 digits, or the members app's Spanish ValidationError."""
    return validators.normalize_cedula(value)


def _temporary_expired(user: Any, now: Any) -> bool:
    profile = OnlineProfile.objects.filter(user=user).first()
    if profile is None or not profile.temporary or profile.setup_completed_at is not None:
        return False
    return profile.temporary_expires_at is not None and profile.temporary_expires_at <= now


def registration_member(*, identification: str) -> Member | None:
    """The member who may register with this cédula, or None.

    Eligible: a member identified by cédula without online access, or whose temporary
    credentials expired before they completed the first login. Anyone else (unknown
    cédula, member already enrolled or with temporary credentials still valid) is
    None, and the caller shows the same neutral message for all of them.
    """
    try:
        number = cedula_clean(identification)
    except ValidationError:
        return None
    member = (
        Member.objects.select_related("user")
        .filter(identification_type="CEDULA", identification=number)
        .first()
    )
    if member is None:
        return None
    if member.user is None or _temporary_expired(member.user, timezone.now()):
        return member
    return None


def registration_cooling_off(*, identification: str, request: HttpRequest | None) -> bool:
    """True (and audited) when this cédula is a member whose e-mail or mobile changed
    within MEMBERS_CONTACT_COOLING_OFF_HOURS: the code and the temporary credentials
    would go to the new contact, so Regístrate refuses with
    ``contact_cooling_off_message()``. Checked for any member with the cédula, enrolled
    or not, so the message does not tell who banks online (docs/security.md)."""
    try:
        number = cedula_clean(identification)
    except ValidationError:
        return False
    member = Member.objects.filter(identification_type="CEDULA", identification=number).first()
    return member is not None and member_contact_cooling_off_refuse(
        member=member, flow="registration", request=request
    )


def consent_record(*, member: Member, document: str, request: HttpRequest | None) -> Consent:
    """Record an accepted consent with the current version of its document."""
    version = {
        ConsentDocument.TERMS: settings.ACCESS_TERMS_VERSION,
        ConsentDocument.DATA: settings.ACCESS_DATA_CONSENT_VERSION,
    }[ConsentDocument(document)]
    meta = request_meta(request)
    with transaction.atomic():
        consent = Consent.objects.create(
            member=member,
            document=document,
            version=version,
            accepted_at=timezone.now(),
            ip=meta["ip"],
            user_agent=meta["user_agent"],
        )
        audit_record(
            kind=AuditKind.CONSENT,
            request=request,
            member=member,
            document=document,
            version=version,
            consent=consent.pk,
        )
    return consent


def registration_content(*, member_id: int, consent_ids: list[int]) -> dict[str, Any]:
    """What the registration code confirms: this member, these accepted consents."""
    return {"member": member_id, "consents": sorted(consent_ids)}


def registration_start(
    *, member: Member, consent_ids: list[int], request: HttpRequest
) -> PendingOperation:
    """Paso 4 accepted: open the registration's operation, which sends its code.

    Refused (``EnrolmentError``) when the member's contact changed since Paso 1 (the
    code and the credentials would go to the new contact), when the member registered
    meanwhile, or without both consents; the confirmation flow's ``OperationRefused``
    over the code limits. Nothing is sent then.
    """
    member.refresh_from_db(fields=["contact_changed_at", "user"])
    if member_contact_cooling_off_refuse(member=member, flow="registration", request=request):
        raise EnrolmentError(contact_cooling_off_message(), code="contact_cooling_off")
    if member.user is not None and not _temporary_expired(member.user, timezone.now()):
        # Registered meanwhile (another browser): no code for a second registration.
        raise EnrolmentError(not_eligible_message(), code="not_eligible")
    consents = Consent.objects.filter(member=member, pk__in=consent_ids)
    if {c.document for c in consents} != set(ConsentDocument.values):
        raise EnrolmentError("Acepta los términos y el tratamiento de datos.", code="consents")
    return operation_start(
        member=member,
        kind=KIND_REGISTRATION,
        content=registration_content(member_id=member.pk, consent_ids=consent_ids),
        request=request,
    )


def temporary_username() -> str:
    """``tmp`` + 8 random digits, unused: never the cédula, never guessable from it.

    Of the shape ``policy.TEMPORARY_USERNAME``, which no member may choose: the login
    shows every username of that shape the plain first-login step, without an image.
    """
    user_model = get_user_model()
    while True:
        candidate = TEMP_USERNAME_PREFIX + "".join(secrets.choice(string.digits) for _ in range(8))
        if not user_model.objects.filter(username__iexact=candidate).exists():
            return candidate


def temporary_password(user: Any = None) -> str:
    """A random password that satisfies the configured policy (checked, not assumed)."""
    specials = settings.ACCESS_PASSWORD_SPECIALS or "#"
    length = min(max(settings.ACCESS_PASSWORD_MIN_LENGTH, 12), settings.ACCESS_PASSWORD_MAX_LENGTH)
    while True:
        # At most three digits so the e-mail never holds a run that looks like a code.
        chars = [
            secrets.choice(_TEMP_UPPER),
            secrets.choice(_TEMP_UPPER),
            secrets.choice(_TEMP_DIGITS),
            secrets.choice(_TEMP_DIGITS),
            secrets.choice(specials),
        ]
        chars += [secrets.choice(_TEMP_LOWER) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            password_validation.validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


@dataclass(frozen=True)
class Registration:
    user: Any
    username: str
    expires_at: Any


def registration_complete(
    *, member_id: int, consent_ids: list[int], request: HttpRequest | None
) -> Registration:
    """Create the temporary credentials: the registration operation's ``execute``.

    Runs inside the confirmation flow's transaction, after the right code was spent.
    The member is locked and checked again (a parallel registration, or a second one
    from another browser, finds the member already has a user), an expired temporary
    user is replaced, and the credentials are sent, each half on its own channel.
    Refused (``EnrolmentError``, nothing kept) when the member's contact changed since
    the code was sent.
    """
    now = timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member_id)
        # A contact change since the code was sent (the lock orders us after one that
        # is committing) must not send the temporary credentials to the new address.
        if member_contact_cooling_off(member):
            raise EnrolmentError(contact_cooling_off_message(), code="contact_cooling_off")
        old_user = member.user
        if old_user is not None:
            if not _temporary_expired(old_user, now):
                raise EnrolmentError(not_eligible_message(), code="not_eligible")
            member.user = None
            member.save(update_fields=["user"])
            old_user.delete()
        user_model = get_user_model()
        username = temporary_username()
        user = user_model(
            username=username,
            first_name=member.first_names[:150],
            last_name=member.last_names[:150],
            email=member.email,
        )
        password = temporary_password(user)
        user.set_password(password)
        user.save()
        expires_at = now + timedelta(hours=settings.ACCESS_TEMP_CREDENTIALS_HOURS)
        OnlineProfile.objects.create(user=user, temporary=True, temporary_expires_at=expires_at)
        member.user = user
        member.save(update_fields=["user"])
        audit_record(
            kind=AuditKind.REGISTERED,
            request=request,
            user=user,
            member=member,
            consents=sorted(consent_ids),
            replaced_expired=old_user is not None,
        )
        _temporary_credentials_send(
            member=member, username=username, password=password, expires_at=expires_at
        )
    return Registration(user=user, username=username, expires_at=expires_at)


def temporary_password_by_sms() -> bool:
    """Does the temporary password go by SMS (``ACCESS_TEMP_PASSWORD_CHANNEL``)?"""
    return settings.ACCESS_TEMP_PASSWORD_CHANNEL == Channel.SMS


def _temporary_credentials_send(
    *, member: Member, username: str, password: str, expires_at: Any
) -> None:
    """The username by e-mail, the password apart (``ACCESS_TEMP_PASSWORD_CHANNEL``).

    With "sms" whoever reads the member's mailbox alone cannot log in; with "email"
    (no SMS gateway) the password goes in a second e-mail of its own and an SMS says
    that the credentials were sent. Both kinds are secrets: once delivered, the
    outbox keeps only their envelope (``SECRET_KINDS``).
    """
    by_sms = temporary_password_by_sms()
    context = {
        "member": member,
        "hours": settings.ACCESS_TEMP_CREDENTIALS_HOURS,
        "expires_at": expires_at,
        "questions_min": settings.ACCESS_QUESTIONS_MIN_SETUP,
        "password_by_sms": by_sms,
    }
    notification_send(
        kind=KIND_TEMP_USERNAME,
        context={**context, "username": username},
        email=member.email,
        channels=[Channel.EMAIL],
    )
    notification_send(
        kind=KIND_TEMP_PASSWORD,
        context={**context, "password": password},
        email=member.email,
        phone=member.mobile_phone,
        channels=[Channel.SMS if by_sms else Channel.EMAIL],
    )
    if not by_sms:
        notification_send(
            kind="credenciales_enviadas",
            context={"member": member},
            phone=member.mobile_phone,
            channels=[Channel.SMS],
        )


# ---------------------------------------------------------------- first login


def setup_allowed(user: Any) -> bool:
    """Only a member with temporary credentials still valid goes through the wizard."""
    if not user.is_authenticated:
        return False
    profile = OnlineProfile.objects.filter(user=user).first()
    return profile is not None and profile.temporary and getattr(user, "member", None) is not None


def setup_expired(user: Any) -> bool:
    return _temporary_expired(user, timezone.now())


@dataclass
class SetupState:
    """What the member chose so far; secrets only as hashes (make_password).

    ``operation`` is the token of the pending operation whose code confirms these
    choices; any change to a choice clears it (the code confirmed the old ones).
    """

    user_id: int
    username: str = ""
    answer_hashes: dict[str, str] = field(default_factory=dict)
    image: str = ""
    password_hash: str = ""
    device_save: bool | None = None
    device_alias: str = ""
    operation: str = ""

    @classmethod
    def load(cls, data: Mapping[str, Any] | None, user_id: int) -> SetupState:
        if not data or data.get("user_id") != user_id:
            return cls(user_id=user_id)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def dump(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "answer_hashes": dict(self.answer_hashes),
            "image": self.image,
            "password_hash": self.password_hash,
            "device_save": self.device_save,
            "device_alias": self.device_alias,
            "operation": self.operation,
        }

    @property
    def complete(self) -> bool:
        """Every choice made: the code may be asked for."""
        return bool(
            self.username
            and len(self.answer_hashes) >= settings.ACCESS_QUESTIONS_MIN_SETUP
            and self.image
            and self.password_hash
            and self.device_save is not None
        )

    def next_step(self) -> str:
        """The first step still to do (names match the wizard's URL names); the last
        one, Paso 6, once everything is chosen: its "Continuar" asks for the code."""
        if not self.username:
            return "setup_username"
        if len(self.answer_hashes) < settings.ACCESS_QUESTIONS_MIN_SETUP:
            return "setup_questions"
        if not self.image:
            return "setup_image"
        if not self.password_hash:
            return "setup_password"
        return "setup_device"


def setup_state_load(request: HttpRequest) -> SetupState:
    """The logged-in member's wizard state, from this browser's session."""
    return SetupState.load(request.session.get(SESSION_SETUP), request.user.pk)


def setup_state_save(request: HttpRequest, state: SetupState) -> None:
    request.session[SESSION_SETUP] = state.dump()


def setup_username_refused(request: HttpRequest, *, message: str) -> None:
    """The username was taken between Paso 2 and the code: the wizard goes back to
    Paso 2, which shows why."""
    state = setup_state_load(request)
    state.username = ""
    state.operation = ""
    setup_state_save(request, state)
    request.session[SESSION_SETUP_ERROR] = message


def setup_username_clean(*, user: Any, username: str, request: HttpRequest) -> str:
    return credentials.username_check(username=username, user=user, request=request)


def setup_answers_hash(*, answers: Mapping[str, str]) -> dict[str, str]:
    """Validate the answers and the setup minimum; return {question: hash}."""
    cleaned = credentials.answers_clean(answers)
    minimum = settings.ACCESS_QUESTIONS_MIN_SETUP
    if len(cleaned) < minimum:
        raise ValidationError(
            f"Responde mínimo {minimum} preguntas de seguridad.", code="answers_minimum"
        )
    return {question: make_password(answer) for question, answer in cleaned.items()}


def setup_image_clean(*, image: str) -> str:
    if image not in SecurityImage.values:
        raise ValidationError("Selecciona una imagen de seguridad.", code="image_required")
    return image


def setup_password_hash(
    *, user: Any, username: str, current: str, password: str, confirmation: str
) -> str:
    """Check the current (temporary) password and the new one; return the new hash.

    The policy is checked against the username the member chose in this wizard.
    """
    if not user.check_password(current or ""):
        raise ValidationError({"current": "La contraseña actual o temporal no es correcta."})
    original = user.username
    user.username = username or original
    try:
        credentials.password_clean(password=password, confirmation=confirmation, user=user)
    except ValidationError as exc:
        target = "confirmation" if exc.error_list[0].code == "password_mismatch" else "password"
        raise ValidationError({target: exc.messages}) from None
    finally:
        user.username = original
    return make_password(password)


def device_alias_clean(*, save: bool, alias: str) -> str:
    value = " ".join((alias or "").split())
    if not save:
        return ""
    if not value:
        raise ValidationError(
            "Escribe un alias para el dispositivo, por ejemplo «Mi laptop personal».",
            code="alias_required",
        )
    if len(value) > 40:
        raise ValidationError("El alias puede tener hasta 40 caracteres.", code="alias_length")
    return value


def setup_content(state: SetupState) -> dict[str, Any]:
    """What the first-login operation applies and its code confirms: every choice,
    secrets only as their hashes."""
    return {
        "user": state.user_id,
        "username": state.username,
        "answers": dict(sorted(state.answer_hashes.items())),
        "image": state.image,
        "password": state.password_hash,
        "device": bool(state.device_save),
        "alias": state.device_alias if state.device_save else "",
    }


def setup_start(*, user: Any, state: SetupState, request: HttpRequest) -> PendingOperation:
    """Paso 6 "Continuar": open the first-login operation, which sends its code.

    Refused (``EnrolmentError``) before every step is done; the confirmation flow's
    ``OperationRefused`` over the code limits. A newer one voids an older one's code.
    """
    if not state.complete or state.user_id != user.pk:
        raise EnrolmentError(MSG_INCOMPLETE, code="incomplete")
    return operation_start(
        member=user.member, kind=KIND_FIRST_LOGIN, content=setup_content(state), request=request
    )


@dataclass(frozen=True)
class SetupResult:
    username: str
    device_token: str | None


def setup_complete(
    *, user: Any, content: Mapping[str, Any], request: HttpRequest | None
) -> SetupResult:
    """Apply the whole first-login setup at once: the operation's ``execute``.

    Runs inside the confirmation flow's transaction, after the right code was spent.
    Refused (``EnrolmentError``; nothing at all is changed) when the credentials are
    no longer temporary, the temporary ones expired, or the username was taken
    meanwhile (code "username_taken").
    """
    if content.get("user") != user.pk:
        raise EnrolmentError(MSG_INCOMPLETE, code="incomplete")
    member = user.member
    token = None
    with transaction.atomic():
        profile = OnlineProfile.objects.select_for_update().get(user=user)
        if not profile.temporary:
            raise EnrolmentError(MSG_SETUP_DONE, code="done")
        now = timezone.now()
        if profile.temporary_expires_at is not None and profile.temporary_expires_at <= now:
            raise EnrolmentError(MSG_TEMPORARY_EXPIRED, code="temporary_expired")
        try:
            username = credentials.username_set(
                user=user, username=content["username"], request=request
            )
        except ValidationError as exc:
            raise EnrolmentError(" ".join(exc.messages), code="username_taken") from exc
        answers = dict(content["answers"])
        credentials.answers_store(
            user=user,
            hashes=answers,
            minimum=settings.ACCESS_QUESTIONS_MIN_SETUP,
            request=request,
            replace=True,
        )
        credentials.image_set(user=user, image=content["image"], request=request)
        credentials.password_store(user=user, encoded=content["password"], request=request)
        if content["device"]:
            _device, token = devices.device_register(
                user=user, alias=content["alias"], request=request
            )
        profile.refresh_from_db()
        profile.temporary = False
        profile.temporary_expires_at = None
        profile.setup_completed_at = now
        profile.failed_logins = 0
        profile.save(
            update_fields=[
                "temporary",
                "temporary_expires_at",
                "setup_completed_at",
                "failed_logins",
            ]
        )
        audit_record(
            kind=AuditKind.SETUP_COMPLETED,
            request=request,
            user=user,
            questions=len(answers),
            image=content["image"],
            device=bool(content["device"]),
        )
        member_notify(
            member=member,
            kind="credenciales_configuradas",
            context={"username": username, "device_alias": content["alias"]},
        )
    return SetupResult(username=username, device_token=token)


def username_help_texts() -> list[str]:
    return [*policy.username_help_texts(), "El usuario debe ser distinto a tu número de cédula"]
