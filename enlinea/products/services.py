"""Writes for members' products. Money moves only through ``enlinea.ledger.services``.

Each service that creates or changes a product takes an idempotency key. A service that
moves money locks the product's (or member's) row first, checks whether its key was
already used, and then records exactly one ledger entry, all in one transaction: its own
when called on its own, a savepoint inside the caller's (the one that spends a security
code). ``durable=True`` belongs to the entry points (views, admin actions, jobs, commands);
the lock order every service follows is written once, in ``enlinea.products.locking``.
Accounts and cards keep the key of the request that created them in a unique column.
A replay of a key returns what the first request made; the same key with other data
is refused.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from enlinea.access.models import AuditKind
from enlinea.ledger.models import AccountKind as LedgerKind
from enlinea.ledger.models import JournalEntry, LedgerAccount, NormalSide
from enlinea.ledger.services import Line, coop_account, entry_record
from enlinea.members.models import Member
from enlinea.money import format_cents, max_amount, over_maximum_message
from enlinea.notifications.services import member_notify
from enlinea.products.card_processor import (
    HOME_COUNTRY,
    CardProcessor,
    card_processor,
    processor_card_ref,
)
from enlinea.products.finance import (
    add_months,
    french_schedule,
    interest_withholding,
    term_deposit_interest,
    term_deposit_maturity,
)
from enlinea.products.locking import accounts_lock, member_lock, row_lock, teller_lock
from enlinea.products.models import (
    AccountKind,
    AccountStatus,
    CardPurchase,
    CardStatus,
    CashKind,
    CashOperation,
    CashStatus,
    CreditCard,
    DebitCard,
    DepositAccount,
    Investment,
    InvestmentStatus,
    Loan,
    LoanInstallment,
    LoanStatus,
    SignatureCondition,
)
from enlinea.products.pins import pin_problem
from enlinea.receipts.models import Channel, ReceiptKind
from enlinea.receipts.services import Counterpart, receipt_issue
from enlinea.security.audit import audit_record

ACCOUNT_PREFIX = {
    AccountKind.SAVINGS: "41",
    AccountKind.PROGRESAR: "42",
    AccountKind.CERTIFICATES: "43",
    AccountKind.CHECKING: "44",
}
DEBIT_BIN = "529971"
CREDIT_BIN = "542301"
MIN_PAYMENT_RATE_BP = 500  # 5 % of the statement balance
MIN_PAYMENT_FLOOR = 1_000  # $ 10.00
PAYMENT_DAYS_AFTER_CUT = 20


class ProductError(ValidationError):
    """A refused product operation; the message is Spanish and meant for people."""


def _positive(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("Amounts are integer cents")
    if amount <= 0:
        raise ProductError("El monto debe ser mayor a cero.")
    if amount > max_amount():
        # Larger amounts overflowed the database's integers (a 500); none is real.
        raise ProductError(over_maximum_message())
    return amount


_CONFLICT = (
    "Esta solicitud ya se registró con otros datos ({what}); no se aplicó de nuevo. "
    "Para una operación nueva, vuelve a abrir el formulario."
)
_Row = TypeVar("_Row", bound=models.Model)


def _replayed(key: str, kind: str) -> JournalEntry | None:
    """The entry an earlier request with ``key`` recorded, if it was this kind of request."""
    entry = JournalEntry.objects.filter(idempotency_key=key).first()
    if entry is not None and entry.kind != kind:
        raise ProductError(_CONFLICT.format(what=f"asiento #{entry.pk}"))
    return entry


def _same_request(existing: _Row, **expected: Any) -> _Row:
    """``existing`` was made by an earlier request with the same idempotency key: return
    it when that request asked for the same thing, refuse when it asked for another."""
    if any(getattr(existing, field) != value for field, value in expected.items()):
        raise ProductError(_CONFLICT.format(what=existing))
    return existing


def _replayed_product(key: str, kind: str, model: type[_Row], **expected: Any) -> _Row | None:
    """The loan or póliza an earlier request with ``key`` opened (its entry's metadata
    names it by number), checked against this request; None for a new key."""
    entry = _replayed(key, kind)
    if entry is None:
        return None
    number = entry.metadata[model._meta.model_name]
    return _same_request(model._default_manager.get(number=number), **expected)


def _create_once(
    model: type[_Row], *, idempotency_key: str, expected: dict[str, Any], create: Callable[[], _Row]
) -> _Row:
    """``create()`` the row for ``idempotency_key`` unless an earlier request did.

    Concurrent first requests with one key all get past the first look; the unique index
    on the key lets one insert win, the others' transactions roll back on IntegrityError
    and they return the winner's row."""
    if not idempotency_key:
        raise ValueError("An idempotency key is required")

    def earlier() -> _Row | None:
        existing = model._default_manager.filter(idempotency_key=idempotency_key).first()
        return None if existing is None else _same_request(existing, **expected)

    if (found := earlier()) is not None:
        return found
    try:
        return create()
    except IntegrityError:
        if (found := earlier()) is not None:
            return found
        raise


def _product_ledger_account(kind: str, side: str, allow_negative: bool, name: str) -> LedgerAccount:
    """A ledger account for one product; its code carries the product number later."""
    return LedgerAccount.objects.create(
        code=f"tmp-{uuid.uuid4().hex[:20]}",
        name=name,
        kind=kind,
        normal_side=side,
        allow_negative=allow_negative,
    )


