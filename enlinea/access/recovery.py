"""Password recovery ("¿Olvidaste tu contraseña?"), self-block and ending sessions.

Recovery is the only way to unlock an access locked by failed logins or blocked by
the member (the FAQ's fraud case): cédula + usuario, then security questions, then a
security code, then a new password. Views keep the attempt's state in the session;
these functions hold the rules.
"""

from __future__ import annotations

import random
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access import credentials
from enlinea.access.audit import audit_record
from enlinea.access.codes import challenge_use
from enlinea.access.models import AuditKind, OnlineProfile
from enlinea.members.models import Member

RECOVERY_KIND = "recovery"
SELF_BLOCK_KIND = "self_block"
# Wrong sets of answers allowed in one recovery attempt (then it starts over, and the
# per-cédula rate limit bounds the attempts).

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


def recovery_questions_pick(*, user: Any) -> list[str]:
    """ACCESS_RECOVERY_QUESTIONS of the member's answered questions, at random.

    Empty when the member has fewer answered questions (first login not finished).
    """
    answered = credentials.answered_questions(user=user)
    count = settings.ACCESS_RECOVERY_QUESTIONS
    if len(answered) < count:
        return []
    return random.SystemRandom().sample(answered, count)


def recovery_answers_failed(*, user: Any, wrong: int, request: HttpRequest | None) -> int:
    """Audit a wrong set of answers; returns the tries left in this attempt (0 = it ends)."""
    left = max(0, settings.ACCESS_RECOVERY_MAX_ANSWER_TRIES - wrong)
    audit_record(
        kind=AuditKind.RECOVERY_FAILED,
        request=request,
        user=user,
        step="answers",
        wrong=wrong,
        attempt_ended=left == 0,
    )
    return left


def recovery_complete(
    *,
    member: Member,
    challenge_id: int,
    content: dict[str, Any],
    password: str,
    request: HttpRequest | None = None,
) -> None:
    """Spend the verified recovery code, set the new password and unlock the access.

    ``password`` must already have passed ``credentials.password_clean``. Every other
    session of the member ends (the password's hash changes).
    """
    user = member.user
    with transaction.atomic():
        challenge_use(challenge_id=challenge_id, member=member, kind=RECOVERY_KIND, content=content)
        credentials.password_set(
            user=user, password=password, request=request, kind=AuditKind.PASSWORD_RECOVERED
        )
        credentials.access_unlock(user=user, request=request)


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


def access_self_block(
    *, member: Member, request: HttpRequest | None = None, challenge: dict[str, Any] | None = None
) -> None:
    """ "Bloquear mi acceso": lock the member's online access and end all their sessions.

    From recovery, ``challenge`` is ``{"challenge_id": …, "content": …}`` of a verified
    code, spent in the same transaction. Only password recovery unlocks it again.
    """
    user = member.user
    with transaction.atomic():
        if challenge is not None:
            challenge_use(member=member, kind=SELF_BLOCK_KIND, **challenge)
        credentials.access_lock(user=user, reason=OnlineProfile.LockReason.SELF, request=request)
    sessions_end(user=user)
