"""Security codes ("Factor de seguridad"): one mechanism for every code in the manual.

Flow for any operation that needs a code::

    challenge = challenge_issue(member=m, kind="password_change", content={...},
                                description="Cambio de contraseña", request=request)
    # … the member types the code …
    challenge_verify(challenge_id=…, member=m, kind="password_change",
                     content={...}, code=typed, request=request)   # own transaction
    with transaction.atomic():
        challenge_use(challenge_id=…, member=m, kind=…, content={...})
        … the operation …

``content`` is everything the code confirms (for money: amount, source, destination).
It is reduced to a digest; a code only works for the same kind and digest, so if the
operation changes between "Confirmar" and "Validar" the code no longer works
(DESIGN invariant 6).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from enlinea.notifications.services import member_notify
from enlinea.security.audit import audit_record
from enlinea.security.models import SecurityChallenge, SecurityEvent

CODE_LENGTH = 6


class ChallengeError(Exception):
    """The code cannot be accepted; ``str()`` is the Spanish message for the member."""

    def __init__(self, message: str, *, code: str, attempts_left: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.attempts_left = attempts_left


MSG_WRONG = "El código ingresado es incorrecto. {left}."


def tries_left(n: int) -> str:
    """The tries left, in Spanish: «Te queda 1 intento», «Te quedan 2 intentos»."""
    return "Te queda 1 intento" if n == 1 else f"Te quedan {n} intentos"


MSG_EXHAUSTED = (
    "Ingresaste un código incorrecto {n} veces. Solicita un nuevo código con «Reenviar»."
)
MSG_DEAD = "Este código ya no es válido. Solicita uno nuevo con «Reenviar»."
MSG_EXPIRED = "El código expiró. Solicita uno nuevo con «Reenviar»."
MSG_USED = "Este código ya fue utilizado. Solicita uno nuevo con «Reenviar»."
MSG_MISMATCH = (
    "El código no corresponde a esta operación: los datos cambiaron después de "
    "solicitarlo. Solicita un nuevo código."
)
MSG_OTHER_OPERATION = (
    "Ese código es de otra operación o fue reemplazado por uno nuevo: usa el último "
    "código que te enviamos para esta operación. {left}."
)
MSG_FORMAT = "Ingresa los 6 dígitos del código que te enviamos."
MSG_NOT_FOUND = "Solicita un código de verificación para continuar."
MSG_RESEND_WAIT = "Espera {n} segundos para solicitar un nuevo código."
MSG_RESEND_CAP = (
    "Ya solicitaste el máximo de códigos para esta operación. Vuelve a empezar en unos minutos."
)


def operation_digest(kind: str, content: Mapping[str, Any]) -> str:
    """A stable fingerprint of the operation the code confirms."""
    canonical = json.dumps({"kind": kind, "content": content}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# The HMAC's key salt keeps the module's first name: codes sent before the move still match.
_KEY_SALT = "enlinea.access.codes"


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac(_KEY_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


def _send(challenge: SecurityChallenge, code: str) -> None:
    minutes = settings.ACCESS_CODE_TTL_SECONDS // 60
    member_notify(
        member=challenge.member,
        kind="codigo_seguridad",
        context={
            "code": code,
            "description": challenge.description,
            "minutes": minutes,
            "seconds": settings.ACCESS_CODE_TTL_SECONDS,
        },
    )


def challenge_issue(
    *,
    member: Any,
    kind: str,
    content: Mapping[str, Any],
    description: str,
    request: HttpRequest | None = None,
    scope: str = "",
) -> SecurityChallenge:
    """Create a code for this exact operation and send it by e-mail and SMS.

    Any earlier pending code of the same member, kind and ``scope`` dies: only the
    newest works. The confirmation flow (``enlinea.confirmation``) passes its
    operation's token as ``scope``, so a second operation of the same kind (another
    tab) leaves the first one's code alone; the flows without a pending operation
    leave it empty (one pending code per member and kind).
    """
    now = timezone.now()
    code = _new_code()
    salt = secrets.token_hex(16)
    with transaction.atomic():
        SecurityChallenge.objects.filter(
            member=member, kind=kind, scope=scope, status=SecurityChallenge.Status.PENDING
        ).update(status=SecurityChallenge.Status.DEAD)
        challenge = SecurityChallenge.objects.create(
            member=member,
            kind=kind,
            scope=scope,
            description=description[:200],
            digest=operation_digest(kind, content),
            salt=salt,
            code_hash=_code_hash(salt, code),
            created_at=now,
            sent_at=now,
            expires_at=now + timedelta(seconds=settings.ACCESS_CODE_TTL_SECONDS),
        )
        _send(challenge, code)
        audit_record(
            kind=SecurityEvent.CODE_SENT,
            request=request,
            member=member,
            operation=kind,
            challenge=challenge.pk,
        )
    return challenge


def challenge_resend(
    *, challenge_id: int, member: Any, request: HttpRequest | None = None
) -> SecurityChallenge:
    """ "¿No te llegó el código? Reenviar": a new code for the same operation.

    The old code stops working, the 3 minutes start again, tries reset. There is a
    cool-down between sends and a cap per operation.
    """
    now = timezone.now()
    with transaction.atomic():
        challenge = (
            SecurityChallenge.objects.select_for_update()
            .filter(pk=challenge_id, member=member)
            .first()
        )
        if challenge is None or challenge.status in (
            SecurityChallenge.Status.USED,
            SecurityChallenge.Status.VERIFIED,
        ):
            raise ChallengeError(MSG_NOT_FOUND, code="not_found")
        superseded = SecurityChallenge.objects.filter(
            member=member, kind=challenge.kind, scope=challenge.scope, pk__gt=challenge.pk
        ).exists()
        if superseded:  # a newer code for this operation exists: the old one stays dead
            raise ChallengeError(MSG_NOT_FOUND, code="not_found")
        if challenge.resends >= settings.ACCESS_CODE_MAX_RESENDS:
            raise ChallengeError(MSG_RESEND_CAP, code="resend_cap")
        wait = (
            settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS - (now - challenge.sent_at).total_seconds()
        )
        if wait > 0:
            raise ChallengeError(MSG_RESEND_WAIT.format(n=int(wait) + 1), code="resend_wait")
        code = _new_code()
        challenge.salt = secrets.token_hex(16)
        challenge.code_hash = _code_hash(challenge.salt, code)
        challenge.status = SecurityChallenge.Status.PENDING
        challenge.attempts = 0
        challenge.resends += 1
        challenge.sent_at = now
        challenge.expires_at = now + timedelta(seconds=settings.ACCESS_CODE_TTL_SECONDS)
        challenge.save()
        _send(challenge, code)
        audit_record(
            kind=SecurityEvent.CODE_RESENT,
            request=request,
            member=member,
            operation=challenge.kind,
            challenge=challenge.pk,
        )
    return challenge


def _typed(code: str) -> str:
    typed = "".join(c for c in (code or "") if not c.isspace())
    if len(typed) != CODE_LENGTH or not (typed.isascii() and typed.isdigit()):
        raise ChallengeError(MSG_FORMAT, code="format")
    return typed


def _check(
    challenge: SecurityChallenge,
    *,
    member: Any,
    kind: str,
    content: Mapping[str, Any],
    typed: str,
    request: HttpRequest | None,
    spend: bool,
) -> ChallengeError | None:
    """The code's rules on a locked challenge: the refusal (its counters and audit rows
    saved) or None, the challenge then VERIFIED, or USED when ``spend``."""
    Status = SecurityChallenge.Status
    failure: ChallengeError | None = None
    audit = {"request": request, "member": member, "operation": kind, "challenge": challenge.pk}
    status = challenge.status
    if status in (SecurityChallenge.Status.USED, SecurityChallenge.Status.VERIFIED):
        failure = ChallengeError(MSG_USED, code="used")
        audit_record(kind=SecurityEvent.CODE_FAILED, reason="used", **audit)
    elif status == SecurityChallenge.Status.DEAD:
        # Dead after the wrong tries, or killed by a mismatch or a newer code: only
        # the first may say "Ingresaste un código incorrecto 3 veces".
        if challenge.attempts >= settings.ACCESS_CODE_MAX_TRIES:
            failure = ChallengeError(
                MSG_EXHAUSTED.format(n=settings.ACCESS_CODE_MAX_TRIES), code="exhausted"
            )
        else:
            failure = ChallengeError(MSG_DEAD, code="dead")
        audit_record(kind=SecurityEvent.CODE_FAILED, reason="dead", **audit)
    elif timezone.now() >= challenge.expires_at:
        failure = ChallengeError(MSG_EXPIRED, code="expired")
        audit_record(kind=SecurityEvent.CODE_EXPIRED, **audit)
    elif not hmac.compare_digest(challenge.code_hash, _code_hash(challenge.salt, typed)):
        challenge.attempts += 1
        left = settings.ACCESS_CODE_MAX_TRIES - challenge.attempts
        if left <= 0:
            challenge.status = SecurityChallenge.Status.DEAD
            failure = ChallengeError(
                MSG_EXHAUSTED.format(n=settings.ACCESS_CODE_MAX_TRIES),
                code="exhausted",
                attempts_left=0,
            )
            audit_record(kind=SecurityEvent.CODE_EXHAUSTED, **audit)
        elif _matches_another_code(challenge, typed):
            failure = ChallengeError(
                MSG_OTHER_OPERATION.format(left=tries_left(left)),
                code="other_operation",
                attempts_left=left,
            )
        else:
            failure = ChallengeError(
                MSG_WRONG.format(left=tries_left(left)),
                code="wrong",
                attempts_left=left,
            )
            audit_record(kind=SecurityEvent.CODE_FAILED, reason="wrong", **audit)
        challenge.save(update_fields=["attempts", "status"])
    elif not hmac.compare_digest(challenge.digest, operation_digest(kind, content)):
        # The right code for a different operation: the code dies (a changed amount
        # or destination after the code was sent is what an attacker would try).
        challenge.status = SecurityChallenge.Status.DEAD
        challenge.save(update_fields=["status"])
        failure = ChallengeError(MSG_MISMATCH, code="mismatch")
        audit_record(kind=SecurityEvent.CODE_MISMATCH, **audit)
    else:
        now = timezone.now()
        challenge.status = Status.USED if spend else Status.VERIFIED
        challenge.verified_at = now
        fields = ["status", "verified_at"]
        if spend:
            challenge.used_at = now
            fields.append("used_at")
        challenge.save(update_fields=fields)
        audit_record(kind=SecurityEvent.CODE_VERIFIED, **audit)
    return failure


def challenge_verify(
    *,
    challenge_id: int | None,
    member: Any,
    kind: str,
    content: Mapping[str, Any],
    code: str,
    request: HttpRequest | None = None,
) -> SecurityChallenge:
    """Check a typed code against its challenge; raise ChallengeError with the reason.

    ``ChallengeError.code`` is one of format, not_found, used, exhausted, dead (killed
    by a mismatch or a newer code), expired, wrong, mismatch, other_operation.

    Runs in its own transaction so a wrong try is counted even though the operation
    does not go ahead. On success the challenge is VERIFIED; ``challenge_use`` inside
    the operation's transaction spends it.
    """
    typed = _typed(code)
    with transaction.atomic():
        challenge = (
            SecurityChallenge.objects.select_for_update()
            .filter(pk=challenge_id, member=member, kind=kind)
            .first()
            if challenge_id
            else None
        )
        if challenge is None:
            raise ChallengeError(MSG_NOT_FOUND, code="not_found")
        failure = _check(
            challenge,
            member=member,
            kind=kind,
            content=content,
            typed=typed,
            request=request,
            spend=False,
        )
    if failure is not None:
        raise failure
    return challenge


def challenge_lock(challenge_id: int) -> SecurityChallenge | None:
    """Lock a challenge row (the first lock of an operation's order) and return it."""
    return SecurityChallenge.objects.select_for_update().filter(pk=challenge_id).first()


def challenge_spend(
    challenge: SecurityChallenge | None,
    *,
    member: Any,
    kind: str,
    content: Mapping[str, Any],
    code: str,
    request: HttpRequest | None = None,
) -> ChallengeError | None:
    """Verify and spend in one step a challenge the caller holds locked
    (``challenge_lock``) in the operation's own transaction.

    Returns the refusal, for the caller to raise once that transaction has committed
    (so a wrong try stays counted), or None: the code was right, the challenge is USED.
    The same rules and messages as ``challenge_verify``; one row read and one write.
    """
    try:
        typed = _typed(code)
    except ChallengeError as exc:
        return exc
    if challenge is None or challenge.member_id != member.pk or challenge.kind != kind:
        return ChallengeError(MSG_NOT_FOUND, code="not_found")
    return _check(
        challenge,
        member=member,
        kind=kind,
        content=content,
        typed=typed,
        request=request,
        spend=True,
    )


def _matches_another_code(challenge: SecurityChallenge, typed: str) -> bool:
    """Is ``typed`` the code of another recent operation of the same member?

    That happens when a code is typed into the wrong operation (another tab, an older
    request): it is refused all the same, but the member is told why.
    """
    recent = SecurityChallenge.objects.filter(
        member_id=challenge.member_id,
        created_at__gte=timezone.now() - timedelta(seconds=settings.ACCESS_CODE_TTL_SECONDS),
    ).exclude(pk=challenge.pk)
    return any(
        hmac.compare_digest(other.code_hash, _code_hash(other.salt, typed))
        for other in recent.only("salt", "code_hash").order_by("-id")[:5]
    )


def challenge_use(
    *, challenge_id: int, member: Any, kind: str, content: Mapping[str, Any]
) -> SecurityChallenge:
    """Spend a VERIFIED challenge inside the operation's transaction (used once)."""
    challenge = (
        SecurityChallenge.objects.select_for_update()
        .filter(pk=challenge_id, member=member, kind=kind)
        .first()
    )
    if challenge is None or challenge.status != SecurityChallenge.Status.VERIFIED:
        raise ChallengeError(MSG_USED, code="used")
    if challenge.digest != operation_digest(kind, content):
        raise ChallengeError(MSG_MISMATCH, code="mismatch")
    challenge.status = SecurityChallenge.Status.USED
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["status", "used_at"])
    return challenge


def challenge_redeem(
    *,
    challenge_id: int | None,
    member: Any,
    kind: str,
    content: Mapping[str, Any],
    code: str,
    request: HttpRequest | None = None,
) -> SecurityChallenge:
    """Verify and spend in one call, for operations that need nothing in between.

    Must be called outside the operation's ``transaction.atomic`` block; the
    operation's own atomic block then calls nothing else (the code is already spent).
    Prefer verify + use when the operation can still fail after the code.
    """
    challenge_verify(
        challenge_id=challenge_id,
        member=member,
        kind=kind,
        content=content,
        code=code,
        request=request,
    )
    with transaction.atomic():
        return challenge_use(challenge_id=challenge_id, member=member, kind=kind, content=content)


def seconds_left(challenge: SecurityChallenge) -> int:
    return max(0, int((challenge.expires_at - timezone.now()).total_seconds()))