def _number_from(ledger: LedgerAccount, prefix: str, code_prefix: str) -> str:
    number = f"{prefix}{ledger.pk:08d}"
    ledger.code = f"{code_prefix}-{number}"
    ledger.save(update_fields=["code"])
    return number


# ---------------------------------------------------------------- deposit accounts


def account_open(
    *,
    member: Member,
    idempotency_key: str,
    kind: str = AccountKind.SAVINGS,
    signature: str = SignatureCondition.SINGLE,
    opened_at: datetime.datetime | None = None,
) -> DepositAccount:
    """Open a deposit account for a member, with its own ledger account (never negative).
    A replay of ``idempotency_key`` returns the account it opened."""

    def create() -> DepositAccount:
        with transaction.atomic():
            ledger = _product_ledger_account(
                LedgerKind.MEMBER_DEPOSIT,
                NormalSide.CREDIT,
                False,
                f"{AccountKind(kind).label} · {member.full_name}",
            )
            number = _number_from(ledger, ACCOUNT_PREFIX[kind], "2101")
            return DepositAccount.objects.create(
                member=member,
                ledger_account=ledger,
                number=number,
                kind=kind,
                signature=signature,
                opened_at=opened_at or timezone.now(),
                idempotency_key=idempotency_key,
            )

    return _create_once(
        DepositAccount,
        idempotency_key=idempotency_key,
        expected={"member_id": member.pk, "kind": kind, "signature": signature},
        create=create,
    )


def cash_deposit(
    *,
    account: DepositAccount,
    amount: int,
    idempotency_key: str,
    description: str = "",
    occurred_at: datetime.datetime | None = None,
) -> JournalEntry:
    """A teller takes cash into a member's account; its Comprobante (Ventanilla) is
    issued with the entry (``enlinea.receipts.selectors.receipt_for_entry``)."""
    _positive(amount)
    with transaction.atomic():
        account = accounts_lock(account)[account.pk]
        if account.status == AccountStatus.BLOCKED:
            raise ProductError("La cuenta está bloqueada: no admite depósitos.")
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="cash_deposit",
            lines=[
                Line(coop_account(LedgerKind.CASH).pk, -amount),
                Line(account.ledger_account_id, amount),
            ],
            description=description or "Depósito en efectivo",
            metadata={"account": account.number},
            occurred_at=occurred_at,
        )
        _cash_receipt(entry, account, ReceiptKind.CASH_DEPOSIT, amount, idempotency_key)
    return entry


def cash_withdrawal(
    *, account: DepositAccount, amount: int, idempotency_key: str, description: str = ""
) -> JournalEntry:
    """A teller pays cash out of a member's account (never below the available balance),
    with its Comprobante (Ventanilla)."""
    _positive(amount)
    with transaction.atomic():
        account = accounts_lock(account)[account.pk]
        if account.status != AccountStatus.ACTIVE:
            raise ProductError(f"La cuenta está {account.get_status_display()}: no admite retiros.")
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="cash_withdrawal",
            lines=[
                Line(account.ledger_account_id, -amount),
                Line(coop_account(LedgerKind.CASH).pk, amount),
            ],
            description=description or "Retiro en efectivo",
            metadata={"account": account.number},
        )
        _cash_receipt(entry, account, ReceiptKind.CASH_WITHDRAWAL, amount, idempotency_key)
    return entry


def _cash_receipt(
    entry: JournalEntry, account: DepositAccount, kind: str, amount: int, key: str
) -> None:
    receipt_issue(
        member=account.member,
        kind=kind,
        channel=Channel.BRANCH,
        amount=amount,
        entries=[entry],
        idempotency_key=key,
        account=account,
        motive=entry.description,
        occurred_at=entry.created_at,
    )


# ---------------------------------------------------------------- cash at the window
#
# The teller's window goes through ``cash_operation_request``: every operation is a
# ``CashOperation`` row. At or below ``settings.CASH_APPROVAL_THRESHOLD`` it posts at
# once (through ``cash_deposit`` / ``cash_withdrawal``, whose key is the row's key);
# above it, it waits PENDIENTE until another staff member with ``products.approve_cash``
# approves it (then it posts, once) or rejects it (nothing is posted). A pending
# withdrawal holds no funds: the balance is checked when it is asked for and again by
# the ledger when it is approved, and the approval is refused if the money is gone.
#
# Each teller handles at most ``settings.CASH_TELLER_DAILY_LIMIT`` in cash per day
# (America/Guayaquil): deposits and withdrawals count together, since the limit is
# about the cash that passes through one teller's hands; pending operations count
# (they were asked for) and rejected ones do not. The sum is read under a lock on the
# teller's user row, so parallel submits of one teller are counted one after another
# (step 2 of the lock order, ``enlinea.products.locking``: teller → operation row →
# deposit account → ledger accounts). A refusal for the limit is audited; the audit row
# is written in the caller's transaction, after this service has undone its own writes.


class _DailyLimitReached(Exception):
    def __init__(self, handled: int) -> None:
        super().__init__(handled)
        self.handled = handled


def _cash_post(operation: CashOperation, account: DepositAccount) -> JournalEntry:
    service = cash_deposit if operation.kind == CashKind.DEPOSIT else cash_withdrawal
    return service(
        account=account, amount=operation.amount, idempotency_key=operation.idempotency_key
    )


