"""The one mechanism behind a member's money operation with a receipt.

Transfers (own, internal, interbank), interbank credits received and service payments
all do the same steps, written once here:

1. refuse a bad amount or an account that may not move money, in Spanish;
2. use the operation's cupo when it has one (``limit_reserve`` locks the member's
   ``TransferLimit`` row and refuses an amount over what remains), then lock the deposit
   accounts involved (``DepositAccount``, ascending id), then the ledger accounts
   (``entry_record`` locks those itself): the lock order of
   ``enlinea.products.locking``, which every money service follows;
3. answer a replayed idempotency key with its first receipt (checked again under the
   lock, so two parallel first requests with one key post once);
4. read the operation's fee from the tariff and check that the available balance covers
   the amount plus the fee before anything is posted;
5. post the operation's entry, then its COMISIÓN and IVA as movements of their own
   (``fees_post``) — or, for a returned transfer, the COMISIÓN and IVA it had charged
   credited back as movements of their own (``refund``) —, and issue the one receipt
   that links them.

``operation_record`` runs in ``transaction.atomic()``: its own transaction when a service
is called on its own, a savepoint inside the caller's (the confirmation flow runs it in
the transaction that spends the security code). ``durable=True`` belongs to the entry
point that begins the transaction, never to a service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from enlinea.ledger.errors import LedgerError
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry, LedgerAccount
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.limits.services import limit_reserve
from enlinea.money import format_cents, max_amount, over_maximum_message
from enlinea.products.locking import accounts_lock
from enlinea.products.models import AccountStatus, DepositAccount, SignatureCondition
from enlinea.products.services import ProductError
from enlinea.receipts.models import Channel, Receipt
from enlinea.receipts.services import Counterpart, receipt_issue
from enlinea.tariff.services import Fees, fees_for, fees_post

_CONFLICT = (
    "Esta solicitud ya se registró con otros datos (comprobante N.º {number}); no se aplicó "
    "de nuevo. Para una operación nueva, vuelve a abrir el formulario."
)


def amount_check(amount: int) -> int:
    """Refuse what is not a positive amount of cents the database can hold."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("Amounts are integer cents")
    if amount <= 0:
        raise ProductError("El monto debe ser mayor a cero.")
    if amount > max_amount():
        raise ProductError(over_maximum_message())
    return amount


def online_check(source: DepositAccount, channel: str, action: str) -> None:
    """Manual, prerrequisitos: a joint-signature account cannot move money online."""
    if channel == Channel.WEB and source.signature == SignatureCondition.JOINT:
        raise ProductError(
            f"La cuenta …{source.number[-4:]} requiere firmas conjuntas: no puede "
            f"{action} por Banca Web. Acércate a una agencia."
        )


def _tail(account: DepositAccount) -> str:
    return f"…{account.number[-4:]}"


def _must_be_active(account: DepositAccount, role: str) -> None:
    if account.status != AccountStatus.ACTIVE:
        raise ProductError(
            f"La cuenta {role} {_tail(account)} está {account.get_status_display()}: "
            "no admite transferencias ni pagos."
        )


@dataclass(frozen=True)
class Operation:
    """What one member operation posts and what its receipt shows.

    ``debit`` is the member's account that pays (checked ACTIVA, charged the fee) and
    ``credit`` the member's account that receives (None when the money goes to or comes
    from a cooperative ledger account, ``coop_account_id``). The receipt belongs to the
    holder of ``receipt_account``.

    ``limit_scope`` is the cupo the operation uses (``enlinea.limits.models.Scope``;
    None: none, as between a member's own accounts): the debit's member's cupo of that
    scope is reserved with the idempotency key as reference. ``refund`` is a fee charged
    by an earlier operation, credited back to ``credit`` as COMISIÓN and IVA movements
    of their own ("NC DEVOLUCIÓN COMISIÓN <refund_concept>"); the receipt's value is
    then everything credited."""

    receipt_kind: str
    entry_kind: str
    description: str
    channel: str
    amount: int
    idempotency_key: str
    receipt_account: DepositAccount
    debit: DepositAccount | None = None
    credit: DepositAccount | None = None
    coop_account_id: int | None = None
    tariff_operation: str | None = None
    fee_concept: str = ""
    motive: str = ""
    counterpart: Counterpart | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    occurred_at: dt.datetime | None = None
    credit_refused_when: Sequence[str] = (AccountStatus.INACTIVE, AccountStatus.BLOCKED)
    limit_scope: str | None = None
    refund: Fees | None = None
    refund_concept: str = ""

    @property
    def receipt_amount(self) -> int:
        return self.amount + (self.refund.total if self.refund else 0)


_LIMIT_REFERENCE_MAX = 100


def limit_reference(idempotency_key: str) -> str:
    """The cupo usage's reference for an operation's key (``LimitUsage.reference`` holds
    100 characters; a longer key is hashed, the same way every time)."""
    if len(idempotency_key) <= _LIMIT_REFERENCE_MAX:
        return idempotency_key
    return "sha256:" + hashlib.sha256(idempotency_key.encode()).hexdigest()


def _replayed(op: Operation) -> Receipt | None:
    receipt = Receipt.objects.filter(idempotency_key=op.idempotency_key).first()
    if receipt is None:
        return None
    if (
        receipt.kind != op.receipt_kind
        or receipt.account_id != op.receipt_account.pk
        or receipt.amount != op.receipt_amount
    ):
        raise ProductError(_CONFLICT.format(number=receipt.number))
    return receipt


