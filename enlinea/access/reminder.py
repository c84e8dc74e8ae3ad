"""«¿Olvidaste tu usuario?»: the username, e-mailed after the cédula and a security code.

The member types the cédula; a code goes to the registered e-mail and mobile through
the shared code flow (``codes.challenge_issue`` / ``challenge_verify`` /
``challenge_use`` with kind ``KIND``); the right code sends the username to the
registered e-mail. The page itself never shows it.

Nothing tells a stranger whether a cédula belongs to a member with online access: an
unknown cédula, a member without online access (or still with temporary
credentials) and a member whose contact details changed within the cooling-off get
the same code step, but no code is sent and every code is refused exactly as a wrong
code is refused (the same messages, the same count of tries, the same expiry, the
same resend cool-down and cap). That decoy keeps its counters in the shared cache
(atomic ``incr``), like the login's decoy failures.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.access.models import AuditKind, OnlineProfile
from enlinea.members.models import Member
from enlinea.members.selectors import member_contact_cooling_off
from enlinea.notifications.models import Channel
from enlinea.notifications.services import notification_send
from enlinea.security import codes
from enlinea.security.audit import audit_record
from enlinea.security.codes import ChallengeError
from enlinea.security.models import SecurityChallenge

KIND = "username_reminder"
DESCRIPTION = "Recordar tu usuario"
NOTIFICATION_KIND = "recordatorio_usuario"
# Longer than an attempt can live (views keep it 15 minutes).
_DECOY_TTL_SECONDS = 3600


def reminder_member_find(*, identification: str) -> Member | None:
    """The member who may get the username reminder for this cédula, or None.

    Only a member whose online access is set up (not temporary), active and not
    staff; a locked access counts (its member needs the username to unlock it with
    «¿Olvidaste tu contraseña?»). Not during the contact cooling-off: the username
    would go to a contact that may have just been taken over.
    """
    member = (
        Member.objects.select_related("user")
        .filter(
            identification_type="CEDULA",
            identification=identification,
            user__isnull=False,
            user__is_active=True,
            user__is_staff=False,
        )
        .first()
    )
    if member is None:
        return None
    temporary = (
        OnlineProfile.objects.filter(user=member.user).values_list("temporary", flat=True).first()
    )
    if temporary or member_contact_cooling_off(member):
        return None
    return member


def reminder_start(
    *, identification: str, member: Member | None, request: HttpRequest | None
) -> dict[str, Any]:
    """Begin an attempt and send its code (nothing is sent when ``member`` is None).

    Returns the attempt's state for the caller to keep (the session): it holds no
    secret, and the same keys whether or not a code went out.
    """
    state: dict[str, Any] = {
        "member": member.pk if member is not None else None,
        "identification": identification,
        "nonce": secrets.token_hex(8),
        "started": timezone.now().isoformat(),
        "challenge": None,
    }
    if member is None:
        _decoy_issue(state)
    else:
        challenge = codes.challenge_issue(
            member=member,
            kind=KIND,
            content=reminder_content(state),
            description=DESCRIPTION,
            request=request,
        )
        state["challenge"] = challenge.pk
    audit_record(
        kind=AuditKind.USERNAME_REMINDED,
        request=request,
        member=member,
        step="code_sent" if member is not None else "no_eligible_member",
    )
    return state


def reminder_content(state: dict[str, Any]) -> dict[str, Any]:
    """What the attempt's code confirms: this member, this attempt."""
    return {"member": state["member"], "nonce": state["nonce"]}


def reminder_member(state: dict[str, Any]) -> Member | None:
    if state.get("member") is None:
        return None
    return Member.objects.select_related("user").filter(pk=state["member"]).first()


def reminder_expires_at(state: dict[str, Any]) -> datetime:
    """When the attempt's current code dies (for the countdown)."""
    member = reminder_member(state)
    if member is not None:
        challenge = SecurityChallenge.objects.filter(
            pk=state.get("challenge"), member=member
        ).first()
        return challenge.expires_at if challenge is not None else timezone.now()
    sent = _decoy_state(state)
    if sent is None:
        return timezone.now()
    return datetime.fromtimestamp(
        sent["sent_at"] + settings.ACCESS_CODE_TTL_SECONDS, tz=timezone.get_current_timezone()
    )