def _cash_account_check(account: DepositAccount, kind: str, amount: int) -> None:
    """Refuse at once what the ledger would refuse at approval time."""
    if kind == CashKind.DEPOSIT:
        if account.status == AccountStatus.BLOCKED:
            raise ProductError("La cuenta está bloqueada: no admite depósitos.")
        return
    if account.status != AccountStatus.ACTIVE:
        raise ProductError(f"La cuenta está {account.get_status_display()}: no admite retiros.")
    available = LedgerAccount.objects.get(pk=account.ledger_account_id).available
    if available < amount:
        raise ProductError(
            f"Saldo disponible insuficiente: la cuenta tiene {format_cents(max(available, 0))} "
            f"disponibles y la operación requiere {format_cents(amount)}."
        )


def cash_handled_today(*, teller: Any, day: datetime.date | None = None) -> int:
    """Cash a teller asked for on ``day`` (today by default), deposits and withdrawals
    together, pending included and rejected left out, in cents."""
    total = (
        CashOperation.objects.filter(teller=teller, business_day=day or timezone.localdate())
        .exclude(status=CashStatus.REJECTED)
        .aggregate(total=models.Sum("amount"))["total"]
    )
    return total or 0


def _daily_limit_check(teller: Any, amount: int, day: datetime.date) -> None:
    """Raise ``_DailyLimitReached`` when ``amount`` does not fit; the teller's row must be
    locked (``teller_lock``) so that the day's total cannot change meanwhile."""
    handled = cash_handled_today(teller=teller, day=day)
    if handled + amount > settings.CASH_TELLER_DAILY_LIMIT:
        raise _DailyLimitReached(handled)


def _daily_limit_refused(
    reached: _DailyLimitReached,
    *,
    teller: Any,
    kind: str,
    amount: int,
    request: Any,
    account: DepositAccount | None,
) -> ProductError:
    """Audit a refusal for the daily limit (in the caller's transaction) and return the
    teller's message."""
    limit = settings.CASH_TELLER_DAILY_LIMIT
    audit_record(
        kind=AuditKind.CASH_LIMIT_REFUSED,
        request=request,
        user=teller,
        member=account.member if account is not None else None,
        account=account.number if account is not None else None,
        cash_kind=kind,
        amount=amount,
        handled_today=reached.handled,
        limit=limit,
    )
    remaining = max(limit - reached.handled, 0)
    return ProductError(
        f"El monto supera tu límite diario de efectivo de {format_cents(limit)}: hoy ya "
        f"registraste {format_cents(reached.handled)} entre depósitos y retiros y te "
        f"quedan {format_cents(remaining)}."
    )


def cash_limit_check(*, teller: Any, kind: str, amount: int, request: Any = None) -> None:
    """Lock ``teller``'s row and refuse, audited, an ``amount`` of cash beyond their daily
    limit, before the caller writes anything for the operation (``member_onboard``: the
    socio does not exist yet). Call inside the entry point's transaction: the lock then
    holds until it ends, so ``cash_operation_request`` later in it counts the same day.
    ``cash_operation_request`` checks the limit itself; this is for a caller that must
    refuse before its first write."""
    _positive(amount)
    if kind not in CashKind.values:
        raise ProductError("Operación en efectivo desconocida.")
    try:
        with transaction.atomic():
            teller_lock(teller)
            _daily_limit_check(teller, amount, timezone.localdate())
    except _DailyLimitReached as reached:
        raise _daily_limit_refused(
            reached, teller=teller, kind=kind, amount=amount, request=request, account=None
        ) from None


def cash_operation_request(
    *,
    account: DepositAccount,
    kind: str,
    amount: int,
    teller: Any,
    idempotency_key: str,
    request: Any = None,
) -> CashOperation:
    """Cash at the window, asked for by ``teller``: posted at once when ``amount`` is at
    or below ``settings.CASH_APPROVAL_THRESHOLD``, otherwise left pending for another
    staff member's approval. Refused (and audited) beyond the teller's daily limit. A
    replay of ``idempotency_key`` returns the first operation and posts nothing."""
    _positive(amount)
    if kind not in CashKind.values:
        raise ProductError("Operación en efectivo desconocida.")
    if not idempotency_key:
        raise ValueError("An idempotency key is required")
    expected = {"account_id": account.pk, "kind": kind, "amount": amount, "teller_id": teller.pk}

    def earlier() -> CashOperation | None:
        existing = CashOperation.objects.filter(idempotency_key=idempotency_key).first()
        return None if existing is None else _same_request(existing, **expected)

    if (found := earlier()) is not None:
        return found
    _cash_account_check(account, kind, amount)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            teller_lock(teller)
            if (found := earlier()) is not None:  # a parallel double submit came first
                return found
            _daily_limit_check(teller, amount, today)
            pending = amount > settings.CASH_APPROVAL_THRESHOLD
            operation = CashOperation(
                account=account,
                kind=kind,
                amount=amount,
                teller=teller,
                business_day=today,
                requested_at=timezone.now(),
                status=CashStatus.PENDING if pending else CashStatus.POSTED,
                idempotency_key=idempotency_key,
            )
            if not pending:
                operation.entry = _cash_post(operation, account)
            operation.save()
            if not pending:
                _cash_notify(operation, account, when=operation.requested_at)
            if pending:
                audit_record(
                    kind=AuditKind.CASH_PENDING,
                    request=request,
                    user=teller,
                    member=account.member,
                    **_cash_detail(operation),
                    threshold=settings.CASH_APPROVAL_THRESHOLD,
                )
            return operation
    except _DailyLimitReached as reached:
        raise _daily_limit_refused(
            reached, teller=teller, kind=kind, amount=amount, request=request, account=account
        ) from None


