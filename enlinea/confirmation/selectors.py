"""Reads of the confirmation flow: a member's operation by token, its code step."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import kind_get
from enlinea.members.services import mask_email, mask_mobile_phone
from enlinea.security.models import SecurityChallenge

# The tokens of the public operations (no login) this browser session started.
SESSION_OPERATIONS = "enlinea_operations"


def operation_for_member(*, member: Any, token: str) -> PendingOperation:
    """The member's own operation with this token; 404 for anyone else's (or none)."""
    operation = (
        PendingOperation.objects.select_related("member__user", "challenge")
        .filter(token=token, member=member)
        .first()
    )
    if operation is None:
        raise Http404("No encontramos esa operación.")
    return operation


def operation_for_session(*, session: Any, token: str) -> PendingOperation | None:
    """A public kind's operation started by this browser session (its token is kept in
    the session), or None."""
    if token not in session.get(SESSION_OPERATIONS, []):
        return None
    operation = (
        PendingOperation.objects.select_related("member__user", "challenge")
        .filter(token=token)
        .first()
    )
    if operation is None or not kind_get(operation.kind).public:
        return None
    return operation


def operation_next_url(operation: PendingOperation) -> str:
    """Where the member goes from here: the Confirmar page, the code or the result."""
    if operation.status == PendingOperation.Status.DONE:
        kind = kind_get(operation.kind)
        if kind.result_url is not None:
            return kind.result_url(operation)
    if operation.status in (PendingOperation.Status.DONE, PendingOperation.Status.FAILED):
        return reverse("confirmation:result", kwargs={"token": operation.token})
    if operation.status == PendingOperation.Status.PENDING and operation.challenge_id:
        return reverse("confirmation:code", kwargs={"token": operation.token})
    return reverse("confirmation:operation", kwargs={"token": operation.token})


def sent_to(member: Any) -> str:
    """Where the codes go, masked: «Enviamos el código a an***@example.com y al celular
    09*****567.» (the member's registered e-mail and mobile)."""
    places = []
    if member.email:
        places.append(mask_email(member.email))
    if member.mobile_phone:
        places.append(f"al celular {mask_mobile_phone(member.mobile_phone)}")
    if not places:
        return ""
    return f"Enviamos el código a {' y '.join(places)}."


@dataclass(frozen=True)
class CodeStep:
    """What the "Factor de seguridad" dialog shows about the operation's code."""

    expires_at: datetime
    sent_to: str
    resend_wait: int  # seconds until "Reenviar" works again (0: now)
    resend_capped: bool  # no more codes for this operation

    def as_context(self) -> dict[str, Any]:
        return {
            "expires_at": self.expires_at,
            "sent_to": self.sent_to,
            "resend_wait": self.resend_wait,
            "resend_capped": self.resend_capped,
        }


def code_step(challenge: SecurityChallenge | None, member: Any) -> CodeStep:
    now = timezone.now()
    if challenge is None:
        return CodeStep(now, sent_to(member), 0, False)
    elapsed = (now - challenge.sent_at).total_seconds()
    wait = max(0, math.ceil(settings.ACCESS_CODE_RESEND_COOLDOWN_SECONDS - elapsed))
    return CodeStep(
        expires_at=challenge.expires_at,
        sent_to=sent_to(member),
        resend_wait=wait,
        resend_capped=challenge.resends >= settings.ACCESS_CODE_MAX_RESENDS,
    )