def operation_record(op: Operation) -> Receipt:
    """Post ``op`` with its tariff fee and issue its receipt, all or nothing.

    Runs in ``transaction.atomic()`` (a savepoint inside the caller's transaction). A
    replayed key returns the first receipt and posts nothing; any refusal raises
    :class:`ProductError` and leaves nothing of the operation.
    """
    if not op.idempotency_key:
        raise ValueError("An idempotency key is required")
    amount_check(op.amount)
    # A replay is answered before the cupo is reserved (its own first use must not
    # refuse it); without a cupo, the check under the accounts' lock is the one.
    if op.limit_scope is not None and (receipt := _replayed(op)) is not None:
        return receipt
    with transaction.atomic():
        if op.limit_scope is not None:
            _limit_use(op)
        return _record(op)


def _limit_use(op: Operation) -> None:
    """Step 3 of the lock order (the member's cupo row), before the deposit accounts."""
    if op.debit is None:
        raise ValueError("Only an operation that debits a member's account uses a cupo")
    limit_reserve(
        member=op.debit.member,
        scope=op.limit_scope,
        amount=op.amount,
        reference=limit_reference(op.idempotency_key),
        at=op.occurred_at,
    )


def _refund_post(*, refund: Fees, account: DepositAccount, op: Operation) -> list[JournalEntry]:
    """Credit back a COMISIÓN and its IVA charged earlier, each its own movement, in the
    order they were charged (the cooperative's accounts in the order every operation
    locks them: counterpart, commission, IVA)."""
    entries = []
    for suffix, amount, kind, source, label in (
        (
            "comision",
            refund.commission,
            "fee_commission_refund",
            LedgerKind.COMMISSION_INCOME,
            "COMISIÓN",
        ),
        ("iva", refund.iva, "fee_iva_refund", LedgerKind.IVA_PAYABLE, "IVA"),
    ):
        if amount <= 0:
            continue
        entries.append(
            entry_record(
                idempotency_key=f"{op.idempotency_key}:{suffix}",
                kind=kind,
                lines=[
                    Line(coop_account(source).pk, -amount),
                    Line(account.ledger_account_id, amount),
                ],
                description=f"NC DEVOLUCIÓN {label} {op.refund_concept}".strip()[:200],
                occurred_at=op.occurred_at,
            )
        )
    return entries


def _record(op: Operation) -> Receipt:
    locked = accounts_lock(op.debit, op.credit)
    if (receipt := _replayed(op)) is not None:  # a parallel first request came first
        return receipt
    debit = locked[op.debit.pk] if op.debit is not None else None
    credit = locked[op.credit.pk] if op.credit is not None else None
    if debit is not None:
        _must_be_active(debit, "de origen")
    if credit is not None and credit.status in op.credit_refused_when:
        raise ProductError(
            f"La cuenta de destino {_tail(credit)} está {credit.get_status_display()}: "
            "no puede recibir la transferencia."
        )
    fees = fees_for(op.tariff_operation) if op.tariff_operation else Fees(0, 0)
    if debit is not None:
        available = LedgerAccount.objects.get(pk=debit.ledger_account_id).available
        needed = op.amount + fees.total
        if available < needed:
            fee_note = (
                f" ({format_cents(op.amount)} más {format_cents(fees.total)} de comisión e IVA)"
                if fees.total
                else ""
            )
            raise ProductError(
                f"Saldo disponible insuficiente: la cuenta {_tail(debit)} tiene "
                f"{format_cents(max(available, 0))} disponibles y la operación requiere "
                f"{format_cents(needed)}{fee_note}."
            )
    from_id = debit.ledger_account_id if debit is not None else op.coop_account_id
    to_id = credit.ledger_account_id if credit is not None else op.coop_account_id
    if from_id is None or to_id is None:
        raise ValueError("An operation needs a debit side and a credit side")
    try:
        entry = entry_record(
            idempotency_key=op.idempotency_key,
            kind=op.entry_kind,
            lines=[Line(from_id, -op.amount), Line(to_id, op.amount)],
            description=op.description[:200],
            metadata=op.metadata,
            occurred_at=op.occurred_at,
        )
        entries = [entry]
        if debit is not None and fees.total:
            entries += fees_post(
                fees=fees,
                account=debit,
                idempotency_key=op.idempotency_key,
                concept=op.fee_concept,
                occurred_at=op.occurred_at,
            )
        if credit is not None and op.refund is not None:
            entries += _refund_post(refund=op.refund, account=credit, op=op)
    except LedgerError as exc:
        # A movement outside this lock (cash, a card purchase) took the money first, or
        # the key was used for another entry: the caller's transaction undoes it all.
        raise ProductError(exc.message) from exc
    holder = locked.get(op.receipt_account.pk, op.receipt_account)
    return receipt_issue(
        member=holder.member,
        kind=op.receipt_kind,
        channel=op.channel,
        amount=op.receipt_amount,
        entries=entries,
        idempotency_key=op.idempotency_key,
        account=op.receipt_account,
        commission=fees.commission,
        iva=fees.iva,
        motive=op.motive,
        counterpart=op.counterpart,
        occurred_at=op.occurred_at,
    )
