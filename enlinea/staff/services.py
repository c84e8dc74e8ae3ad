"""The back office's login: password, then a second factor, for every staff account.

Steps: the password (``staff_password_check``), then either the TOTP code of the
authenticator app or one of the recovery codes (``staff_code_verify``); a staff member
without an app enrols it first (``staff_enrolment_device`` shows the secret as a QR
code, ``staff_enrolment_confirm`` checks one code and returns the recovery codes).

Every failure, of the password or of a code, counts towards the lock
(``ACCESS_MAX_FAILED_LOGINS``, as for members); only a full login resets the count.
A locked account answers exactly like a wrong password and an unknown username, so
the page tells nobody which usernames exist or are locked. Only another staff member
with the permission ``staff.unlock_staffaccess`` (in the admin) or an operator with
``manage.py staff_unlock`` lifts a lock: a bank's back office does not unlock itself
after a while, since the lock is the sign that someone is guessing a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlinea.access.models import AuditKind
from enlinea.access.session import SESSION_ACTIVITY
from enlinea.security.audit import audit_record
from enlinea.staff.models import StaffAccess

SESSION_PENDING = "enlinea_staff_pending"  # password right, waiting for the second factor
# Between the right password and the code: enough to find the phone, not a day.
PENDING_MAX_AGE_SECONDS = 10 * 60
TOTP_DEVICE_NAME = "Aplicación de autenticación"
RECOVERY_DEVICE_NAME = "Códigos de recuperación"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 12  # ≈ 59 bits each
_BACKEND = "django.contrib.auth.backends.ModelBackend"

MSG_INVALID = (
    "Usuario o contraseña incorrectos. Revisa tus datos e intenta de nuevo. Si tu acceso "
    "se bloqueó por intentos fallidos, pide a un administrador que lo desbloquee."
)
MSG_CODE_INVALID = (
    "El código de verificación no es correcto o ya caducó. Escribe el código que muestra "
    "ahora tu aplicación de autenticación, o uno de tus códigos de recuperación."
)
MSG_PENDING_GONE = "Por tu seguridad, vuelve a ingresar tu usuario y contraseña."
MSG_CODE_THROTTLED = (
    "Espera unos segundos antes de escribir el código: por tu seguridad, después de un "
    "código equivocado hay que esperar un poco más cada vez."
)
THROTTLED = "throttled"


# ---------------------------------------------------------------- lock and counter


def _access_locked_for_update(user: Any) -> StaffAccess:
    """The staff member's counter row, locked until the caller's transaction ends."""
    StaffAccess.objects.get_or_create(user=user)
    return StaffAccess.objects.select_for_update().get(user=user)


def _failure_record(
    *, access: StaffAccess, request: HttpRequest | None, kind: str, reason: str
) -> None:
    """Count one failure (the row is locked by the caller); lock at the threshold."""
    access.failed_logins += 1
    access.last_failed_at = timezone.now()
    audit_record(
        kind=kind, request=request, user=access.user, reason=reason, failures=access.failed_logins
    )
    if access.failed_logins >= settings.ACCESS_MAX_FAILED_LOGINS:
        access.locked_at = access.last_failed_at
        audit_record(
            kind=AuditKind.STAFF_LOCKED,
            request=request,
            user=access.user,
            failures=access.failed_logins,
        )
    access.save(update_fields=["failed_logins", "last_failed_at", "locked_at"])


def staff_is_locked(*, user: Any) -> bool:
    return StaffAccess.objects.filter(user=user, locked_at__isnull=False).exists()


# ---------------------------------------------------------------- step 1: password


def _candidate(username: str) -> Any | None:
    value = (username or "").strip()[:150]
    if not value:
        return None
    return get_user_model().objects.filter(username=value, is_staff=True, is_active=True).first()


def staff_password_check(*, request: HttpRequest, username: str, password: str) -> Any | None:
    """The staff user when the password is right and the account is not locked.

    The lock check and the password check happen in one transaction with the
    account's counter row locked, so a burst of parallel tries counts every failure
    and none of them gets past a lock another one just set. Every branch costs one
    password hash, and every refusal looks the same to the caller (``None``).
    """
    user = _candidate(username)
    if user is None:
        make_password(password)
        audit_record(
            kind=AuditKind.STAFF_LOGIN_FAILED,
            request=request,
            username=(username or "").strip(),
            reason="unknown",
        )
        return None
    with transaction.atomic():
        access = _access_locked_for_update(user)
        right = user.check_password(password)
        if access.is_locked:
            audit_record(
                kind=AuditKind.STAFF_LOGIN_FAILED, request=request, user=user, reason="locked"
            )
            return None
        if not right:
            _failure_record(
                access=access,
                request=request,
                kind=AuditKind.STAFF_LOGIN_FAILED,
                reason="wrong_password",
            )
            return None
    return user


# ---------------------------------------------------------------- between the steps


@dataclass(frozen=True)
class Pending:
    """A login whose password was right, waiting for the second factor."""

    user: Any
    next_url: str

    @property
    def enrolled(self) -> bool:
        return TOTPDevice.objects.filter(user=self.user, confirmed=True).exists()


def staff_pending_start(*, request: HttpRequest, user: Any, next_url: str = "") -> None:
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    request.session[SESSION_PENDING] = {
        "user": user.pk,
        # A password change in between makes the pending login worthless.
        "auth_hash": user.get_session_auth_hash(),
        "started": int(time.time()),
        "next": next_url if safe else "",
    }


def staff_pending_load(request: HttpRequest) -> Pending | None:
    """The pending login, or None when missing, stale, for a changed password or locked."""
    state = request.session.get(SESSION_PENDING)
    if not state:
        return None
    user = get_user_model().objects.filter(pk=state["user"], is_staff=True, is_active=True).first()
    if (
        int(time.time()) - int(state.get("started", 0)) > PENDING_MAX_AGE_SECONDS
        or user is None
        or not hmac.compare_digest(state["auth_hash"], user.get_session_auth_hash())
        or staff_is_locked(user=user)
    ):
        request.session.pop(SESSION_PENDING, None)
        return None
    return Pending(user=user, next_url=state.get("next", ""))


def staff_pending_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_PENDING, None)


# ---------------------------------------------------------------- recovery codes


def recovery_code_normalize(value: str) -> str:
    return "".join(ch for ch in (value or "").lower() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    """What the database keeps of a recovery code (django-otp would keep it in clear).

    A plain SHA-256, cut to the 16 characters of django-otp's token column: a code
    has about 59 random bits, so no salt or slow hash is needed, and unlike a keyed
    HMAC it survives a SECRET_KEY rotation.
    """
    return hashlib.sha256(recovery_code_normalize(code).encode()).hexdigest()[:16]


def recovery_code_format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def staff_recovery_codes_replace(*, user: Any) -> list[str]:
    """New recovery codes for ``user`` (the old ones stop working); returned once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(settings.STAFF_RECOVERY_CODES)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_hash(code)) for code in codes
    )
    return [recovery_code_format(code) for code in codes]