# The member hears of every cash movement on their account (e-mail and SMS), in the
# transaction that posts it: at once for small cash, on approval for large cash. A
# pending or rejected operation moved no money, so it sends nothing.
_CASH_NOTICE = {CashKind.DEPOSIT: "deposito_efectivo", CashKind.WITHDRAWAL: "retiro_efectivo"}
NOTICE_CARD_PURCHASE = "consumo_tarjeta"


def _cash_notify(
    operation: CashOperation, account: DepositAccount, *, when: datetime.datetime
) -> None:
    member_notify(
        member=account.member,
        kind=_CASH_NOTICE[operation.kind],
        context={
            "amount": format_cents(operation.amount),
            "account_kind": account.get_kind_display(),
            "last_digits": account.number[-4:],
            "operation": operation.pk,
            "when": when,
        },
    )


NOTICE_MOVEMENT = "movimiento_cuenta"


def _movement_notify(
    *,
    account: DepositAccount,
    title: str,
    detail: str,
    amount: int,
    credited: bool,
    when: datetime.datetime,
) -> None:
    """The member hears of a movement the cooperative made on their account (a loan
    disbursed or an installment paid, a póliza opened or paid): e-mail and SMS, sent at
    COMMIT, once (the callers return before it on a replay). ``account`` is the locked
    one (``accounts_lock``: its member comes with it)."""
    member_notify(
        member=account.member,
        kind=NOTICE_MOVEMENT,
        context={
            "title": title,
            "detail": detail,
            "amount": format_cents(amount),
            "credited": credited,
            "last_digits": account.number[-4:],
            "when": when,
        },
    )


def _cash_detail(operation: CashOperation) -> dict[str, Any]:
    return {
        "operation": operation.pk,
        "account": operation.account.number,
        "cash_kind": operation.kind,
        "amount": operation.amount,
        "teller": operation.teller.get_username(),
    }


def _cash_decision(operation: CashOperation, approver: Any) -> tuple[CashOperation, Any]:
    """Check who decides, then lock the operation's row (step 2 of the lock order) and
    return it (fresh) with its account. Call inside a transaction."""
    if not approver.has_perm("products.approve_cash"):
        raise ProductError("No tienes permiso para aprobar o rechazar operaciones en efectivo.")
    locked = row_lock(operation)
    if locked.teller_id == approver.pk:
        raise ProductError(
            "Otra persona del personal debe aprobar o rechazar esta operación: no puedes "
            "decidir sobre una operación que registraste tú."
        )
    return locked, DepositAccount.objects.select_related("member").get(pk=locked.account_id)


def cash_operation_approve(
    *, operation: CashOperation, approver: Any, request: Any = None
) -> CashOperation:
    """Approve a pending cash operation and post it, once: a second approval (even a
    parallel one) returns the first result. The ledger checks a withdrawal's balance
    now; if it is short, nothing changes and the operation stays pending."""
    with transaction.atomic():
        locked, account = _cash_decision(operation, approver)
        if locked.status == CashStatus.APPROVED:
            return locked
        if locked.status == CashStatus.REJECTED:
            raise ProductError("Esta operación ya fue rechazada: no se puede aprobar.")
        if locked.status == CashStatus.POSTED:
            raise ProductError("Esta operación no necesitaba aprobación: ya está registrada.")
        locked.entry = _cash_post(locked, account)
        locked.status = CashStatus.APPROVED
        locked.approver = approver
        locked.decided_at = timezone.now()
        locked.save(update_fields=["entry", "status", "approver", "decided_at"])
        _cash_notify(locked, account, when=locked.decided_at)
        audit_record(
            kind=AuditKind.CASH_APPROVED,
            request=request,
            user=approver,
            member=account.member,
            **_cash_detail(locked),
            entry=locked.entry_id,
        )
    return locked


def cash_operation_reject(
    *, operation: CashOperation, approver: Any, reason: str = "", request: Any = None
) -> CashOperation:
    """Reject a pending cash operation: nothing is posted and its amount no longer
    counts toward the teller's daily limit. Rejecting twice returns the first result."""
    with transaction.atomic():
        locked, account = _cash_decision(operation, approver)
        if locked.status == CashStatus.REJECTED:
            return locked
        if locked.status != CashStatus.PENDING:
            raise ProductError(
                "Esta operación ya está registrada en la cuenta: no se puede rechazar."
            )
        locked.status = CashStatus.REJECTED
        locked.approver = approver
        locked.decided_at = timezone.now()
        locked.reason = reason[:200]
        locked.save(update_fields=["status", "approver", "decided_at", "reason"])
        audit_record(
            kind=AuditKind.CASH_REJECTED,
            request=request,
            user=approver,
            member=account.member,
            **_cash_detail(locked),
            reason=locked.reason,
        )
    return locked


