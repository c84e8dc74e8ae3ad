"""Figures behind the charts of "Consulta de movimientos": month-end balances and this
month's spending by concept.

Both read the account's ledger postings, so the charts show the ledger's numbers:

* ``monthly_balances``: the balance at the end of each of the last months is the
  ``balance_after`` of the account's last posting before the next month starts (by
  ``(created_at, id)``, the order the movement list uses). A month without movements
  therefore carries the previous month's balance forward, and months before the first
  posting are 0. **One query** whatever the rows: one scalar subquery per month, each an
  index probe on ``ledger_posting_statement`` (``account, created_at, id``) that stops at
  the first row, so a year of 100,000 movements costs what an empty account costs. Plain
  SQL subqueries, the same on PostgreSQL and SQLite.
* ``spending_by_concept``: this month's debits grouped by concept (the entry's
  description, upper-cased, as the movement list shows it), the largest ``top`` and the
  rest together as "Otros". **Two queries**: the grouped top rows and the month's total.

Callers pass an account already fetched through the owner-scoped
``accounts.account_for_member``; nothing here looks an account up by number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf, Replace, Upper
from django.utils import timezone

from enlinea.ledger.models import LedgerAccount, Posting
from enlinea.products.models import DepositAccount

MONTHS = 12
TOP_CONCEPTS = 5
OTHERS = "Otros"


@dataclass(frozen=True)
class MonthBalance:
    month: dt.date  # the first day of the month
    balance: int  # cents, at the end of the month (or now, for the current month)


@dataclass(frozen=True)
class ConceptTotal:
    concept: str
    amount: int  # cents spent, positive
    count: int  # how many debits
    is_others: bool = False


@dataclass(frozen=True)
class Spending:
    month: dt.date  # the first day of the month
    rows: list[ConceptTotal]  # largest first; "Otros" last when there is one
    total: int  # cents, every debit of the month
    count: int


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in the cooperative's time zone (months end locally)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _last_balance_before(edge: dt.datetime) -> Subquery:
    return Subquery(
        Posting.objects.filter(account_id=OuterRef("pk"), created_at__lt=edge)
        .order_by("-created_at", "-id")
        .values("balance_after")[:1]
    )


def monthly_balances(
    *, account: DepositAccount, today: dt.date, months: int = MONTHS
) -> list[MonthBalance]:
    """The account's balance at the end of each of the last ``months`` months, oldest
    first, ending with the current month (whose "end" is its latest movement)."""
    current = month_start(today)
    firsts = [add_months(current, n) for n in range(-(months - 1), 1)]
    annotations = {
        f"m{i}": _last_balance_before(local_midnight(add_months(first, 1)))
        for i, first in enumerate(firsts)
    }
    row = (
        LedgerAccount.objects.filter(pk=account.ledger_account_id)
        .annotate(**annotations)
        .values(*annotations)
        .first()
    ) or {}
    return [
        MonthBalance(month=first, balance=row.get(f"m{i}") or 0) for i, first in enumerate(firsts)
    ]


def _concept_expression() -> Upper:
    # The movement list's concept: the description, or the entry's kind when it has none.
    return Upper(
        Coalesce(
            NullIf(F("entry__description"), Value("")),
            Replace(F("entry__kind"), Value("_"), Value(" ")),
        )
    )


def spending_by_concept(
    *, account: DepositAccount, today: dt.date, top: int = TOP_CONCEPTS
) -> Spending:
    """This month's debits of the account by concept: the ``top`` largest, then Otros."""
    first = month_start(today)
    debits = Posting.objects.filter(
        Q(amount__lt=0),
        account_id=account.ledger_account_id,
        created_at__gte=local_midnight(first),
        created_at__lt=local_midnight(add_months(first, 1)),
    )
    grouped = list(
        debits.annotate(concept=_concept_expression())
        .values("concept")
        .annotate(spent=Sum("amount"), n=Count("id"))
        .order_by("spent", "concept")[:top]  # amounts are negative: most spent first
    )
    overall = debits.aggregate(spent=Sum("amount"), n=Count("id"))
    total, count = -(overall["spent"] or 0), overall["n"] or 0
    # SQLite's UPPER leaves non-ASCII letters alone; Python's matches the movement list.
    rows = [ConceptTotal(g["concept"].upper(), -g["spent"], g["n"]) for g in grouped]
    shown, shown_count = sum(r.amount for r in rows), sum(r.count for r in rows)
    if count > shown_count:
        rows.append(ConceptTotal(OTHERS, total - shown, count - shown_count, is_others=True))
    return Spending(month=first, rows=rows, total=total, count=count)