def staff_recovery_codes_left(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# ---------------------------------------------------------------- step 2: the code


def _device_verify(user: Any, code: str) -> tuple[Device | None, str]:
    """The device that accepts ``code`` (django-otp throttles and spends it) and its kind."""
    typed = recovery_code_normalize(code)
    if typed.isdigit() and len(typed) == 6:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        factor = "totp"
        token = typed
    elif len(typed) == _RECOVERY_LENGTH:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        factor = "recovery"
        token = recovery_code_hash(typed)
    else:
        return None, "malformed"
    if device is None:
        return None, factor
    # django-otp waits longer after each wrong code and refuses every code, even the
    # right one, until the wait is over: that refusal is no guess, so it must not
    # count towards the lock nor tell the person their right code was wrong.
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return None, THROTTLED
    return django_otp.verify_token(user, device.persistent_id, token), factor


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None
    factor: str = ""
    locked: bool = False

    @property
    def throttled(self) -> bool:
        return self.factor == THROTTLED


def staff_code_verify(*, request: HttpRequest, user: Any, code: str) -> CodeCheck:
    """Check the authenticator's code or a recovery code (spent on use).

    A wrong code counts towards the same lock as a wrong password (on top of
    django-otp's own growing delay between tries), under the same row lock.
    """
    with transaction.atomic():
        access = _access_locked_for_update(user)
        if access.is_locked:
            audit_record(
                kind=AuditKind.STAFF_OTP_FAILED, request=request, user=user, reason="locked"
            )
            return CodeCheck(device=None, locked=True)
        device, factor = _device_verify(user, code)
        if factor == THROTTLED:
            audit_record(
                kind=AuditKind.STAFF_OTP_FAILED, request=request, user=user, reason=THROTTLED
            )
            return CodeCheck(device=None, factor=factor)
        if device is None:
            _failure_record(
                access=access,
                request=request,
                kind=AuditKind.STAFF_OTP_FAILED,
                reason=f"wrong_{factor}",
            )
            return CodeCheck(device=None, factor=factor, locked=access.is_locked)
        if factor == "recovery":
            audit_record(
                kind=AuditKind.STAFF_RECOVERY_CODE_USED,
                request=request,
                user=user,
                left=staff_recovery_codes_left(user=user),
            )
    return CodeCheck(device=device, factor=factor)


def staff_login_complete(*, request: HttpRequest, user: Any, device: Device, factor: str) -> None:
    """Open the back-office session, verified by ``device``, and audit it."""
    staff_pending_end(request)
    with transaction.atomic():
        access = _access_locked_for_update(user)
        access.failed_logins = 0
        access.save(update_fields=["failed_logins"])
        login(request, user, backend=_BACKEND)
        django_otp.login(request, device)
        audit_record(kind=AuditKind.STAFF_LOGIN, request=request, user=user, factor=factor)
    request.session[SESSION_ACTIVITY] = int(time.time())


# ---------------------------------------------------------------- enrolment


def staff_enrolment_device(*, user: Any) -> TOTPDevice:
    """The not yet confirmed TOTP device whose secret the enrolment page shows.

    Made once and kept until confirmed, so reloading the page keeps the same QR code.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice | None
    recovery_codes: list[str]
    locked: bool = False
    throttled: bool = False


def staff_enrolment_confirm(*, request: HttpRequest, user: Any, code: str) -> Enrolment:
    """Confirm the app with one of its codes; make the recovery codes (returned once)."""
    with transaction.atomic():
        access = _access_locked_for_update(user)
        if access.is_locked:
            audit_record(
                kind=AuditKind.STAFF_OTP_FAILED, request=request, user=user, reason="locked"
            )
            return Enrolment(device=None, recovery_codes=[], locked=True)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise PermissionDenied("already enrolled")
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        typed = recovery_code_normalize(code)
        if device is not None and not device.verify_is_allowed()[0]:
            audit_record(
                kind=AuditKind.STAFF_OTP_FAILED, request=request, user=user, reason=THROTTLED
            )
            return Enrolment(device=None, recovery_codes=[], throttled=True)
        if device is None or not device.verify_token(typed):
            _failure_record(
                access=access,
                request=request,
                kind=AuditKind.STAFF_OTP_FAILED,
                reason="wrong_enrolment_code",
            )
            return Enrolment(device=None, recovery_codes=[], locked=access.is_locked)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = staff_recovery_codes_replace(user=user)
        audit_record(
            kind=AuditKind.STAFF_OTP_ENROLLED,
            request=request,
            user=user,
            recovery_codes=len(codes),
        )
    return Enrolment(device=device, recovery_codes=codes)


# ---------------------------------------------------------------- by another staff member


def staff_unlock(*, actor: Any, user: Any, request: HttpRequest | None = None) -> bool:
    """Lift ``user``'s lock (never one's own); True when it was locked.

    ``actor`` is None for the operator's ``manage.py staff_unlock``.
    """
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("No puedes desbloquear tu propio acceso.")
    if actor is not None and user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(
            f"Solo un superusuario puede desbloquear el acceso de {user.get_username()}."
        )
    with transaction.atomic():
        access = _access_locked_for_update(user)
        if not access.is_locked:
            return False
        access.locked_at = None
        access.failed_logins = 0
        access.save(update_fields=["locked_at", "failed_logins"])
        audit_record(
            kind=AuditKind.STAFF_UNLOCKED,
            request=request,
            user=user,
            by=actor.get_username() if actor is not None else "manage.py staff_unlock",
        )
    return True


def staff_second_factor_reset(*, actor: Any, user: Any, request: HttpRequest | None = None) -> None:
    """Remove ``user``'s app and recovery codes: the next login enrols a new app.

    For a lost phone together with lost recovery codes. There is no AuditKind of its
    own; it is recorded as STAFF_UNLOCKED with ``reason="second_factor_reset"``.
    """
    if actor.pk == user.pk:
        raise PermissionDenied("No puedes reiniciar tu propio segundo factor.")
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(
            f"Solo un superusuario puede reiniciar el segundo factor de {user.get_username()}."
        )
    with transaction.atomic():
        _access_locked_for_update(user)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(
            kind=AuditKind.STAFF_UNLOCKED,
            request=request,
            user=user,
            reason="second_factor_reset",
            by=actor.get_username(),
        )