def account_set_status(*, account: DepositAccount, status: str) -> DepositAccount:
    """Block, unblock or inactivate an account (back office)."""
    if status not in AccountStatus.values:
        raise ProductError("Estado de cuenta desconocido.")
    DepositAccount.objects.filter(pk=account.pk).update(status=status)
    account.status = status
    return account


# ---------------------------------------------------------------- loans


def loan_disburse(
    *,
    member: Member,
    account: DepositAccount,
    product_name: str,
    principal: int,
    annual_rate_bp: int,
    term_months: int,
    disbursed_on: datetime.date,
    idempotency_key: str,
    occurred_at: datetime.datetime | None = None,
    channel: str = Channel.BRANCH,
) -> Loan:
    """Grant a loan: French schedule in exact cents, capital credited to the account,
    with its Comprobante (Desembolso de crédito)."""
    _positive(principal)
    if account.member_id != member.pk:
        raise ProductError("La cuenta de desembolso debe ser del mismo socio.")
    try:
        schedule = french_schedule(
            principal_cents=principal,
            annual_rate_bp=annual_rate_bp,
            term_months=term_months,
            first_due=add_months(disbursed_on, 1),
        )
    except ValueError as exc:
        raise ProductError(f"Condiciones de crédito inválidas: {exc}") from exc
    with transaction.atomic():
        member_lock(member)
        account = accounts_lock(account)[account.pk]
        replayed = _replayed_product(
            idempotency_key,
            "loan_disbursement",
            Loan,
            member_id=member.pk,
            disbursement_account_id=account.pk,
            product_name=product_name,
            principal=principal,
            annual_rate_bp=annual_rate_bp,
            term_months=term_months,
            disbursed_on=disbursed_on,
        )
        if replayed is not None:
            return replayed
        if account.status != AccountStatus.ACTIVE:
            raise ProductError("La cuenta de desembolso no está activa.")
        ledger = _product_ledger_account(
            LedgerKind.LOAN_PORTFOLIO,
            NormalSide.DEBIT,
            True,
            f"{product_name} · {member.full_name}",
        )
        number = _number_from(ledger, "60", "1401")
        loan = Loan.objects.create(
            member=member,
            ledger_account=ledger,
            disbursement_account=account,
            number=number,
            product_name=product_name,
            principal=principal,
            annual_rate_bp=annual_rate_bp,
            term_months=term_months,
            disbursed_on=disbursed_on,
        )
        LoanInstallment.objects.bulk_create(
            LoanInstallment(
                loan=loan,
                number=row.number,
                due_date=row.due_date,
                payment=row.payment_cents,
                principal=row.principal_cents,
                interest=row.interest_cents,
                balance_after=row.balance_after_cents,
            )
            for row in schedule
        )
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="loan_disbursement",
            lines=[Line(ledger.pk, -principal), Line(account.ledger_account_id, principal)],
            description=f"Desembolso {product_name} {number}",
            metadata={"loan": number},
            occurred_at=occurred_at,
        )
        receipt_issue(
            member=member,
            kind=ReceiptKind.LOAN_DISBURSEMENT,
            channel=channel,
            amount=principal,
            entries=[entry],
            idempotency_key=idempotency_key,
            account=account,
            motive=entry.description,
            counterpart=_loan_counterpart(loan),
            occurred_at=entry.created_at,
        )
        _movement_notify(
            account=account,
            title="Desembolso de tu crédito",
            detail=f"{product_name} N.º {number}",
            amount=principal,
            credited=True,
            when=entry.created_at,
        )
    return loan


def _loan_counterpart(loan: Loan) -> Counterpart:
    return Counterpart(
        name=loan.product_name,
        account_number=loan.number,
        account_type="CRÉDITO",
        institution=settings.INSTITUTION["name"],
    )


def loan_repay(
    *,
    loan: Loan,
    from_account: DepositAccount,
    idempotency_key: str,
    occurred_at: datetime.datetime | None = None,
    channel: str = Channel.SYSTEM,
) -> LoanInstallment:
    """Pay the next installment: capital back to the loan, interest to income, with
    its Comprobante (Pago de cuota de crédito)."""
    with transaction.atomic():
        loan = row_lock(loan)
        if from_account.member_id != loan.member_id:
            raise ProductError("La cuenta de débito debe ser del titular del crédito.")
        from_account = accounts_lock(from_account)[from_account.pk]
        if (entry := _replayed(idempotency_key, "loan_repayment")) is not None:
            return loan.installments.get(number=entry.metadata["installment"])
        if loan.status == LoanStatus.PAID_OFF:
            raise ProductError("El crédito ya está cancelado.")
        installment = loan.installments.get(number=loan.installments_paid + 1)
        lines = [
            Line(from_account.ledger_account_id, -installment.payment),
            Line(loan.ledger_account_id, installment.principal),
        ]
        if installment.interest:  # a zero-rate loan has no interest leg
            lines.append(Line(coop_account(LedgerKind.INTEREST_INCOME).pk, installment.interest))
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="loan_repayment",
            lines=lines,
            description=f"Pago cuota {installment.number} crédito {loan.number}",
            metadata={"loan": loan.number, "installment": installment.number},
            occurred_at=occurred_at,
        )
        receipt_issue(
            member=from_account.member,
            kind=ReceiptKind.LOAN_PAYMENT,
            channel=channel,
            amount=installment.payment,
            entries=[entry],
            idempotency_key=idempotency_key,
            account=from_account,
            motive=f"Cuota {installment.number} de {loan.term_months}",
            counterpart=_loan_counterpart(loan),
            occurred_at=entry.created_at,
        )
        _movement_notify(
            account=from_account,
            title="Pago de la cuota de tu crédito",
            detail=f"Cuota {installment.number} de {loan.term_months}, crédito N.º {loan.number}",
            amount=installment.payment,
            credited=False,
            when=entry.created_at,
        )
        installment.paid_at = occurred_at or timezone.now()
        installment.save(update_fields=["paid_at"])
        loan.installments_paid += 1
        if loan.installments_paid == loan.term_months:
            loan.status = LoanStatus.PAID_OFF
        elif _overdue(loan, timezone.localdate()):
            loan.status = LoanStatus.OVERDUE
        else:
            loan.status = LoanStatus.CURRENT
        loan.save(update_fields=["installments_paid", "status"])
    return installment


