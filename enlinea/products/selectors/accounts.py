"""Owner-scoped reads of a member's deposit accounts (cuentas) and their movements.

Every function takes the member: an account number that is not the member's answers 404,
the same as a number that does not exist, so a page never tells whose an account is.

Movements are the account's ledger postings, newest first, read with *keyset*
pagination: each page is ``WHERE (created_at, id) < (cursor) ORDER BY created_at DESC,
id DESC LIMIT n+1`` on the ``(account, created_at, id)`` index, so page 400 of an account
with 100,000 movements costs what page 1 costs (never ``OFFSET``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from enlinea.ledger.models import Posting
from enlinea.members.models import Member
from enlinea.products.models import DepositAccount

MSG_ACCOUNT_NOT_FOUND = "No encontramos esa cuenta entre tus productos."

DEBITS = "debitos"
CREDITS = "creditos"
ALL = "todos"

# The manual's "Tipo" column: a cash deposit is a DEPOSITO, a cash withdrawal a RETIRO;
# everything else is a note on the account, debit or credit by the posting's sign.
DEPOSIT = "DEPOSITO"
WITHDRAWAL = "RETIRO"
DEBIT_NOTE = "NOTA DE DEBITO"
CREDIT_NOTE = "NOTA DE CREDITO"


def accounts_for_member(*, member: Member) -> QuerySet[DepositAccount]:
    """The member's accounts in opening order; balances read the ledger (no extra query)."""
    return (
        DepositAccount.objects.filter(member=member)
        .select_related("ledger_account")
        .order_by("opened_at", "id")
    )


def account_for_member(*, member: Member, number: str) -> DepositAccount:
    """One of the member's accounts by its number; 404 for anyone else's or an unknown one."""
    account = accounts_for_member(member=member).filter(number=str(number)).first()
    if account is None:
        raise Http404(MSG_ACCOUNT_NOT_FOUND)
    return account


@dataclass(frozen=True)
class AccountsTotals:
    available: int
    ledger: int
    count: int


def accounts_totals(accounts: list[DepositAccount]) -> AccountsTotals:
    return AccountsTotals(
        available=sum(a.available_balance for a in accounts),
        ledger=sum(a.ledger_balance for a in accounts),
        count=len(accounts),
    )


@dataclass(frozen=True)
class Movement:
    """One row of "Consulta de movimientos"."""

    posting_id: int
    reference: str
    created_at: dt.datetime
    kind_label: str
    concept: str
    amount: int  # cents, negative for a debit
    balance: int  # the account's balance right after this posting (stored on it)
    receipt_number: int | None = None  # the Comprobante N.º of the movement's operation

    @property
    def is_debit(self) -> bool:
        return self.amount < 0


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the row with this (created_at, id)."""

    created_at: dt.datetime
    posting_id: int


# What a movement row reads of its posting, its entry and its receipt, in this order.
MOVEMENT_FIELDS = (
    "id",
    "amount",
    "balance_after",
    "created_at",
    "entry_id",
    "entry__kind",
    "entry__description",
    "entry__receipt_link__receipt_id",  # a LEFT JOIN: None when no receipt
)
MovementRow = tuple[int, int, int, dt.datetime, int, str, str, int | None]


def movement_rows(postings: QuerySet[Posting]) -> QuerySet:
    """The postings as plain ``MOVEMENT_FIELDS`` tuples, one query with the entry and its
    receipt joined. Tuples, not model instances: an export reads thousands of rows, and
    building three model objects per row cost more than the query itself."""
    return postings.values_list(*MOVEMENT_FIELDS)


def movement(row: MovementRow) -> Movement:
    """A ``movement_rows`` tuple as the row the list and the documents show."""
    posting_id, amount, balance, created_at, entry_id, kind, description, receipt_number = row
    if amount > 0:
        label = DEPOSIT if kind == "cash_deposit" else CREDIT_NOTE
    else:
        label = WITHDRAWAL if kind == "cash_withdrawal" else DEBIT_NOTE
    return Movement(
        posting_id=posting_id,
        reference=str(receipt_number or entry_id),
        receipt_number=receipt_number,
        created_at=created_at,
        kind_label=label,
        concept=(description or kind.replace("_", " ")).upper(),
        amount=amount,
        balance=balance,
    )


def account_movements(
    *,
    account: DepositAccount,
    since: dt.datetime,
    until: dt.datetime,
    direction: str = ALL,
    after: Cursor | None = None,
    limit: int = 25,
) -> tuple[list[Movement], Cursor | None]:
    """One page of the account's movements in ``[since, until)``, newest first.

    ``direction`` is ``todos``, ``debitos`` or ``creditos``; ``after`` is the cursor the
    previous page returned. Returns the rows and the cursor of the next page (None on the
    last one). One query, whatever the page (the receipt number comes by a join).
    """
    postings = Posting.objects.filter(
        account_id=account.ledger_account_id, created_at__gte=since, created_at__lt=until
    )
    if direction == DEBITS:
        postings = postings.filter(amount__lt=0)
    elif direction == CREDITS:
        postings = postings.filter(amount__gt=0)
    if after is not None:
        postings = postings.filter(
            # (created_at, id) < cursor, written so the index bounds created_at <= cursor.
            Q(created_at__lte=after.created_at)
            & (Q(created_at__lt=after.created_at) | Q(id__lt=after.posting_id))
        )
    rows = list(movement_rows(postings).order_by("-created_at", "-id")[: limit + 1])
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        posting_id, _, _, created_at, *_ = rows[-1]
        following = Cursor(created_at=created_at, posting_id=posting_id)
    return [movement(row) for row in rows], following
