"""Credential primitives shared by first login, Perfil and recovery.

Each change writes its audit row and notifies the member in the same transaction.
Flows (views) decide when a security code is required; these functions assume it was.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access import policy
from enlinea.access.catalog import Question, SecurityImage
from enlinea.access.models import AuditKind, OnlineProfile, SecurityAnswer
from enlinea.notifications.services import member_notify
from enlinea.security.audit import audit_record
from enlinea.security.ratelimit import MSG_RATE_LIMITED, rate_limited


def profile_for(user: Any) -> OnlineProfile:
    profile, _ = OnlineProfile.objects.get_or_create(
        user=user, defaults={"temporary": False, "setup_completed_at": timezone.now()}
    )
    return profile


def _notify(user: Any, change: str) -> None:
    member = getattr(user, "member", None)
    if member is not None:
        member_notify(member=member, kind="cambio_seguridad", context={"change": change})


# ---------------------------------------------------------------- answers


def answers_clean(answers: Mapping[str, str]) -> dict[str, str]:
    """Validate each non-empty answer; raise ValidationError keyed by question."""
    cleaned, errors = {}, {}
    for question, answer in answers.items():
        if question not in Question.values:
            raise ValidationError("Pregunta desconocida.")
        if not (answer or "").strip():
            continue
        try:
            cleaned[question] = policy.validate_answer(answer)
        except ValidationError as exc:
            errors[question] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def answers_set(
    *,
    user: Any,
    answers: Mapping[str, str],
    minimum: int,
    request: HttpRequest | None = None,
    replace: bool = False,
) -> int:
    """Save hashed answers. Blank answers keep the stored one (unless ``replace``).

    The member must end with at least ``minimum`` answered questions. Returns how
    many questions are answered now.
    """
    cleaned = answers_clean(answers)
    return answers_store(
        user=user,
        hashes={question: make_password(answer) for question, answer in cleaned.items()},
        minimum=minimum,
        request=request,
        replace=replace,
    )


def answers_store(
    *,
    user: Any,
    hashes: Mapping[str, str],
    minimum: int,
    request: HttpRequest | None = None,
    replace: bool = False,
) -> int:
    """``answers_set`` for answers already validated and hashed with ``make_password``.

    Lets a flow keep only hashes (never the answers) between "Confirmar" and the
    security code, then save them.
    """
    if any(question not in Question.values for question in hashes):
        raise ValidationError("Pregunta desconocida.")
    cleaned = dict(hashes)
    with transaction.atomic():
        existing = set(
            SecurityAnswer.objects.select_for_update()
            .filter(user=user)
            .values_list("question", flat=True)
        )
        kept = set() if replace else existing
        total = len(kept | set(cleaned))
        if total < minimum:
            raise ValidationError(
                f"Responde mínimo {minimum} preguntas de seguridad.", code="answers_minimum"
            )
        if replace:
            SecurityAnswer.objects.filter(user=user).exclude(question__in=cleaned).delete()
        now = timezone.now()
        for question, encoded in cleaned.items():
            SecurityAnswer.objects.update_or_create(
                user=user,
                question=question,
                defaults={"answer_hash": encoded, "updated_at": now},
            )
        if existing:  # a change, not the first setup
            audit_record(kind=AuditKind.QUESTIONS_CHANGED, request=request, user=user, count=total)
            _notify(user, "Actualizaste tus preguntas de seguridad.")
    return total


def answered_questions(*, user: Any) -> list[str]:
    return list(
        SecurityAnswer.objects.filter(user=user).order_by("id").values_list("question", flat=True)
    )


def answers_check(*, user: Any, answers: Mapping[str, str]) -> bool:
    """True when every given answer matches (all are checked: no early exit timing)."""
    stored = dict(
        SecurityAnswer.objects.filter(user=user, question__in=list(answers)).values_list(
            "question", "answer_hash"
        )
    )
    ok = bool(answers) and len(stored) == len(answers)
    for question, answer in answers.items():
        encoded = stored.get(question)
        given = policy.normalize_answer(answer or "")
        if encoded is None:
            make_password(given)  # same cost as a real check
            ok = False
        elif not check_password(given, encoded):
            ok = False
    return ok


# ---------------------------------------------------------------- image, username


def image_set(*, user: Any, image: str, request: HttpRequest | None = None) -> None:
    if image not in SecurityImage.values:
        raise ValidationError("Selecciona una imagen de seguridad.", code="image_required")
    with transaction.atomic():
        profile = profile_for(user)
        had_image = bool(profile.security_image)
        profile.security_image = image
        profile.save(update_fields=["security_image"])
        if had_image:
            audit_record(kind=AuditKind.IMAGE_CHANGED, request=request, user=user)
            _notify(user, "Cambiaste tu imagen de seguridad.")


MSG_USERNAME_UNAVAILABLE = "Ese nombre de usuario no está disponible. Prueba con otro."

# Names a member may not take, nor start with: they would pass for the institution or
# its staff in a message or on a screen. They answer exactly like a name already in use.
RESERVED_USERNAME_PREFIXES = (
    "admin",
    "administrador",
    "backoffice",
    "soporte",
    "support",
    "operaciones",
    "seguridad",
    "sistema",
    "system",
    "root",
    "staff",
    "superusuario",
    "gerencia",
    "cajero",
    "enlinea",
    "cooperativa",
)


def _username_reserved(value: str) -> bool:
    institution = "".join(
        c for c in settings.INSTITUTION["short_name"].lower() if c.isascii() and c.isalnum()
    )
    prefixes = (*RESERVED_USERNAME_PREFIXES, *([institution] if institution else []))
    return value.startswith(prefixes)


def _username_policy(*, username: str, user: Any) -> str:
    member = getattr(user, "member", None)
    return policy.validate_username(
        username, identification=member.identification if member is not None else ""
    )


def _username_available(*, value: str, user: Any) -> str:
    """Refuse a name in use by anyone (members and staff alike, ignoring case) or reserved.

    One message and one code for every reason, and the lookup always runs, so the
    answer says nothing about who holds a name or whether it is a staff account.
    """
    taken = get_user_model().objects.filter(username__iexact=value).exclude(pk=user.pk).exists()
    if taken or _username_reserved(value):
        raise ValidationError(MSG_USERNAME_UNAVAILABLE, code="username_taken")
    if value == user.username and not profile_for(user).temporary:
        raise ValidationError("El nuevo usuario debe ser distinto al actual.", code="username_same")
    return value


def username_clean(*, username: str, user: Any) -> str:
    """The chosen username if the policy allows it and nobody else has it (no limit, no audit:
    for the change itself; what the member types goes through ``username_check``)."""
    return _username_available(value=_username_policy(username=username, user=user), user=user)


def username_check(*, username: str, user: Any, request: HttpRequest) -> str:
    """``username_clean`` for a name the member typed (Primer ingreso, Perfil).

    Each answer tells whether a name exists, so a name that passes the policy costs one
    try of ``ACCESS_RATE_USERNAME_CHECK_SESSION`` per session and one of
    ``ACCESS_RATE_USERNAME_CHECK`` per member (all of their sessions together);
    over it the answer is the rate-limit message (code ``rate_limited``) and nothing is
    looked up. Each lookup is audited (``USERNAME_CHECKED``) with the outcome and the
    name masked plus a keyed digest, so repeated probing of one name can be followed.
    """
    value = _username_policy(username=username, user=user)  # the rules cost nothing
    if _username_check_limited(request=request, user=user):
        raise ValidationError(MSG_RATE_LIMITED, code="rate_limited")
    try:
        _username_available(value=value, user=user)
    except ValidationError as exc:
        outcome = "unavailable" if exc.code == "username_taken" else str(exc.code)
        _username_check_audit(request=request, user=user, value=value, outcome=outcome)
        raise
    _username_check_audit(request=request, user=user, value=value, outcome="available")
    return value


def _username_check_limited(*, request: HttpRequest, user: Any) -> bool:
    """Over the limit per session (``ACCESS_RATE_USERNAME_CHECK_SESSION``, a burst in one
    browser) or per member (``ACCESS_RATE_USERNAME_CHECK``, all of their sessions)?

    Both counters move on every check that gets this far. A request without a session
    (a service called outside a web request) has only the member's counter; the pages
    that ask always have one, since the member is logged in.
    """
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    by_session = bool(session_key) and rate_limited(
        request,
        group="username-check",
        rate_setting="ACCESS_RATE_USERNAME_CHECK_SESSION",
        account=f"session:{session_key}",
        user=user,
    )
    by_member = rate_limited(
        request,
        group="username-check",
        rate_setting="ACCESS_RATE_USERNAME_CHECK",
        account=f"user:{user.pk}",
        user=user,
    )
    return by_session or by_member


def _username_check_audit(*, request: HttpRequest, user: Any, value: str, outcome: str) -> None:
    audit_record(
        kind=AuditKind.USERNAME_CHECKED,
        request=request,
        user=user,
        outcome=outcome,
        name=_username_mask(value),
        name_digest=_username_digest(value),
    )


def _username_mask(value: str) -> str:
    return value[:2] + "*" * (len(value) - 2)


def _username_digest(value: str) -> str:
    key = f"{settings.SECRET_KEY}:username-check".encode()
    return hmac.new(key, value.lower().encode(), hashlib.sha256).hexdigest()[:16]


def username_set(*, user: Any, username: str, request: HttpRequest | None = None) -> str:
    value = username_clean(username=username, user=user)
    with transaction.atomic():
        old = user.username
        user.username = value
        user.save(update_fields=["username"])
        if not profile_for(user).temporary:
            audit_record(kind=AuditKind.USERNAME_CHANGED, request=request, user=user, previous=old)
            _notify(user, f"Cambiaste tu nombre de usuario a «{value}».")
    return value


# ---------------------------------------------------------------- password


def password_clean(*, password: str, confirmation: str, user: Any) -> str:
    if password != confirmation:
        raise ValidationError("Las contraseñas no coinciden.", code="password_mismatch")
    password_validation.validate_password(password, user)
    if user.check_password(password):
        raise ValidationError(
            "La nueva contraseña debe ser distinta a la actual.", code="password_same"
        )
    return password


def password_set(
    *,
    user: Any,
    password: str,
    request: HttpRequest | None = None,
    kind: str = AuditKind.PASSWORD_CHANGED,
) -> None:
    """Set a new password. Every other session of the user ends (its auth hash changes)."""
    password_store(user=user, encoded=make_password(password), request=request, kind=kind)


def password_store(
    *,
    user: Any,
    encoded: str,
    request: HttpRequest | None = None,
    kind: str = AuditKind.PASSWORD_CHANGED,
) -> None:
    """``password_set`` for a password already validated and hashed with ``make_password``.

    Lets a flow keep only the hash (never the password) until the security code.
    """
    identify_hasher(encoded)  # ValueError for anything that is not a hash
    with transaction.atomic():
        user.password = encoded
        user.save(update_fields=["password"])
        profile = profile_for(user)
        profile.password_changed_at = timezone.now()
        profile.save(update_fields=["password_changed_at"])
        audit_record(kind=kind, request=request, user=user)
        _notify(
            user,
            "Recuperaste tu contraseña y se desbloqueó tu acceso."
            if kind == AuditKind.PASSWORD_RECOVERED
            else "Cambiaste tu contraseña.",
        )


# ---------------------------------------------------------------- lock


def access_lock(*, user: Any, reason: str, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        profile = OnlineProfile.objects.select_for_update().get(pk=profile_for(user).pk)
        if profile.locked_at is not None:
            return
        profile.locked_at = timezone.now()
        profile.lock_reason = reason
        profile.save(update_fields=["locked_at", "lock_reason"])
        kind = (
            AuditKind.SELF_BLOCKED if reason == OnlineProfile.LockReason.SELF else AuditKind.LOCKED
        )
        audit_record(kind=kind, request=request, user=user, reason=reason)
        member = getattr(user, "member", None)
        if member is not None:
            member_notify(
                member=member,
                kind="acceso_bloqueado",
                context={"self_blocked": reason == OnlineProfile.LockReason.SELF},
            )


def access_unlock(*, user: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        profile = OnlineProfile.objects.select_for_update().get(pk=profile_for(user).pk)
        if profile.locked_at is None and profile.failed_logins == 0:
            return
        was_locked = profile.locked_at is not None
        profile.locked_at = None
        profile.lock_reason = ""
        profile.failed_logins = 0
        profile.save(update_fields=["locked_at", "lock_reason", "failed_logins"])
        if was_locked:
            audit_record(kind=AuditKind.UNLOCKED, request=request, user=user)


def login_profile_lock(*, user: Any) -> OnlineProfile:
    """The member's access row, locked (``select_for_update``) until the caller's
    transaction ends: the password step reads the lock, checks the password and counts
    the outcome while holding it, so parallel tries take turns."""
    return OnlineProfile.objects.select_for_update().get(pk=profile_for(user).pk)


def login_failure_record(
    *, user: Any, request: HttpRequest | None = None, profile: OnlineProfile | None = None
) -> int:
    """Count a wrong password; lock at the limit. Returns the tries left (0 = locked).

    ``profile`` is the row already locked by ``login_profile_lock`` in the caller's
    transaction. On an access that is already locked (by failures, by the member or by
    the cooperative) the count goes on up to the limit, so the answers a wrong password
    gets there are the ones an unlocked member's and an unknown username's get: the
    login does not tell a stranger which accesses are locked.
    """
    limit = settings.ACCESS_MAX_FAILED_LOGINS
    with transaction.atomic():
        if profile is None:
            profile = login_profile_lock(user=user)
        was_locked = profile.is_locked
        profile.failed_logins = min(profile.failed_logins + 1, limit)
        profile.save(update_fields=["failed_logins"])
        left = limit - profile.failed_logins
        extra = {"reason": "locked"} if was_locked else {}
        audit_record(
            kind=AuditKind.LOGIN_FAILED,
            request=request,
            user=user,
            consecutive=profile.failed_logins,
            **extra,
        )
        if left == 0 and not was_locked:
            access_lock(user=user, reason=OnlineProfile.LockReason.FAILURES, request=request)
    return left


def login_success_record(*, user: Any) -> None:
    """A right password ends the run of failures, on an access that is not locked."""
    OnlineProfile.objects.filter(user=user, locked_at__isnull=True).update(failed_logins=0)