def _overdue(loan: Loan, today: datetime.date) -> bool:
    return loan.installments.filter(number=loan.installments_paid + 1, due_date__lt=today).exists()


def loans_update_status(*, today: datetime.date | None = None) -> int:
    """Mark loans with an unpaid installment past its due date VENCIDO (and back to
    VIGENTE once they are up to date). Runs daily in the worker; returns loans changed.
    Installments are paid in order, so any unpaid one past due makes the loan overdue."""
    today = today or timezone.localdate()
    late = LoanInstallment.objects.filter(paid_at__isnull=True, due_date__lt=today).values(
        "loan_id"
    )
    open_loans = Loan.objects.exclude(status=LoanStatus.PAID_OFF)
    overdue = open_loans.filter(status=LoanStatus.CURRENT, pk__in=late).update(
        status=LoanStatus.OVERDUE
    )
    current = (
        open_loans.filter(status=LoanStatus.OVERDUE)
        .exclude(pk__in=late)
        .update(status=LoanStatus.CURRENT)
    )
    return overdue + current


# ---------------------------------------------------------------- investments


def investment_open(
    *,
    member: Member,
    source_account: DepositAccount,
    capital: int,
    annual_rate_bp: int,
    term_days: int,
    start_date: datetime.date,
    idempotency_key: str,
    occurred_at: datetime.datetime | None = None,
    channel: str = Channel.BRANCH,
) -> Investment:
    """Open a term deposit: capital moves from the account into the póliza's own
    account, with its Comprobante (Apertura de inversión)."""
    _positive(capital)
    if source_account.member_id != member.pk:
        raise ProductError("La cuenta de origen debe ser del mismo socio.")
    try:
        interest = term_deposit_interest(
            capital_cents=capital, annual_rate_bp=annual_rate_bp, term_days=term_days
        )
        maturity = term_deposit_maturity(start=start_date, term_days=term_days)
    except ValueError as exc:
        raise ProductError(f"Condiciones de inversión inválidas: {exc}") from exc
    with transaction.atomic():
        member_lock(member)
        source_account = accounts_lock(source_account)[source_account.pk]
        replayed = _replayed_product(
            idempotency_key,
            "investment_open",
            Investment,
            member_id=member.pk,
            source_account_id=source_account.pk,
            capital=capital,
            annual_rate_bp=annual_rate_bp,
            term_days=term_days,
            start_date=start_date,
        )
        if replayed is not None:
            return replayed
        ledger = _product_ledger_account(
            LedgerKind.TERM_DEPOSITS, NormalSide.CREDIT, False, f"Póliza · {member.full_name}"
        )
        number = _number_from(ledger, "70", "2103")
        investment = Investment.objects.create(
            member=member,
            ledger_account=ledger,
            source_account=source_account,
            number=number,
            capital=capital,
            annual_rate_bp=annual_rate_bp,
            term_days=term_days,
            start_date=start_date,
            maturity_date=maturity,
            interest=interest,
            withholding=interest_withholding(interest_cents=interest),
        )
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="investment_open",
            lines=[Line(source_account.ledger_account_id, -capital), Line(ledger.pk, capital)],
            description=f"Apertura póliza {number}",
            metadata={"investment": number},
            occurred_at=occurred_at,
        )
        receipt_issue(
            member=member,
            kind=ReceiptKind.INVESTMENT_OPEN,
            channel=channel,
            amount=capital,
            entries=[entry],
            idempotency_key=idempotency_key,
            account=source_account,
            motive=f"Plazo {term_days} días, vence el {maturity:%d/%m/%Y}",
            counterpart=_investment_counterpart(investment),
            occurred_at=entry.created_at,
        )
        _movement_notify(
            account=source_account,
            title="Apertura de tu inversión",
            detail=f"Póliza N.º {investment.number}: plazo {term_days} días, vence el "
            f"{maturity:%d/%m/%Y}",
            amount=capital,
            credited=False,
            when=entry.created_at,
        )
    return investment


def _investment_counterpart(investment: Investment) -> Counterpart:
    return Counterpart(
        name="Póliza de inversión",
        account_number=investment.number,
        account_type="INVERSIÓN",
        institution=settings.INSTITUTION["name"],
    )


