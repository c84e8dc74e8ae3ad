"""The confirmation flow's writes: start, send the code, resend it, confirm and execute.

    operation = operation_start(member=m, kind="profile_image", content={...}, request=r)
    # "Confirmar" page (kinds with details), then:
    operation_code_send(operation=operation, request=r)
    # … the member types the code …
    operation, executed = operation_confirm(operation=operation, code=typed, request=r)

Lock order, the same everywhere money or credentials change (DESIGN, CONVENTIONS):
the security challenge → the operation row → product rows → ledger accounts by
ascending id. ``operation_confirm`` takes the first two and checks the operation's
status under them before the code: of two parallel requests with the right code, the
second waits, then finds the operation DONE and returns the first result.

Every transaction here is ``transaction.atomic()``, never durable: the kind's
``execute`` runs inside the one that spends the code, in a savepoint, so a refused
operation (a business error) leaves nothing of itself but the spent code and the
FAILED row that says why.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.confirmation.models import PendingOperation
from enlinea.confirmation.registry import OperationKind, kind_get
from enlinea.security.audit import audit_record
from enlinea.security.codes import (
    ChallengeError,
    challenge_issue,
    challenge_lock,
    challenge_resend,
    challenge_spend,
)
from enlinea.security.models import SecurityEvent
from enlinea.security.ratelimit import MSG_RATE_LIMITED, code_rate_limited

Status = PendingOperation.Status

MSG_EXPIRED = (
    "El tiempo para confirmar esta operación terminó y no se realizó. Vuelve a empezar, por favor."
)
MSG_NOT_PENDING = "Esta operación ya no está pendiente."
MSG_NO_CODE = "Confirma la operación para recibir tu código de seguridad."


class OperationRefused(Exception):
    """The step cannot go ahead; ``str()`` is the Spanish message for the member."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _window() -> timedelta:
    return timedelta(seconds=settings.CONFIRMATION_TTL_SECONDS)


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _json(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """The value as JSON gives it back: what is stored is exactly what is digested.

    Anything that is not plain JSON (a Decimal, a date) is refused: amounts travel as
    integer cents, dates as ISO strings.
    """
    return json.loads(json.dumps(dict(value or {})))


def operation_bound_content(operation: PendingOperation) -> dict[str, Any]:
    """What the operation's code confirms: its own token and its exact content."""
    return {"operation": operation.token, "content": operation.content}


def _audit(
    kind: str, operation: PendingOperation, request: HttpRequest | None, **detail: Any
) -> None:
    audit_record(
        kind=kind,
        request=request,
        member=operation.member,
        operation=operation.kind,
        operation_id=operation.pk,
        **detail,
    )


def _expire_if_due(operation: PendingOperation, request: HttpRequest | None, now: datetime) -> bool:
    """Mark a locked PENDING operation past its time EXPIRED; True if it is expired."""
    if operation.status == Status.EXPIRED:
        return True
    if operation.status != Status.PENDING or now < operation.expires_at:
        return False
    operation.status = Status.EXPIRED
    operation.save(update_fields=["status"])
    _audit(SecurityEvent.OPERATION_EXPIRED, operation, request)
    return True


def _locked(operation_id: int) -> PendingOperation:
    # Only the operation's row is locked (``of``): the member and its user come along.
    return (
        PendingOperation.objects.select_for_update(of=("self",))
        .select_related("member__user")
        .get(pk=operation_id)
    )


def _lock_challenge(challenge_id: int | None) -> None:
    """The first lock of the order (challenge → operation row → products → ledger)."""
    if challenge_id is not None:
        challenge_lock(challenge_id)


def _code_issue(
    operation: PendingOperation, kind: OperationKind, request: HttpRequest | None
) -> None:
    """Send the operation's code (bound to its token and content); inside a transaction
    that holds the operation row."""
    challenge = challenge_issue(
        member=operation.member,
        kind=operation.kind,
        content=operation_bound_content(operation),
        description=kind.description,
        request=request,
        scope=operation.token,
    )
    operation.challenge = challenge
    operation.expires_at = challenge.expires_at + _window()
    operation.save(update_fields=["challenge", "expires_at"])


def operation_refresh(
    *, operation: PendingOperation, request: HttpRequest | None = None
) -> PendingOperation:
    """The operation as it is now: a PENDING one past its time becomes EXPIRED."""
    if operation.status != Status.PENDING or timezone.now() < operation.expires_at:
        return operation
    with transaction.atomic():
        _lock_challenge(operation.challenge_id)
        locked = _locked(operation.pk)
        _expire_if_due(locked, request, timezone.now())
    return locked


def operation_start(
    *,
    member: Any,
    kind: str,
    content: Mapping[str, Any],
    request: HttpRequest,
) -> PendingOperation:
    """Open a pending operation from a validated form; returns it (PENDING).

    A kind without a "Confirmar" page gets its code at once; a kind with one gets it
    from ``operation_code_send``. Raises ``OperationRefused`` when the member's code
    rate limit is reached (nothing is kept then).
    """
    spec = kind_get(kind)
    stored = _json(content)
    if not spec.confirm_page and code_rate_limited(request, member):
        raise OperationRefused(MSG_RATE_LIMITED, code="rate_limited")
    now = timezone.now()
    with transaction.atomic():
        if spec.single:
            earlier = PendingOperation.objects.select_for_update(of=("self",)).filter(
                member=member, kind=spec.name, status=Status.PENDING
            )
            for previous in earlier.select_related("member__user"):
                previous.status = Status.EXPIRED
                previous.save(update_fields=["status"])
                _audit(SecurityEvent.OPERATION_EXPIRED, previous, request, replaced=True)
        operation = PendingOperation.objects.create(
            token=_new_token(),
            member=member,
            kind=spec.name,
            content=stored,
            created_at=now,
            expires_at=now + _window(),
        )
        _audit(SecurityEvent.OPERATION_STARTED, operation, request)
        if not spec.confirm_page:
            _code_issue(operation, spec, request)
    return operation


def operation_code_send(*, operation: PendingOperation, request: HttpRequest) -> PendingOperation:
    """ "Confirmar" on the operation's page: send its code (once; a second click, or a
    second tab, finds it sent and sends nothing more)."""
    spec = kind_get(operation.kind)
    if operation.status != Status.PENDING or operation.challenge_id is not None:
        return operation
    # Counted (and a refusal audited) outside the transaction, which may roll back.
    if code_rate_limited(request, operation.member):
        raise OperationRefused(MSG_RATE_LIMITED, code="rate_limited")
    with transaction.atomic():
        locked = _locked(operation.pk)
        if locked.status != Status.PENDING or locked.challenge_id is not None:
            return locked
        if _expire_if_due(locked, request, timezone.now()):
            return locked
        _code_issue(locked, spec, request)
    return locked


def operation_code_resend(*, operation: PendingOperation, request: HttpRequest) -> PendingOperation:
    """ "Reenviar": a new code for the same operation, which lives on with it.

    Raises ``OperationRefused`` (rate limit, not pending, expired) or the codes'
    ``ChallengeError`` (cool-down, cap), each with its Spanish message.
    """
    if operation.challenge_id is None:  # set once, when the first code is sent
        raise OperationRefused(MSG_NO_CODE, code="no_code")
    if code_rate_limited(request, operation.member):
        raise OperationRefused(MSG_RATE_LIMITED, code="rate_limited")
    expired = False
    with transaction.atomic():
        _lock_challenge(operation.challenge_id)
        locked = _locked(operation.pk)
        if locked.status != Status.PENDING:
            raise OperationRefused(MSG_NOT_PENDING, code="not_pending")
        expired = _expire_if_due(locked, request, timezone.now())
        if not expired:
            challenge = challenge_resend(
                challenge_id=locked.challenge_id, member=locked.member, request=request
            )
            locked.expires_at = challenge.expires_at + _window()
            locked.save(update_fields=["expires_at"])
    if expired:
        raise OperationRefused(MSG_EXPIRED, code="expired")
    return locked


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", "") or exc)


def operation_confirm(
    *, operation: PendingOperation, code: str, request: HttpRequest | None
) -> tuple[PendingOperation, bool]:
    """ "Validar": check the code and, if right, execute the operation; once.

    Returns ``(operation, executed)``: ``executed`` is False when the operation was
    already over (DONE/FAILED by an earlier request: its first result stands; or it
    EXPIRED just now). Raises the codes' ``ChallengeError`` for a refused code (the
    wrong try is counted: it commits with this transaction) and ``OperationRefused``
    when no code was sent yet (a kind with a "Confirmar" page not confirmed).

    In one transaction, in the lock order: the challenge, the operation row, its
    status, the code checked and spent in one step (``challenge_spend``: a refusal is
    raised after COMMIT, so a wrong try stays counted), then the kind's ``execute`` in
    a savepoint. A business error from ``execute`` (the kind's
    ``errors``: ValidationError, ProductError…) rolls the savepoint back and the
    operation becomes FAILED with its message; the code stays spent.
    """
    spec = kind_get(operation.kind)
    if operation.challenge_id is None:  # set once, when the first code is sent
        raise OperationRefused(MSG_NO_CODE, code="no_code")
    failure: ChallengeError | None = None
    with transaction.atomic():
        challenge = challenge_lock(operation.challenge_id)
        locked = _locked(operation.pk)
        if locked.status != Status.PENDING:
            return locked, False
        if _expire_if_due(locked, request, timezone.now()):
            return locked, False
        failure = challenge_spend(
            challenge,
            member=locked.member,
            kind=locked.kind,
            content=operation_bound_content(locked),
            code=code,
            request=request,
        )
        if failure is None:  # the code was right and is now spent: execute
            try:
                with transaction.atomic():
                    result = _json(spec.execute(locked, request))
            except spec.errors as exc:
                locked.status = Status.FAILED
                locked.result = {"message": _failure_message(exc)}
                _audit(SecurityEvent.OPERATION_FAILED, locked, request, error=type(exc).__name__)
            else:
                locked.status = Status.DONE
                locked.result = result
                _audit(SecurityEvent.OPERATION_DONE, locked, request)
            locked.done_at = timezone.now()
            locked.save(update_fields=["status", "result", "done_at"])
    if failure is not None:
        raise failure
    return locked, True


def operation_expire_due(*, now: datetime | None = None) -> int:
    """Mark every PENDING operation past its time EXPIRED (a periodic job); how many."""
    now = now or timezone.now()
    expired = 0
    due = PendingOperation.objects.filter(status=Status.PENDING, expires_at__lte=now)
    for pk in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            locked = _locked(pk)
            expired += _expire_if_due(locked, None, now)
    return expired
