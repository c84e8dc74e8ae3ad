"""The lock order of every money operation, written once, and the helpers that take it.

A service that moves money runs in ``transaction.atomic()``: its own transaction when
called on its own, a savepoint inside the caller's (the confirmation flow spends the
security code and runs the service in one transaction). ``durable=True`` belongs to
entry points only: the view, admin action, job or command that begins the transaction.

Every service takes its locks in this order, never another, and each step only once:

1. the security challenge that authorises the operation (the confirmation flow);
2. the operation's own rows: for cash at the window the teller's user row
   (``teller_lock``: one teller's submits are counted against the daily limit one after
   another), then the ``CashOperation`` row being decided;
3. a row of the member's: their ``TransferLimit`` of the transfer's scope (the cupo,
   ``enlinea.limits.services.limit_reserve``), or the ``Member`` row itself when a
   product is opened for them (``member_lock``: a loan, a póliza) and there is no
   product row yet to lock;
4. the one product acted on: a ``Loan``, ``Investment``, ``DebitCard`` or ``CreditCard``
   row (``row_lock``);
5. the deposit accounts whose money moves, ascending id, in one query
   (``accounts_lock``);
6. ledger accounts, ascending id: ``ledger.services.entry_record`` locks them itself,
   entry by entry.

Why this cannot deadlock, although an operation may record several entries (its
movement, then COMISIÓN and IVA, each locking its own accounts in ascending id): a
member's ledger account (deposit account, loan, póliza, credit card) is only ever
locked by a transaction that already holds its product row (steps 4 and 5), so no one
waits for it; the cooperative's accounts (cash, clearing, commission and IVA shards)
are locked in the same sequence by every operation: the operation's counterpart, then
commission, then IVA.

So a transaction runs one money operation, with the writes that lead to it (spending
the security code, registering the socio and opening the account a first deposit goes
into). Two operations in one transaction would take a second set of product rows and
cooperative accounts after the first, out of this order: an entry point runs them one
per transaction (the demo's year of history is one transaction per movement).

Product rows are locked ``FOR NO KEY UPDATE`` (``no_key=True``, PostgreSQL): it
serialises the services but does not block the foreign-key checks (``FOR KEY SHARE``)
of a receipt, an audit row or a cash operation that names the same member or account,
which ``FOR UPDATE`` would, and only the locked table's rows are taken (``of=("self",)``),
never a joined member's.

A refusal raised by a service has undone the service's own writes (its ``atomic``
rolled back); a refusal the institution must keep a record of (a cash amount over the
teller's daily limit) writes its audit row after that, in the caller's transaction. An
entry point that keeps those rows commits its transaction with the refusal caught
inside it (``enlinea.staff.ventanilla``); anything else in the transaction is the
entry point's to undo.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models

from enlinea.members.models import Member
from enlinea.products.models import DepositAccount

LOCK_ORDER = (
    "security challenge",
    "operation (the confirmation's PendingOperation, teller, cash operation)",
    "member (transfer limit, or the member's row)",
    "product (loan, póliza, card)",
    "deposit accounts, ascending id",
    "ledger accounts, ascending id (entry_record)",
)

_Row = TypeVar("_Row", bound=models.Model)


def _for_update(queryset: models.QuerySet[_Row]) -> models.QuerySet[_Row]:
    return queryset.select_for_update(no_key=True, of=("self",))


def teller_lock(teller: Any) -> None:
    """Step 2: the teller's own row, taken by every cash operation of that teller."""
    users = get_user_model()._default_manager
    list(_for_update(users.filter(pk=teller.pk)).values_list("pk", flat=True))


def member_lock(member: Member) -> Member:
    """Step 3: the member's row, while a product is opened for them."""
    return _for_update(Member.objects.filter(pk=member.pk)).get()


def row_lock(row: _Row) -> _Row:
    """Step 4 (or step 2 for a cash operation): ``row`` again, fresh and locked."""
    return _for_update(type(row)._default_manager.filter(pk=row.pk)).get()


def accounts_lock(*accounts: DepositAccount | None) -> dict[int, DepositAccount]:
    """Step 5: the deposit accounts (``None`` skipped), ascending id, fresh, with their
    member; by id."""
    ids = {account.pk for account in accounts if account is not None}
    rows = _for_update(
        DepositAccount.objects.select_related("member").filter(pk__in=ids).order_by("pk")
    )
    return {row.pk: row for row in rows}