def investment_pay(
    *, investment: Investment, idempotency_key: str, channel: str = Channel.SYSTEM
) -> Investment:
    """At maturity: capital and interest (less withholding) to the member's account,
    with its Comprobante (Pago de inversión al vencimiento)."""
    with transaction.atomic():
        investment = row_lock(investment)
        if investment.status == InvestmentStatus.PAID:
            return investment
        source = accounts_lock(investment.source_account)[investment.source_account_id]
        if investment.maturity_date > timezone.localdate():
            raise ProductError(
                f"La póliza {investment.number} vence el "
                f"{investment.maturity_date:%d/%m/%Y}: aún no se puede pagar."
            )
        net = investment.capital + investment.interest - investment.withholding
        lines = [
            Line(investment.ledger_account_id, -investment.capital),
            Line(source.ledger_account_id, net),
        ]
        if investment.interest:
            lines.append(Line(coop_account(LedgerKind.INTEREST_EXPENSE).pk, -investment.interest))
        if investment.withholding:
            lines.append(Line(coop_account(LedgerKind.TAX_WITHHOLDING).pk, investment.withholding))
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="investment_payment",
            lines=lines,
            description=f"Pago póliza {investment.number}",
            metadata={"investment": investment.number},
        )
        receipt_issue(
            member=investment.member,
            kind=ReceiptKind.INVESTMENT_PAYMENT,
            channel=channel,
            amount=net,
            entries=[entry],
            idempotency_key=idempotency_key,
            account=source,
            motive=(
                f"Capital {format_cents(investment.capital)} + interés "
                f"{format_cents(investment.interest)} - retención "
                f"{format_cents(investment.withholding)}"
            ),
            counterpart=_investment_counterpart(investment),
            occurred_at=entry.created_at,
        )
        _movement_notify(
            account=source,
            title="Pago de tu inversión al vencimiento",
            detail=f"Póliza N.º {investment.number}: capital, interés menos retención",
            amount=net,
            credited=True,
            when=entry.created_at,
        )
        investment.status = InvestmentStatus.PAID
        investment.save(update_fields=["status"])
    return investment


# ---------------------------------------------------------------- cards


def _expiry(years: int = 4) -> datetime.date:
    today = timezone.localdate()
    return add_months(today.replace(day=1), 12 * years)


def debit_card_issue(
    *,
    account: DepositAccount,
    idempotency_key: str,
    card_type: str = "MC Débito",
    processor: CardProcessor | None = None,
) -> DebitCard:
    """Issue a debit card on a member's account; only the masked number is kept.
    A replay of ``idempotency_key`` returns the card it issued."""

    def create() -> DebitCard:
        number = (processor or card_processor()).issue_number(bin6=DEBIT_BIN)
        with transaction.atomic():
            return DebitCard.objects.create(
                member=account.member,
                account=account,
                bin6=number[:6],
                last4=number[-4:],
                card_type=card_type,
                holder_name=account.member.full_name,
                expires=_expiry(),
                issued_at=timezone.now(),
                idempotency_key=idempotency_key,
            )

    return _create_once(
        DebitCard,
        idempotency_key=idempotency_key,
        expected={"account_id": account.pk, "card_type": card_type},
        create=create,
    )


def credit_card_issue(
    *,
    member: Member,
    credit_limit: int,
    idempotency_key: str,
    card_type: str = "Mastercard Estándar",
    statement_day: int = 15,
    processor: CardProcessor | None = None,
) -> CreditCard:
    """Issue a credit card with its own receivable account in the ledger.
    A replay of ``idempotency_key`` returns the card it issued."""
    _positive(credit_limit)

    def create() -> CreditCard:
        number = (processor or card_processor()).issue_number(bin6=CREDIT_BIN)
        with transaction.atomic():
            ledger = _product_ledger_account(
                LedgerKind.CARD_RECEIVABLE,
                NormalSide.DEBIT,
                True,
                f"{card_type} · {member.full_name}",
            )
            ledger.code = f"1402-{number[:6]}{number[-4:]}-{ledger.pk}"
            ledger.save(update_fields=["code"])
            return CreditCard.objects.create(
                member=member,
                ledger_account=ledger,
                bin6=number[:6],
                last4=number[-4:],
                card_type=card_type,
                holder_name=member.full_name,
                expires=_expiry(),
                credit_limit=credit_limit,
                statement_day=statement_day,
                issued_at=timezone.now(),
                idempotency_key=idempotency_key,
            )

    return _create_once(
        CreditCard,
        idempotency_key=idempotency_key,
        expected={
            "member_id": member.pk,
            "credit_limit": credit_limit,
            "card_type": card_type,
            "statement_day": statement_day,
        },
        create=create,
    )


def card_pin_set(*, card: DebitCard | CreditCard, pin: str) -> None:
    """Store a new PIN as a salted hash; the PIN itself is never kept. The PIN must
    follow the rules of ``enlinea.products.pins`` (the holder's birth date included)."""
    problem = pin_problem(pin, birth_date=card.member.birth_date)
    if problem is not None:
        raise ProductError(problem)
    card.pin_hash = make_password(pin)
    type(card).objects.filter(pk=card.pk).update(pin_hash=card.pin_hash)


def card_set_status(*, card: DebitCard | CreditCard, status: str) -> None:
    if status not in CardStatus.values:
        raise ProductError("Estado de tarjeta desconocido.")
    type(card).objects.filter(pk=card.pk).update(status=status)
    card.status = status