def reminder_resend(*, state: dict[str, Any], request: HttpRequest | None) -> None:
    """ "Reenviar": raises ChallengeError (cool-down, cap) like ``codes.challenge_resend``."""
    member = reminder_member(state)
    if member is not None:
        codes.challenge_resend(challenge_id=state["challenge"], member=member, request=request)
    else:
        _decoy_resend(state)


def reminder_complete(*, state: dict[str, Any], code: str, request: HttpRequest | None) -> None:
    """Check the code; when right, e-mail the username. Raises ChallengeError.

    The decoy attempt refuses every code the way a wrong code is refused.
    """
    member = reminder_member(state)
    if member is None or member.user is None:
        _decoy_verify(state, code)
        raise AssertionError("a decoy code is never accepted")  # pragma: no cover
    content = reminder_content(state)
    codes.challenge_verify(
        challenge_id=state.get("challenge"),
        member=member,
        kind=KIND,
        content=content,
        code=code,
        request=request,
    )
    with transaction.atomic():
        codes.challenge_use(
            challenge_id=state["challenge"], member=member, kind=KIND, content=content
        )
        user = get_user_model().objects.get(pk=member.user_id)
        # Only to the e-mail: the SMS already carried the code, the username goes apart.
        notification_send(
            kind=NOTIFICATION_KIND,
            context={"member": member, "username": user.get_username(), "when": timezone.now()},
            email=member.email,
            channels=[Channel.EMAIL],
        )
        audit_record(kind=AuditKind.USERNAME_REMINDED, request=request, user=user, step="sent")


# ---------------------------------------------------------------- the decoy attempt


def _decoy_key(state: dict[str, Any], what: str) -> str:
    return f"reminder-decoy-{what}:{state['nonce']}"


def _decoy_state(state: dict[str, Any]) -> dict[str, Any] | None:
    return cache.get(_decoy_key(state, "sent"))


def _decoy_issue(state: dict[str, Any], resends: int = 0) -> None:
    cache.set(
        _decoy_key(state, "sent"), {"sent_at": time.time(), "resends": resends}, _DECOY_TTL_SECONDS
    )
    cache.set(_decoy_key(state, "tries"), 0, _DECOY_TTL_SECONDS)


def _decoy_resend(state: dict[str, Any]) -> None:
    sent = _decoy_state(state)
    if sent is None:
        raise ChallengeError(codes.MSG_NOT_FOUND, code="not_found")
    if sent["resends"] >= settings.ACCESS_CODE_MAX_RESENDS:
        raise ChallengeError(codes.MSG_RESEND_CAP, code="resend_cap")
    wait = settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS - (time.time() - sent["sent_at"])
    if wait > 0:
        raise ChallengeError(codes.MSG_RESEND_WAIT.format(n=int(wait) + 1), code="resend_wait")
    _decoy_issue(state, resends=sent["resends"] + 1)


def _decoy_verify(state: dict[str, Any], code: str) -> None:
    """Refuse ``code`` in the order and words of ``codes.challenge_verify``."""
    typed = "".join(c for c in (code or "") if not c.isspace())
    if len(typed) != codes.CODE_LENGTH or not (typed.isascii() and typed.isdigit()):
        raise ChallengeError(codes.MSG_FORMAT, code="format")
    sent = _decoy_state(state)
    if sent is None:
        raise ChallengeError(codes.MSG_NOT_FOUND, code="not_found")
    tries_key = _decoy_key(state, "tries")
    maximum = settings.ACCESS_CODE_MAX_TRIES
    exhausted = codes.MSG_EXHAUSTED.format(n=maximum)
    if (cache.get(tries_key) or 0) >= maximum:
        raise ChallengeError(exhausted, code="exhausted")
    if time.time() >= sent["sent_at"] + settings.ACCESS_CODE_TTL_SECONDS:
        raise ChallengeError(codes.MSG_EXPIRED, code="expired")
    cache.add(tries_key, 0, _DECOY_TTL_SECONDS)
    try:
        tries = cache.incr(tries_key)
    except ValueError:  # evicted between add and incr
        cache.set(tries_key, 1, _DECOY_TTL_SECONDS)
        tries = 1
    left = maximum - tries
    if left <= 0:
        raise ChallengeError(exhausted, code="exhausted", attempts_left=0)
    raise ChallengeError(
        codes.MSG_WRONG.format(left=codes.tries_left(left)), code="wrong", attempts_left=left
    )
