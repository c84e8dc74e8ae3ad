"""Cupos: personalizing them, and checking and using them atomically with a transfer.

A member has two cupos — INTERNAL (to other members of this cooperative) and EXTERNAL
(interbank) — each with a daily, a weekly (Monday to Sunday) and a monthly amount, in
the cooperative's time zone. Each is at most the institution's maximum
(``InstitutionLimit``, edited in the back office); a member who never personalized has
the maximum. Transfers between a member's own accounts use no cupo.

How a transfer uses its cupo, inside the transaction that posts its debit::

    with transaction.atomic(durable=True):          # the entry point's transaction
        ... spend the security code, lock the operation row ...
        limit_reserve(member=m, scope=Scope.EXTERNAL, amount=a, reference=key)
        ... lock the DepositAccount rows, post the debit ...

``limit_reserve`` locks the member's ``TransferLimit`` row of that scope, adds up the
usages of the day, the week and the month, refuses when the amount does not fit
(``LimitExceeded``: "El monto supera tu cupo diario disponible de $ 1,500.00.") and
otherwise writes a ``LimitUsage``. Two parallel transfers of one member and scope wait
for each other on that row, so together they can never pass a cupo; if the transfer is
refused later (balance, closed destination) its transaction rolls the usage back with
everything else. A transfer the interbank network returns gives its usage back with
``limit_release``.

Lock order (the one order of the whole codebase, with this row's place in it)::

    security challenge → operation row → member's TransferLimit row (this module)
      → product rows (DepositAccount, … by ascending id) → ledger accounts (ascending id)

The limit row is a product-level row of the member: it is taken after the challenge and
the operation row and before any deposit account row (an interbank return takes it
before crediting the account back). A transfer uses one scope, so it locks one limit
row; code that ever needs both of a member's rows takes INTERNAL before EXTERNAL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from enlinea.limits.errors import LimitError, LimitExceeded
from enlinea.limits.models import PERIOD_ADJECTIVE, PERIODS, LimitUsage, Scope, TransferLimit
from enlinea.limits.selectors import (
    Amounts,
    amount_check,
    cupo_of,
    maximums_for,
    moment_of,
    refusal,
    scope_check,
    used_of,
)
from enlinea.money import format_cents, max_amount
from enlinea.notifications.services import member_notify
from enlinea.security.audit import audit_record
from enlinea.security.audit_kinds import audit_kind_register

__all__ = [
    "LimitError",
    "LimitExceeded",
    "limit_release",
    "limit_reserve",
    "limits_set",
    "limits_validate",
    "maximums_validate",
]

AUDIT_LIMITS_CHANGED = audit_kind_register(
    "limits_changed", "Cupos de transferencia personalizados"
)
NOTICE_KIND = "cupos_actualizados"
_REFERENCE_MAX = LimitUsage._meta.get_field("reference").max_length


def _value_errors(values: dict[str, Any], noun: str) -> dict[str, str]:
    """Per field: missing or not positive."""
    errors: dict[str, str] = {}
    for period in PERIODS:
        value = values[period]
        if value is None:
            errors[period] = f"Ingresa el {noun} {PERIOD_ADJECTIVE[period]}."
        elif isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("Cupos are integer cents")
        elif value <= 0:
            errors[period] = f"El {noun} {PERIOD_ADJECTIVE[period]} debe ser mayor a cero."
    return errors


def _order_errors(values: dict[str, Any], noun: str, errors: dict[str, str]) -> None:
    """Daily ≤ weekly ≤ monthly, said at the longer period's field (when it has no
    message yet and both values are amounts)."""
    for shorter, longer in (("daily", "weekly"), ("weekly", "monthly")):
        if longer in errors or not isinstance(values[shorter], int) or values[shorter] <= 0:
            continue
        if values[longer] < values[shorter]:
            errors[longer] = (
                f"El {noun} {PERIOD_ADJECTIVE[longer]} no puede ser menor que el {noun} "
                f"{PERIOD_ADJECTIVE[shorter]} ({format_cents(values[shorter])})."
            )


def maximums_validate(*, daily: int | None, weekly: int | None, monthly: int | None) -> None:
    """The institution's maximums: positive, daily ≤ weekly ≤ monthly, and within the
    largest amount any service accepts. Raises ``LimitError`` keyed by field."""
    values = {"daily": daily, "weekly": weekly, "monthly": monthly}
    errors = _value_errors(values, "máximo")
    for period in PERIODS:
        if period not in errors and values[period] > max_amount():
            errors[period] = (
                f"El máximo {PERIOD_ADJECTIVE[period]} no puede superar "
                f"{format_cents(max_amount())}."
            )
    _order_errors(values, "máximo", errors)
    if errors:
        raise LimitError(errors)


def limits_validate(
    *, scope: str, daily: int | None, weekly: int | None, monthly: int | None
) -> Amounts:
    """A member's cupos for ``scope``: positive, daily ≤ weekly ≤ monthly, each at most
    the institution's maximum beside it. Returns them; raises ``LimitError`` keyed by
    field (``daily``, ``weekly``, ``monthly``) with every message at once."""
    scope_check(scope)
    values = {"daily": daily, "weekly": weekly, "monthly": monthly}
    errors = _value_errors(values, "cupo")
    maximum = maximums_for(scope)
    for period in PERIODS:
        if period not in errors and values[period] > maximum.get(period):
            errors[period] = (
                f"El cupo {PERIOD_ADJECTIVE[period]} no puede superar el máximo de "
                f"{format_cents(maximum.get(period))} de la cooperativa."
            )
    _order_errors(values, "cupo", errors)
    if errors:
        raise LimitError(errors)
    return Amounts(**values)


def _locked_row(member: Any, scope: str) -> TransferLimit:
    """The member's limit row of ``scope``, locked; created on first use. The unique
    constraint makes the creation race-safe: of two first uses at once, one inserts and
    the other's insert fails inside get_or_create's savepoint and reads the row."""
    row = TransferLimit.objects.select_for_update().filter(member=member, scope=scope).first()
    if row is None:
        created, _ = TransferLimit.objects.get_or_create(member=member, scope=scope)
        row = TransferLimit.objects.select_for_update().get(pk=created.pk)
    return row


def _in_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the lock would end before the debit is posted.
        raise transaction.TransactionManagementError(
            f"{name} must run inside the transaction that posts the transfer"
        )


def limits_set(
    *,
    member: Any,
    scope: str,
    daily: int | None,
    weekly: int | None,
    monthly: int | None,
    request: HttpRequest | None = None,
) -> TransferLimit:
    """Personalize the member's cupos of ``scope`` (lower or raise them up to the
    institution's maximum). Runs in the caller's transaction when there is one (the one
    that spends the security code), in its own otherwise. Audited and notified to the
    member; a change to the same amounts does nothing. Raises ``LimitError`` keyed by
    field and writes nothing when a value is refused."""
    wanted = limits_validate(scope=scope, daily=daily, weekly=weekly, monthly=monthly)
    with transaction.atomic():
        row = _locked_row(member, scope)
        maximum = maximums_for(scope)
        before = cupo_of(row, maximum)
        if row.personalized and before == wanted:
            return row
        for period in PERIODS:
            setattr(row, period, wanted.get(period))
        row.personalized_at = timezone.now()
        row.save(update_fields=[*PERIODS, "personalized_at"])
        audit_record(
            kind=AUDIT_LIMITS_CHANGED,
            request=request,
            member=member,
            scope=scope,
            before=before.as_dict(),
            after=wanted.as_dict(),
            maximum=maximum.as_dict(),
        )
        member_notify(
            member=member,
            kind=NOTICE_KIND,
            context={
                "scope_label": Scope(scope).label.lower(),
                "lines": [
                    {
                        "label": PERIOD_ADJECTIVE[period].capitalize(),
                        "before": format_cents(before.get(period)),
                        "after": format_cents(wanted.get(period)),
                    }
                    for period in PERIODS
                ],
                "when": row.personalized_at,
            },
        )
        return row


def limit_reserve(
    *,
    member: Any,
    scope: str,
    amount: int,
    reference: str,
    at: dt.datetime | None = None,
) -> LimitUsage:
    """Use ``amount`` cents of the member's ``scope`` cupo, or refuse.

    Call it inside the transfer's transaction, before locking its deposit accounts and
    posting its debit (see the lock order above). ``reference`` is the transfer's
    idempotency key: a reservation retried with it returns the first usage and counts
    once. ``at`` is when the transfer happens (now by default; its day, week and month
    are the cooperative's). Raises ``LimitExceeded`` naming the binding period and what
    remains of it; nothing is written then.
    """
    _in_transaction("limit_reserve")
    scope_check(scope)
    amount_check(amount)
    if not reference or len(reference) > _REFERENCE_MAX:
        raise ValueError(f"A reference of 1 to {_REFERENCE_MAX} characters is required")
    moment = moment_of(at)
    row = _locked_row(member, scope)
    earlier = LimitUsage.objects.filter(reference=reference).first()
    if earlier is not None:
        if earlier.limit_id != row.pk or earlier.amount != amount:
            raise LimitError(
                "Esta solicitud ya usó tu cupo con otros datos; no se aplicó de nuevo. "
                "Para una operación nueva, vuelve a abrir el formulario."
            )
        return earlier
    cupo = cupo_of(row, maximums_for(scope))
    used = used_of(row.pk, moment)
    refused = refusal(scope=scope, amount=amount, cupo=cupo, used=used)
    if refused is not None:
        raise refused
    return LimitUsage.objects.create(
        limit=row, amount=amount, occurred_at=moment, reference=reference
    )


def limit_release(*, reference: str, at: dt.datetime | None = None) -> LimitUsage | None:
    """Give back the cupo a returned transfer used (it stops counting in its day, week
    and month). Idempotent; None when no usage has this reference (a transfer that used
    no cupo). Runs in the caller's transaction when there is one (the return's, before
    it credits the account back), in its own otherwise."""
    with transaction.atomic():
        found = LimitUsage.objects.filter(reference=reference).values_list("limit_id").first()
        if found is None:
            return None
        # The limit row first, as limit_reserve does: a release never crosses a reservation.
        list(
            TransferLimit.objects.select_for_update()
            .filter(pk=found[0])
            .values_list("pk", flat=True)
        )
        usage = LimitUsage.objects.select_for_update().get(reference=reference)
        if usage.released_at is None:
            usage.released_at = moment_of(at)
            usage.save(update_fields=["released_at"])
        return usage
