"""Password recovery ("¿Olvidaste tu contraseña?"), self-block and ending sessions.

Recovery is the only way to unlock an access locked by failed logins or blocked by
the member (the FAQ's fraud case): cédula + usuario, then security questions, then a
security code, then a new password. Views keep the attempt's state in the session;
these functions hold the rules, and the counters that guard it live in the database
(``RecoveryAttempt``).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access import credentials
from enlinea.access.models import AuditKind, OnlineProfile, RecoveryAttempt
from enlinea.members.models import Member
from enlinea.members.selectors import contact_cooling_off_message
from enlinea.members.services import member_contact_cooling_off_refuse
from enlinea.security.audit import audit_record

RECOVERY_KIND = "recovery"
SELF_BLOCK_KIND = "self_block"
# Wrong sets of answers allowed in one recovery attempt: ACCESS_RECOVERY_MAX_ANSWER_TRIES,
# counted in its RecoveryAttempt row. Then it starts over; the per-cédula limit on the
# first step and the per-member and per-IP limits on the answers bound the attempts.

MSG_NO_MATCH = (
    "Los datos ingresados no coinciden con nuestros registros. Revisa tu número de "
    "cédula y tu usuario."
)
MSG_NOT_READY = (
    "No puedes recuperar tu contraseña en línea porque todavía no configuraste tus "
    "preguntas de seguridad. Llama a nuestro centro de llamadas."
)
MSG_WRONG_ANSWERS = "Las respuestas no coinciden con las que registraste. {left}."
MSG_ANSWERS_EXHAUSTED = (
    "Las respuestas no coincidieron {n} veces. Por tu seguridad terminamos este intento: "
    "vuelve a empezar."
)


def recovery_member_find(*, identification: str, username: str) -> Member | None:
    """The member with online access whose cédula and username are both these; else None."""
    identification = "".join(c for c in identification if c.isdigit())
    username = username.strip().lower()
    if not identification or not username:
        return None
    return (
        Member.objects.select_related("user")
        .filter(
            identification=identification,
            user__isnull=False,
            user__is_active=True,
            user__username__iexact=username,
        )
        .first()
    )


def recovery_cooling_off(*, member: Member, request: HttpRequest | None) -> bool:
    """True (and audited) when the member's e-mail or mobile changed within
    MEMBERS_CONTACT_COOLING_OFF_HOURS: the recovery code would go to the new contact,
    so recovery refuses with ``contact_cooling_off_message()``. Only asked once cédula
    and usuario both matched, so a stranger learns nothing from it. "Bloquear mi
    acceso" is not refused: blocking protects the member."""
    return member_contact_cooling_off_refuse(member=member, flow="recovery", request=request)


def recovery_questions_pick(*, user: Any) -> list[str]:
    """ACCESS_RECOVERY_QUESTIONS of the member's answered questions, at random.

    Empty when the member has fewer answered questions (first login not finished).
    """
    answered = credentials.answered_questions(user=user)
    count = settings.ACCESS_RECOVERY_QUESTIONS
    if len(answered) < count:
        return []
    return random.SystemRandom().sample(answered, count)


def _attempt_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def recovery_attempt_start(*, member: Member) -> str:
    """Open a recovery attempt for ``member``; returns its token (the session keeps it)."""
    token = secrets.token_urlsafe(32)
    RecoveryAttempt.objects.create(member=member, token_hash=_attempt_digest(token))
    return token


@dataclass(frozen=True)
class AnswersOutcome:
    """What ``recovery_answers_check`` decided: right, or wrong with the sets left.

    ``ended`` means the attempt is over (this wrong set was the last one allowed, or
    it had ended already): the member starts again from cédula + usuario.
    """

    ok: bool
    left: int = 0
    ended: bool = False


def recovery_answers_check(
    *,
    member: Member,
    token: str,
    answers: Mapping[str, str],
    request: HttpRequest | None = None,
) -> AnswersOutcome:
    """Check a set of answers within the attempt ``token`` of ``member``.

    The attempt's row stays locked from the check to the count, so parallel requests
    take turns: exactly ACCESS_RECOVERY_MAX_ANSWER_TRIES wrong sets are counted, then
    the attempt ends and no answers are checked any more, not even right ones.
    """
    limit = settings.ACCESS_RECOVERY_MAX_ANSWER_TRIES
    with transaction.atomic():
        attempt = (
            RecoveryAttempt.objects.select_for_update()
            .filter(member=member, token_hash=_attempt_digest(token))
            .first()
        )
        if attempt is None or attempt.ended_at is not None or attempt.wrong_sets >= limit:
            return AnswersOutcome(ok=False, left=0, ended=True)
        if credentials.answers_check(user=member.user, answers=answers):
            return AnswersOutcome(ok=True, left=limit - attempt.wrong_sets)
        attempt.wrong_sets += 1
        ended = attempt.wrong_sets >= limit
        if ended:
            attempt.ended_at = timezone.now()
        attempt.save(update_fields=["wrong_sets", "ended_at"])
        audit_record(
            kind=AuditKind.RECOVERY_FAILED,
            request=request,
            user=member.user,
            step="answers",
            wrong=attempt.wrong_sets,
            attempt_ended=ended,
        )
    return AnswersOutcome(ok=False, left=limit - attempt.wrong_sets, ended=ended)