def card_purchase_record(
    *,
    card: DebitCard | CreditCard,
    amount: int,
    merchant: str,
    idempotency_key: str,
    installments: int = 1,
    occurred_at: datetime.datetime | None = None,
    processor: CardProcessor | None = None,
    country: str = HOME_COUNTRY,
) -> CardPurchase:
    """A purchase approved by the card network, posted against the card's money.

    ``country`` (ISO 3166 alpha-2) is where it was made: the processor refuses it for
    a card its member locked, or abroad outside every travel notice (Aviso de viaje,
    ``enlinea.cards.lock``); its reason is the ``ProductError``'s message."""
    _positive(amount)
    credit = isinstance(card, CreditCard)
    with transaction.atomic():
        card = row_lock(card)
        account = None if credit else accounts_lock(card.account)[card.account_id]
        if (entry := _replayed(idempotency_key, "card_purchase")) is not None:
            return _same_request(
                CardPurchase.objects.get(entry=entry),
                credit_card_id=card.pk if credit else None,
                debit_card_id=None if credit else card.pk,
                amount=amount,
                merchant=merchant,
                installments=installments if credit else 1,
            )
        if card.status != CardStatus.ACTIVE:
            raise ProductError(f"La tarjeta está {card.get_status_display()}.")
        if credit and amount > card.available_credit:
            raise ProductError(
                f"Cupo insuficiente: disponible {format_cents(card.available_credit)}."
            )
        auth = (processor or card_processor()).authorize(
            last4=card.last4,
            amount=amount,
            merchant=merchant,
            key=idempotency_key,
            card=processor_card_ref(card),
            country=country,
        )
        if not auth.approved:
            raise ProductError(f"Consumo rechazado por la red: {auth.reason}.")
        source = card.ledger_account_id if account is None else account.ledger_account_id
        entry = entry_record(
            idempotency_key=idempotency_key,
            kind="card_purchase",
            lines=[
                Line(source, -amount),
                Line(coop_account(LedgerKind.CARD_SETTLEMENT).pk, amount),
            ],
            description=f"Consumo {merchant}"[:200],
            metadata={"card": card.masked_number, "authorization": auth.code},
            occurred_at=occurred_at,
        )
        if not credit:  # a debit card spends the account's money: the member's receipt
            receipt_issue(
                member=card.member,
                kind=ReceiptKind.CARD_PURCHASE,
                channel=Channel.CARD,
                amount=amount,
                entries=[entry],
                idempotency_key=idempotency_key,
                account=account,
                motive=f"Tarjeta {card.masked_number} · autorización {auth.code}",
                counterpart=Counterpart(name=merchant),
                occurred_at=entry.created_at,
            )
        purchase = CardPurchase.objects.create(
            credit_card=card if credit else None,
            debit_card=None if credit else card,
            merchant=merchant,
            amount=amount,
            occurred_at=occurred_at or timezone.now(),
            authorization=auth.code,
            installments=installments if credit else 1,
            # A deferred purchase is billed from the next cut-off on; a plain one at once.
            installments_billed=0 if credit and installments > 1 else 1,
            entry=entry,
        )
        member_notify(  # sent at COMMIT: the member hears of every purchase with the card
            member=card.member,
            kind=NOTICE_CARD_PURCHASE,
            context={
                "amount": format_cents(amount),
                "merchant": merchant,
                "card_type": card.card_type,
                "masked_number": card.masked_number,
                "last4": card.last4,
                "installments": purchase.installments,
                "authorization": auth.code,
                "when": purchase.occurred_at,
            },
        )
        return purchase


def credit_card_statement_cut(*, card: CreditCard, cut_date: datetime.date) -> CreditCard:
    """Close a billing period: bill one installment of each deferred purchase and of
    each of the member's deferrals (Diferir consumos: its interest is posted to the
    card, ``enlinea.cards.deferrals``), then set the statement balance, the minimum
    payment and the payment due date.

    The cut-off date is the request's key: cutting again on the same date returns the
    card as it was cut (a deferred installment is never billed twice); a date before
    the last cut-off is refused."""
    from enlinea.cards.deferrals import deferral_installments_bill  # cards builds on products

    with transaction.atomic():
        card = row_lock(card)
        if card.last_statement_date == cut_date:
            return card
        if card.last_statement_date is not None and cut_date < card.last_statement_date:
            raise ProductError(
                f"La tarjeta {card.masked_number} ya tiene un corte al "
                f"{card.last_statement_date:%d/%m/%Y}; no se puede cortar a una fecha anterior."
            )
        for purchase in card.purchases.filter(installments__gt=1):
            if (
                purchase.installments_billed < purchase.installments
                and timezone.localdate(purchase.occurred_at) < cut_date
            ):
                purchase.installments_billed += 1
                purchase.save(update_fields=["installments_billed"])
        deferral_installments_bill(card=card, cut_date=cut_date)
        statement = max(card.current_balance, 0)
        minimum = min(statement, max(statement * MIN_PAYMENT_RATE_BP // 10_000, MIN_PAYMENT_FLOOR))
        card.last_statement_date = cut_date
        card.payment_due_date = cut_date + datetime.timedelta(days=PAYMENT_DAYS_AFTER_CUT)
        card.statement_balance = statement
        card.minimum_payment = minimum
        card.save(
            update_fields=[
                "last_statement_date",
                "payment_due_date",
                "statement_balance",
                "minimum_payment",
            ]
        )
    return card