def recovery_attempt_end(*, member: Member, token: str) -> None:
    """Close the attempt: its token answers nothing more."""
    RecoveryAttempt.objects.filter(
        member=member, token_hash=_attempt_digest(token), ended_at__isnull=True
    ).update(ended_at=timezone.now())


MSG_ATTEMPT_OVER = "El tiempo para completar el proceso terminó. Vuelve a empezar, por favor."


class RecoveryError(Exception):
    """The recovery cannot go on; ``str()`` is the Spanish message for the member."""


def recovery_code_content(*, token: str) -> dict[str, Any]:
    """What the recovery code confirms: this attempt (by its token's digest, never the
    token itself)."""
    return {"attempt": _attempt_digest(token)}


def recovery_code_confirmed(*, member: Member, attempt: str) -> None:
    """The recovery code was right: the attempt (``attempt``: its token's digest) may
    set the new password. Runs as the confirmation flow's ``recovery`` operation, in
    the transaction that spends the code (``access/confirmations.py``)."""
    row = (
        RecoveryAttempt.objects.select_for_update()
        .filter(member=member, token_hash=attempt, ended_at__isnull=True)
        .first()
    )
    if row is None:
        raise ValidationError(MSG_ATTEMPT_OVER)
    row.code_verified_at = timezone.now()
    row.save(update_fields=["code_verified_at"])


def recovery_password_allowed(*, member: Member, token: str) -> bool:
    """Has this open attempt passed its code (so its new password may be set)?"""
    return RecoveryAttempt.objects.filter(
        member=member,
        token_hash=_attempt_digest(token),
        ended_at__isnull=True,
        code_verified_at__isnull=False,
    ).exists()


def recovery_complete(
    *,
    member: Member,
    token: str,
    password: str,
    request: HttpRequest | None = None,
) -> None:
    """Set the new password of an attempt that passed its code, unlock the access and
    end the attempt. Raises ``RecoveryError`` otherwise.

    ``password`` must already have passed ``credentials.password_clean``. Every other
    session of the member ends (the password's hash changes).
    """
    user = member.user
    member.refresh_from_db(fields=["contact_changed_at"])
    if recovery_cooling_off(member=member, request=request):
        # The contact changed during the attempt: the code may have gone to the new one.
        raise RecoveryError(contact_cooling_off_message())
    with transaction.atomic():
        attempt = (
            RecoveryAttempt.objects.select_for_update()
            .filter(member=member, token_hash=_attempt_digest(token), ended_at__isnull=True)
            .first()
        )
        if attempt is None or attempt.code_verified_at is None:
            raise RecoveryError(MSG_ATTEMPT_OVER)
        credentials.password_set(
            user=user, password=password, request=request, kind=AuditKind.PASSWORD_RECOVERED
        )
        credentials.access_unlock(user=user, request=request)
        attempt.ended_at = timezone.now()
        attempt.save(update_fields=["ended_at"])


def sessions_end(*, user: Any, keep_session_key: str | None = None) -> int:
    """End every open session of ``user`` (except ``keep_session_key``); returns how many.

    Works with the database-backed session engines (``db``, ``cached_db``: the
    settings use ``db``): each live session is decoded to find its user. A bank's
    session table is small (sessions die after ACCESS_IDLE_TIMEOUT_SECONDS idle), so
    a scan is cheap and needs no extra model.
    """
    engine = import_module(settings.SESSION_ENGINE)
    user_id = str(user.pk)
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in live.iterator():
        if session.session_key == keep_session_key:
            continue
        if str(session.get_decoded().get(SESSION_KEY, "")) == user_id:
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def access_self_block(*, member: Member, request: HttpRequest | None = None) -> None:
    """ "Bloquear mi acceso": lock the member's online access and end all their sessions.

    From the recovery page it runs as the confirmation flow's ``self_block`` operation
    (``access/confirmations.py``), inside the transaction that spends its code; from
    Perfil, after the current password. Only password recovery unlocks it again.
    """
    user = member.user
    with transaction.atomic():
        credentials.access_lock(user=user, reason=OnlineProfile.LockReason.SELF, request=request)
        sessions_end(user=user)
